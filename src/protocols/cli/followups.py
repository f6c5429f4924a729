"""``handbook followups`` (the follow-up tracker, with ``record`` and ``close``) and ``handbook monitoring``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from protocols.cli.common import DatabaseOption, UserOption, fail, open_store, printable
from protocols.library.loader import default_library
from protocols.records import StoreError
from protocols.records.followups import FollowUpError, apply_change, change_plan, open_plan
from protocols.records.monitoring import FIGURE_DEFINITIONS, due_check_ins, figures_as_rows, weekly_figures

RESULTS = ("reached", "not-reached", "declined")

followups_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    """Add the ``followups`` group and the ``monitoring`` command to the ``handbook`` app."""
    app.add_typer(followups_app, name="followups")
    app.command("monitoring")(monitoring)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


@followups_app.callback()
def followups(
    ctx: typer.Context,
    within: Annotated[int | None, typer.Option(
        help="Look this many days ahead instead. Without it, the list is the tracker's: overdue, "
             "this week (Monday to Sunday) and next week.", min=0, show_default=False)] = None,
    database: DatabaseOption = None,
) -> None:
    """Check-ins overdue, due this week and next week, across every open follow-up plan.

    Each line ends with the plan's run id and the check-in id that
    `handbook followups record RUN_ID CHECK_IN RESULT` takes; `handbook followups close`
    closes a plan. Each is saved with a revision check and an audit log entry.
    """
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(database)
    try:
        rows = due_check_ins(store, default_library(), _now(), within)
    except StoreError as exc:
        raise fail(exc) from None
    if not rows:
        ahead = "this week or next week" if within is None else f"within {within} days"
        typer.echo(f"No check-ins are overdue or due {ahead}.")
    for r in rows:
        typer.echo(f"{r.status:10} {r.due_at.astimezone():%a %d %b %H:%M}  case {printable(r.case_number):14} "
                   f"{r.check_in} ({r.plan_title}) · plan {r.run_id}, check-in {r.check_in_id}")


@followups_app.command("record")
def record(
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
    store = open_store(database, user)
    try:
        change_plan(store, default_library(), run_id,
                    lambda plan, now: plan.record(check_in, result, now, note or None), _now())
    except (FollowUpError, StoreError) as exc:
        raise fail(exc) from None
    typer.echo(f"Recorded {check_in}: {result} (plan {run_id}, by {store.actor}).")


@followups_app.command("close")
def close(
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
    store = open_store(database, user)
    library = default_library()
    try:
        run, plan = open_plan(store, library, run_id)
    except FollowUpError as exc:
        raise fail(exc) from None
    listed = "".join(f"\n  {n}. {text}" for n, text in enumerate(plan.template.closure_criteria, 1))
    try:
        confirmed = _criteria_numbers(criteria, len(plan.template.closure_criteria))
        apply_change(store, run, plan, lambda p, now: p.close(now, confirmed, reason or None), _now())
    except FollowUpError as exc:
        raise fail(f"{exc}\nThe closure criteria are:{listed}") from None
    typer.echo(f"Closed plan {run_id} (by {store.actor}).")


def _criteria_numbers(text: str, count: int) -> list[int]:
    """``"1,3"`` or ``"all"`` as 0-based positions; ``FollowUpError`` for anything else."""
    if text.strip().lower() == "all":
        return list(range(count))
    positions: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise FollowUpError(f"--criteria: {part!r} is not a criterion number; give numbers from 1 to "
                                f"{count}, separated by commas, or all")
        positions.append(int(part) - 1)
    return positions


def monitoring(
    weeks: Annotated[int, typer.Option(help="How many weeks back.", min=1, max=104)] = 8,
    database: DatabaseOption = None,
) -> None:
    """Weekly counts with no personal data: screens, screen-ins, hotline contact, notices, follow-ups."""
    store = open_store(database)
    try:
        result = weekly_figures(store, default_library(), _now(), weeks)
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
    typer.echo("")
    for column, meaning in FIGURE_DEFINITIONS.items():
        typer.echo(f"{column}: {meaning}")
