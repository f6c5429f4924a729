"""The follow-up tracker: every open plan's check-ins that are due, and the weekly figures.

Supervisors record a check-in's outcome here; closing a plan (with its closure criteria)
happens in the follow-up job aid, which the tracker links to.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine import EngineError, FollowUpPlan
from protocols.engine.answers import sentence
from protocols.library.loader import Library, UnknownContent, default_library
from protocols.records import Store, StoreError
from protocols.records.followups import plan_status
from protocols.records.monitoring import (
    FIGURE_DEFINITIONS,
    DueCheckIn,
    Monitoring,
    due_check_ins,
    end_of_week,
    figures_as_rows,
    week_of,
    weekly_figures,
)
from protocols.ui.frame import StatusLine, aid_box, header
from protocols.ui.markup import when
from protocols.ui.plain import STATIC, static_style
from protocols.ui.scene_log_view import CaseTimelineView
from protocols.ui.session import Clock, RunSession, Step, local_now, open_store
from protocols.ui.widget_kit import button, column, html_box, row, styles

STATUS_WORDS = {"overdue": "Overdue", "due-today": "Due today", "upcoming": "Later this week",
                "next-week": "Next week"}
NO_SCREENS = "No finished screens recorded in these weeks"
OUTCOMES = (("reached", "Reached"), ("not-reached", "Not reached"), ("declined", "Declined"))


def chart_svg(monitoring: Monitoring) -> str:
    """A small bar chart of screens and screen-ins per week, with a visible key and each bar's count.

    The key names each series in words beside its swatch (colour is never the only cue); the
    exact numbers are in the table below the chart too.
    """
    weeks = monitoring.weeks
    top = max([1, *(w.screens for w in weeks)])
    bar_w, gap, height, above = 28, 14, 120, 16
    width = len(weeks) * (bar_w + gap) + gap
    title = "Screens (grey) and screened in (blue) per week"
    parts = [f'<figure class="hb-chart"><svg role="img" aria-labelledby="hb-chart-title" '
             f'viewBox="0 0 {width} {height + above + 24}" width="100%" style="max-width:{width}px">',
             f'<title id="hb-chart-title">{title}</title>']
    for index, w in enumerate(weeks):
        x = gap + index * (bar_w + gap)
        total = round(height * w.screens / top)
        screened_in = round(height * (w.screened_in_rule + w.screened_in_belief) / top)
        base = above + height
        parts.append(f'<rect x="{x}" y="{base - total}" width="{bar_w}" height="{total}" fill="#8a96a3"/>')
        parts.append(f'<rect x="{x + 6}" y="{base - screened_in}" width="{bar_w - 12}" '
                     f'height="{screened_in}" fill="#0b5cad"/>')
        if w.screens:
            parts.append(f'<text x="{x + bar_w / 2}" y="{base - total - 4}" font-size="11" '
                         f'text-anchor="middle" fill="#1b1f24">{w.screens}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base + 16}" font-size="11" text-anchor="middle" '
                     f'fill="#1b1f24">{html.escape(w.week[-3:])}</text>')
    if not any(w.screens for w in weeks):  # an empty chart says why it is empty
        parts.append(f'<text x="{width / 2}" y="{above + height / 2}" font-size="13" text-anchor="middle" '
                     f'fill="#1b1f24">{NO_SCREENS}</text>')
    parts.append("</svg>")
    parts.append('<figcaption class="hb-chart-key" aria-hidden="true">'
                 '<span><span class="hb-swatch" style="background:#8a96a3"></span>Screens</span>'
                 '<span><span class="hb-swatch" style="background:#0b5cad"></span>Screened in '
                 '(by rule or officer belief)</span></figcaption></figure>')
    return "".join(parts)


def figures_table(monitoring: Monitoring) -> str:
    rows = figures_as_rows(monitoring)
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    # The table may be wider than a phone: it scrolls inside its own region, which the keyboard
    # can reach (tabindex) and a screen reader names.
    return (f'<div class="hb-scroll" role="region" tabindex="0" aria-labelledby="hb-figures-caption">'
            f'<table class="hb-table"><caption id="hb-figures-caption">Counts by week, no personal data'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
            + figures_legend())


def figures_legend() -> str:
    """What each column of the weekly table counts, in plain words, under the table."""
    rows = "".join(f"<dt>{html.escape(column.capitalize())}</dt><dd>{html.escape(text)}</dd>"
                   for column, text in FIGURE_DEFINITIONS.items())
    return f'<h3>What each column counts</h3><dl class="hb-legend">{rows}</dl>'


def this_week_line(due: list[DueCheckIn], monitoring: Monitoring, now: dt.datetime) -> str:
    """This week's check-ins in one sentence, with the same count as this week's row of the table."""
    week = monitoring.weeks[-1]
    sunday = end_of_week(now) - dt.timedelta(days=1)
    monday = sunday - dt.timedelta(days=6)
    this_week = [d for d in due if week_of(d.due_at, now.tzinfo) == week.week]
    earlier = sum(1 for d in due if d.status == "overdue") - sum(1 for d in this_week if d.status == "overdue")
    due_words = "1 check-in is" if week.check_ins_due == 1 else f"{week.check_ins_due} check-ins are"
    missed = week.check_ins_due - week.check_ins_done - len(this_week)
    text = (f"This week, {monday:%a %d %b} to {sunday:%a %d %b}, {due_words} due (the row for "
            f"{week.week} in the table below): {week.check_ins_done} done{' and' if not missed else ','} "
            f"{len(this_week)} still to do"
            + (f" and {missed} missed before {'its plan was' if missed == 1 else 'their plans were'} closed."
               if missed > 0 else "."))
    if earlier:
        text += f" Also overdue from earlier weeks: {earlier}."
    return f'<p class="hb-progress" role="status">{html.escape(text)}</p>'


TABLE_CSS = static_style("tracker.css")
"""The weekly table, its legend and the chart's key."""


class OnOpen(anywidget.AnyWidget):
    """Tells Python each time the page is opened in a browser; shows nothing.

    The server may run the notebook before anyone asks for it (a kernel kept ready), so what
    the tracker read then can be old: it reads the records again when the page opens.
    """

    _esm = STATIC / "on_open.js"
    opened = traitlets.Int(0).tag(sync=True)
    redraws_on_open = True
    """An aid holding one has no first screen (protocols.ui.first_screen): it may be old."""


class Tracker:
    """Draws the due list and records outcomes through the engine and the store."""

    def __init__(self, library: Library, store: Store, clock: Clock = local_now) -> None:
        self.library = library
        self.store = store
        self.clock = clock
        self.status = StatusLine()
        self.week_line = html_box()
        self.due_box = widgets.VBox()
        self.figures = html_box()

    def refresh(self) -> None:
        now = self.clock()
        try:
            due = due_check_ins(self.store, self.library, now)
            monitoring = weekly_figures(self.store, self.library, now, weeks=8)
        except StoreError as exc:
            self.status.show(sentence(str(exc)), bad=True)
            return
        self.week_line.value = this_week_line(due, monitoring, now)
        cards: list[widgets.Widget] = []
        if not due:
            cards.append(html_box("<p>No check-ins are overdue or due this week or next week.</p>", "hb-note"))
        this_week = week_of(now, now.tzinfo)
        for entry in due:
            later = entry.status == "upcoming" and week_of(entry.due_at, now.tzinfo) != this_week
            cards.append(self._card(entry, "next-week" if later else entry.status))
        self.due_box.children = cards
        self.figures.value = TABLE_CSS + chart_svg(monitoring) + figures_table(monitoring)

    def _card(self, entry: DueCheckIn, status: str) -> widgets.Widget:
        text = (f"<p><strong>{html.escape(STATUS_WORDS[status])}</strong>: {html.escape(entry.check_in)} "
                f"· case {html.escape(entry.case_number)}</p><p>Due {html.escape(when(entry.due_at))} · "
                f"{html.escape(entry.plan_title)}</p>")
        buttons = [button(label, self._recorder(entry, result), tooltip=f"Record: {label} for case {entry.case_number}")
                   for result, label in OUTCOMES]
        return column([html_box(text), row(buttons)], "hb-card")

    def _recorder(self, entry: DueCheckIn, result: str) -> Callable[[], None]:
        return lambda: self.record(entry, result)

    def record(self, entry: DueCheckIn, result: str) -> None:
        record = self.store.get(entry.run_id)
        if record is None:
            self.status.show("That plan no longer exists; the list has been refreshed.", bad=True)
            self.refresh()
            return
        try:
            template = self.library.template(record.content_id)
            session = RunSession.resume(self.store, record, load=lambda s: FollowUpPlan.carry_over(template, s)[0],
                                        status=plan_status, clock=self.clock)
        except (UnknownContent, EngineError) as exc:
            self.status.show(f"Not recorded: this plan no longer fits this handbook's follow-up content. "
                             f"{sentence(str(exc))} "
                             "Open it in the follow-up job aid.", bad=True)
            self.refresh()
            return
        step = session.act(lambda plan, now: plan.record(entry.check_in_id, result, now),
                           f"Recorded for case {entry.case_number}: {entry.check_in}, {result.replace('-', ' ')}.")
        self._settle(step)

    def _settle(self, step: Step[Any]) -> None:
        self.status.report(step, self._settle)
        self.refresh()


def tracker_aid(library: Library | None = None, store: Store | None = None,
                clock: Clock = local_now) -> widgets.VBox:
    """The follow-up tracker job aid."""
    lib = library or default_library()
    status = StatusLine()
    try:
        records = open_store(store)
    except StoreError as exc:
        status.show(f"The records store cannot be used: {exc}", bad=True)
        return aid_box([styles(), header("Track follow-up care", "book/follow-up/monitoring", library=lib),
                        status.widget],
                       "Track follow-up care")
    tracker = Tracker(lib, records, clock)
    tracker.refresh()
    on_open = OnOpen()

    def opened(_change: dict[str, Any]) -> None:
        tracker.refresh()

    on_open.observe(opened, names="opened")
    return aid_box([
        styles(),
        header("Track follow-up care", "book/follow-up/monitoring", "Read the monitoring chapter", lib),
        tracker.status.widget,
        html_box("<h2>Check-ins due</h2><p>Overdue first, then due today, later this week (to Sunday) and "
                 "next week. "
                 'To close a plan, open it in the <a href="/voila/render/follow-up.ipynb">follow-up job aid</a>.'
                 "</p>"),
        tracker.week_line,
        tracker.due_box,
        html_box("<h2>This unit, week by week</h2>"),
        tracker.figures,
        html_box("<h2>Review a case: its scene log</h2><p>Every job aid's steps for one case, with the time "
                 "each was saved, oldest first.</p>"),
        CaseTimelineView(records).widget,
        on_open,
    ], "Track follow-up care", [lib.followup[key] for key in sorted(lib.followup)])
