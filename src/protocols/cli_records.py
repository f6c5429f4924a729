"""`handbook` commands for the records store: list runs, export, verify, purge."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from protocols.library import UnknownContent, default_library
from protocols.records import Store, StoreError
from protocols.records.export import ExportError, checklist_payload, to_html, to_json, verify_export

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (default: $HANDBOOK_DATABASE_URL or the SQLite file)."),
]


def _store(database: str | None) -> Store:
    try:
        return Store.open(database)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add the records commands to the ``handbook`` app."""

    @app.command("runs")
    def runs_(
        aid: Annotated[str, typer.Option(help="Job aid name, e.g. scene-response.")] = "scene-response",
        case: Annotated[str | None, typer.Option(help="Only this case or incident number.")] = None,
        database: DatabaseOption = None,
    ) -> None:
        """List saved job-aid runs (newest first): id, case number, status, last change."""
        store = _store(database)
        try:
            records = store.find(aid, case) if case else store.recent(aid, limit=50, open_only=False)
        except StoreError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        if not records:
            typer.echo(f"No saved runs for {aid}{' and case ' + case if case else ''}.")
        for r in records:
            typer.echo(f"{r.id}  case {r.case_number:14}  {r.status:12}  v{r.content_version}  "
                       f"{r.updated_at:%Y-%m-%d %H:%M}")

    @app.command("export")
    def export_(
        run_id: Annotated[str, typer.Argument(help="The run id (see `handbook runs`).")],
        out: Annotated[Path, typer.Option("--out", help="File to write (.json or .html).")],
        include_notes: Annotated[bool, typer.Option(help="Show free-text answers instead of redacting them.")] = False,
        database: DatabaseOption = None,
    ) -> None:
        """Export one checklist run for the case file, as JSON or a printable HTML page."""
        if out.suffix.lower() not in (".json", ".html"):
            typer.echo("error: --out must end in .json or .html", err=True)
            raise typer.Exit(2)
        store = _store(database)
        record = store.get(run_id)
        if record is None:
            typer.echo(f"error: there is no run {run_id}; list runs with `handbook runs`", err=True)
            raise typer.Exit(1)
        try:
            protocol = default_library().protocol(record.content_id)
        except UnknownContent as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        payload = checklist_payload(record, protocol, include_notes)
        text = to_html(payload) if out.suffix.lower() == ".html" else to_json(payload)
        tmp = out.with_name(out.name + ".part")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
        except OSError as exc:
            with contextlib.suppress(OSError):  # e.g. the folder is a file: there is nothing to remove
                tmp.unlink(missing_ok=True)
            store.record_event("export", run_id, "failed")
            typer.echo(f"error: cannot write {out}: {exc.strerror}", err=True)
            raise typer.Exit(1) from None
        store.record_event("export", run_id, "ok")
        typer.echo(f"Exported run {run_id} to {out}")

    @app.command("verify-export")
    def verify_export_(file: Annotated[Path, typer.Argument(help="A .json or .html export.")]) -> None:
        """Check that an export has not been changed since it was made."""
        try:
            digest = verify_export(file)
        except ExportError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"OK: {file} is unchanged (sha256 {digest[:16]}…)")

    @app.command("purge")
    def purge_(
        days: Annotated[int, typer.Option(help="Delete completed runs unchanged for this many days.", min=1)],
        database: DatabaseOption = None,
    ) -> None:
        """Delete completed records past the retention period; each deletion is audited."""
        store = _store(database)
        try:
            ids = store.purge(days)
        except StoreError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Purged {len(ids)} completed run(s) older than {days} days.")


def register_tracking(app: typer.Typer) -> None:
    """Add the follow-up tracker and monitoring commands."""
    import datetime as dt

    from protocols.records.monitoring import due_check_ins, figures_as_rows, weekly_figures

    @app.command("followups")
    def followups_(
        within: Annotated[int, typer.Option(help="Also list check-ins due within this many days.", min=0)] = 7,
        database: DatabaseOption = None,
    ) -> None:
        """Check-ins overdue, due today and due soon, across every open follow-up plan."""
        store = _store(database)
        try:
            rows = due_check_ins(store, default_library(), dt.datetime.now(dt.UTC).astimezone(), within)
        except StoreError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        if not rows:
            typer.echo(f"No check-ins are overdue or due within {within} days.")
        for r in rows:
            typer.echo(f"{r.status:10} {r.due_at.astimezone():%a %d %b %H:%M}  case {r.case_number:14} "
                       f"{r.check_in} ({r.plan_title})")

    @app.command("monitoring")
    def monitoring_(
        weeks: Annotated[int, typer.Option(help="How many weeks back.", min=1, max=104)] = 8,
        database: DatabaseOption = None,
    ) -> None:
        """Weekly counts with no personal data: screens, screen-ins, hotline contact, notices, follow-ups."""
        store = _store(database)
        try:
            result = weekly_figures(store, default_library(), dt.datetime.now(dt.UTC).astimezone(), weeks)
        except StoreError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        rows = figures_as_rows(result)
        headers = list(rows[0])
        widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in headers]
        typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
        for r in rows:
            typer.echo("  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths, strict=True)))
        if result.unreadable:
            typer.echo(f"({result.unreadable} record(s) could not be read under the current content; not counted)")
