"""`handbook acknowledgements`: the supervisor's read-and-acknowledge report (table, CSV or JSON)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import ContentOption, DatabaseOption, chosen_agency, fail, open_store, printable
from protocols.engine.answers import sentence
from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.library.project import project_folder
from protocols.records.acknowledgement_report import HEADINGS, as_cells, as_csv, as_json, counts, report
from protocols.records.acknowledgements import (
    DEFAULT_GRACE_DAYS,
    AcknowledgementError,
    all_acknowledgements,
    known_officers,
)
from protocols.records.content_changes import documents


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


HELP = """Who acknowledged which version of each protocol, rights notice and chapter; who is overdue.

One row per officer and document. An officer is due to acknowledge a new version for
--grace-days after its revision date, then overdue. The officers are everyone the records
know by a personal id (anyone who acknowledged something or changed a record), plus any
named in --roster FILE (one id per line). Acknowledgements are personnel records: `handbook
purge` never deletes them.
"""


def register(app: typer.Typer) -> None:
    """Add ``handbook acknowledgements`` to the app."""
    app.command("acknowledgements", help=HELP)(acknowledgements)


def _roster(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise fail(f"cannot read the roster {path}: {why}; give a text file with one officer id a line", 2) from None
    ids = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    bad = next((n for n, i in enumerate(ids, 1) if len(i) > 64 or not i.isprintable()), None)
    if bad is not None:
        raise fail(f"the roster {path}: id {bad} is not a user id (printable text, at most 64 characters)", 2)
    return ids


def acknowledgements(
    output: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.TABLE,
    overdue_only: Annotated[bool, typer.Option("--overdue", help="Only the rows that are overdue.")] = False,
    officer: Annotated[str | None, typer.Option(help="Only this officer.", show_default=False)] = None,
    roster: Annotated[Path | None, typer.Option(help="Also these officers (a file, one id a line).",
                                                show_default=False)] = None,
    grace_days: Annotated[int, typer.Option(help="Days to acknowledge a new version.", min=0, max=365)]
    = DEFAULT_GRACE_DAYS,
    as_of: Annotated[dt.datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                      help="Work out due and overdue as on this day "
                                                      "(YYYY-MM-DD; default: today).", show_default=False)] = None,
    book: Annotated[Path | None, typer.Option(help="The book/ folder whose chapters count (default: the "
                                              "project's, when run in one).", show_default=False)] = None,
    content: ContentOption = None,
    agency: Annotated[Path | None, typer.Option("--agency", help="The agency profile.")] = None,
    database: DatabaseOption = None,
) -> None:
    try:
        library = load_library(content, chosen_agency(agency))
    except ContentError as exc:
        raise fail(f"{len(exc.problems)} problem(s) in the content; run `handbook validate`") from None
    if book is not None and not book.is_dir():
        raise fail(f"the book folder {book} does not exist; give the folder that holds the chapters", 2)
    found = project_folder(with_book=True)
    chapters = book if book is not None else (found / "book" if found is not None else None)
    docs = documents(library, chapters)
    store = open_store(database)
    try:
        records = all_acknowledgements(store)
        officers = sorted(set(known_officers(store)) | set(_roster(roster)))
    except AcknowledgementError as exc:
        raise fail(sentence(str(exc))) from None
    finally:
        store.engine.dispose()
    if officer is not None:
        if officer not in officers:
            raise fail(f"no officer {printable(officer)!r} in the records or the roster; the officers are: "
                       f"{', '.join(officers) or 'none yet'}", 2)
        officers = [officer]
    rows = report(records, docs, officers, as_of.date() if as_of is not None else dt.date.today(), grace_days)
    if overdue_only:
        rows = [r for r in rows if r.state == "overdue"]
    if output is Format.CSV:
        typer.echo(as_csv(rows), nl=False)
        return
    if output is Format.JSON:
        typer.echo(as_json(rows), nl=False)
        return
    if not officers:
        typer.echo("No officers yet: nobody has signed in to a job aid or acknowledged anything. Give "
                   "--roster FILE to list the officers who should.")
        return
    cells = [tuple(printable(c) for c in as_cells(r)) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(HEADINGS)]
    for line in (HEADINGS, *cells):
        typer.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    tally = counts(rows)
    typer.echo(f"{tally['acknowledged']} acknowledged, {tally['due']} due, {tally['overdue']} overdue "
               f"({len(officers)} officer{'s' if len(officers) != 1 else ''}, {len(docs)} documents).")
