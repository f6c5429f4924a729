"""The scene log as a job aid shows it: a compact, collapsible list of steps with their times.

The lines come from :func:`protocols.engine.scene_log.scene_log`; the times are the ones the
engine recorded (the server's clock), shown in this machine's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ipywidgets as widgets

from protocols.engine.answers import check_case_number, sentence
from protocols.engine.errors import EngineError
from protocols.engine.scene_log import SceneEvent, scene_log
from protocols.records import Store, StoreError
from protocols.records.case_timeline import CaseTimeline, case_timeline
from protocols.render.labels import JOB_AIDS
from protocols.ui.markup import esc
from protocols.ui.plain import static_style

SCENE_LOG_CSS = static_style("scene_log.css")
STRONG_KINDS = frozenset({"critical-answered", "screened-in", "notice-given", "completed"})
"""Steps the list shows in bold: the ones a supervisor looks for first."""


def clock_time(moment: dt.datetime) -> str:
    """``21:04:09`` in this machine's time zone (a time without a zone is UTC, as the store keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%H:%M:%S}"


def line_html(at: dt.datetime, kind: str, text: str) -> str:
    """One step: its time, then what it was (in bold for the steps a supervisor looks for first)."""
    strong = ' class="hb-scene-critical"' if kind in STRONG_KINDS else ""
    return (f'<li><time datetime="{esc(at.isoformat())}">{esc(clock_time(at))}</time>'
            f"<span{strong}>{esc(text)}</span></li>")


def scene_log_html(events: Sequence[SceneEvent]) -> str:
    """The log as a list: each step with its time, oldest first (the day is said once, above)."""
    lines = [line_html(event.at, event.kind, event.label) for event in events]
    if not lines:
        return f'{SCENE_LOG_CSS}<p class="hb-scene-note">Nothing recorded yet.</p>'
    day = f"{events[0].at.astimezone():%a %d %b %Y}"
    return (f'{SCENE_LOG_CSS}<p class="hb-scene-note">{esc(day)}. Times are the handbook server\'s, recorded '
            f'as each step was saved.</p><ol class="hb-scene-lines">{"".join(lines)}</ol>')


def button_label(count: int) -> str:
    return f"Scene log ({count} step{'s' if count != 1 else ''})"


class SceneLogBox:
    """A run's scene log behind a toggle button, drawn again after each saved step.

    The button says how many steps there are; pressing it shows or hides the list (the choice
    stays as the list is drawn again).
    """

    def __init__(self) -> None:
        self.toggle = widgets.ToggleButton(value=False, description=button_label(0), icon="",
                                           tooltip="Show or hide the time of each step")
        self.toggle.add_class("hb-scene-log-toggle")
        self.lines = widgets.HTML(value="", layout=widgets.Layout(display="none"))
        self.lines.add_class("hb-scene-log")
        self.toggle.observe(self._shown, names="value")
        self.widget = widgets.VBox([self.toggle, self.lines], layout=widgets.Layout(width="100%"))

    def _shown(self, change: dict[str, object]) -> None:
        self.lines.layout.display = None if change["new"] else "none"

    def unavailable(self, exc: Exception) -> None:
        """Say the log could not be drawn (the answers themselves are not affected)."""
        self.lines.value = (f'{SCENE_LOG_CSS}<p class="hb-scene-note">The scene log cannot be shown just now '
                            f"({esc(str(exc)[:120])}). Your answers are saved as shown.</p>")

    def show(self, run: object) -> None:
        """Draw the log of ``run`` (any engine run)."""
        events = scene_log(run)
        self.toggle.description = button_label(len(events))
        self.lines.value = scene_log_html(events)


class CaseTimelineView:
    """The supervisor's review of one case: every job aid's scene log for it, in one list."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.case = widgets.Text(description="Case or incident number", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="100%", max_width="28rem"))
        self.case.add_class("hb-case-number")
        self.button = widgets.Button(description="Show the case's scene log", tooltip="Show the case's scene log")
        self.button.on_click(lambda _b: self.show())
        self.lines = widgets.HTML(value="", layout=widgets.Layout(width="100%"))
        self.widget = widgets.VBox([self.case, self.button, self.lines], layout=widgets.Layout(width="100%"))

    def show(self) -> None:
        try:
            number = check_case_number(self.case.value.strip())
            found = case_timeline(self.store, number)
        except (EngineError, StoreError) as exc:
            self.lines.value = f'<p class="hb-scene-note" role="alert">{esc(sentence(str(exc)))}</p>'
            return
        self.lines.value = case_timeline_html(found)


def case_timeline_html(found: CaseTimeline) -> str:
    """One case's lines, each with its time and job aid; runs with no stored log are named."""
    if not found.lines and not found.without_log:
        return (f'{SCENE_LOG_CSS}<p class="hb-scene-note" role="status">No records for case '
                f"{esc(found.case_number)}.</p>")
    titles = {name: aid.title for name, aid in JOB_AIDS.items()}
    rows = "".join(line_html(line.event.at, line.event.kind, f"{line.event.label} · {titles.get(line.aid, line.aid)}")
                   for line in found.lines)
    gap = (f'<p class="hb-scene-note">{len(found.without_log)} record(s) of this case were saved before the scene '
           "log was kept; their times are in their exports.</p>" if found.without_log else "")
    day = f"{found.lines[0].event.at.astimezone():%a %d %b %Y}. " if found.lines else ""
    return (f'{SCENE_LOG_CSS}<div class="hb-scene-log" role="region" aria-label="Scene log of case '
            f'{esc(found.case_number)}"><p class="hb-scene-note" role="status">{esc(day)}Case '
            f"{esc(found.case_number)}: {len(found.lines)} step(s) across its job aids, oldest first.</p>"
            f'<ol class="hb-scene-lines">{rows}</ol>{gap}</div>')
