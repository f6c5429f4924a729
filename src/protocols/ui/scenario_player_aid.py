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
from protocols.engine.training_summary import best_options
from protocols.library.loader import Library, default_library
from protocols.models import Node, Rating, Scenario
from protocols.records import RunRecord, Store, StoreError
from protocols.ui.aid_parts import (
    Clock,
    RunSession,
    ScreenTop,
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
    stacked,
    styles,
)
from protocols.ui.frame import StatusLine, aid_box, header

AID = "scenario-player"
DEFAULT_LABEL = "training"
ROLL_CALL = "roll-call"
"""The value of ``?mode=`` that opens the aid in roll-call mode."""
LETTERS = "ABCDE"
"""Options are named by letter in roll-call mode (a node has at most five)."""

ROLL_CALL_CSS = """
<style>
.hb-aid.hb-roll-call { max-width: 64rem; font-size: 1.5rem; line-height: 1.45; color: #000;
  --jp-widgets-font-size: 1.5rem; --jp-widgets-inline-height: 56px; }
.hb-aid.hb-roll-call .widget-html, .hb-aid.hb-roll-call .jupyter-widget-html,
.hb-aid.hb-roll-call .widget-label, .hb-aid.hb-roll-call .jupyter-widget-label { font-size: 1.5rem; color: #000; }
.hb-aid.hb-roll-call .hb-aid-title { font-size: 2.25rem; }
.hb-aid.hb-roll-call .hb-aid-brand, .hb-aid.hb-roll-call .hb-aid-nav a { font-size: 1.1rem; }
.hb-aid.hb-roll-call h2 { font-size: 2.1rem; margin: 1rem 0 0.4rem; }
.hb-aid.hb-roll-call h3 { font-size: 1.8rem; margin: 0.8rem 0 0.3rem; }
.hb-aid.hb-roll-call .hb-muted { color: #1b1f24; font-size: 1.3rem; }
.hb-aid.hb-roll-call .hb-progress { background: #1b1f24; color: #fff; font-size: 1.3rem; }
.hb-aid.hb-roll-call .hb-aid-status { font-size: 1.3rem; }
.hb-aid.hb-roll-call .hb-result .hb-headline { font-size: 2rem; }
.hb-aid.hb-roll-call button.jupyter-button { font-size: 1.5rem; min-height: 64px; padding: 0.6rem 1.2rem;
  border-width: 2px; }
.hb-aid.hb-roll-call input[type=number], .hb-aid.hb-roll-call input[type=text], .hb-aid.hb-roll-call select {
  font-size: 1.5rem; min-height: 56px;
  border: 2px solid #4a5560; border-radius: 4px; color: #000; background: #fff; }
.hb-aid.hb-roll-call .hb-rc-option { border: 2px solid #1b1f24; border-radius: 8px; padding: 0.6rem 0.9rem;
  margin: 0.5rem 0; gap: 0.4rem; }
.hb-aid.hb-roll-call .hb-rc-option p { margin: 0.2rem 0; }
.hb-aid .hb-letter { display: inline-block; min-width: 1.6em; padding: 0 0.3em; margin-right: 0.4em;
  border-radius: 4px; background: #0b5cad; color: #fff; font-weight: 700; text-align: center; }
.hb-aid .hb-hands.widget-inline-hbox, .hb-aid .hb-hands.jupyter-widget-inline-hbox { flex-wrap: wrap;
  align-items: center; gap: 0.2rem 0.6rem; height: auto; width: auto; max-width: 100%; flex: 0 1 auto; }
.hb-aid .hb-hands .widget-label, .hb-aid .hb-hands .jupyter-widget-label { width: auto !important;
  max-width: none; margin: 0; }
.hb-aid .hb-hands input { width: 6rem; flex: 0 0 6rem; }
.hb-aid .hb-rc-option .hb-row { gap: 0.5rem 1.5rem; }
.hb-aid .hb-table-wrap { overflow-x: auto; max-width: 100%; margin: 0.4rem 0; }
.hb-aid table.hb-summary { border-collapse: collapse; width: 100%; }
.hb-aid table.hb-summary caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.hb-aid table.hb-summary th, .hb-aid table.hb-summary td { border: 1px solid #8a96a3; padding: 0.35rem 0.5rem;
  text-align: left; vertical-align: top; }
.hb-aid table.hb-summary thead th { background: #e6ebf0; }
.hb-aid table.hb-summary tbody th { font-weight: 400; }
.hb-aid table.hb-summary td { white-space: nowrap; }
.hb-aid table.hb-summary tr.hb-choices-row td { white-space: normal; border-top: 0; }
.hb-aid table.hb-summary tbody tr:not(.hb-choices-row) > * { border-bottom: 0; }
.hb-aid ul.hb-choices { margin: 0; padding: 0; list-style: none; font-size: 0.9em; }
.hb-aid ul.hb-choices li { margin: 0.15rem 0; }
@media (max-width: 30rem) {
  .hb-aid.hb-roll-call { font-size: 1.25rem; --jp-widgets-font-size: 1.25rem; }
  .hb-aid.hb-roll-call .widget-html, .hb-aid.hb-roll-call .jupyter-widget-html,
  .hb-aid.hb-roll-call .widget-label, .hb-aid.hb-roll-call .jupyter-widget-label { font-size: 1.25rem; }
  .hb-aid.hb-roll-call .hb-aid-title { font-size: 1.75rem; }
  .hb-aid.hb-roll-call h2 { font-size: 1.6rem; }
  .hb-aid.hb-roll-call h3 { font-size: 1.4rem; }
  .hb-aid.hb-roll-call button.jupyter-button, .hb-aid.hb-roll-call input { font-size: 1.25rem; }
  .hb-aid table.hb-summary th, .hb-aid table.hb-summary td { padding: 0.3rem; }
}
</style>
"""
"""Roll-call mode: large type and high contrast for a projector; still no sideways scroll at 375 px."""


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


VERDICT_CSS = {Rating.CORRECT: "hb-out", Rating.PARTIAL: "", Rating.WRONG: "hb-in"}
SUMMARY_BUTTON = "Trainer's summary for this session label"


def short(text: str, width: int) -> str:
    """``text`` cut at a word to at most ``width`` characters, with … when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def hands_html(node: Node, hands: Mapping[str, int], best: set[str] | None = None) -> str:
    """A show of hands as a list: each option (by letter) with its hands and share."""
    total = sum(hands.values())
    if not total:
        return '<p class="hb-muted">No hands counted.</p>'
    lines = []
    for letter, option in zip(LETTERS, node.options, strict=False):
        count = hands.get(option.id, 0)
        mark = " (best option)" if best is not None and option.id in best else ""
        lines.append(f'<li><span class="hb-letter">{letter}</span> '
                     f"<strong>{count} hand{'s' if count != 1 else ''}</strong> "
                     f"({round(100 * count / total)}%){esc(mark)}: {esc(short(option.text, 60))}</li>")
    return f'<ul class="hb-list hb-hands-split" style="list-style:none;padding:0">{"".join(lines)}</ul>'


def hands_line(node: Node, hands: Mapping[str, int], best: set[str]) -> str:
    """A show of hands on one line: ``A 9 (75%, best) · B 3 (25%) · C 0``."""
    total = sum(hands.values())
    if not total:
        return "No hands counted."
    parts = []
    for letter, option in zip(LETTERS, node.options, strict=False):
        count = hands.get(option.id, 0)
        parts.append(f"{letter}: {count} ({round(100 * count / total)}%{', best' if option.id in best else ''})")
    return " · ".join(parts)


def summary_html(summary: TrainingSummary) -> str:
    """The trainer's summary: one line, what was left out, a table by decision, what to teach again."""
    parts = [f"<p><strong>{esc(summary.title)}</strong> (version {esc(summary.content_version)}): "
             f"{esc(summary.text)}.</p>"]
    if summary.skipped:
        parts.append('<div class="hb-note"><p><strong>Not counted here:</strong></p>'
                     + bullet_list(s.reason for s in summary.skipped) + "</div>")
    if not summary.nodes:
        parts.append("<p>Nobody has made a decision in this scenario under this session label yet.</p>")
        return "".join(parts)
    rows = []
    for n in summary.nodes:
        choices = "".join(
            f'<li><span class="hb-letter">{letter}</span> <strong>{o.count}</strong>'
            f"{' <strong>(best)</strong>' if o.best else ''}: {esc(short(o.text, 70))}</li>"
            for letter, o in zip(LETTERS, n.options, strict=False))
        rows.append(f'<tr><th scope="row">{n.number}. {esc(n.question)}</th>'
                    f"<td>{n.reached}</td><td>{n.best_percent}%</td></tr>"
                    f'<tr class="hb-choices-row"><td colspan="3"><ul class="hb-choices">{choices}</ul></td></tr>')
    parts.append(
        '<div class="hb-table-wrap" role="region" tabindex="0" aria-label="Trainer\'s summary by decision">'
        '<table class="hb-summary"><caption>Each decision: how many decided, how many chose the best option, '
        'and what each option got</caption><thead><tr><th scope="col">Decision</th><th scope="col">People</th>'
        '<th scope="col">Chose the best</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>")
    if summary.reteach:
        items = []
        for n in summary.reteach:
            practise = bullet_list(x.text for x in n.best_exercises) if n.best_exercises else ""
            items.append(f"<li><strong>Decision {n.number}: {esc(n.question)}</strong> "
                         f"{n.best_percent}% of {_people(n.reached)} chose the best option."
                         + (f" Practice these checklist items:{practise}" if practise else "") + "</li>")
        parts.append(f'<h3>Teach again</h3><ul class="hb-list">{"".join(items)}</ul>')
    else:
        parts.append("<p>At every decision, most people chose the best option.</p>")
    return "".join(parts)


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
        for letter, option in zip(LETTERS, node.options, strict=False):
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
        points = f"{feedback.points} point{'s' if feedback.points != 1 else ''}"
        last = "See the group debrief" if self.c.roll_call else "See the debrief"
        nxt = (button(last, self.show_debrief, style="primary") if feedback.finished
               else button("Next decision", self.show_decision, style="primary"))
        if not self.c.roll_call:
            self.widget.children = [
                html_box(f'<div class="hb-result {VERDICT_CSS[feedback.rating]}" role="status">'
                         f'<p class="hb-headline">{esc(feedback.verdict)} ({esc(points)})</p>'
                         f"<p><strong>You chose:</strong> {esc(feedback.option_text)}</p>"
                         f"<p>{esc(feedback.feedback)}</p>"
                         f"<p><strong>Score so far:</strong> {esc(feedback.score.text)}</p></div>"),
                row([nxt]),
            ]
            return
        node = self.c.player.scenario.node(feedback.node_id)
        best = best_options(node)
        letter = LETTERS[[o.id for o in node.options].index(feedback.option_id)]
        better = ""
        if feedback.option_id not in best:
            named = " or ".join(f"{LETTERS[i]}: {o.text}" for i, o in enumerate(node.options) if o.id in best)
            better = f"<p><strong>The best option:</strong> {esc(named)}</p>"
        self.widget.children = [
            html_box(f'<p class="hb-progress">Time: {esc(self.c.time_text())}</p>'
                     f'<div class="hb-result {VERDICT_CSS[feedback.rating]}" role="status">'
                     f'<p class="hb-headline">{esc(feedback.verdict)} ({esc(points)})</p>'
                     f"<p><strong>The group chose {letter}:</strong> {esc(feedback.option_text)}</p>"
                     f"<p>{esc(feedback.feedback)}</p></div>{better}"
                     f"<h3>Show of hands</h3>{hands_html(node, feedback.hands, best)}"),
            row([nxt]),
        ]

    def show_debrief(self) -> None:
        self.top.new_screen()
        if self.c.roll_call:
            self._show_group_debrief()
            return
        debrief = self.c.debrief()
        entries = []
        for number, e in enumerate(debrief.entries, start=1):
            items = bullet_list(x.text for x in e.exercises) if e.exercises else "<p>None listed.</p>"
            entries.append(
                f'<li class="hb-card"><p><strong>Decision {number}: {esc(e.question)}</strong></p>'
                f"<p>You chose: {esc(e.option_text)}</p>"
                f"<p><strong>{esc(e.verdict)}</strong> ({e.points} of 2 points). {esc(e.feedback)}</p>"
                f"<p><strong>Checklist items this practises:</strong></p>{items}</li>")
        self.summary_box.value = ""
        self.widget.children = [
            html_box(f'<div class="hb-result" role="status"><p class="hb-headline">Debrief: '
                     f"{esc(debrief.title)}</p><p>Final score: {esc(debrief.score.text)} over "
                     f"{debrief.score.decisions} decisions.</p></div>"
                     f'<h2>Each decision</h2><ol class="hb-list" style="list-style:none;padding:0">'
                     f"{''.join(entries)}</ol>"
                     f"<h2>Points to discuss</h2>{bullet_list(debrief.debrief_points)}"),
            row([button("Play it again", self.show_warning, style="primary"),
                 button("Choose another scenario", self.show_choice),
                 button(SUMMARY_BUTTON, lambda: self.show_summary(played=True))]),
            self.summary_box,
        ]

    def _show_group_debrief(self) -> None:
        debrief = self.c.debrief()
        scenario = self.c.player.scenario
        entries = []
        for number, e in enumerate(debrief.entries, start=1):
            node = scenario.node(e.node_id)
            letter = LETTERS[[o.id for o in node.options].index(e.option_id)]
            items = bullet_list(x.text for x in e.exercises) if e.exercises else "<p>None listed.</p>"
            entries.append(
                f'<li class="hb-card"><h3>Decision {number}: {esc(e.question)}</h3>'
                f"<p><strong>The group chose {letter}:</strong> {esc(e.option_text)}</p>"
                f"<p><strong>{esc(e.verdict)}</strong> ({e.points} of 2 points). {esc(e.feedback)}</p>"
                + (f"<p><strong>Show of hands:</strong> {esc(hands_line(node, e.hands, best_options(node)))}</p>"
                   if e.hands else "")
                + f"<p><strong>Checklist items practised:</strong></p>{items}</li>")
        step = self.c.summary()
        summary = (summary_html(step.value) if step.value is not None
                   else f'<p class="hb-muted">{esc(step.message)}</p>')
        minutes = self.c.elapsed_minutes()
        self.widget.children = [
            html_box(f'<div class="hb-result" role="status"><p class="hb-headline">Group debrief: '
                     f"{esc(debrief.title)}</p><p>Group score: {esc(debrief.score.text)} over "
                     f"{debrief.score.decisions} decisions. Time: {minutes} minute{'s' if minutes != 1 else ''} "
                     f"(planned about {scenario.minutes}).</p></div>"
                     f'<h2>Each decision</h2><ol class="hb-list" style="list-style:none;padding:0">'
                     f"{''.join(entries)}</ol>"
                     f"<h2>Discuss as a group</h2><p>For each point, ask: when did this come up for you, "
                     f"and what did you do?</p>{bullet_list(debrief.debrief_points)}"
                     f"<h2>{esc(SUMMARY_BUTTON)}</h2>"
                     '<p class="hb-muted">Every play-through saved under this session label: this group '
                     "and anyone who played on a phone. No names.</p>" + summary),
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
    box = aid_box([header("Scenario player", "book/training/index", "Read the training chapter"), styles(),
                   widgets.HTML(ROLL_CALL_CSS), status.widget, view.widget, query, view.top],
                  "Scenario player", [lib.scenarios[key] for key in sorted(lib.scenarios)])
    view.frame = box
    return box
