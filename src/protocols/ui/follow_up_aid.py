"""The follow-up job aid: a plan of dated check-ins, each contact recorded, then closure.

Creating the plan, recording a check-in and closing the plan are each one engine
call (:class:`~protocols.engine.FollowUpPlan`) and one saved revision. Check-in
statuses (due today, overdue, upcoming) are worked out by the engine from the
time now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from protocols.engine import CheckInResult, CheckInStatus, EngineError, FollowUpOverview, FollowUpPlan
from protocols.engine.answers import sentence
from protocols.engine.followup import METHOD_LABELS, RESULT_LABELS
from protocols.engine.screening import ScreeningRun
from protocols.library.loader import Library, default_library
from protocols.models import FollowUpTemplate
from protocols.records import RunRecord, Store, StoreError
from protocols.records.case_runs import case_screen_in, latest_finished
from protocols.records.followups import plan_status
from protocols.ui.frame import CaseAid, StatusLine, case_aid
from protocols.ui.markup import bullet_list, esc, when
from protocols.ui.session import CaseController, Clock, Step, local_now, open_store
from protocols.ui.widget_kit import AidView, button, column, html_box, row, stacked

AID = "follow-up"
DEFAULT_TEMPLATE = "standard-follow-up"
SCREEN_IN_TEMPLATE = "screen-in-follow-up"
"""The high-danger plan: the one offered first for a case that screened in."""


def day(moment: dt.datetime) -> str:
    """A date as an officer reads it, in this machine's time zone: ``Fri 03 May 2024``."""
    return when(moment).rsplit(" ", 1)[0]


STATUS_WORDS = {"done": "Done", "due-today": "Due today", "overdue": "Overdue", "upcoming": "Upcoming",
                "closed": "Not needed"}


class FollowUpController(CaseController[FollowUpPlan]):
    """The follow-up plan for one case, saved after every change; no widgets."""

    aid = AID
    no_run = "Make the plan first."
    carries_over = True  # a plan runs for weeks: a revised template must not freeze it

    def __init__(self, library: Library, store: Store, clock: Clock = local_now) -> None:
        super().__init__(store, clock)
        self.library = library
        self.earlier: list[str] = []
        """Closed plans for this case, as short lines."""
        self.screen_in: ScreeningRun | None = None
        """The case's newest finished screening that screened in, if any (read at the start)."""

    def _loader(self, template: FollowUpTemplate) -> Callable[[object], FollowUpPlan]:
        return lambda saved: FollowUpPlan.restore(template, saved)

    def _loader_for(self, record: RunRecord) -> Callable[[object], FollowUpPlan]:
        return self._loader(self.library.followup[record.content_id])

    def status(self, run: FollowUpPlan) -> str:
        return plan_status(run)

    @property
    def plan(self) -> FollowUpPlan:
        return self.current

    @property
    def has_plan(self) -> bool:
        return self.session is not None

    def _reopen(self) -> str:
        """Resume the open plan for this case; else show the last closed one, read-only, and say a
        plan can be made (a plan is made by :meth:`create`, never by the start)."""
        templates = self.library.followup
        if self._resume_open(templates):
            return self.resumed("Resumed the open follow-up plan.")
        self.earlier = [f"A plan made {when(r.created_at)} was closed."
                        for r in self.store.find(AID, self.case_number) if r.status == "completed"]
        self.screen_in = case_screen_in(self.store, self.library, self.case_number)
        last = latest_finished(self.store, AID, self.case_number, templates)
        if last is not None and self._resume(last):
            closure = self.plan.state.closure
            closed = f" on {day(closure.at)}" if closure is not None else ""
            return (f"No open plan for this case. The last plan was closed{closed}; it is shown below and "
                    "cannot be changed. Make a new plan if follow-up is needed again.")
        return "No open plan for this case yet. Make one below."

    @property
    def closed(self) -> bool:
        """The plan shown is closed: it is shown read-only, with a way to make a new one."""
        return self.session is not None and self.plan.closed

    def first_choice(self, fallback: str = DEFAULT_TEMPLATE) -> tuple[str, str]:
        """The plan to offer first for this case, and why (empty when nothing about the case chose it).

        A case that screened in gets the high-danger plan; the officer can pick another.
        """
        if self.screen_in is not None and SCREEN_IN_TEMPLATE in self.library.followup:
            finished = self.screen_in.state.finished_at
            on = f" on {day(finished)}" if finished is not None else ""
            return SCREEN_IN_TEMPLATE, (f"This case screened in{on}, so the high-danger plan is chosen. "
                                        "You can pick another.")
        return fallback, ""

    def create(self, template_id: str, start: dt.datetime, *, method: str | None = None,
               window: str | None = None, may_leave_message: bool | None = None) -> Step[None]:
        """Make the plan and save it."""
        template = self.library.followup.get(template_id)
        if template is None:
            return Step(False, "Choose a follow-up plan.")
        try:
            holidays = self.library.agency.holidays if self.library.agency is not None else ()
            plan = FollowUpPlan.create(template, self.case_number, start, method=method, window=window,
                                       may_leave_message=may_leave_message, holidays=holidays)
            self._create(plan, self._loader(template))
        except EngineError as exc:
            return Step(False, sentence(str(exc)))
        except StoreError as exc:
            return Step(False, f"Not saved: {exc}. The plan was not made; try again.")
        return Step(True, f"Follow-up plan made and saved: {len(plan.state.check_ins)} check-ins.")

    def record(self, check_in_id: str, result: str, notes: str = "") -> Step[Any]:
        label = {r.value: text for r, text in RESULT_LABELS.items()}.get(result, result)
        return self._act(lambda plan, now: plan.record(check_in_id, result, now, notes or None),
                         f"Check-in recorded and saved: {label}.")

    def close(self, confirmed: list[int], reason: str = "") -> Step[Any]:
        return self._act(lambda plan, now: plan.close(now, confirmed, reason or None),
                         "Follow-up plan closed and saved.")

    def overview(self) -> FollowUpOverview:
        return self.plan.overview(self.clock())


def _check_in_html(s: CheckInStatus, plan: FollowUpPlan) -> str:
    attempts = next(c for c in plan.state.check_ins if c.id == s.id).attempts
    tried = ""
    if attempts:
        lines = [f"{when(a.at)}: {RESULT_LABELS[a.result]}" + (f" · note: {a.notes}" if a.notes else "")
                 for a in attempts]
        tried = f"<p><strong>Contacts recorded:</strong></p>{bullet_list(lines)}"
    extra = []
    if s.moved:
        extra.append("moved to the next business day")
    if s.outside_window and s.status not in ("done", "closed"):
        extra.append("outside the safe contact window")
    note = f'<p class="hb-muted">{esc("; ".join(extra)).capitalize()}.</p>' if extra else ""
    return (f'<p><span class="hb-badge hb-{esc(s.status)}">{esc(STATUS_WORDS[s.status])}</span>'
            f"<strong>{esc(s.label)}</strong></p><p>Due {esc(when(s.due_at))}</p>{note}"
            f"<details><summary>What to do at this check-in</summary>{bullet_list(s.tasks)}</details>{tried}")


class PlanView(AidView):
    """Draws the plan: each check-in with its status, a form to record it, and closure."""

    def __init__(self, controller: FollowUpController, status: StatusLine) -> None:
        super().__init__(status)
        self.c = controller
        self.progress = html_box()
        self.cards = column([])
        template = controller.plan.template
        self.criteria = [widgets.Checkbox(description=text, indent=False, layout=widgets.Layout(width="100%"))
                         for text in template.closure_criteria]
        self.reason = stacked(widgets.Textarea(
            description="Reason for closing early (needed if not every item is ticked; no names)",
            layout=widgets.Layout(width="100%")))
        self.close_button = button("Close the plan", self.close, style="danger")
        self.close_box = column([
            html_box("<h2>Close the plan</h2><p>Check each item that is true. Close when all are true, or "
                     "give a reason to close early.</p>"),
            *self.criteria, self.reason, row([self.close_button])], "hb-card")
        self.closed_line = html_box()
        self.widget = column([self.progress, html_box("<h2>Check-ins</h2>"), self.cards, self.close_box,
                              self.closed_line])
        self.draw()

    def close(self) -> None:
        confirmed = [i for i, box in enumerate(self.criteria) if box.value]
        self._after(self.c.close(confirmed, self.reason.value))

    def _record_form(self, s: CheckInStatus) -> widgets.Widget:
        result = stacked(widgets.Dropdown(
            description=f"Result of the {s.label.lower()}",
            options=[(RESULT_LABELS[r], r.value) for r in CheckInResult], value=CheckInResult.REACHED.value))
        notes = stacked(widgets.Textarea(description="Note (optional; no names or personal details)",
                                         layout=widgets.Layout(width="100%")))

        def record() -> None:
            self._after(self.c.record(s.id, str(result.value), notes.value))

        return column([result, notes, row([button("Record this check-in", record, style="primary",
                                                  tooltip=f"Record the {s.label}")])])

    def draw(self) -> None:
        plan = self.c.plan
        overview = self.c.overview()
        self.progress.value = (
            f'<p class="hb-progress" role="status">Case {esc(self.c.case_number)} · {esc(overview.text)}</p>'
            f"<p><strong>{esc(plan.template.title)}</strong> · version {esc(plan.state.content_version)}</p>"
            f"<p><strong>Safe contact:</strong> {esc(overview.contact)}</p>")
        cards: list[widgets.Widget] = []
        for s in overview.statuses:
            parts: list[widgets.Widget] = [html_box(_check_in_html(s, plan))]
            if s.status not in ("done", "closed"):
                parts.append(self._record_form(s))
            cards.append(column(parts, "hb-card", f"hb-check-in-{s.id}"))
        self.cards.children = cards
        closure = plan.state.closure
        self.close_box.layout.display = "none" if closure is not None else ""
        if closure is not None:
            confirmed = bullet_list(closure.confirmed) if closure.confirmed else "<p>None ticked.</p>"
            reason = f"<p><strong>Reason:</strong> {esc(closure.reason)}</p>" if closure.reason else ""
            self.closed_line.value = (f'<div class="hb-result hb-out" role="status"><p class="hb-headline">'
                                      f"Plan closed {esc(when(closure.at))}</p>{reason}"
                                      f"<p><strong>Confirmed:</strong></p>{confirmed}</div>")
        else:
            self.closed_line.value = ""


class CreateForm:
    """Choose the plan and the victim's safe contact details, then make the plan."""

    def __init__(self, controller: FollowUpController, status: StatusLine,
                 on_created: Callable[[], None], template_id: str | None = None) -> None:
        self.c = controller
        self.status = status
        self.on_created = on_created
        templates = controller.library.followup
        now = controller.clock()
        why = ""
        if template_id is None:
            template_id, why = controller.first_choice()
        self.template = stacked(widgets.Dropdown(
            description="Which plan", options=[(t.title, t.id) for t in templates.values()],
            value=template_id if template_id in templates else next(iter(templates))))
        self.chosen_because = html_box(f'<p class="hb-note" role="note">{esc(why)}</p>' if why else "")
        self.about = html_box()
        self.template.observe(lambda _c: self._describe(), names="value")
        self.day = stacked(widgets.DatePicker(description="Start date", value=now.date()))
        self.time = stacked(widgets.TimePicker(description="Start time",
                                               value=now.time().replace(second=0, microsecond=0)))
        self.method = stacked(widgets.Dropdown(description="Safe way to contact the victim", options=[]))
        self.start_window = stacked(widgets.TimePicker(description="Safe to contact from (optional)", value=None))
        self.end_window = stacked(widgets.TimePicker(description="Safe to contact until (optional)", value=None))
        self.message = stacked(widgets.Dropdown(
            description="May we leave a message?",
            options=[("Not asked", ""), ("Yes, a message is safe", "yes"), ("No, leave no message", "no")],
            value=""))
        self.questions = html_box()
        self.widget = column([
            html_box("<h2>Make a follow-up plan</h2>"),
            self.chosen_because, self.template, self.about, row([self.day, self.time]), self.questions,
            self.method, row([self.start_window, self.end_window]), self.message,
            row([button("Make the follow-up plan", self.create, style="primary")]),
        ], "hb-card")
        self._describe()

    def _describe(self) -> None:
        template = self.c.library.template(str(self.template.value))
        self.about.value = f'<p class="hb-muted">{esc(template.applies_to)}</p>'
        self.questions.value = ("<p><strong>Ask the victim about safe contact:</strong></p>"
                                + bullet_list(template.safe_contact_questions))
        current = self.method.value
        options = [("Not given", ""), *((METHOD_LABELS[m], m.value) for m in template.contact_methods)]
        self.method.options = options
        self.method.value = current if current in [v for _k, v in options] else ""

    def create(self) -> None:
        if self.day.value is None or self.time.value is None:
            self.status.show("Give the start date and time.", bad=True)
            return
        begin, end = self.start_window.value, self.end_window.value
        if (begin is None) != (end is None):
            self.status.show("Give both times of the safe contact window, or neither.", bad=True)
            return
        window = f"{begin:%H:%M}-{end:%H:%M}" if begin is not None and end is not None else None
        start = dt.datetime.combine(self.day.value, self.time.value).astimezone()
        leave = {"yes": True, "no": False}.get(str(self.message.value))
        step = self.c.create(str(self.template.value), start, method=str(self.method.value) or None,
                             window=window, may_leave_message=leave)
        if step.saved:
            self.on_created()
        self.status.show(step.message, bad=not step.saved)


def follow_up_aid(template_id: str | None = None, library: Library | None = None,
                  store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole follow-up job aid.

    ``template_id`` is the plan offered first; without it, the high-danger plan for a case
    that screened in, else the standard plan.
    """
    lib = library or default_library()
    if template_id is not None:
        lib.template(template_id)

    def start(case_number: str, frame: CaseAid) -> None:
        controller = FollowUpController(lib, open_store(store), clock)
        note = controller.start(case_number)

        def show_plan() -> None:
            frame.body.children = [PlanView(controller, frame.status).widget]

        def show_form() -> None:
            earlier = [html_box(f'<p class="hb-note">{esc(" ".join(controller.earlier))}</p>')] \
                if controller.earlier else []
            frame.body.children = [*earlier, CreateForm(controller, frame.status, show_plan, template_id).widget]

        def new_plan() -> None:
            show_form()
            frame.show(case_number, "Make the new follow-up plan below.")

        if controller.closed:
            frame.body.children = [PlanView(controller, frame.status).widget,
                                   row([button("Make a new follow-up plan", new_plan, style="primary",
                                               tooltip=f"Make a new follow-up plan for case {case_number}")])]
        elif controller.has_plan:
            show_plan()
        else:
            show_form()
        frame.show(case_number, note)

    return case_aid("Follow-up plan", lib, start, chapter="book/follow-up/plans",
                    chapter_title="Read the follow-up chapter",
                    shows=[lib.followup[key] for key in sorted(lib.followup)])
