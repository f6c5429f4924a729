"""The scenario player: a training scenario, one decision per screen, feedback, score and debrief.

Training use: no case number and no personal data. A play-through is saved under a
session label (``training`` unless the trainer gives another, e.g. ``roll-call-12``);
each decision is one engine call (:class:`~protocols.engine.ScenarioPlayer`) and one
saved revision. A link such as ``scenario-player.ipynb?scenario=<id>`` opens with that
scenario chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine import Debrief, EngineError, Feedback, ScenarioPlayer, check_case_number
from protocols.library import Library, default_library
from protocols.models import Rating, Scenario
from protocols.records import Store, StoreError
from protocols.ui.aid_parts import (
    Clock,
    RunSession,
    Step,
    bullet_list,
    button,
    column,
    esc,
    facts,
    finished_status,
    html_box,
    local_now,
    open_store,
    row,
    sentence,
    stacked,
    styles,
)
from protocols.ui.frame import StatusLine, aid_box, header

AID = "scenario-player"
DEFAULT_LABEL = "training"


class PageQuery(anywidget.AnyWidget):
    """Hands the page's query (``?scenario=…``) to Python; shows nothing."""

    _esm = """
    export default {
      render({ model }) {
        const out = {};
        for (const [key, value] of new URLSearchParams(window.location.search)) {
          if (key.length <= 40 && value.length <= 100) out[key] = value;
        }
        model.set("params", out);
        model.save_changes();
      },
    };
    """
    params = traitlets.Dict().tag(sync=True)



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
        if self.session is None:
            raise RuntimeError("start() first")
        return self.session.run

    def start(self, scenario_id: str, label: str = DEFAULT_LABEL) -> Step[None]:
        """Start a play-through and save it under the session label."""
        scenario = self.library.scenarios.get(scenario_id)
        if scenario is None:
            return Step(False, "Choose a scenario.")
        try:
            self.label = check_case_number(label or DEFAULT_LABEL)
        except EngineError as exc:
            message = str(exc).replace("the case number", "the session label").replace(
                "incident or case number", "session label")
            return Step(False, sentence(message))
        try:
            store = open_store(self._store)
            self._store = store
            player = ScenarioPlayer.start(scenario, self.clock())
            self.session = RunSession.create(store, AID, self.label, player,
                                             load=lambda saved: ScenarioPlayer.restore(scenario, saved),
                                             status=finished_status, clock=self.clock)
        except StoreError as exc:
            return Step(False, f"Not started: {exc}. Try again.")
        return Step(True, f"“{scenario.title}” started.")

    def choose(self, option_id: str) -> Step[Feedback]:
        if self.session is None:
            return Step(False, "Start a scenario first.")
        step: Step[Feedback] = self.session.act(lambda p, now: p.choose(option_id, now),
                                                lambda feedback: f"{feedback.verdict}. Saved.")
        return step

    def debrief(self) -> Debrief:
        return self.player.debrief(self.library.protocols)


VERDICT_CSS = {Rating.CORRECT: "hb-out", Rating.PARTIAL: "", Rating.WRONG: "hb-in"}


class ScenarioView:
    """Choose → content warning → one decision per screen → feedback → debrief."""

    def __init__(self, controller: ScenarioController, status: StatusLine, scenario_id: str | None) -> None:
        self.c = controller
        self.status = status
        scenarios = controller.library.scenarios
        options = [(f"{s.title} (about {s.minutes} minutes)", s.id) for s in scenarios.values()]
        self.choice = stacked(widgets.Dropdown(description="Scenario", options=options,
                                               value=scenario_id if scenario_id in scenarios else options[0][1]))
        self.label = stacked(widgets.Text(description="Session label (optional; no names)", value=DEFAULT_LABEL,
                                          placeholder=DEFAULT_LABEL))
        self.about = html_box()
        self.choice.observe(lambda _c: self._describe(), names="value")
        self.widget = column([])
        self.show_choice()

    @property
    def scenario(self) -> Scenario:
        return self.c.library.scenario(str(self.choice.value))

    def select(self, scenario_id: str) -> None:
        """Choose a scenario by id (from the page address); unknown ids are ignored."""
        if scenario_id in self.c.library.scenarios and self.c.session is None:
            self.choice.value = scenario_id

    def _describe(self) -> None:
        s = self.scenario
        self.about.value = (f"<p>{esc(s.summary)}</p>"
                            + facts([("Time", f"About {s.minutes} minutes"), ("Based on", s.based_on),
                                     ("Version", f"{s.version}, revised {s.revised.isoformat()}")]))

    # ------------------------------------------------------------------ screens

    def show_choice(self) -> None:
        self._describe()
        self.widget.children = [
            html_box("<h2>Choose a scenario</h2><p class=\"hb-muted\">For training. No case number and no "
                     "personal details are needed.</p>"),
            self.choice, self.about, self.label,
            row([button("Continue", self.show_warning, style="primary")]),
        ]

    def show_warning(self) -> None:
        s = self.scenario
        self.widget.children = [
            html_box(f"<h2>{esc(s.title)}</h2>"
                     f'<div class="hb-warn" role="note"><p><strong>Content warning:</strong> '
                     f"{esc(s.content_warning)}</p></div><p>You can stop at any time.</p>"),
            row([button("I am ready: start the scenario", self.start, style="primary"),
                 button("Choose another scenario", self.show_choice)]),
        ]

    def start(self) -> None:
        step = self.c.start(str(self.choice.value), self.label.value.strip())
        if step.saved:
            self.show_decision()
        self.status.show(step.message, bad=not step.saved)

    def _score_line(self) -> str:
        player = self.c.player
        made = len(player.state.decisions)
        return (f'<p class="hb-progress" role="status">{esc(player.scenario.title)} · decision {made + 1} · '
                f"score so far {esc(player.score().text)}</p>")

    def show_decision(self) -> None:
        node = self.c.player.current_node
        if node is None:
            self.show_debrief()
            return
        buttons = [button(o.text, self._chooser(o.id), wide=True, tooltip=f"Choose: {o.text}")
                   for o in node.options]
        self.widget.children = [
            html_box(self._score_line()
                     + f"<h2>What is happening</h2><p>{esc(node.situation)}</p><h3>{esc(node.question)}</h3>"),
            column(buttons, "hb-options"),
        ]

    def _chooser(self, option_id: str) -> Callable[[], None]:
        return lambda: self.choose(option_id)

    def choose(self, option_id: str) -> None:
        step = self.c.choose(option_id)
        if step.saved and step.value is not None:
            self.show_feedback(step.value)
        elif step.reloaded:
            self.show_decision()
        self.status.show(step.message, bad=not step.saved)

    def show_feedback(self, feedback: Feedback) -> None:
        points = f"{feedback.points} point{'s' if feedback.points != 1 else ''}"
        nxt = (button("See the debrief", self.show_debrief, style="primary") if feedback.finished
               else button("Next decision", self.show_decision, style="primary"))
        self.widget.children = [
            html_box(f'<div class="hb-result {VERDICT_CSS[feedback.rating]}" role="status">'
                     f'<p class="hb-headline">{esc(feedback.verdict)} ({esc(points)})</p>'
                     f"<p><strong>You chose:</strong> {esc(feedback.option_text)}</p>"
                     f"<p>{esc(feedback.feedback)}</p>"
                     f"<p><strong>Score so far:</strong> {esc(feedback.score.text)}</p></div>"),
            row([nxt]),
        ]

    def show_debrief(self) -> None:
        debrief = self.c.debrief()
        entries = []
        for number, e in enumerate(debrief.entries, start=1):
            items = bullet_list(x.text for x in e.exercises) if e.exercises else "<p>None listed.</p>"
            entries.append(
                f'<li class="hb-card"><p><strong>Decision {number}: {esc(e.question)}</strong></p>'
                f"<p>You chose: {esc(e.option_text)}</p>"
                f"<p><strong>{esc(e.verdict)}</strong> ({e.points} of 2 points). {esc(e.feedback)}</p>"
                f"<p><strong>Checklist items this practises:</strong></p>{items}</li>")
        self.widget.children = [
            html_box(f'<div class="hb-result" role="status"><p class="hb-headline">Debrief: '
                     f"{esc(debrief.title)}</p><p>Final score: {esc(debrief.score.text)} over "
                     f"{debrief.score.decisions} decisions.</p></div>"
                     f'<h2>Each decision</h2><ol class="hb-list" style="list-style:none;padding:0">'
                     f"{''.join(entries)}</ol>"
                     f"<h2>Points to discuss</h2>{bullet_list(debrief.debrief_points)}"),
            row([button("Play it again", self.show_warning, style="primary"),
                 button("Choose another scenario", self.show_choice)]),
        ]


def scenario_player_aid(scenario_id: str | None = None, library: Library | None = None,
                        store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole scenario player. ``?scenario=<id>`` in the page address picks the scenario."""
    lib = library or default_library()
    status = StatusLine()
    view = ScenarioView(ScenarioController(lib, store, clock), status, scenario_id)
    query = PageQuery()

    def from_page(change: dict[str, Any]) -> None:
        wanted = change["new"].get("scenario") if isinstance(change["new"], dict) else None
        if isinstance(wanted, str):
            view.select(wanted)

    query.observe(from_page, names="params")
    return aid_box([header("Scenario player", "book/training/index", "Read the training chapter"), styles(),
                    status.widget, view.widget, query])
