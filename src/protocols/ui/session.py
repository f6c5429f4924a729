"""A job aid's saved run, without widgets: one engine call, one save, then a confirmation.

:class:`RunSession` is the one way a job aid changes a run: one engine call, then one
save through the records store, and only then a confirmation. If the engine refuses,
the run stays as it was and the message says why in plain words. If the store cannot
save (unreachable, locked, full, read-only), the screen stays as it was too, but the
change is kept in the kernel, with the time it was given, to be saved by "Retry saving"
or with the next answer. :class:`CaseController` is what every case-number aid's
controller shares. Nothing here knows any protocol's rules; those live in
``protocols.engine``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from protocols.engine.answers import sentence
from protocols.engine.base import RunState, restore_older
from protocols.engine.errors import EngineError
from protocols.engine.scene_log import scene_log
from protocols.records import RevisionConflict, RunRecord, Store, StoreError, why_not_saved

Clock = Callable[[], dt.datetime]


def local_now() -> dt.datetime:
    """The time now, in this machine's time zone (what an officer reads on a clock)."""
    return dt.datetime.now().astimezone()


class EngineRun(Protocol):
    """Any engine run: it has a frozen state that serialises to JSON."""

    @property
    def state(self) -> RunState: ...


class Finishable(Protocol):
    """A run that knows whether it is finished."""

    @property
    def finished(self) -> bool: ...


def finished_status(run: Finishable) -> str:
    """The store status of a run that ends when it is finished."""
    return "completed" if run.finished else "in-progress"


R = TypeVar("R", bound=EngineRun)
CHANGED_ELSEWHERE = ("Not saved: this record was changed in another tab or by another officer. "
                     "What they saved is shown now; check it, then answer again.")
"""Said when a save is refused because the record changed since this page read it."""
T = TypeVar("T")


@dataclass(frozen=True)
class Step(Generic[T]):
    """What became of one user action."""

    saved: bool
    """True only when the store confirmed the change (or nothing needed saving)."""
    message: str
    value: T | None = None
    """What the engine call returned (the next question, the feedback …)."""
    reloaded: bool = False
    """The run was changed elsewhere and has been reloaded: draw it again."""
    retry: Callable[[], Step[Any]] | None = None
    """Set when the store failed: saves the kept change(s) again and says what became of them."""


def open_store(store: Store | None) -> Store:
    """The store the aid was given, else the one the database setting names
    (:data:`protocols.settings.DATABASE_URL`)."""
    return store if store is not None else Store.open()


def open_records(store: Store, aid: str, case_number: str,
                 content_ids: Iterable[str] | None = None) -> list[RunRecord]:
    """This aid's runs for this case that are not completed, newest first."""
    wanted = set(content_ids) if content_ids is not None else None
    return [r for r in store.find(aid, case_number)
            if r.status != "completed" and (wanted is None or r.content_id in wanted)]


@dataclass(frozen=True)
class Kept(Generic[R]):
    """A change the store could not save yet, and the time it was given."""

    change: Callable[[R, dt.datetime], object]
    at: dt.datetime
    done: str | Callable[[Any], str]


class SavedRun(Generic[R]):
    """A job aid's run and its record: the store, the aid, the record's id and revision, a clock."""

    def __init__(self, run: R, store: Store, aid: str, run_id: str, revision: int,
                 clock: Clock = local_now) -> None:
        self.run = run
        self.store = store
        self.aid = aid
        self.run_id = run_id
        self.revision = revision
        """The record's revision this run was read at or last saved as (a save must name it)."""
        self.clock = clock


class RunSession(SavedRun[R]):
    """One engine run of one job aid, saved in the records store after every change."""

    def __init__(self, run: R, store: Store, aid: str, run_id: str, revision: int, *,
                 load: Callable[[object], R], status: Callable[[R], str],
                 clock: Clock = local_now, read_only: str | None = None) -> None:
        super().__init__(run, store, aid, run_id, revision, clock)
        self._load = load
        self._status = status
        self.kept: list[Kept[R]] = []
        """Changes the store could not save yet, with the time each was given (oldest first)."""
        self.read_only = read_only
        """Why this run may not be changed (a record made under an older content version), or None."""

    @classmethod
    def create(cls, store: Store, aid: str, case_number: str, run: R, *,
               load: Callable[[object], R], status: Callable[[R], str],
               clock: Clock = local_now) -> RunSession[R]:
        """Save a new run (revision 1). Raises ``StoreError`` if it cannot be saved."""
        state = run.state
        record = store.create(aid, state.content_id, state.content_version, case_number,
                              status(run), state.model_dump_json(), scene_log=scene_log(run))
        return cls(run, store, aid, record.id, record.revision, load=load, status=status,
                   clock=clock)

    @classmethod
    def resume(cls, store: Store, record: RunRecord, *, load: Callable[[object], R],
               status: Callable[[R], str], clock: Clock = local_now) -> RunSession[R]:
        """Continue a saved run. Raises ``EngineError`` if the content no longer fits it."""
        return cls(load(record.state), store, record.aid, record.id, record.revision,
                   load=load, status=status, clock=clock)

    @property
    def status(self) -> str:
        return self._status(self.run)

    def act(self, change: Callable[[R, dt.datetime], T],
            done: str | Callable[[T], str]) -> Step[T]:
        """Apply one change through the engine, save it, and say what happened.

        Changes kept from an earlier failed save are applied first (at their own times) and
        saved in the same transaction, so nothing kept is lost or saved out of order.
        """
        if self.read_only is not None:
            return Step(False, self.read_only)
        before = self.run.state
        now = self.clock()
        refused, _last = self._apply_kept()
        try:
            value = change(self.run, now)
        except EngineError as exc:
            self.run = self._load(before)
            return Step(False, sentence(str(exc)), retry=self.retry if self.kept else None)
        message = done if isinstance(done, str) else done(value)
        if self.run.state == before:
            return Step(True, message, value)
        kept = Kept(change, now, done)
        return self._save(before, value, message, kept, refused)

    def retry(self) -> Step[Any]:
        """Save the kept changes again; on success the step carries the last change's value."""
        if not self.kept:
            return Step(True, "Nothing is waiting to be saved.")
        before = self.run.state
        refused, value = self._apply_kept()
        done = self.kept[-1].done
        message = done if isinstance(done, str) else done(value)
        return self._save(before, value, message, None, refused, retrying=True)

    def _apply_kept(self) -> tuple[list[str], object]:
        """Apply the kept changes to the run (not saved yet): the engine's refusals, the last value."""
        refused: list[str] = []
        value: object = None
        for kept in self.kept:
            try:
                value = kept.change(self.run, kept.at)
            except EngineError as exc:
                refused.append(sentence(str(exc)))
        return refused, value

    def _save(self, before: RunState, value: Any, message: str, new: Kept[R] | None,
              refused: list[str], retrying: bool = False) -> Step[Any]:
        count = len(self.kept) + (new is not None)
        try:
            self.revision = self.store.save(self.run_id, self.revision, self.status,
                                            self.run.state.model_dump_json(),
                                            content_version=self.run.state.content_version,
                                            scene_log=scene_log(self.run))
        except RevisionConflict:
            record = self.store.get(self.run_id)
            self.run = self._load(record.state if record is not None else before)
            if record is not None:
                self.revision = record.revision
            lost = len(self.kept)
            self.kept.clear()
            note = f" {lost} unsaved answer{'s were' if lost != 1 else ' was'} dropped." if lost else ""
            return Step(False, CHANGED_ELSEWHERE + note, reloaded=True)
        except StoreError as exc:
            self.run = self._load(before)
            if new is not None:
                self.kept.append(new)
            waiting = f"{count} answers are" if count > 1 else "Your answer is"
            again = "Still not saved" if retrying else "Not saved"
            return Step(False, f"{again}: {why_not_saved(exc)}. {waiting} kept here but not saved yet; press "
                        "“Retry saving” when the problem is fixed, or keep going and the next "
                        "answer will try again.", retry=self.retry)
        if count > 1 or retrying:
            message = f"{'All ' + str(count) + ' answers' if count > 1 else 'Your answer'} saved now. {message}"
        self.kept.clear()
        if refused:
            message += " Not kept, because it no longer fits: " + " ".join(refused)
        return Step(True, message, value)


def started_run(session: RunSession[R] | None) -> R:
    """The session's run; ``RuntimeError`` before a controller has started one."""
    if session is None:
        raise RuntimeError("start() first")
    return session.run


class CaseController(Generic[R]):
    """What every case-number job aid's controller shares: its store, clock, case and saved run.

    A subclass names its ``aid``, rebuilds its run from saved state (:meth:`_load`), makes a
    new one (:meth:`_new_run`), says which saved run a case reopens on (:meth:`_reopen`), and
    adds the actions its screen offers; each action goes through :meth:`_act`, so it is one
    engine call and one save (see :class:`RunSession`).
    """

    aid = ""
    no_run = "Enter the case number first."
    """Said when an action comes before there is a run."""
    started = "Started."
    """Said when :meth:`start` made a new run."""
    carries_over = False
    """True for runs that go on for weeks (follow-up plans): one made under an older content
    version that still fits the current content continues under it, instead of opening
    read-only. Runs that end at the scene (a screening's result) stay as they were made."""

    def __init__(self, store: Store, clock: Clock = local_now) -> None:
        self.store = store
        self.clock = clock
        self.session: RunSession[R] | None = None
        self.case_number = ""
        self.older_note = ""
        """Set when the resumed run was made under an older content version (it is read-only)."""

    def _load(self, saved: object) -> R:
        """The run rebuilt from saved state, under this aid's content."""
        raise NotImplementedError

    def _loader_for(self, record: RunRecord) -> Callable[[object], R]:
        """How to rebuild a saved record's run (:meth:`_load`, unless the content differs per record)."""
        return self._load

    def _new_run(self) -> R:
        """A new run for :attr:`case_number` (not saved yet)."""
        raise NotImplementedError

    def _reopen(self) -> str | None:
        """Resume a saved run of this case and say so; None when a new run should be started."""
        return None

    def start(self, case_number: str) -> str:
        """Reopen this case's saved run (:meth:`_reopen`), else start and save a new one.

        Returns what to tell the officer. Raises ``StoreError`` if the store cannot be used.
        """
        self.case_number = case_number
        note = self._reopen()
        if note is not None:
            return note
        self._create(self._new_run())
        return self.started

    def start_again(self, done: str, refused: str = "Not started") -> Step[None]:
        """A new run for the same case (the earlier one stays on record)."""
        try:
            self._create(self._new_run())
        except StoreError as exc:
            return Step(False, f"{refused}: {exc}. Try again.")
        return Step(True, done)

    def status(self, run: R) -> str:
        """The store status of a run (``completed`` once finished, by default)."""
        return finished_status(run)  # type: ignore[arg-type]

    @property
    def current(self) -> R:
        """The run being worked on; only after a start or a resume."""
        return started_run(self.session)

    @property
    def run(self) -> R:
        """The run being worked on (:attr:`current`)."""
        return self.current

    def _resume_open(self, content_ids: Iterable[str]) -> bool:
        """Resume this case's newest open run of these contents; False when none fits."""
        return any(self._resume(record)
                   for record in open_records(self.store, self.aid, self.case_number, content_ids))

    def _resume_newest(self, content_id: str) -> bool:
        """Resume this case's newest run of this content, open or finished; False when none fits."""
        record = next((r for r in self.store.find(self.aid, self.case_number) if r.content_id == content_id),
                      None)
        return record is not None and self._resume(record)

    def _resume(self, record: RunRecord) -> bool:
        """Continue a saved run; False if the content no longer fits it.

        A run made under an older version of the content is opened read-only, as it was
        recorded (see :attr:`older_note`), unless the controller :attr:`carries_over` runs:
        then it continues under the current version, and the next save records that version.
        """
        self.older_note = ""
        load = self._loader_for(record)
        try:
            run, made_under = restore_older(load, record.state)
        except ValueError:
            return False
        read_only = None
        if made_under is not None and self.carries_over:
            self.older_note = (f"This record was made under version {made_under} of this content. It still "
                               f"fits version {run.state.content_version}, so it continues under that "
                               "version from your next change on.")
        elif made_under is not None:
            self.older_note = (f"This record was made under version {made_under} of this content; this "
                               f"handbook has version {run.state.content_version}. It is shown read-only, "
                               "as it was recorded (anything worked out from its answers uses this "
                               "version's rules).")
            read_only = (f"Not changed: this record was made under version {made_under} and is read-only. "
                         "Start a new one to work under this version.")
        if self.carries_over:
            load = self._carried(load)
        self.session = RunSession(run, self.store, record.aid, record.id, record.revision, load=load,
                                  status=self.status, clock=self.clock, read_only=read_only)
        return True

    @staticmethod
    def _carried(load: Callable[[object], R]) -> Callable[[object], R]:
        """``load`` that reads an older-version run too: a reload after a revision conflict
        may meet the record as it was made, before this run's first save moved it on."""
        return lambda saved: restore_older(load, saved)[0]

    def resumed(self, message: str) -> str:
        """``message`` about a resumed run, after the older-version note when there is one."""
        return f"{self.older_note} {message}" if self.older_note else message

    def _create(self, run: R, load: Callable[[object], R] | None = None) -> None:
        """Save a new run for this case. Raises ``StoreError``."""
        self.session = RunSession.create(self.store, self.aid, self.case_number, run, load=load or self._load,
                                         status=self.status, clock=self.clock)

    def _act(self, change: Callable[[R, dt.datetime], Any], done: str | Callable[[Any], str]) -> Step[Any]:
        if self.session is None:
            return Step(False, self.no_run)
        return self.session.act(change, done)
