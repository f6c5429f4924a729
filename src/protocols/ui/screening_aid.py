"""The danger-screening job aid: ask the questions, see the outcome, run the screen-in steps.

Each answer, belief screen-in and the finish call is one engine call and one saved
revision. After a screen-in, the follow-on protocol's live checklist opens for the
same case number (its own saved run, aid ``screen-in-response``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from protocols.engine import ChecklistRun, ScreeningResult, ScreeningRun
from protocols.engine.answers import sentence
from protocols.library.loader import Library, default_library
from protocols.models import ScreeningAnswer, ScreeningInstrument
from protocols.records import Store, StoreError
from protocols.records.case_runs import latest_finished
from protocols.ui.checklist_aid import (
    fill_in_from_screening,
    filled_in_note,
    finished_checklist_html,
    finished_run,
    live_checklist,
)
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.frame import CaseAid, StatusLine, case_aid
from protocols.ui.markup import bullet_list, esc, facts, when
from protocols.ui.scene_log_view import SceneLogBox
from protocols.ui.session import CaseController, Clock, Step, local_now, open_store
from protocols.ui.widget_kit import AidView, button, column, html_box, row, stacked

AID = "screening"
FOLLOW_ON_AID = "screen-in-response"
DEFAULT_INSTRUMENT = "sample-danger-screen"
ANSWER_WORDS = {ScreeningAnswer.YES: "Yes", ScreeningAnswer.NO: "No",
                ScreeningAnswer.NOT_ANSWERED: "Not answered"}
_WORDS_BY_VALUE = {a.value: w for a, w in ANSWER_WORDS.items()}


class ScreeningController(CaseController[ScreeningRun]):
    """The screening for one case, saved after every change; no widgets."""

    aid = AID
    started = "New screening started."

    def __init__(self, instrument: ScreeningInstrument, library: Library, store: Store,
                 clock: Clock = local_now) -> None:
        super().__init__(store, clock)
        self.instrument = instrument
        self.library = library
        self.fill_problem = ""
        """Why the screen-in checklist could not be filled in from this screening ("" if it was)."""

    def _load(self, saved: object) -> ScreeningRun:
        return ScreeningRun.restore(self.instrument, saved)

    def _new_run(self) -> ScreeningRun:
        return ScreeningRun.start(self.instrument, self.case_number, self.clock())

    def _reopen(self) -> str | None:
        """This case's latest screening, open or finished; None when there is none that fits."""
        if not self._resume_newest(self.instrument.id):
            return None
        if self.run.finished and self.run.state.finished_at is not None:
            return self.resumed(f"This case was screened at {when(self.run.state.finished_at)}. "
                                "The result is below.")
        return self.resumed("Resumed the open screening where you stopped.")

    def new_screening(self) -> Step[None]:
        """Start a fresh screening for the same case (after a finished one)."""
        return self.start_again("New screening started for the same case.")

    def answer(self, number: int, value: str) -> Step[Any]:
        word = _WORDS_BY_VALUE.get(value, value)
        return self._act(lambda run, now: run.answer(number, value, now),
                         f"Question {number}: {word}. Saved.")

    def believe(self, reason: str) -> Step[Any]:
        return self._act(lambda run, now: run.override(reason, now),
                         "Your belief screen-in and its reason are saved.")

    def withdraw(self) -> Step[Any]:
        return self._act(lambda run, now: run.withdraw_override(now),
                         "Your belief screen-in is withdrawn (the record keeps it as withdrawn).")

    def finish(self) -> Step[ScreeningResult]:
        step: Step[ScreeningResult] = self._act(lambda run, now: run.finish(now),
                                                lambda result: f"Screening finished and saved. {result.headline}.")
        return step

    def result(self) -> ScreeningResult:
        return self.run.evaluate()

    def _follow_on_protocol(self) -> str | None:
        if not self.run.finished:
            return None
        result = self.result()
        return result.follow_on_protocol if result.screened_in else None

    def follow_on(self) -> tuple[ChecklistSession, str] | None:
        """The follow-on checklist for this case after a screen-in; ``None`` if not screened in.

        Its screen-in items are filled in from this screening (see :attr:`fill_problem`).
        Raises ``StoreError`` if the store cannot be used.
        """
        protocol_id = self._follow_on_protocol()
        if protocol_id is None:
            return None
        protocol = self.library.protocol(protocol_id)
        opened = ChecklistSession.start_or_resume(protocol, self.store, FOLLOW_ON_AID, self.case_number,
                                                  self.clock)
        self.fill_problem = fill_in_from_screening(opened[0], self.library, self.clock, self.run)
        return opened

    def finished_follow_on(self) -> ChecklistRun | None:
        """The follow-on checklist this screen-in already led to, if it was completed.

        ``None`` when there is none, one is still open, or the completed one was started before
        this screening finished (a new screen-in gets a new checklist). Raises ``StoreError``.
        """
        protocol_id = self._follow_on_protocol()
        finished_at = self.run.state.finished_at
        if protocol_id is None or finished_at is None:
            return None
        record = latest_finished(self.store, FOLLOW_ON_AID, self.case_number, [protocol_id])
        run = finished_run(record, self.library.protocol(protocol_id)) if record is not None else None
        return run if run is not None and run.state.started_at >= finished_at else None


class _QuestionRow:
    def __init__(self, view: ScreeningView, number: int, text: str) -> None:
        self.number = number
        self.buttons: dict[str, widgets.Button] = {}

        def pick(value: str) -> Callable[[], None]:
            return lambda: view.answer(number, value)

        for answer in ScreeningAnswer:
            label = ANSWER_WORDS[answer]
            self.buttons[answer.value] = button(label, pick(answer.value),
                                                tooltip=f"Question {number}: {label}")
        self.answer_line = html_box()
        self.widget = column([
            html_box(f"<p><strong>{number}.</strong> {esc(text)}</p>"),
            row(list(self.buttons.values())),
            self.answer_line,
        ], "hb-card", f"hb-q-{number}")

    def draw(self, run: ScreeningRun) -> None:
        current = run.answer_of(self.number)
        record = next((a for a in run.state.answers if a.question == self.number), None)
        for value, widget in self.buttons.items():
            chosen = record is not None and value == current.value
            widget.button_style = "primary" if chosen else ""
            widget.tooltip = f"Question {self.number}: {_WORDS_BY_VALUE[value]}" + (
                " (chosen)" if chosen else "")
            widget.disabled = run.finished
        if record is None:
            self.answer_line.value = '<p class="hb-answer hb-open">Not answered yet.</p>'
        else:
            self.answer_line.value = (f'<p class="hb-answer">Answer: {esc(ANSWER_WORDS[current])} · '
                                      f"{esc(when(record.answered_at))} · saved</p>")


class ScreeningView(AidView):
    """Draws the screening for a controller and forwards each action to it."""

    def __init__(self, controller: ScreeningController, status: StatusLine) -> None:
        super().__init__(status)
        self.c = controller
        instrument = controller.instrument
        self.progress = html_box()
        self.rows = [_QuestionRow(self, q.number, q.text) for q in instrument.questions]
        self.reason = stacked(widgets.Textarea(
            description="Why you believe the victim is in danger (required, no names)",
            placeholder="What you saw or heard", layout=widgets.Layout(width="100%")))
        self.belief_button = button("Screen in on my belief", self.believe, style="danger")
        self.withdraw_button = button("Withdraw my belief screen-in", self.withdraw)
        self.belief_line = html_box()
        self.finish_button = button("Finish screening and see the result", self.finish, style="primary")
        self.new_button = button("Start a new screening for this case", self.new_screening)
        self.result_box = html_box()
        self.follow_on_box = column([])
        self.scene_log = SceneLogBox()
        belief_parts: list[widgets.Widget] = []
        if instrument.officer_belief_override:
            belief_parts = [
                html_box("<h2>Screen in on your belief</h2><p>If you believe the victim is in "
                         "danger, you can screen in even if the answers do not. Say why.</p>"),
                self.reason, row([self.belief_button, self.withdraw_button]), self.belief_line,
            ]
        self.widget = column([
            self.progress,
            html_box(f'<div class="hb-say"><p><strong>Say first:</strong> {esc(instrument.introduction)}'
                     "</p></div><h2>Questions</h2><p class=\"hb-muted\">Choose Yes, No or Not answered "
                     "for each question. Each answer is saved.</p>"),
            *[r.widget for r in self.rows],
            *belief_parts,
            html_box("<h2>Result</h2>"),
            self.result_box,
            row([self.finish_button]),
            self.scene_log.widget,
            self.follow_on_box,
        ])
        self.draw()

    # ------------------------------------------------------------------ actions

    def answer(self, number: int, value: str) -> None:
        self._after(self.c.answer(number, value))

    def believe(self) -> None:
        self._believed(self.c.believe(self.reason.value))

    def _believed(self, step: Step[Any]) -> None:
        if self._after(step, self._believed):
            self.reason.value = ""

    def withdraw(self) -> None:
        self._after(self.c.withdraw())

    def finish(self) -> None:
        self._finished(self.c.finish())

    def _finished(self, step: Step[Any]) -> None:
        if self._after(step, self._finished):
            self.open_follow_on()

    def new_screening(self) -> None:
        self.follow_on_box.children = []
        self._after(self.c.new_screening())

    def open_follow_on(self, new: bool = False) -> None:
        """Show the screen-in checklist: the completed one read-only (unless ``new``), else the live one."""
        try:
            finished = None if new else self.c.finished_follow_on()
            opened = None if finished is not None else self.c.follow_on()
        except StoreError as exc:
            self.status.show(f"The screen-in checklist could not be opened. {sentence(str(exc))}", bad=True)
            return
        if finished is not None:
            self.follow_on_box.children = [
                html_box(f"<h2>Next: {esc(finished.protocol.title)}</h2>"
                         f'<p class="hb-progress">Screen-in checklist for case {esc(self.c.case_number)}: '
                         "finished. It is shown below and cannot be changed.</p>"
                         + finished_checklist_html(finished)),
                row([button("Start a new screen-in checklist for this case", lambda: self.open_follow_on(True),
                            tooltip=f"Start a new screen-in checklist for case {self.c.case_number}")]),
            ]
            return
        if opened is None:
            self.follow_on_box.children = []
            return
        session, note = opened
        if self.c.fill_problem:
            self.status.show(self.c.fill_problem, bad=True)
        # the "Next: …" heading names the checklist, so the widget does not
        self.follow_on_box.children = [
            html_box(f"<h2>Next: {esc(session.run.protocol.title)}</h2>"
                     f'<p class="hb-progress" role="status">Screen-in checklist for case '
                     f"{esc(self.c.case_number)}: {esc(note)}</p>" + filled_in_note(session.run)),
            live_checklist(session, self.c.library, FOLLOW_ON_AID),
        ]

    # ------------------------------------------------------------------ drawing

    def draw(self) -> None:
        run = self.c.run
        result = run.evaluate()
        answered = len(run.state.answers)
        total = len(self.c.instrument.questions)
        finished_at = run.state.finished_at
        outcome = (f"Finished on {when(finished_at)} · {result.headline}" if finished_at is not None
                   else f"If you finish now: {result.headline.lower()}")
        self.progress.value = (
            f'<p class="hb-progress" role="status">Case {esc(self.c.case_number)} · {answered} of {total} '
            f"answered · {result.yes} yes · {result.no} no · {esc(outcome)}</p>")
        for r in self.rows:
            r.draw(run)
        belief = run.state.officer_belief
        self.reason.disabled = run.finished
        self.belief_button.disabled = run.finished
        self.withdraw_button.disabled = run.finished or belief is None
        self.withdraw_button.layout.display = "none" if belief is None else ""
        if belief is not None:
            self.belief_line.value = (f'<p class="hb-answer">Belief screen-in recorded at '
                                      f"{esc(when(belief.at))}. Reason: {esc(belief.reason)}</p>")
            self.belief_button.description = "Change the reason"
        else:
            self.belief_line.value = '<p class="hb-answer hb-open">No belief screen-in recorded.</p>'
            self.belief_button.description = "Screen in on my belief"
        self.finish_button.layout.display = "none" if run.finished else ""
        self.result_box.value = self._result_html(result, run.finished)
        self.scene_log.show(run)
        children = list(self.widget.children)
        if run.finished and self.new_button not in children:
            self.widget.children = [*children, row([self.new_button])]
        elif not run.finished and self.new_button in children:
            self.widget.children = [c for c in children if c is not self.new_button]

    def _result_html(self, result: ScreeningResult, finished: bool) -> str:
        if not finished:
            return ('<p class="hb-muted">The result shows here when you finish. The answers are locked '
                    "then.</p>")
        css = "hb-in" if result.screened_in else "hb-out"
        rules = bullet_list(r.text for r in result.rules)
        message = result.message
        follow_on = self.c.library.protocols.get(self.c.instrument.follow_on_protocol)
        if follow_on is not None:  # the protocol's title reads better than its id
            message = message.replace(f"checklist “{follow_on.id}”", f"“{follow_on.title}” checklist below")
        parts = [f'<div class="hb-result {css}" role="status">',
                 f'<p class="hb-headline">{esc(result.headline)}</p>',
                 f"<p>{esc(message)}</p>",
                 f"<h3>How each rule came out</h3>{rules}"]
        if result.officer_belief_reason:
            parts.append(f"<p><strong>Your reason:</strong> {esc(result.officer_belief_reason)}</p>")
        if result.not_answered_questions:
            numbers = ", ".join(str(n) for n in result.not_answered_questions)
            parts.append(f"<p>Not answered: question{'s' if len(result.not_answered_questions) > 1 else ''} "
                         f"{esc(numbers)}.</p>")
        if not result.screened_in:
            parts.append('<p>Next: offer help and referrals, and plan follow-up. '
                         '<a href="/voila/render/needs-and-referrals.ipynb">Needs and referrals</a> · '
                         '<a href="/voila/render/follow-up.ipynb">Follow-up plan</a></p>')
        parts.append("</div>")
        return "".join(parts)


def sample_banner(instrument: ScreeningInstrument) -> widgets.HTML:
    """The instrument's name and version; a prominent SAMPLE label when it is the sample."""
    about = facts([("Version", f"{instrument.version}, revised {instrument.revised.isoformat()}"),
                   ("Use it for", instrument.applies_to),
                   ("License", instrument.licence),
                   ("Attribution", instrument.attribution)])
    if instrument.sample:
        return html_box(
            '<div class="hb-sample" role="note"><p><strong class="hb-flag">SAMPLE</strong>'
            f"<strong>{esc(instrument.title)}</strong></p>"
            "<p>For training and testing only. These questions are not a validated instrument. Do "
            "not use them to judge a real victim's danger; your agency loads its licensed instrument "
            "here.</p>"
            f"<details><summary>About this instrument</summary>{about}</details></div>")
    return html_box(f"<p><strong>{esc(instrument.title)}</strong></p>"
                    f"<details><summary>About this instrument</summary>{about}</details>")


def screening_aid(instrument_id: str | None = None, library: Library | None = None,
                  store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole danger-screening job aid, with the agency's instrument (else the sample)."""
    lib = library or default_library()
    if instrument_id is None:
        instrument_id = lib.agency.screening_instrument if lib.agency is not None else DEFAULT_INSTRUMENT
    instrument = lib.instrument(instrument_id)
    follow_on = lib.protocol(instrument.follow_on_protocol)

    def start(case_number: str, frame: CaseAid) -> None:
        controller = ScreeningController(instrument, lib, open_store(store), clock)
        note = controller.start(case_number)
        view = ScreeningView(controller, frame.status)
        frame.show(case_number, note, view.widget)
        view.open_follow_on()  # after the note: a problem it reports must not be written over

    return case_aid("Danger screening", lib, start, chapter=follow_on.chapter,
                    chapter_title="Read the screening chapter", banners=[sample_banner(instrument)],
                    shows=[instrument, follow_on])
