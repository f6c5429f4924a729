"""Parts every job aid shares: a saved run, plain messages, big controls and their styles.

:class:`RunSession` is the one way a job aid changes a run: one engine call, then one
save through the records store, and only then a confirmation. If the engine refuses,
the run stays as it was and the message says why in plain words. If the store cannot
save (unreachable, locked, full, read-only), the screen stays as it was too, but the
change is kept in the kernel, with the time it was given, to be saved by "Retry saving"
or with the next answer. Nothing here knows any protocol's rules; those live in
``protocols.engine``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine.answers import sentence as sentence  # the aids import it from here
from protocols.engine.base import RunState, restore_older
from protocols.engine.errors import EngineError
from protocols.records import RevisionConflict, RunRecord, Store, StoreError, why_not_saved
from protocols.ui.plain import STATIC

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
    """The store the aid was given, else the one ``$HANDBOOK_DATABASE_URL`` names."""
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


class RunSession(Generic[R]):
    """One engine run of one job aid, saved in the records store after every change."""

    def __init__(self, run: R, store: Store, aid: str, run_id: str, revision: int, *,
                 load: Callable[[object], R], status: Callable[[R], str],
                 clock: Clock = local_now, read_only: str | None = None) -> None:
        self.run = run
        self.store = store
        self.aid = aid
        self.run_id = run_id
        self.revision = revision
        self._load = load
        self._status = status
        self.clock = clock
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
                              status(run), state.model_dump_json())
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
                                            content_version=self.run.state.content_version)
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


class CaseController(Generic[R]):
    """What every case-number job aid's controller shares: its store, clock, case and saved run.

    A subclass names its ``aid``, knows how to rebuild its run from saved state
    (``load``), and adds the actions its screen offers; each action goes through
    :meth:`_act`, so it is one engine call and one save (see :class:`RunSession`).
    """

    aid = ""
    no_run = "Enter the case number first."
    """Said when an action comes before there is a run."""
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

    def status(self, run: R) -> str:
        """The store status of a run (``completed`` once finished, by default)."""
        return finished_status(run)  # type: ignore[arg-type]

    @property
    def current(self) -> R:
        """The run being worked on; only after a start or a resume."""
        if self.session is None:
            raise RuntimeError("start() first")
        return self.session.run

    def _resume(self, record: RunRecord, load: Callable[[object], R]) -> bool:
        """Continue a saved run; False if the content no longer fits it.

        A run made under an older version of the content is opened read-only, as it was
        recorded (see :attr:`older_note`), unless the controller :attr:`carries_over` runs:
        then it continues under the current version, and the next save records that version.
        """
        self.older_note = ""
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

    def _create(self, run: R, load: Callable[[object], R]) -> None:
        """Save a new run for this case. Raises ``StoreError``."""
        self.session = RunSession.create(self.store, self.aid, self.case_number, run, load=load,
                                         status=self.status, clock=self.clock)

    def _act(self, change: Callable[[R, dt.datetime], Any], done: str | Callable[[Any], str]) -> Step[Any]:
        if self.session is None:
            return Step(False, self.no_run)
        return self.session.act(change, done)


# --------------------------------------------------------------------------- drawing

AID_CSS = """
<style>
.hb-aid { --jp-widgets-inline-height: 44px; --jp-widgets-font-size: 1rem;
  --jp-widgets-inline-width: 100%; --jp-widgets-inline-label-width: 12rem; line-height: 1.45; }
.hb-aid, .hb-aid * { box-sizing: border-box; }
.hb-aid.widget-box, .hb-aid .widget-box, .hb-aid.jupyter-widget-box, .hb-aid .jupyter-widget-box {
  overflow: visible; }  /* a focus ring drawn outside a full-width control is not cut off */
.hb-aid .widget-html, .hb-aid .jupyter-widget-html, .hb-aid .widget-box, .hb-aid .widget-inline-hbox,
.hb-aid .jupyter-widget-inline-hbox { margin-left: 0; margin-right: 0; max-width: 100%; }
.hb-aid .widget-html, .hb-aid .jupyter-widget-html, .hb-aid .widget-html-content {
  max-width: 100%; overflow-wrap: break-word; line-height: 1.45; height: auto; }
.hb-aid p { margin: 0.35rem 0; }
.hb-aid h2 { font-size: 1.25rem; margin: 1rem 0 0.3rem; line-height: 1.25; }
.hb-aid h3 { font-size: 1.05rem; margin: 0.6rem 0 0.2rem; line-height: 1.3; }
.hb-aid button.jupyter-button { width: auto; max-width: 100%; height: auto; min-height: 44px;
  min-width: 44px; line-height: 1.25; white-space: normal; padding: 0.45rem 1rem; border-radius: 4px;
  background: #e6ebf0; color: #1b1f24; border: 1px solid #8a96a3; }
.hb-aid button.jupyter-button.mod-primary { background: #0b5cad; color: #fff; border-color: #0b5cad; }
.hb-aid button.jupyter-button.mod-success { background: #1e6b34; color: #fff; border-color: #1e6b34; }
.hb-aid button.jupyter-button.mod-danger { background: #a4161a; color: #fff; border-color: #a4161a; }
.hb-aid button.jupyter-button.mod-info { background: #fff; color: #0b5cad; border: 2px solid #0b5cad; }
.hb-aid button.jupyter-button:disabled { opacity: 0.55; cursor: not-allowed; }
.hb-aid button.jupyter-button { margin: 0; }
.hb-aid button.hb-wide { width: 100%; text-align: left; font-weight: 400; padding: 0.6rem 0.8rem; }
.hb-aid .hb-options { gap: 0.5rem; margin: 0.3rem 0; }
.hb-aid .hb-row { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
.hb-aid .jupyter-widget-label, .hb-aid .widget-label { white-space: normal; overflow: visible;
  line-height: 1.3; height: auto; }
.hb-aid .hb-stack.widget-inline-hbox, .hb-aid .hb-stack.jupyter-widget-inline-hbox {
  flex-direction: column; align-items: stretch; width: 100%; max-width: 32rem; height: auto; }
.hb-aid .hb-stack select, .hb-aid .hb-stack input, .hb-aid .hb-stack textarea { width: 100%; flex: 0 0 auto; }
.hb-aid .hb-stack .widget-label, .hb-aid .hb-stack .jupyter-widget-label { width: auto !important;
  max-width: none; text-align: left; margin: 0 0 0.2rem; font-weight: 600; }
.hb-aid select, .hb-aid input[type=date], .hb-aid input[type=time], .hb-aid input[type=text] {
  min-height: 44px; font-size: 1rem; }
.hb-aid textarea { font-size: 1rem; min-height: 5.5rem; }
.hb-aid .widget-text, .hb-aid .jupyter-widget-text { flex-wrap: wrap; height: auto; row-gap: 0.2rem; }
.hb-aid .widget-text input, .hb-aid .jupyter-widget-text input { min-width: 0; flex: 1 1 12rem; }
.hb-aid .widget-checkbox, .hb-aid .jupyter-widget-checkbox { width: 100%; height: auto;
  min-height: 44px; line-height: 1.3; margin: 0.25rem 0; }
.hb-aid .widget-checkbox label, .hb-aid .jupyter-widget-checkbox label { display: flex;
  align-items: center; gap: 0.6rem; min-height: 44px; white-space: normal; cursor: pointer;
  overflow: visible; font-weight: 600; line-height: 1.3; }
.hb-aid .widget-checkbox label *, .hb-aid .jupyter-widget-checkbox label * { line-height: 1.3; }
.hb-aid .widget-checkbox input[type=checkbox], .hb-aid .jupyter-widget-checkbox input[type=checkbox] {
  width: 1.5rem; height: 1.5rem; flex: 0 0 auto; margin: 0; }
.hb-aid .hb-card { border: 1px solid #c9d1d9; border-radius: 6px; padding: 0.6rem 0.8rem;
  margin: 0.5rem 0; background: #fff; width: 100%; }
.hb-aid .hb-card.hb-picked { border-color: #0b5cad; box-shadow: inset 4px 0 0 #0b5cad; }
.hb-aid .hb-sample { border: 3px solid #a4161a; background: #fff4f4; color: #1b1f24; padding: 0.6rem 0.8rem;
  border-radius: 6px; margin: 0.4rem 0; }
.hb-aid .hb-sample strong.hb-flag { display: inline-block; background: #a4161a; color: #fff; padding: 0.1rem 0.5rem;
  border-radius: 3px; letter-spacing: 0.05em; margin-right: 0.4rem; }
.hb-aid .hb-note { background: #f4f6f8; border-left: 4px solid #4a5560; padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
.hb-aid .hb-sticky-jump { position: sticky; bottom: 0; z-index: 2; background: #fff;
  border-top: 1px solid #b9c0c8; margin: 0; }
.hb-aid .hb-sticky-jump p { margin: 0; }
.hb-aid .hb-sticky-jump a { display: flex; align-items: center; min-height: 44px; font-weight: 600; }
.hb-aid .hb-warn { background: #fff8e1; border-left: 4px solid #9a6700; padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
.hb-aid .hb-say { background: #eef5fc; border-left: 4px solid #0b5cad; padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
.hb-aid .hb-result { border: 2px solid #1b1f24; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.6rem 0; }
.hb-aid .hb-result.hb-in { border-color: #a4161a; background: #fff4f4; }
.hb-aid .hb-result.hb-out { border-color: #1e6b34; background: #f1f8f3; }
.hb-aid .hb-result .hb-headline { font-size: 1.2rem; font-weight: 700; margin: 0 0 0.2rem; }
.hb-aid .hb-progress { font-weight: 600; margin: 0.3rem 0; padding: 0.4rem 0.6rem; background: #f4f6f8;
  border-radius: 4px; }
.hb-aid .hb-badge { display: inline-block; font-size: 0.85rem; font-weight: 700; padding: 0.05rem 0.45rem;
  border-radius: 3px; border: 1px solid currentColor; margin-right: 0.35rem; }
.hb-aid .hb-badge.hb-urgent, .hb-aid .hb-badge.hb-overdue { color: #a4161a; }
.hb-aid .hb-badge.hb-due-today { color: #9a6700; }
.hb-aid .hb-badge.hb-upcoming { color: #0b5cad; }
.hb-aid .hb-badge.hb-done { color: #1e6b34; }
.hb-aid .hb-badge.hb-closed { color: #4a5560; }
.hb-aid .hb-muted { color: #4a5560; font-size: 0.95rem; }
.hb-aid .hb-answer { font-weight: 600; color: #1e6b34; min-height: 1.3em; }
.hb-aid .hb-answer.hb-open { color: #4a5560; font-weight: 400; }
.hb-aid ul.hb-list, .hb-aid ol.hb-list { margin: 0.3rem 0; padding-left: 1.3rem; }
.hb-aid ul.hb-list li, .hb-aid ol.hb-list li { margin: 0.2rem 0; }
.hb-aid ul.hb-facts { list-style: none; margin: 0.3rem 0; padding: 0; }
.hb-aid ul.hb-facts li { margin: 0.15rem 0; }
.hb-aid a { color: #0b5cad; text-decoration: underline; }
.hb-aid summary { padding: 0.65rem 0; cursor: pointer; color: #0b5cad; font-weight: 600; }
/* One focus indicator for every control: a dark ring (>= 3:1 on white) around an amber one (>= 3:1 on
   the blue and red buttons). Text fields show it whenever the focus is in them (in a time field's
   last part only :focus-within matches); !important beats the widgets' `outline: none !important`. */
.hb-aid.hb-aid :is(a, button, input, select, textarea, summary, [tabindex]):focus-visible,
.hb-aid.hb-aid :is(input, select, textarea):focus-within {
  outline: 3px solid #1b1f24 !important; outline-offset: 2px; box-shadow: 0 0 0 2px #f2a900; }
.hb-aid input, .hb-aid select, .hb-aid textarea, .hb-aid button { font-family: inherit; }
@media (max-width: 30rem) {
  .hb-aid .hb-row > button.jupyter-button { flex: 1 1 auto; }
}
</style>
"""
"""Extra styles for the job aids, on top of the frame's: 44px targets, stacked labels, cards."""

esc = html.escape


def styles() -> widgets.HTML:
    """The job aids' shared styles (add once per aid)."""
    return widgets.HTML(AID_CSS)


def html_box(markup: str = "", *classes: str) -> widgets.HTML:
    """An HTML block. ``markup`` must already be escaped (use :func:`esc` on every value)."""
    box = widgets.HTML(markup, layout=widgets.Layout(width="100%"))
    for name in classes:
        box.add_class(name)
    return box


def button(label: str, on_click: Callable[[], None], *, style: str = "", tooltip: str | None = None,
           wide: bool = False, disabled: bool = False) -> widgets.Button:
    """A button with a 44px target; ``tooltip`` adds context for screen readers."""
    widget = widgets.Button(description=label, button_style=style, tooltip=tooltip or label,
                            disabled=disabled)
    if wide:
        widget.add_class("hb-wide")
    widget.on_click(lambda _b: on_click())
    return widget


def row(children: list[widgets.Widget]) -> widgets.HBox:
    """Buttons side by side that wrap on a phone."""
    box = widgets.HBox(children, layout=widgets.Layout(width="100%"))
    box.add_class("hb-row")
    return box


def stacked(widget: widgets.Widget) -> widgets.Widget:
    """Put a control's label above it, full width (reads well on a phone)."""
    widget.add_class("hb-stack")
    widget.style.description_width = "initial"
    return widget


def column(children: list[widgets.Widget], *classes: str) -> widgets.VBox:
    box = widgets.VBox(children, layout=widgets.Layout(width="100%"))
    for name in classes:
        box.add_class(name)
    return box


def facts(pairs: Iterable[tuple[str, str]]) -> str:
    """Label: value lines (escaped), one per fact; reads the same on a phone and a desk."""
    rows = "".join(f"<li><strong>{esc(k)}:</strong> {esc(v)}</li>" for k, v in pairs)
    return f'<ul class="hb-facts">{rows}</ul>'


def bullet_list(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    inner = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<{tag} class="hb-list">{inner}</{tag}>'


def when(moment: dt.datetime) -> str:
    """A time as an officer reads it, in this machine's time zone: ``Fri 03 May 2024 21:14``.

    A time without a zone (SQLite gives those back) is taken as UTC, as the store writes it.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%a %d %b %Y %H:%M}"


class ScreenTop(anywidget.AnyWidget):
    """Scrolls the aid back to its top when :meth:`new_screen` is called; shows nothing.

    An aid that swaps one screen for the next (a decision, then its feedback) would
    otherwise leave a phone or a projector looking at the bottom of the new screen.
    """

    _esm = STATIC / "screen_top.js"
    screen = traitlets.Int(0).tag(sync=True)

    def new_screen(self) -> None:
        self.screen += 1

