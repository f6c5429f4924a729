"""The scenario player: a training scenario, one decision per screen, feedback, score and debrief.

Training use: no case number and no personal data. A play-through is saved under a
session label (``training`` unless the trainer gives another, e.g. ``roll-call-12``);
each decision is one engine call (:class:`~protocols.engine.ScenarioPlayer`) and one
saved revision. A link such as ``scenario-player.ipynb?scenario=<id>`` opens with that
scenario chosen (``&label=<label>`` fills in the session label).

Roll-call mode (``?mode=roll-call``, or the choice on the first screen) is for a projector:
large type, the group decides together, the trainer may count a show of hands for each
option and then clicks the option the group chose. The time used is shown against the
scenario's minutes, and the group debrief ends with the trainer's summary of every
play-through saved under the session label (:func:`~protocols.engine.summarise`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine import (
    Debrief,
    EngineError,
    Feedback,
    ScenarioPlayer,
    TrainingSummary,
    check_case_number,
    summarise,
)
from protocols.library.loader import Library, default_library
from protocols.models import OPTION_LETTERS, Node, Scenario
from protocols.records import RunRecord, Store, StoreError
from protocols.ui.frame import StatusLine, aid_box, header
from protocols.ui.markup import esc, facts
from protocols.ui.plain import STATIC, static_style
from protocols.ui.scenario_debrief import (
    SUMMARY_BUTTON,
    debrief_html,
    feedback_html,
    group_debrief_html,
    group_feedback_html,
    summary_html,
)
from protocols.ui.session import Clock, RunSession, Step, finished_status, local_now, open_store, started_run
from protocols.ui.widget_kit import ScreenTop, button, column, html_box, row, stacked, styles

AID = "scenario-player"
DEFAULT_LABEL = "training"
ROLL_CALL = "roll-call"
"""The value of ``?mode=`` that opens the aid in roll-call mode."""

ROLL_CALL_CSS = static_style("roll_call.css")
"""Roll-call mode: large type and high contrast for a projector; still no sideways scroll at 375 px."""


class PageQuery(anywidget.AnyWidget):
    """Hands the page's query (``?scenario=…``) to Python; shows nothing."""

    _esm = STATIC / "page_query.js"
    params = traitlets.Dict().tag(sync=True)
    reads_page_query = True
    """An aid holding one shows what the query asks for only once the kernel has it: its first
    screen (protocols.ui.first_screen) is not usable on a page with a query."""


class ScenarioController:
    """One play-through at a time, saved after every decision; no widgets."""

    def __init__(self, library: Library, store: Store | None, clock: Clock = local_now) -> None:
        self.library = library
        self._store = store
        self.clock = clock
        self.session: RunSession[ScenarioPlayer] | None = None
        self.label = DEFAULT_LABEL

    @property
    def player(self) -> ScenarioPlayer:
        return started_run(self.session)

    @property
    def roll_call(self) -> bool:
        """The play-through is a group's, at roll call."""
        return self.session is not None and self.session.run.state.group

    @staticmethod
    def check_label(label: str) -> str:
        """The session label (default ``training``); ``EngineError`` in session-label words."""
        return check_case_number(label or DEFAULT_LABEL, "session label")

    def start(self, scenario_id: str, label: str = DEFAULT_LABEL, roll_call: bool = False) -> Step[None]:
        """Start a play-through (a group's when ``roll_call``) and save it under the session label."""
        scenario = self.library.scenarios.get(scenario_id)
        if scenario is None:
            return Step(False, "Choose a scenario.")
        try:
            self.label = self.check_label(label)
        except EngineError as exc:
            return Step(False, str(exc))
        try:
            store = open_store(self._store)
            self._store = store
            player = ScenarioPlayer.start(scenario, self.clock(), group=roll_call)
            self.session = RunSession.create(store, AID, self.label, player,
                                             load=lambda saved: ScenarioPlayer.restore(scenario, saved),
                                             status=finished_status, clock=self.clock)
        except StoreError as exc:
            return Step(False, f"Not started: {exc}. Try again.")
        return Step(True, f"“{scenario.title}” started.")

    def choose(self, option_id: str, hands: Mapping[str, object] | None = None) -> Step[Feedback]:
        """Choose an option; ``hands`` is a group's show of hands (all zero: not counted)."""
        if self.session is None:
            return Step(False, "Start a scenario first.")
        if self.session.kept:
            # The screen never moved past the decision whose save failed: save that one first.
            kept: Step[Feedback] = self.session.retry()
            return kept
        counted = None if hands is None or all(v == 0 for v in hands.values()) else hands
        step: Step[Feedback] = self.session.act(lambda p, now: p.choose(option_id, now, counted),
                                                lambda feedback: f"{feedback.verdict}. Saved.")
        return step

    def debrief(self) -> Debrief:
        return self.player.debrief(self.library.protocols)

    def elapsed_minutes(self) -> int:
        """Whole minutes since the play-through started (by the aid's clock)."""
        seconds = (self.clock() - self.player.state.started_at).total_seconds()
        return max(0, int(seconds // 60))

    def time_text(self) -> str:
        """E.g. ``"4 of about 15 minutes"``: the time used against the scenario's length."""
        minutes = self.elapsed_minutes()
        planned = self.player.scenario.minutes
        return f"{minutes} of about {planned} minutes" + (": time to wrap up" if minutes >= planned else "")

    def summary(self, scenario_id: str | None = None, label: str | None = None) -> Step[TrainingSummary]:
        """The trainer's summary of every play-through of a scenario saved under a session label.

        Defaults: the scenario and label being played.
        """
        if scenario_id is None and self.session is None:
            return Step(False, "Choose a scenario.")
        scenario = (self.player.scenario if scenario_id is None
                    else self.library.scenarios.get(scenario_id))
        if scenario is None:
            return Step(False, "Choose a scenario.")
        try:
            wanted = self.label if label is None else self.check_label(label)
        except EngineError as exc:
            return Step(False, str(exc))
        try:
            store = open_store(self._store)
            self._store = store
            states = [r.state for r in session_records(store, wanted)]
        except StoreError as exc:
            return Step(False, f"The summary could not be read: {exc}. Try again.")
        result = summarise(scenario, states, self.library.protocols)
        if not states:
            return Step(True, "Nothing is saved under this session label yet.", result)
        return Step(True, f"Trainer's summary: {result.text}.", result)


def session_records(store: Store, label: str) -> list[RunRecord]:
    """Every scenario play-through saved under a session label (``Store.find`` stops at 50)."""
    return [r for r in store.all_runs(AID) if r.case_number == label]


class ScenarioView:
    """Choose → content warning → one decision per screen → feedback → debrief.

    In roll-call mode the decision screen also takes a show of hands, the trainer clicks the
    group's choice, and the debrief is a group debrief with the trainer's summary.
    """

    def __init__(self, controller: ScenarioController, status: StatusLine, scenario_id: str | None) -> None:
        self.c = controller
        self.status = status
        scenarios = controller.library.scenarios
        options = [(f"{s.title} (about {s.minutes} minutes)", s.id) for s in scenarios.values()]
        self.choice = stacked(widgets.Dropdown(description="Scenario", options=options,
                                               value=scenario_id if scenario_id in scenarios else options[0][1]))
        self.label = stacked(widgets.Text(description="Session label (optional; no names)", value=DEFAULT_LABEL,
                                          placeholder=DEFAULT_LABEL))
        self.roll_call = widgets.Checkbox(
            description="Roll-call mode: for a projector, the group decides together", indent=False,
            layout=widgets.Layout(width="100%"))
        self.about = html_box()
        self.summary_box = html_box()
        self.hands: dict[str, widgets.IntText] = {}
        self.frame: widgets.Widget | None = None
        """The aid's outer box: it carries the roll-call class (large type)."""
        self.choice.observe(lambda _c: self._describe(), names="value")
        self.roll_call.observe(lambda _c: self._show_mode(), names="value")
        self.widget = column([])
        self.top = ScreenTop()
        self.show_choice()

    @property
    def scenario(self) -> Scenario:
        return self.c.library.scenario(str(self.choice.value))

    def select(self, scenario_id: str) -> None:
        """Choose a scenario by id (from the page address); unknown ids are ignored."""
        if scenario_id in self.c.library.scenarios and self.c.session is None:
            self.choice.value = scenario_id

    def set_label(self, label: str) -> None:
        """Fill in the session label (from the page address) before a play-through starts."""
        if self.c.session is None:
            self.label.value = label[:40]

    def set_roll_call(self, on: bool) -> None:
        """Turn roll-call mode on or off (before a play-through starts)."""
        if self.c.session is None:
            self.roll_call.value = on

    def _show_mode(self) -> None:
        if self.frame is None:
            return
        if self.roll_call.value:
            self.frame.add_class("hb-roll-call")
        else:
            self.frame.remove_class("hb-roll-call")
        self._describe()

    def _describe(self) -> None:
        s = self.scenario
        rows = [("Time", f"About {s.minutes} minutes"), ("Based on", s.based_on),
                ("Version", f"{s.version}, revised {s.revised.isoformat()}")]
        how = ""
        if self.roll_call.value:
            how = ("<p>Roll call: show this screen on a projector. At each decision the group talks it "
                   "over. You may count hands for each option, then click the option the group chose. "
                   "The debrief at the end is for the whole group.</p>")
        self.about.value = f"<p>{esc(s.summary)}</p>" + facts(rows) + how

    # ------------------------------------------------------------------ screens

    def show_choice(self) -> None:
        self._describe()
        self.summary_box.value = ""
        self.widget.children = [
            html_box("<h2>Choose a scenario</h2><p class=\"hb-muted\">For training. No case number and no "
                     "personal details are needed.</p>"),
            self.choice, self.about, self.label, self.roll_call,
            row([button("Continue", self.show_warning, style="primary"),
                 button(SUMMARY_BUTTON, self.show_summary)]),
            self.summary_box,
        ]

    def show_warning(self) -> None:
        s = self.scenario
        aloud = " Read it aloud to the group." if self.roll_call.value else ""
        self.widget.children = [
            html_box(f"<h2>{esc(s.title)}</h2>"
                     f'<div class="hb-warn" role="note"><p><strong>Content warning:</strong> '
                     f"{esc(s.content_warning)}</p></div><p>You can stop at any time.{aloud}</p>"),
            row([button("I am ready: start the scenario", self.start, style="primary"),
                 button("Choose another scenario", self.show_choice)]),
        ]

    def start(self) -> None:
        step = self.c.start(str(self.choice.value), self.label.value.strip(), roll_call=bool(self.roll_call.value))
        if step.saved:
            self.show_decision()
        self.status.show(step.message, bad=not step.saved)

    def _score_line(self) -> str:
        player = self.c.player
        made = len(player.state.decisions)
        if self.c.roll_call:
            return (f'<p class="hb-progress" role="status">Decision {made + 1} · time: '
                    f"{esc(self.c.time_text())}</p>")
        return (f'<p class="hb-progress" role="status">{esc(player.scenario.title)} · decision {made + 1} · '
                f"score so far {esc(player.score().text)}</p>")

    def show_decision(self) -> None:
        self.top.new_screen()
        node = self.c.player.current_node
        if node is None:
            self.show_debrief()
            return
        if self.c.roll_call:
            self._show_group_decision(node)
            return
        buttons = [button(o.text, self._chooser(o.id), wide=True, tooltip=f"Choose: {o.text}")
                   for o in node.options]
        self.widget.children = [
            html_box(self._score_line()
                     + f"<h2>What is happening</h2><p>{esc(node.situation)}</p><h3>{esc(node.question)}</h3>"),
            column(buttons, "hb-options"),
        ]

    def _show_group_decision(self, node: Node) -> None:
        self.hands = {}
        cards = []
        for letter, option in zip(OPTION_LETTERS, node.options, strict=False):
            count = widgets.IntText(value=0, description=f"Hands up for {letter}",
                                    style={"description_width": "initial"})
            count.add_class("hb-hands")
            self.hands[option.id] = count
            cards.append(column([
                html_box(f'<p><span class="hb-letter">{letter}</span> {esc(option.text)}</p>'),
                row([count, button(f"The group chose {letter}", self._chooser(option.id), style="info",
                                   tooltip=f"The group chose {letter}: {option.text}")]),
            ], "hb-rc-option"))
        self.widget.children = [
            html_box(self._score_line()
                     + f"<h2>What is happening</h2><p>{esc(node.situation)}</p><h3>{esc(node.question)}</h3>"
                     '<p class="hb-muted">Talk it over. Count hands for each option if you like, then click '
                     "the option the group chose.</p>"),
            column(cards, "hb-options"),
        ]

    def _chooser(self, option_id: str) -> Callable[[], None]:
        return lambda: self.choose(option_id)

    def choose(self, option_id: str) -> None:
        hands = {key: w.value for key, w in self.hands.items()} if self.c.roll_call else None
        self._chose(self.c.choose(option_id, hands))

    def _chose(self, step: Step[Feedback]) -> None:
        if step.saved and step.value is not None:
            self.show_feedback(step.value)
        elif step.reloaded:
            self.show_decision()
        self.status.report(step, self._chose)

    def show_feedback(self, feedback: Feedback) -> None:
        self.top.new_screen()
        last = "See the group debrief" if self.c.roll_call else "See the debrief"
        nxt = (button(last, self.show_debrief, style="primary") if feedback.finished
               else button("Next decision", self.show_decision, style="primary"))
        shown = (group_feedback_html(feedback, self.c.player.scenario.node(feedback.node_id), self.c.time_text())
                 if self.c.roll_call else feedback_html(feedback))
        self.widget.children = [html_box(shown), row([nxt])]

    def show_debrief(self) -> None:
        self.top.new_screen()
        if self.c.roll_call:
            self._show_group_debrief()
            return
        self.summary_box.value = ""
        self.widget.children = [
            html_box(debrief_html(self.c.debrief())),
            row([button("Play it again", self.show_warning, style="primary"),
                 button("Choose another scenario", self.show_choice),
                 button(SUMMARY_BUTTON, lambda: self.show_summary(played=True))]),
            self.summary_box,
        ]

    def _show_group_debrief(self) -> None:
        step = self.c.summary()
        summary = (summary_html(step.value) if step.value is not None
                   else f'<p class="hb-muted">{esc(step.message)}</p>')
        self.widget.children = [
            html_box(group_debrief_html(self.c.debrief(), self.c.player.scenario, self.c.elapsed_minutes(),
                                        summary)),
            row([button("Play it again", self.show_warning, style="primary"),
                 button("Choose another scenario", self.show_choice)]),
        ]

    def show_summary(self, played: bool = False) -> None:
        """The trainer's summary below the buttons: for the scenario and label just played
        (``played``), else for those chosen on the first screen."""
        step = self.c.summary() if played else self.c.summary(str(self.choice.value), self.label.value.strip())
        if step.value is not None:
            self.summary_box.value = (f"<h2>{esc(SUMMARY_BUTTON)}</h2>"
                                      + summary_html(step.value))
        self.status.show(step.message, bad=not step.saved)


def scenario_player_aid(scenario_id: str | None = None, library: Library | None = None,
                        store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole scenario player. ``?scenario=<id>`` picks the scenario, ``&mode=roll-call`` the
    roll-call mode, ``&label=<label>`` the session label."""
    lib = library or default_library()
    status = StatusLine()
    view = ScenarioView(ScenarioController(lib, store, clock), status, scenario_id)
    query = PageQuery()

    def from_page(change: dict[str, Any]) -> None:
        params = change["new"] if isinstance(change["new"], dict) else {}
        wanted = params.get("scenario")
        if isinstance(wanted, str):
            view.select(wanted)
        label = params.get("label")
        if isinstance(label, str):
            view.set_label(label)
        if params.get("mode") == ROLL_CALL:
            view.set_roll_call(True)

    query.observe(from_page, names="params")
    box = aid_box([header("Scenario player", "book/training/index", "Read the training chapter", lib), styles(),
                   widgets.HTML(ROLL_CALL_CSS), status.widget, view.widget, query, view.top],
                  "Scenario player", [lib.scenarios[key] for key in sorted(lib.scenarios)])
    view.frame = box
    return box
