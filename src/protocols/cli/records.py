"""`handbook` commands for the records store: list runs, export, verify and purge.

Each command that changes or exports a record names who did it in the audit log:
``--user``, else the user setting (:data:`protocols.settings.USER`), else the login name.
The signing key and the follow-up tracker have their own modules (``signing_key``, ``followups``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import DatabaseOption, UserOption, chosen_agency, fail, open_store, printable, write_all
from protocols.engine.answers import sentence
from protocols.library.errors import ContentError
from protocols.library.loader import default_library
from protocols.records import RunRecord, Store, StoreError
from protocols.records.aids import TRAINING_AIDS, known_aids
from protocols.records.export import case_payload, render_html, render_json, run_entry, run_payload, sign
from protocols.records.export_format import ExportError
from protocols.records.run_views import aware
from protocols.records.signing import KeyFolder, SigningError, given_keys
from protocols.records.verify import EXIT_CODES, NOT_AN_EXPORT_EXIT, Verdict, check_export
from protocols.settings import AGENCY

VERIFY_EPILOG = "Exit codes: " + "; ".join(f"{code} {what}" for code, what in sorted([
    (EXIT_CODES[Verdict.VERIFIED], "verified"),
    (NOT_AN_EXPORT_EXIT, "not a handbook export, or unreadable"),
    (2, "a bad option, or an unusable public key file or key folder"),
    (EXIT_CODES[Verdict.ALTERED], "altered: the content or page was changed after export"),
    (EXIT_CODES[Verdict.FORGED], "forged: the signature is wrong or missing, or its key is not trusted"),
    (EXIT_CODES[Verdict.UNSIGNED], "unsigned: made before exports were signed (its digest still matches)"),
])) + "."

PURGE_HELP = f"""Delete completed records past the retention period; each deletion is audited.

The period is --days, else the agency profile's retention_days (--agency FILE or
{AGENCY.shown}); the output says which was used.
"""


def register(app: typer.Typer) -> None:
    """Add the records commands to the ``handbook`` app."""
    app.command("runs")(runs)
    app.command("export")(export)
    app.command("verify-export", epilog=VERIFY_EPILOG)(verify_export)
    app.command("purge", help=PURGE_HELP)(purge)


def _table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of a plain text table with a heading row, columns padded to their widest cell."""
    rows = list(rows)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    return ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in (headings, *rows)]


def runs(
    aid: Annotated[str | None, typer.Option(help="Only this job aid's runs, e.g. scene-response (default: "
                                                 "every aid).", show_default=False)] = None,
    case: Annotated[str | None, typer.Option(help="Only this case or incident number, in every aid.",
                                             show_default=False)] = None,
    limit: Annotated[int, typer.Option(help="At most this many runs.", min=1, max=10_000)] = 50,
    database: DatabaseOption = None,
) -> None:
    """List saved job-aid runs, newest first: run id, job aid, case number, status, version, last change.

    Every job aid's runs are listed unless --aid names one; --case finds one case's runs in
    every aid. A scenario play-through's case column is its training session label.
    """
    store = open_store(database)
    try:
        saved = store.saved_aids()
        if aid is not None and aid not in known_aids(saved):
            raise fail(f"There is no job aid called {printable(aid)!r}. The job aids are: "
                       f"{', '.join(known_aids(saved))}. Give one of them with --aid, or leave --aid out "
                       "to list every aid.", 2)
        records = store.list_runs(aid, case, limit)
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None
    if not records:
        where = " and ".join(filter(None, [f"job aid {aid}" if aid else "",
                                           f"case {printable(case)}" if case else ""]))
        typer.echo(f"No saved runs{' for ' + where if where else ''}.")
        return
    rows = [(r.id, printable(r.aid), printable(r.case_number), r.status, f"v{r.content_version}",
             f"{aware(r.updated_at).astimezone():%Y-%m-%d %H:%M}") for r in records]
    for line in _table(("Run id", "Job aid", "Case", "Status", "Version", "Last change"), rows):
        typer.echo(line)
    if len(records) == limit:
        typer.echo(f"(The newest {limit} runs; give --limit N to see more.)")


def _export_targets(run_id: str | None, case: str | None, out: list[Path] | None) -> list[Path]:
    """The files ``export`` writes, once its arguments are checked (exit code 2 when they are wrong)."""
    if (run_id is None) == (case is None):
        raise fail("Give either a run id or --case NUMBER (not both). List the runs with handbook runs.", 2)
    targets = out or []
    if not targets:
        raise fail("Give the file to write with --out FILE.json or --out FILE.html (or both).", 2)
    for target in targets:
        if target.suffix.lower() not in (".json", ".html"):
            raise fail(f"The --out file {target} must end in .json or .html.", 2)
    return targets


def _export_records(store: Store, run_id: str | None, case: str | None) -> list[RunRecord]:
    """The runs to export: one by id, or every case run of a case (training left out)."""
    if run_id is not None:
        record = store.get(run_id)
        if record is None:
            raise fail(f"There is no run {printable(run_id)!r}. List the runs with handbook runs.")
        return [record]
    found = [r for r in store.list_runs(case_number=case, limit=100_000) if r.aid not in TRAINING_AIDS]
    if not found:
        raise fail(f"There are no saved runs for case {printable(str(case))!r}. Check the number with "
                   "handbook runs --case NUMBER.")
    return found


def _audit_exports(store: Store, records: list[RunRecord], outcome: str) -> None:
    try:
        for record in records:
            store.record_event("export", record.id, outcome)
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None


def export(
    run_id: Annotated[str | None, typer.Argument(help="The run id (see handbook runs); or give --case.",
                                                 show_default=False)] = None,
    out: Annotated[list[Path] | None, typer.Option(
        "--out", metavar="FILE", help="File to write, ending in .json or .html. Give it twice (one of "
        "each) for both forms of the same signed record.", show_default=False)] = None,
    case: Annotated[str | None, typer.Option(
        "--case", metavar="NUMBER", help="Export every run of this case as one case file (training "
        "play-throughs are left out).", show_default=False)] = None,
    include_notes: Annotated[bool, typer.Option(help="Show free-text answers instead of redacting them.")] = False,
    database: DatabaseOption = None,
    user: UserOption = None,
) -> None:
    """Export a run, or a whole case, for the case file: signed JSON and a printable HTML page.

    Every job aid's runs export. Each file carries a SHA-256 digest and an Ed25519 signature
    made with this agency's key (made at first use; see handbook signing-key), so
    handbook verify-export shows whether it was changed since. The export names who recorded
    each run (from the audit log) and who exported it.
    """
    targets = _export_targets(run_id, case, out)
    store = open_store(database, user)
    try:
        library = default_library()
    except ContentError as exc:
        raise fail(f"The handbook's content cannot be loaded ({len(exc.problems)} problem(s)). Run handbook "
                   "validate to see them and fix them.") from None
    try:
        records = _export_records(store, run_id, case)
        entries = [run_entry(r, library, store.actors(r.id), include_notes) for r in records]
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None
    now = dt.datetime.now(dt.UTC).astimezone()
    payload = run_payload(entries[0], store.actor, now, include_notes) if run_id is not None \
        else case_payload(str(case), entries, store.actor, now, include_notes)
    try:
        document = sign(payload, KeyFolder.default())
    except SigningError as exc:
        _audit_exports(store, records, "failed")
        raise fail(exc) from None
    texts = [(t, render_html(document) if t.suffix.lower() == ".html" else render_json(document)) for t in targets]
    problem = write_all(texts)
    if problem:
        _audit_exports(store, records, "failed")
        raise fail(problem)
    _audit_exports(store, records, "ok")
    what = f"run {run_id}" if run_id is not None else f"case {printable(str(case))} ({len(records)} runs)"
    typer.echo(f"Exported {what} to {', '.join(map(str, targets))}, signed with key "
               f"{document['signature']['key_id']}.")


def verify_export(
    file: Annotated[Path, typer.Argument(help="A .json or .html export.")],
    public_key: Annotated[list[Path] | None, typer.Option(
        "--public-key", metavar="FILE", help="A public key file the agency gave you (handbook signing-key "
        "show --out FILE); its keys are trusted too. May be given more than once.", show_default=False)] = None,
) -> None:
    """Check that an export is unchanged since it was signed, by a key the agency trusts.

    The trusted keys are this machine's signing keys (the current one and every retired one)
    and the keys in any --public-key file. The public key inside an export is not trusted on
    its own: anyone can make a key.
    """
    try:
        trusted = {**KeyFolder.default().trusted(), **given_keys(public_key or [])}
    except SigningError as exc:
        raise fail(exc, 2) from None
    try:
        finding = check_export(file, trusted)
    except ExportError as exc:
        raise fail(exc, NOT_AN_EXPORT_EXIT) from None
    if finding.exit_code:
        raise fail(finding.message, finding.exit_code)
    typer.echo(finding.message)


def _retention(days: int | None, agency: Path | None) -> tuple[int, str]:
    """The retention period to purge by, and where it came from (said to the user)."""
    if days is not None:
        return days, "--days"
    profile_file = chosen_agency(agency)
    if profile_file is None:
        raise fail("give --days N, or --agency FILE to use that agency profile's retention_days "
                   f"(or set {AGENCY.shown})", 2)
    from protocols.library.agency import read_profile

    profile, problems = read_profile(profile_file)
    if profile is None:
        raise fail("the agency profile cannot be used:\n" + "\n".join(map(str, problems)), 2)
    return profile.retention_days, f"retention_days in {profile_file}"


def purge(
    days: Annotated[int | None, typer.Option(
        help="Delete completed runs unchanged for this many days (overrides the agency's "
        "retention_days).", min=1, show_default=False)] = None,
    agency: Annotated[Path | None, typer.Option(
        "--agency", help=f"Use this agency profile's retention_days (default: {AGENCY.shown}).",
        show_default=False)] = None,
    database: DatabaseOption = None,
    user: UserOption = None,
) -> None:
    """``handbook purge`` (its help text is :data:`PURGE_HELP`)."""
    period, source = _retention(days, agency)
    store = open_store(database, user)
    try:
        ids = store.purge(period)
    except StoreError as exc:
        raise fail(exc) from None
    typer.echo(f"Purged {len(ids)} completed run(s) older than {period} days ({source}).")
