"""`handbook` commands for the records store: list runs, export, verify, purge, follow-ups.

Each command that changes or exports a record names who did it in the audit log:
``--user``, else ``$HANDBOOK_USER``, else the login name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import chosen_agency, fail
from protocols.engine.answers import sentence
from protocols.library.errors import ContentError
from protocols.library.loader import default_library
from protocols.records import RunRecord, Store, StoreError
from protocols.records.actor import ActorError, cli_user
from protocols.records.aids import TRAINING_AIDS, known_aids
from protocols.records.export import case_payload, render_html, render_json, run_entry, run_payload, sign
from protocols.records.export_format import ExportError
from protocols.records.run_views import aware
from protocols.records.signing import KeyFolder, SigningError, given_keys, public_pem
from protocols.records.verify import EXIT_CODES, NOT_AN_EXPORT_EXIT, Verdict, check_export

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


def _table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of a plain text table with a heading row, columns padded to their widest cell."""
    rows = list(rows)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    return ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in (headings, *rows)]


def _store(database: str | None, user: str | None = None) -> Store:
    """The store, recording ``--user`` (or its default) as the actor of every change."""
    try:
        actor = cli_user(user)
    except ActorError as exc:
        raise fail(sentence(str(exc)), 2) from None
    try:
        return Store.open(database, actor=actor)
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None


def _export_records(store: Store, run_id: str | None, case: str | None) -> list[RunRecord]:
    """The runs to export: one by id, or every case run of a case (training left out)."""
    if run_id is not None:
        record = store.get(run_id)
        if record is None:
            raise fail(f"There is no run {_shown(run_id)!r}. List the runs with handbook runs.")
        return [record]
    found = [r for r in store.list_runs(case_number=case, limit=100_000) if r.aid not in TRAINING_AIDS]
    if not found:
        raise fail(f"There are no saved runs for case {_shown(str(case))!r}. Check the number with "
                   "handbook runs --case NUMBER.")
    return found


def _write_all(texts: list[tuple[Path, str]]) -> str | None:
    """Write every file, or none: each goes to FILE.part first. Returns why it failed, if it did."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in texts:
            part = target.with_name(target.name + ".part")
            staged.append((part, target))
            part.write_text(text, encoding="utf-8")
        for part, target in staged:
            part.replace(target)
    except OSError as exc:
        for part, _target in staged:
            with contextlib.suppress(OSError):  # e.g. the folder is a file: there is nothing to remove
                part.unlink(missing_ok=True)
        return f"Cannot write {staged[-1][1]}: {exc.strerror}. Choose a file in a folder you can write."
    return None


def _audit_exports(store: Store, records: list[RunRecord], outcome: str) -> None:
    try:
        for record in records:
            store.record_event("export", record.id, outcome)
    except StoreError as exc:
        raise fail(sentence(str(exc))) from None


VERIFY_EPILOG = "Exit codes: " + "; ".join(f"{code} {what}" for code, what in sorted([
    (EXIT_CODES[Verdict.VERIFIED], "verified"),
    (NOT_AN_EXPORT_EXIT, "not a handbook export, or unreadable"),
    (2, "a bad option, or an unusable public key file or key folder"),
    (EXIT_CODES[Verdict.ALTERED], "altered: the content or page was changed after export"),
    (EXIT_CODES[Verdict.FORGED], "forged: the signature is wrong or missing, or its key is not trusted"),
    (EXIT_CODES[Verdict.UNSIGNED], "unsigned: made before exports were signed (its digest still matches)"),
])) + "."


def register_signing_key(app: typer.Typer) -> None:
    """``handbook signing-key show`` and ``rotate``: the agency's export-signing key."""
    keys_app = typer.Typer(no_args_is_help=True, help="The agency's export-signing key: show its public key "
                           "(for whoever checks your exports) or rotate it.")
    app.add_typer(keys_app, name="signing-key")

    @keys_app.command("show")
    def show_(
        out: Annotated[Path | None, typer.Option("--out", help="Also write the public key(s) to this file, to "
                                                 "hand out.", show_default=False)] = None,
        include_retired: Annotated[bool, typer.Option("--all", help="Show the retired public keys too (they "
                                                      "check exports signed before a rotation).")] = False,
    ) -> None:
        """Print the public key that checks this agency's exports; give it to a prosecutor or court.

        The key is made at first use. With it, handbook verify-export FILE --public-key KEYFILE
        checks an export on any computer.
        """
        keys = KeyFolder.default()
        try:
            keys.signing_key()  # made at first use
            trusted = keys.trusted()
        except SigningError as exc:
            raise fail(exc) from None
        shown = sorted(trusted.values(), key=lambda k: (k.status != "current", k.key_id))
        if not include_retired:
            shown = [k for k in shown if k.status == "current"]
        pem = "".join(public_pem(k.public) for k in shown)
        typer.echo(f"Key folder: {keys.folder}")
        for k in shown:
            typer.echo(f"{k.status.capitalize()} key: {k.key_id}")
        retired = sum(1 for k in trusted.values() if k.status == "retired")
        if retired and not include_retired:
            typer.echo(f"({retired} retired key(s) not shown; give --all to show them.)")
        typer.echo(pem, nl=False)
        if out is not None:
            problem = _write_all([(out, pem)])
            if problem:
                raise fail(problem)
            typer.echo(f"Wrote the public key{'s' if len(shown) > 1 else ''} to {out}.")

    @keys_app.command("rotate")
    def rotate_(database: DatabaseOption = None, user: UserOption = None) -> None:
        """Make a new signing key and retire the old one.

        The old private key is deleted; its public key stays trusted here, so exports it signed
        still verify. Give the new public key (handbook signing-key show --out FILE) to whoever
        checks your exports. The rotation is noted in the audit log.
        """
        store = _store(database, user)
        try:
            old, new = KeyFolder.default().rotate()
        except SigningError as exc:
            raise fail(exc) from None
        try:
            store.record_event("rotate-signing-key", None, "ok")
        except StoreError as exc:
            typer.echo(f"warning: the rotation is done but was not noted in the audit log: {exc}", err=True)
        retired = f"Retired key {old}; exports it signed still verify. " if old else ""
        typer.echo(f"{retired}New key {new}. Hand out its public key: handbook signing-key show --out FILE.")


def _retention(days: int | None, agency: Path | None) -> tuple[int, str]:
    """The retention period to purge by, and where it came from (said to the user)."""
    if days is not None:
        return days, "--days"
    profile_file = chosen_agency(agency)
    if profile_file is None:
        raise fail("give --days N, or --agency FILE to use that agency profile's retention_days "
                    "(or set $HANDBOOK_AGENCY)", 2)
    from protocols.library.agency import read_profile

    profile, problems = read_profile(profile_file)
    if profile is None:
        raise fail("the agency profile cannot be used:\n" + "\n".join(map(str, problems)), 2)
    return profile.retention_days, f"retention_days in {profile_file}"


def register(app: typer.Typer) -> None:
    """Add the records commands to the ``handbook`` app."""

    @app.command("runs")
    def runs_(
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
        store = _store(database)
        try:
            saved = store.saved_aids()
            if aid is not None and aid not in known_aids(saved):
                raise fail(f"There is no job aid called {_shown(aid)!r}. The job aids are: "
                           f"{', '.join(known_aids(saved))}. Give one of them with --aid, or leave --aid out "
                           "to list every aid.", 2)
            records = store.list_runs(aid, case, limit)
        except StoreError as exc:
            raise fail(sentence(str(exc))) from None
        if not records:
            where = " and ".join(filter(None, [f"job aid {aid}" if aid else "",
                                               f"case {_shown(case)}" if case else ""]))
            typer.echo(f"No saved runs{' for ' + where if where else ''}.")
            return
        rows = [(r.id, _shown(r.aid), _shown(r.case_number), r.status, f"v{r.content_version}",
                 f"{aware(r.updated_at).astimezone():%Y-%m-%d %H:%M}") for r in records]
        for line in _table(("Run id", "Job aid", "Case", "Status", "Version", "Last change"), rows):
            typer.echo(line)
        if len(records) == limit:
            typer.echo(f"(The newest {limit} runs; give --limit N to see more.)")

    @app.command("export")
    def export_(
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
        if (run_id is None) == (case is None):
            raise fail("Give either a run id or --case NUMBER (not both). List the runs with handbook runs.", 2)
        targets = out or []
        if not targets:
            raise fail("Give the file to write with --out FILE.json or --out FILE.html (or both).", 2)
        for target in targets:
            if target.suffix.lower() not in (".json", ".html"):
                raise fail(f"The --out file {target} must end in .json or .html.", 2)
        store = _store(database, user)
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
        problem = _write_all(texts)
        if problem:
            _audit_exports(store, records, "failed")
            raise fail(problem)
        _audit_exports(store, records, "ok")
        what = f"run {run_id}" if run_id is not None else f"case {_shown(str(case))} ({len(records)} runs)"
        typer.echo(f"Exported {what} to {', '.join(map(str, targets))}, signed with key "
                   f"{document['signature']['key_id']}.")

    @app.command("verify-export", epilog=VERIFY_EPILOG)
    def verify_export_(
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

    register_signing_key(app)

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

    from protocols.records.monitoring import FIGURE_DEFINITIONS, due_check_ins, figures_as_rows, weekly_figures

    followups_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
    app.add_typer(followups_app, name="followups")
    register_followup_changes(followups_app)

    @followups_app.callback()
    def followups_(
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
        store = _store(database)
        try:
            rows = due_check_ins(store, default_library(), dt.datetime.now(dt.UTC).astimezone(), within)
        except StoreError as exc:
            raise fail(exc) from None
        if not rows:
            ahead = "this week or next week" if within is None else f"within {within} days"
            typer.echo(f"No check-ins are overdue or due {ahead}.")
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
        typer.echo("")
        for column, meaning in FIGURE_DEFINITIONS.items():
            typer.echo(f"{column}: {meaning}")


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
