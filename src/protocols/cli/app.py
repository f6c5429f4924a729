"""The ``handbook`` command: validate, build, serve and maintain the handbook.

This module holds the root app, the content commands (validate, readability, schema, info)
and :func:`main`; each other command group has its module, and adds itself with ``register``.
Every command reports bad input as a short message with what is wrong, where,
and how to fix it, and exits non-zero. It never prints a traceback unless the debug
setting (:data:`protocols.settings.DEBUG`) is on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from protocols.cli import acknowledgements, build, followups, records, serve, signing_key, trainer
from protocols.cli.common import ContentOption, fail
from protocols.library.content_warnings import content_warnings
from protocols.library.errors import ContentError
from protocols.library.loader import DEFAULT_CONTENT, load_library
from protocols.library.project import book_root
from protocols.library.teaching_checks import teaching_problems
from protocols.models import CONTENT_KINDS, SourceList
from protocols.settings import DEBUG, Settings

app = typer.Typer(
    help=(
        "Crisis-intervention handbook: validate the protocol content, build the book, "
        "and serve the job aids."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def validate(
    content: ContentOption = None,
    agency: Annotated[Path | None, typer.Option("--agency", help="Also apply this agency profile.")] = None,
    reading_level: Annotated[bool, typer.Option(help="Also check each text's reading level.")] = True,
) -> None:
    """Check every content file; list each problem as file:line, field, what and how to fix.

    Exit code 0 when the content is valid, 1 when it has problems. Warnings follow the OK line:
    a field swallowed by the text above it, a book page left out of _toc.yml, a chapter page
    that does not show its checklist, text no safety rule reads. They do not change the exit code.
    """
    try:
        library = load_library(content, agency)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        count = len(exc.problems)
        raise fail(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed") from None
    teaching = teaching_problems(library)
    if teaching:
        for problem in teaching:
            typer.echo(str(problem), err=True)
        count = len(teaching)
        raise fail(f"{count} problem{'s' if count != 1 else ''} found in what trainers teach with; the "
                   "handbook still builds and serves this content, but fix them before you publish")
    if reading_level:
        from protocols.trainer.readability import problems as readability_problems

        # The pages of the book the named content folder sits in; else the working folder's book.
        hard = readability_problems(library, book_root(library.content_dir) if content is not None else None)
        if hard:
            for problem in hard:
                typer.echo(str(problem), err=True)
            raise fail(f"the reading-level check found {len(hard)} problem{'s' if len(hard) != 1 else ''}; run "
                       "`handbook readability` for the table, or `--no-reading-level` to skip this check while "
                       "drafting")
    counts = ", ".join(f"{n} {kind}" for kind, n in library.counts().items())
    typer.echo(f"OK: the content is valid ({counts}; digest {library.digest}).")
    for warning in content_warnings(library, agency):
        typer.echo(f"warning: {warning}", err=True)


def readability(
    content: ContentOption = None,
    failing: Annotated[bool, typer.Option("--failing", help="Show only texts that fail.")] = False,
) -> None:
    """Show the reading level of every passage and text (victims ≤ grade 6, officers ≤ grade 8)."""
    from protocols.trainer.readability import TABLE_COLUMNS, passages, scores

    try:
        library = load_library(content)
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    typer.echo(f"{'passage':58} {'reader':7} {'words':>5} {'F-K':>5} {'C-L':>5} {'D-C':>5}  result")
    for p in sorted(passages(library), key=lambda p: (p.kind, p.obj_id, p.field)):
        if failing and p.passes:
            continue
        name = f"{p.obj_id} · {p.field}"
        typer.echo(f"{name[:58]:58} {p.reader:7} {p.words:5} {p.flesch_kincaid:5.1f} {p.coleman_liau:5.1f} "
                   f"{p.dale_chall_grade:5.0f}  {'ok' if p.passes else 'TOO HARD'} (≤ {p.limit:g})")
    typer.echo("\nWhat the columns mean:")
    for column, meaning in TABLE_COLUMNS:
        typer.echo(f"  {column:8} {meaning}")
    hard = [s for s in scores(library) if not s.passes]
    typer.echo(f"\nSingle texts of 10+ words above their level: {len(hard)}")
    for s in hard:
        typer.echo(f"  {s.where}: grade {s.flesch_kincaid:g} (≤ {s.limit:g}): {s.text[:70]}")


def schema(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write one <kind>.schema.json file per kind.")
    ] = Path("schema"),
    show: Annotated[str | None, typer.Option(
        "--show", metavar="KIND", help="Print the fields of one kind (protocol, instrument, rights, "
        "confidentiality, resources, needs, followup, scenario, sources, safety-rules, agency) with what "
        "each means, whether it is required and the values allowed; write no files.")] = None,
) -> None:
    """Write the JSON Schema of each content kind, for editor autocompletion, or (with --show) print
    the fields of one kind in words.

    Point your editor's YAML plugin at it, e.g. with a first line in a protocol file:
    `# yaml-language-server: $schema=../../../../schema/protocols.schema.json`
    """
    if show is not None:
        from protocols.trainer.schema_fields import SHOWN_KINDS, describe_kind, kind_named

        kind = kind_named(show)
        if kind is None:
            raise fail(f"there is no kind of file called `{show}`; use one of: {', '.join(SHOWN_KINDS)}", 2)
        typer.echo("\n".join(describe_kind(kind)))
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create {out}: {exc.strerror}") from None
    models: dict[str, type[BaseModel]] = {"sources": SourceList, **CONTENT_KINDS}
    for kind, model in models.items():
        target = out / f"{kind}.schema.json"
        document = model.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = f"Handbook {kind} file"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(target)
    typer.echo(f"Wrote {len(models)} schema files to {out}/")


def info() -> None:
    """Show where the content lives and what it holds."""
    typer.echo(f"content folder: {DEFAULT_CONTENT}")
    try:
        library = load_library()
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    for kind, n in library.counts().items():
        typer.echo(f"  {kind:16} {n}")


app.command()(validate)
app.command()(readability)
app.command()(schema)
build.register(app)
serve.register(app)
app.command()(info)
records.register(app)
acknowledgements.register(app)
signing_key.register(app)
followups.register(app)
trainer.register(app)


def main() -> None:
    """Entry point: run the app and turn any unexpected error into one clear line."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if Settings.from_env().debug:
            raise
        typer.echo(
            f"error: {type(exc).__name__}: {exc}\n"
            "This is a bug in the handbook tool, not in your input. "
            f"Run again with {DEBUG.name}=1 for details and report it.",
            err=True,
        )
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
