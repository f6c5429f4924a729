"""`handbook` commands for the records store: list runs, export, verify, purge, follow-ups.

Each command that changes or exports a record names who did it in the audit log:
``--user``, else ``$HANDBOOK_USER``, else the login name.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from protocols.cli_common import chosen_agency, fail
from protocols.library import UnknownContent, default_library
from protocols.records import Store, StoreError
from protocols.records.actor import ActorError, cli_user
from protocols.records.export import ExportError, checklist_payload, to_html, to_json, verify_export

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (default: $HANDBOOK_DATABASE_URL or the SQLite file)."),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Who to record in the audit log (default: $HANDBOOK_USER, else your login "
                 "name; printable, at most 64 characters).", show_default=False),
]


def _shown(text: str) -> str:
    """``text`` for a terminal table: control and direction characters as visible escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _store(database: str | None, user: str | None = None) -> Store:
    """The store, recording ``--user`` (or its default) as the actor of every change."""
    try:
        actor = cli_user(user)
    except ActorError as exc:
        raise fail(exc, 2) from None
    try:
        return Store.open(database, actor=actor)
    except StoreError as exc:
        raise fail(exc) from None


def _retention(days: int | None, agency: Path | None) -> tuple[int, str]:
    """The retention period to purge by, and where it came from (said to the user)."""
    if days is not None:
        return days, "--days"
    profile_file = chosen_agency(agency)
    if profile_file is None:
        raise fail("give --days N, or --agency FILE to use that agency profile's retention_days "
                    "(or set $HANDBOOK_AGENCY)", 2)
    from protocols.agency import read_profile

    profile, problems = read_profile(profile_file)
    if profile is None:
        raise fail("the agency profile cannot be used:\n" + "\n".join(map(str, problems)), 2)
    return profile.retention_days, f"retention_days in {profile_file}"


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
            raise fail(exc) from None
        if not records:
            typer.echo(f"No saved runs for {aid}{' and case ' + case if case else ''}.")
        for r in records:
            typer.echo(f"{r.id}  case {_shown(r.case_number):14}  {r.status:12}  v{r.content_version}  "
                       f"{r.updated_at:%Y-%m-%d %H:%M}")

    @app.command("export")
    def export_(
        run_id: Annotated[str, typer.Argument(help="The run id (see `handbook runs`).")],
        out: Annotated[Path, typer.Option("--out", help="File to write (.json or .html).")],
        include_notes: Annotated[bool, typer.Option(help="Show free-text answers instead of redacting them.")] = False,
        database: DatabaseOption = None,
        user: UserOption = None,
    ) -> None:
        """Export one checklist run for the case file, as JSON or a printable HTML page.

        The export names who recorded the run (from the audit log) and who exported it.
        """
        if out.suffix.lower() not in (".json", ".html"):
            raise fail("--out must end in .json or .html", 2)
        store = _store(database, user)
        record = store.get(run_id)
        if record is None:
            raise fail(f"there is no run {run_id}; list runs with `handbook runs`")
        try:
            protocol = default_library().protocol(record.content_id)
        except UnknownContent as exc:
            raise fail(exc) from None
        try:
            actors = store.actors(run_id)
        except StoreError as exc:
            raise fail(exc) from None
        payload = checklist_payload(record, protocol, include_notes, actors, exported_by=store.actor)
        text = to_html(payload) if out.suffix.lower() == ".html" else to_json(payload)
        tmp = out.with_name(out.name + ".part")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
        except OSError as exc:
            with contextlib.suppress(OSError):  # e.g. the folder is a file: there is nothing to remove
                tmp.unlink(missing_ok=True)
            store.record_event("export", run_id, "failed")
            raise fail(f"cannot write {out}: {exc.strerror}") from None
        store.record_event("export", run_id, "ok")
        typer.echo(f"Exported run {run_id} to {out}")

    @app.command("verify-export")
    def verify_export_(file: Annotated[Path, typer.Argument(help="A .json or .html export.")]) -> None:
        """Check that an export has not been changed since it was made."""
        try:
            digest = verify_export(file)
        except ExportError as exc:
            raise fail(exc) from None
        typer.echo(f"OK: {file} is unchanged (sha256 {digest[:16]}…)")

    @app.command("purge")
    def purge_(
        days: Annotated[int | None, typer.Option(
            help="Delete completed runs unchanged for this many days (overrides the agency's "
            "retention_days).", min=1, show_default=False)] = None,
        agency: Annotated[Path | None, typer.Option(
            "--agency", help="Use this agency profile's retention_days (default: $HANDBOOK_AGENCY).",
            show_default=False)] = None,
        database: DatabaseOption = None,
        user: UserOption = None,
    ) -> None:
        """Delete completed records past the retention period; each deletion is audited.

        The period is --days, else the agency profile's retention_days (--agency FILE or
        $HANDBOOK_AGENCY); the output says which was used.
        """
        period, source = _retention(days, agency)
        store = _store(database, user)
        try:
            ids = store.purge(period)
        except StoreError as exc:
            raise fail(exc) from None
        typer.echo(f"Purged {len(ids)} completed run(s) older than {period} days ({source}).")


def register_tracking(app: typer.Typer) -> None:
    """Add the follow-up tracker and monitoring commands."""
    import datetime as dt

    from protocols.records.monitoring import due_check_ins, figures_as_rows, weekly_figures

    followups_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
    app.add_typer(followups_app, name="followups")
    register_followup_changes(followups_app)

    @followups_app.callback()
    def followups_(
        ctx: typer.Context,
        within: Annotated[int, typer.Option(help="Also list check-ins due within this many days.", min=0)] = 7,
        database: DatabaseOption = None,
    ) -> None:
        """Check-ins overdue, due today and due soon, across every open follow-up plan.

        Each line ends with the plan's run id and the check-in id that
        `handbook followups record RUN_ID CHECK_IN RESULT` takes; `handbook followups close`
        closes a plan. Each is saved with a revision check and an audit log entry.
        """
        if ctx.invoked_subcommand is not None:
            return
        store = _store(database)
        try:
            rows = due_check_ins(store, default_library(), dt.datetime.now(dt.UTC).astimezone(), within)
        except StoreError as exc:
            raise fail(exc) from None
        if not rows:
            typer.echo(f"No check-ins are overdue or due within {within} days.")
        for r in rows:
            typer.echo(f"{r.status:10} {r.due_at.astimezone():%a %d %b %H:%M}  case {_shown(r.case_number):14} "
                       f"{r.check_in} ({r.plan_title}) · plan {r.run_id}, check-in {r.check_in_id}")

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
            raise fail(exc) from None
        rows = figures_as_rows(result)
        headers = list(rows[0])
        widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in headers]
        typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
        for r in rows:
            typer.echo("  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths, strict=True)))
        if result.older_versions:
            typer.echo(f"({result.older_versions} record(s) made under an earlier content version are counted "
                       "as recorded)")
        if result.unreadable:
            typer.echo(f"({result.unreadable} record(s) could not be read under the current content; not counted)")


RESULTS = ("reached", "not-reached", "declined")


def register_followup_changes(app: typer.Typer) -> None:
    """``followups record`` and ``followups close``: the follow-up job aid's changes, from a terminal."""
    import datetime as dt

    from protocols.records.followups import FollowUpError, apply_change, change_plan, open_plan

    def _now() -> dt.datetime:
        return dt.datetime.now(dt.UTC).astimezone()

    @app.command("record")
    def record_(
        run_id: Annotated[str, typer.Argument(help="The plan's run id (see `handbook runs --aid follow-up`).")],
        check_in: Annotated[str, typer.Argument(help="The check-in id, e.g. first-contact (see the error "
                                                     "for a plan's ids).")],
        result: Annotated[str, typer.Argument(help="reached, not-reached or declined.")],
        note: Annotated[str | None, typer.Option(help="An optional note (no names; kept out of the audit "
                                                      "log).")] = None,
        database: DatabaseOption = None,
        user: UserOption = None,
    ) -> None:
        """Record the outcome of one check-in of a follow-up plan."""
        if result not in RESULTS:
            raise fail(f"RESULT must be one of {', '.join(RESULTS)}, not {result!r}", 2)
        store = _store(database, user)
        try:
            change_plan(store, default_library(), run_id,
                        lambda plan, now: plan.record(check_in, result, now, note or None), _now())
        except (FollowUpError, StoreError) as exc:
            raise fail(exc) from None
        typer.echo(f"Recorded {check_in}: {result} (plan {run_id}, by {store.actor}).")

    @app.command("close")
    def close_(
        run_id: Annotated[str, typer.Argument(help="The plan's run id (see `handbook runs --aid follow-up`).")],
        criteria: Annotated[str, typer.Option(
            "--criteria", help="The closure criteria that are true, by number: 1,2,3 or all. Run without "
            "it to see them.", show_default=False)] = "",
        reason: Annotated[str | None, typer.Option(help="Why the plan closes before every criterion is "
                                                        "true (no names).")] = None,
        database: DatabaseOption = None,
        user: UserOption = None,
    ) -> None:
        """Close a follow-up plan: confirm its closure criteria, or give a reason to close early."""
        store = _store(database, user)
        library = default_library()
        try:
            record, plan = open_plan(store, library, run_id)
        except FollowUpError as exc:
            raise fail(exc) from None
        listed = "".join(f"\n  {n}. {text}" for n, text in enumerate(plan.template.closure_criteria, 1))
        try:
            confirmed = _criteria_numbers(criteria, len(plan.template.closure_criteria))
            apply_change(store, record, plan, lambda p, now: p.close(now, confirmed, reason or None), _now())
        except FollowUpError as exc:
            raise fail(f"{exc}\nThe closure criteria are:{listed}") from None
        typer.echo(f"Closed plan {run_id} (by {store.actor}).")


def _criteria_numbers(text: str, count: int) -> list[int]:
    """``"1,3"`` or ``"all"`` as 0-based positions; ``FollowUpError`` for anything else."""
    from protocols.records.followups import FollowUpError

    if text.strip().lower() == "all":
        return list(range(count))
    positions: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise FollowUpError(f"--criteria: {part!r} is not a criterion number; give numbers from 1 to "
                                f"{count}, separated by commas, or all")
        positions.append(int(part) - 1)
    return positions
