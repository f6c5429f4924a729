"""The confidentiality job aid: what you can keep private, what you must share, and what to say.

The opening script comes first. Then one yes/no question at a time, with Back; each
answer and each step back is one engine call (:class:`~protocols.engine.ConfidentialityAdvisor`)
and one saved revision. The outcome shows the decision, its rule and citation, and the
words to say to the victim.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets

from protocols.engine import AdvisorSummary, ConfidentialityAdvisor
from protocols.library.loader import Library, default_library
from protocols.models import ConfidentialityGuide
from protocols.records import Store
from protocols.ui.frame import CaseAid, StatusLine, case_aid
from protocols.ui.markup import bullet_list, esc, when
from protocols.ui.session import CaseController, Clock, Step, local_now, open_store
from protocols.ui.widget_kit import AidView, button, column, html_box, row

AID = "confidentiality"
DEFAULT_GUIDE = "confidentiality-decisions"


class AdvisorController(CaseController[ConfidentialityAdvisor]):
    """The advisor for one case, saved after every answer; no widgets."""

    aid = AID
    started = "Started. Answer the first question."

    def __init__(self, guide: ConfidentialityGuide, store: Store, clock: Clock = local_now) -> None:
        super().__init__(store, clock)
        self.guide = guide

    def _load(self, saved: object) -> ConfidentialityAdvisor:
        return ConfidentialityAdvisor.restore(self.guide, saved)

    def _new_run(self) -> ConfidentialityAdvisor:
        return ConfidentialityAdvisor.start(self.guide, self.clock(), case_number=self.case_number)

    @property
    def advisor(self) -> ConfidentialityAdvisor:
        return self.current

    def _reopen(self) -> str | None:
        """This case's latest walk through the guide; None when there is none that fits.

        A walk that reached its answer is shown read-only, with a way to start new questions.
        """
        if not self._resume_newest(self.guide.id):
            return None
        reached = self.reached_at
        if reached is not None and self.session is not None:
            self.session.read_only = ("Not changed: this answer was finished and is kept as it was. "
                                      "Start new questions for this case to answer again.")
            return self.resumed(f"This case already has an answer, reached on {when(reached)}. It is "
                                "shown below and cannot be changed.")
        return self.resumed("Resumed where you stopped.")

    @property
    def reached_at(self) -> dt.datetime | None:
        """When the walk reached its answer (the time of its last answer); ``None`` if it has not."""
        path = self.advisor.state.path
        return path[-1].answered_at if self.advisor.finished and path else None

    @property
    def read_only(self) -> bool:
        """The finished walk shown is kept as it was (it was reopened, not answered just now)."""
        return self.session is not None and self.session.read_only is not None

    def restart(self) -> Step[None]:
        """A new walk for the same case (the earlier one stays on record)."""
        return self.start_again("Started again from the first question.", refused="Not started again")

    def answer(self, value: str) -> Step[Any]:
        word = "Yes" if value == "yes" else "No"
        return self._act(lambda a, now: a.answer(value, now), f"{word}. Saved.")

    def back(self) -> Step[Any]:
        return self._act(lambda a, _now: a.back(), "Went back one question. Saved.")

    def summary(self) -> AdvisorSummary:
        return self.advisor.summary()


class AdvisorView(AidView):
    """Draws one question at a time, or the outcome, and forwards each answer."""

    def __init__(self, controller: AdvisorController, status: StatusLine) -> None:
        super().__init__(status)
        self.c = controller
        self.progress = html_box()
        self.question = html_box()
        self.yes = button("Yes", lambda: self._after(self.c.answer("yes")), style="primary")
        self.no = button("No", lambda: self._after(self.c.answer("no")), style="primary")
        self.back = button("Back", lambda: self._after(self.c.back()), tooltip="Back one question")
        self.again = button("Start again", lambda: self._after(self.c.restart()),
                            tooltip="Start again from the first question")
        self.new = button("Start new questions for this case", lambda: self._after(self.c.restart()),
                          style="primary", tooltip="Start new questions for this case; this answer stays on record")
        self.path = html_box()
        self.widget = column([
            self.progress,
            column([self.question, row([self.yes, self.no, self.back, self.again, self.new])], "hb-card"),
            self.path,
        ])
        self.draw()

    def draw(self) -> None:
        summary = self.c.summary()
        advisor = self.c.advisor
        count = len(summary.steps)
        reached = self.c.reached_at
        if summary.outcome is not None:
            on = f" on {when(reached)}" if reached is not None else ""
            state = (f"Finished{on}: answer reached after {count} question{'s' if count != 1 else ''}: "
                     f"{summary.outcome.title}")
        else:
            state = f"Question {count + 1} · {count} answered so far"
        self.progress.value = (f'<p class="hb-progress" role="status">Case {esc(self.c.case_number)} · '
                               f"{esc(state)}</p>")
        question = advisor.current_question
        if question is not None:
            help_text = f'<p class="hb-muted">{esc(question.help)}</p>' if question.help else ""
            self.question.value = (f"<h2>Question {count + 1}</h2><p><strong>{esc(question.text)}</strong></p>"
                                   f"{help_text}")
        elif summary.outcome is not None:
            o = summary.outcome
            css = "hb-in" if o.decision in ("must-disclose", "ask-supervisor") else "hb-out"
            steps = (f"<h3>Next steps</h3>{bullet_list(o.next_steps)}" if o.next_steps else "")
            self.question.value = (
                f'<div class="hb-result {css}" role="status"><p class="hb-headline">{esc(o.decision_text)}</p>'
                f"<h2>{esc(o.title)}</h2><p><strong>The rule:</strong> {esc(o.rule)}</p>"
                f"<p><strong>Where it comes from:</strong> {esc(o.citation)}</p></div>"
                f'<div class="hb-say"><p><strong>Say to the victim:</strong> {esc(o.script)}</p></div>{steps}')
        for b in (self.yes, self.no):
            b.layout.display = "none" if question is None else ""
        read_only = self.c.read_only
        self.back.disabled = count == 0
        self.back.layout.display = "none" if read_only else ""
        self.again.layout.display = "" if count and not read_only else "none"
        self.new.layout.display = "" if read_only else "none"
        if summary.steps:
            items = "".join(f"<li>{esc(s.question)} <strong>{'Yes' if s.answer == 'yes' else 'No'}</strong>"
                            f" · {esc(when(p.answered_at))}</li>"
                            for s, p in zip(summary.steps, advisor.state.path, strict=True))
            self.path.value = f'<h3>Your answers</h3><ol class="hb-list">{items}</ol>'
        else:
            self.path.value = ""


def confidentiality_aid(guide_id: str = DEFAULT_GUIDE, library: Library | None = None,
                        store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole confidentiality job aid."""
    lib = library or default_library()
    guide = lib.guide(guide_id)

    def start(case_number: str, frame: CaseAid) -> None:
        controller = AdvisorController(guide, open_store(store), clock)
        note = controller.start(case_number)
        frame.show(case_number, note, AdvisorView(controller, frame.status).widget)

    opening = html_box(
        '<div class="hb-say"><p><strong>Say this first, before the victim tells you anything:</strong></p>'
        f"<p>{esc(guide.opening_script)}</p></div>"
        f"<details><summary>When to use this guide</summary><p>{esc(guide.introduction)}</p></details>")
    return case_aid("Confidentiality decisions", lib, start, chapter="book/rights/confidentiality",
                    chapter_title="Read the confidentiality chapter", banners=[opening], shows=[guide],
                    button_label="Start the questions")
