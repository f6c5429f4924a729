"""Read-and-acknowledge records: who acknowledged which version of which document, and the report.

Personnel records, kept in their own table (``acknowledgements``, see ``schema_v3``) apart from
victim records, with an entry in the audit log for each acknowledgement and each check. The
victim-record purge (``Store.purge``, ``handbook purge``) never deletes them: they follow the
agency's personnel-records schedule, and the handbook deletes none of them itself.

One officer acknowledges one version of one document once: the table's unique key makes two
devices acknowledging at the same moment end with one record (the second is told it was
already acknowledged). A version that is no longer current cannot be acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from protocols.records.actor import AID_DEFAULT
from protocols.records.content_changes import Changes, Document, changes
from protocols.records.schema_v3 import acknowledgements as table
from protocols.records.store import Store, audit, failure_reason

DEFAULT_GRACE_DAYS = 14
"""Days an officer has to acknowledge a new version before the report calls them overdue."""
SHARED_USERS = frozenset({AID_DEFAULT, "token-user"})
"""Ids that name no one person (no sign-in, or a shared token): they cannot acknowledge."""


class AcknowledgementError(Exception):
    """An acknowledgement cannot be recorded or read; the message says why and what to do."""


@dataclass(frozen=True)
class Acknowledgement:
    officer: str
    document: str
    version: str
    title: str
    acknowledged_at: dt.datetime
    snapshot: dict[str, Any]
    check_score: int | None = None
    check_total: int | None = None
    checked_at: dt.datetime | None = None

    @property
    def check_text(self) -> str:
        if self.check_score is None or self.check_total is None:
            return "not taken"
        return f"{self.check_score} of {self.check_total}"


def _aware(when: dt.datetime | None) -> dt.datetime | None:
    return None if when is None else when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _from_row(row: Any) -> Acknowledgement:
    try:
        snapshot = json.loads(row["snapshot"])
    except ValueError:
        snapshot = {}
    acknowledged = _aware(row["acknowledged_at"])
    assert acknowledged is not None
    return Acknowledgement(row["officer"], row["document"], row["version"], row["title"], acknowledged,
                           snapshot if isinstance(snapshot, dict) else {}, row["check_score"], row["check_total"],
                           _aware(row["checked_at"]))


def personal_officer(officer: str) -> str:
    """``officer`` if it names one person; ``AcknowledgementError`` for a shared or missing sign-in."""
    if officer in SHARED_USERS:
        raise AcknowledgementError(
            "Acknowledging needs your own sign-in, and this handbook server has none (or one shared "
            "token for everyone). Ask your administrator to serve the handbook behind the agency's "
            "sign-on (handbook serve --trusted-header).")
    return officer


def current(documents: Sequence[Document], key: str, version: str) -> Document:
    """The document ``key`` if ``version`` is its current version; else a clear error."""
    found = next((d for d in documents if d.key == key), None)
    if found is None:
        raise AcknowledgementError(f"There is no document {key} in this handbook any more. Reload the page "
                                   "to see what is current.")
    if found.version != version:
        raise AcknowledgementError(f"Version {version} of “{found.title}” is no longer current (it is now "
                                   f"version {found.version}). Read what changed in version {found.version}, "
                                   "then acknowledge that.")
    return found


def acknowledge(store: Store, officer: str, document: Document, now: dt.datetime) -> tuple[Acknowledgement, bool]:
    """Record that ``officer`` read and acknowledged ``document`` at its current version.

    Returns the record and whether it is new (``False``: it was acknowledged already, maybe on
    another device at the same moment; the first record stands).
    """
    officer = personal_officer(officer)
    values = {"officer": officer, "document": document.key, "version": document.version,
              "title": document.title[:200], "acknowledged_at": now.astimezone(dt.UTC),
              "snapshot": json.dumps(document.snapshot, ensure_ascii=False, sort_keys=True)}
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(table).values(**values))
            _audit(conn, officer, "acknowledge", f"{document.key} version {document.version}", now)
        created = True
    except IntegrityError:
        created = False
    except SQLAlchemyError as exc:
        raise AcknowledgementError(f"Not saved: {failure_reason(exc)}. Try again.") from None
    found = find(store, officer, document.key, document.version)
    if found is None:  # pragma: no cover - the row was there a moment ago
        raise AcknowledgementError("Not saved: the acknowledgement could not be read back. Try again.")
    return found, created


def record_check(store: Store, officer: str, document: Document, right: int, total: int,
                 now: dt.datetime) -> Acknowledgement:
    """Keep the result of the check taken on an acknowledged version (the latest try counts)."""
    officer = personal_officer(officer)
    if not 0 <= right <= total:
        raise AcknowledgementError(f"A check result must be between 0 and {total} right; got {right}.")
    try:
        with store.engine.begin() as conn:
            done = conn.execute(update(table).where(table.c.officer == officer, table.c.document == document.key,
                                                    table.c.version == document.version)
                                .values(check_score=right, check_total=total, checked_at=now.astimezone(dt.UTC)))
            if done.rowcount != 1:
                raise AcknowledgementError(f"Acknowledge version {document.version} of “{document.title}” "
                                           "before taking its check.")
            # The score is a personnel record: it stays in the acknowledgements table, not the audit log.
            _audit(conn, officer, "ack-check", f"{document.key} version {document.version}", now)
    except SQLAlchemyError as exc:
        raise AcknowledgementError(f"The check result was not saved: {failure_reason(exc)}. Try again.") from None
    found = find(store, officer, document.key, document.version)
    assert found is not None
    return found


def find(store: Store, officer: str, key: str, version: str) -> Acknowledgement | None:
    rows = _select(store, table.c.officer == officer, table.c.document == key, table.c.version == version)
    return rows[0] if rows else None


def all_acknowledgements(store: Store, officer: str | None = None) -> list[Acknowledgement]:
    """Every acknowledgement (of one officer, when given), oldest first."""
    return _select(store, *([table.c.officer == officer] if officer is not None else []))


def latest_by_document(records: Iterable[Acknowledgement]) -> dict[str, Acknowledgement]:
    """Each document's newest acknowledgement among ``records`` (of one officer)."""
    out: dict[str, Acknowledgement] = {}
    for record in sorted(records, key=lambda r: r.acknowledged_at):
        out[record.document] = record
    return out


def pending_changes(store: Store, officer: str, documents: Sequence[Document]) -> list[Changes]:
    """The documents whose current version ``officer`` has not acknowledged, each with what changed
    since the version they last acknowledged (against the snapshot kept with it)."""
    latest = latest_by_document(all_acknowledgements(store, officer))
    out = []
    for document in documents:
        known = latest.get(document.key)
        if known is not None and known.version == document.version:
            continue
        out.append(changes(document, known.version if known else None, known.snapshot if known else None))
    return out


def known_officers(store: Store) -> list[str]:
    """Everyone the records know by a personal id: who acknowledged anything, or changed any record."""
    try:
        with store.engine.connect() as conn:
            found = set(conn.execute(select(table.c.officer).distinct()).scalars().all())
            found |= set(conn.execute(select(audit.c.actor).distinct()).scalars().all())
    except SQLAlchemyError as exc:
        raise AcknowledgementError(f"Cannot read the records: {failure_reason(exc)}.") from None
    return sorted(found - SHARED_USERS)


def _select(store: Store, *conditions: Any) -> list[Acknowledgement]:
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(table).where(*conditions).order_by(table.c.acknowledged_at, table.c.id)
                                ).mappings().all()
    except SQLAlchemyError as exc:
        raise AcknowledgementError(f"Cannot read the acknowledgements: {failure_reason(exc)}.") from None
    return [_from_row(r) for r in rows]


def _audit(conn: Any, officer: str, action: str, detail: str, now: dt.datetime) -> None:
    conn.execute(insert(audit).values(at=now.astimezone(dt.UTC), actor=officer, action=action, run_id=None,
                                      outcome="ok", detail=detail[:200]))
