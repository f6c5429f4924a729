"""`handbook` commands for trainers: agency diff, review dates, new files, a live preview and
the summary of a training session's scenario answers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from protocols.cli.common import chosen_agency, fail
from protocols.library.errors import ContentError
from protocols.library.loader import Library, load_library
from protocols.settings import DATABASE_URL
from protocols.trainer.maintenance import KIND_LABELS, agency_diff, review_status

if TYPE_CHECKING:
    from protocols.engine import TrainingSummary
    from protocols.records import RunRecord

SCENARIO_AID = "scenario-player"
"""The job aid whose play-throughs a training summary reads (as in protocols.ui.scenario_player_aid)."""

AgencyOption = Annotated[
    Path | None,
    typer.Option("--agency", help="An agency profile (agency.yaml) whose overlay adapts the content."),
]


def _load(content: Path | None, agency: Path | None) -> Library:
    try:
        return load_library(content, agency)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise fail(f"{len(exc.problems)} problem(s) in the content or the agency overlay") from None


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_lines(summary: TrainingSummary) -> list[str]:
    """A training summary as a plain table: one row per decision, then what to teach again."""
    lines = [f"{summary.title} ({summary.scenario_id}, version {summary.content_version}, "
             f"about {summary.minutes} minutes)", summary.text]
    lines += [f"Not counted: {s.reason}" for s in summary.skipped]
    if not summary.nodes:
        return [*lines, "No decisions yet."]
    lines += ["", f"{'#':>2}  {'Decision':40}  {'People':>6}  {'Best':>4}  "
              "Choices: the letter the room saw, the option, how many (* the best option)"]
    for n in summary.nodes:
        choices = ", ".join(f"{o.letter} {o.option_id}{'*' if o.best else ''} {o.count}" for o in n.options)
        lines.append(f"{n.number:>2}  {_short(n.name, 40):40}  {n.reached:>6}  {n.best_percent:>3}%  {choices}")
    if summary.reteach:
        lines += ["", "Teach again (fewest chose the best option):"]
        for n in summary.reteach:
            lines.append(f"  Decision {n.number} ({_short(n.name, 60)}): {n.best_percent}% of "
                         f"{n.reached} chose the best option")
            lines += [f"    - {x.text}" for x in n.best_exercises]
    else:
        lines += ["", "At every decision, most people chose the best option."]
    return lines


def register(app: typer.Typer) -> None:
    """Add the trainer commands to the ``handbook`` app."""
    app.command("diff")(diff)
    app.command("new")(new)
    app.command("preview")(preview)
    app.command("review-due")(review_due)
    app.command("training-summary", help=TRAINING_SUMMARY_HELP)(training_summary)


def diff(
    agency: Annotated[Path, typer.Option("--agency", help="The agency profile to compare.")],
    content: Annotated[Path | None, typer.Option("--content", help="Base content folder.")] = None,
) -> None:
    """Show what an agency's profile and overlay change against the shipped content."""
    base = _load(content, None)
    adapted = _load(content, agency)
    for line in agency_diff(base, adapted):
        typer.echo(line)


def new(
    kind: Annotated[str, typer.Argument(help="What to start: protocol, scenario or resource.",
                                        show_default=False)],
    name: Annotated[str, typer.Argument(help="Its id and file name, e.g. welfare-check.",
                                        show_default=False)],
    agency: Annotated[Path | None, typer.Option(
        "--agency", help="Write it into this agency's overlay folder instead of the content folder.",
        show_default=False)] = None,
    content: Annotated[Path | None, typer.Option("--content", help="Content folder to write into.",
                                                 show_default=False)] = None,
) -> None:
    """Start a new checklist (protocol), training scenario or referral directory (resource).

    Writes a filled-in template with notes that explain every field, e.g.
    src/protocols/content/protocols/NAME.yaml. It never overwrites a file, and the new
    file passes `handbook validate` as written: change it step by step and validate again.
    For a checklist it then prints the next steps: where its card shows, the block that
    puts it in a chapter, and the link that opens it as a job aid.
    """
    from protocols.trainer.authoring import KINDS, AuthoringError, next_steps, write_new

    if kind not in KINDS:
        raise fail(f"cannot start a `{kind}`; use one of: {', '.join(KINDS)}", 2)
    taken: set[str] = set()
    # Broken content elsewhere does not stop a new file; `handbook validate` reports it.
    with contextlib.suppress(ContentError):
        taken = set(getattr(load_library(content, agency), KINDS[kind]))
    try:
        target = write_new(kind, name, content=content, agency=agency, taken=taken)
    except AuthoringError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise fail(f"cannot write the file: {exc.strerror} ({exc.filename})") from None
    typer.echo(f"Wrote {target}")
    for line in next_steps(kind, name, content=content, agency=agency):
        typer.echo(line)


def preview(
    path: Annotated[Path, typer.Argument(help="The book folder (holds _config.yml and _toc.yml).")]
    = Path("."),
    agency: AgencyOption = None,
    content: Annotated[Path | None, typer.Option("--content", help="Content folder to use.",
                                                 show_default=False)] = None,
    port: Annotated[int, typer.Option(help="Port for the preview (0: any free port).")] = 8867,
    output: Annotated[Path | None, typer.Option(
        "--output", help="Folder for the site (default: as `handbook build`).", show_default=False)]
    = None,
    interval: Annotated[float, typer.Option(help="Seconds between checks for changes.", min=0.2)] = 1.0,
) -> None:
    """Build the handbook, show it at http://127.0.0.1:PORT/, and rebuild when you save a file.

    Watches the content folder, the agency's folder, book/, _toc.yml and _config.yml.
    Each change is validated first: problems are listed with file, line and fix, and the
    preview keeps showing the last good build until they are fixed. Stop with Ctrl+C.
    """
    import threading

    from protocols.book.build import default_agency, output_dir
    from protocols.trainer.preview import StaticServer, make_loop

    if not (path / "_config.yml").is_file() or not (path / "_toc.yml").is_file():
        raise fail(f"{path} is not the book folder (no _config.yml and _toc.yml); run from "
                   "the project folder or pass the path", 2)
    if content is not None and not content.is_dir():  # nothing to build or watch: say so, do not wait
        raise fail(f"the content folder {content} does not exist; pass the folder that holds "
                   "protocols/, rights/ and the rest", 2)
    chosen = chosen_agency(agency)
    used = chosen if chosen is not None else default_agency(path)
    out = output if output is not None else output_dir(path, chosen)
    loop = make_loop(path, out, content=content, agency=chosen, used_agency=used, echo=typer.echo)
    server = StaticServer(out, "127.0.0.1", port, builds=loop.generation)
    try:
        server.start()
    except OSError as exc:
        raise fail(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); pass another "
                   "--port") from None
    stop = threading.Event()
    try:
        typer.echo(f"Building {out} …")
        loop.start()
        typer.echo(f"Preview at {server.url}  (watching for changes; Ctrl+C to stop)")
        loop.run(stop, interval)
    except KeyboardInterrupt:
        typer.echo("Preview stopped.")
    finally:
        stop.set()
        server.stop()


def review_due(
    within: Annotated[int, typer.Option(help="Also list what falls due within this many days.", min=0)] = 30,
    agency: AgencyOption = None,
    today: Annotated[str | None, typer.Option(help="Pretend today is YYYY-MM-DD.")] = None,
    ci: Annotated[bool, typer.Option(help="Exit 1 when anything is overdue (default: on when $CI is set).")]
    = bool(os.environ.get("CI")),
) -> None:
    """List content whose review is overdue or due soon, with its owner.

    A rights notice is listed for its review (from `revised`) and for its check against
    the law (from each right's `verified_on`); both fall due after its `review_every_days`.
    """
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise fail(f"--today must be a date like 2026-11-25, not {today!r}", 2) from None
    statuses = review_status(_load(None, agency), day)
    shown = [s for s in statuses if s.days_left <= within]
    overdue = [s for s in shown if s.overdue]
    if not shown:
        typer.echo(f"Nothing is due for review within {within} days (next: {statuses[0].due}).")
    for s in shown:
        state = f"OVERDUE by {-s.days_left} days" if s.overdue else f"due in {s.days_left} days"
        detail = f": {s.detail}" if s.detail else ""
        typer.echo(f"{state:22} {s.due}  {KIND_LABELS[s.kind]} {s.obj_id} (owner: {s.owner}){detail}")
    if overdue and ci:
        raise typer.Exit(1)


TRAINING_SUMMARY_HELP = f"""Summarise a training session: every scenario play-through saved under one session label.

Counts individual play-throughs and roll-call groups (each hand in a show of hands counts),
shows how many chose the best option at each decision, and lists the checklist items to
teach again. It shows no names and no labels. Reads the records database that
{DATABASE_URL.shown} names (as `handbook serve` does).
"""


def training_summary(
    label: Annotated[str, typer.Argument(
        help="The session label the play-throughs were saved under, e.g. roll-call-12.", show_default=False)],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Only this scenario (default: each scenario played under the label).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of summaries instead.")] = False,
    agency: AgencyOption = None,
) -> None:
    """``handbook training-summary`` (its help text is :data:`TRAINING_SUMMARY_HELP`)."""
    from protocols.engine import EngineError, check_case_number, summarise

    try:
        wanted = check_case_number(label, "session label")
    except EngineError as exc:
        raise fail(str(exc), 2) from None
    library = _load(None, agency)
    if scenario is not None and scenario not in library.scenarios:
        raise fail(f"there is no scenario `{scenario}`; use one of: "
                   + ", ".join(sorted(library.scenarios)), 2)
    batches = _played_batches(library, _session_runs(wanted), scenario, wanted)
    summaries = [summarise(library.scenario(c), [r.state for r in rs], library.protocols)
                 for c, rs in batches]
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in summaries], indent=2, ensure_ascii=False))
        return
    for number, summary in enumerate(summaries):
        if number:
            typer.echo("")
        for line in summary_lines(summary):
            typer.echo(line)


def _session_runs(label: str) -> list[RunRecord]:
    """The scenario play-throughs saved under the session ``label`` (exit code 2 when there are none)."""
    from protocols.records import Store, StoreError

    try:
        runs = [r for r in Store.open().all_runs(SCENARIO_AID) if r.case_number == label]
    except StoreError as exc:
        raise fail(f"the records database cannot be read: {exc}") from None
    if not runs:
        raise fail(f"no scenario play-throughs are saved under the session label `{label}`; "
                   "check the label (it is case-sensitive)", 2)
    return runs


def _played_batches(library: Library, runs: list[RunRecord], scenario: str | None,
                    label: str) -> list[tuple[str, list[RunRecord]]]:
    """The runs to summarise per scenario: ``scenario``'s, else every scenario's in the content, most played first."""
    if scenario is not None:
        if not any(r.content_id == scenario for r in runs):
            raise fail(f"no play-through of scenario `{scenario}` is saved under the session "
                       f"label `{label}`; played there: "
                       + ", ".join(sorted({r.content_id for r in runs})), 2)
        return [(scenario, runs)]
    played: dict[str, list[RunRecord]] = {}
    for r in runs:
        played.setdefault(r.content_id, []).append(r)
    for content_id in sorted(c for c in played if c not in library.scenarios):
        typer.echo(f"note: {len(played[content_id])} play-through(s) of `{content_id}`, which is not "
                   "in the content, are not summarised", err=True)
    batches = [(c, rs) for c, rs in sorted(played.items(), key=lambda kv: (-len(kv[1]), kv[0]))
               if c in library.scenarios]
    if not batches:
        raise fail("none of the scenarios played under this label is in the content", 2)
    return batches
