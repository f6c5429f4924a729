"""A checklist job aid: case number → the live checklist, saved after every answer.

:func:`any_checklist_aid` is the checklist job aid for any checklist with no job aid of its own
(``checklist.ipynb?protocol=<id>``); its runs are saved under the checklist's id, as a checklist
aid's always are.

A case whose checklist was completed reopens on that record, read-only (each answer with its
time, and when it was finished), with a button to start a new checklist. A screen-in
checklist opened for a case that screened in has "Why did this case screen in?" (and the
officer's reason for a belief screen-in) filled in from the screening; the officer can change it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets
import traitlets

from protocols.engine import ChecklistRun
from protocols.engine.answers import sentence
from protocols.engine.errors import EngineError
from protocols.engine.scene_log import scene_log
from protocols.engine.screening import ScreeningRun, screen_in_answers
from protocols.library.loader import Library, default_library
from protocols.models import Protocol
from protocols.records import RunRecord, Store, StoreError, why_not_saved
from protocols.records.case_runs import case_screen_in, latest_finished
from protocols.render.labels import aid_running_checklist
from protocols.render.summary import content_summary
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_session import ChecklistSession, answers_for_front_end
from protocols.ui.frame import AidBox, CaseAid, aid_box, case_aid, header
from protocols.ui.handout_action import handout_panels
from protocols.ui.index_aid import INDEX_CSS, checklist_links_html, without_own_aid
from protocols.ui.markup import esc, when
from protocols.ui.scenario_player_aid import PageQuery
from protocols.ui.scene_log_view import SceneLogBox
from protocols.ui.session import Clock, local_now, open_store
from protocols.ui.widget_kit import button, html_box, row, styles

FROM_SCREENING = "screening"
"""The source of answers filled in from the case's screening (``ItemAnswer.source``)."""


def follows_a_screening(protocol: Protocol, library: Library) -> bool:
    """True for a checklist some screening instrument opens after a screen-in."""
    return any(i.follow_on_protocol == protocol.id for i in library.instruments.values())


def fill_in_from_screening(session: ChecklistSession, library: Library, clock: Clock = local_now,
                           screening: ScreeningRun | None = None) -> str:
    """Fill in the screen-in items from the case's screen-in and save them; a problem to show, or "".

    ``screening`` is the screen-in to use; without it, the case's newest one in the store.
    Items the officer has answered (or cleared) are left as they are.
    """
    run = session.run
    if not follows_a_screening(run.protocol, library) or run.status != "in-progress":
        return ""
    if screening is None:
        screening = case_screen_in(session.store, library, run.state.case_number)
    if screening is None:
        return ""
    before = run.state
    try:
        filled = run.prefill(screen_in_answers(screening), clock(), FROM_SCREENING)
    except EngineError:
        return ""
    if not filled:
        return ""
    try:
        session.revision = session.store.save(session.run_id, session.revision, run.status,
                                              run.state.model_dump_json(),
                                              content_version=run.state.content_version,
                                              scene_log=scene_log(run))
    except StoreError as exc:
        run.state = before
        return f"The answers from the screening were not filled in: {why_not_saved(exc)}."
    return ""


def filled_in_note(run: ChecklistRun) -> str:
    """HTML saying which answers were filled in from the screening (still so), or ""."""
    lines = [f"<li>“{esc(item.prompt)}”: <strong>{esc(run.answer_text(item.id) or '')}</strong></li>"
             for item in run.protocol.items()
             if (answer := run.answer_for(item.id)) is not None and answer.source == FROM_SCREENING]
    if not lines:
        return ""
    return ('<div class="hb-note" role="note"><p><strong>Filled in from the screening.</strong> Check each '
            f'answer and change it if it is wrong.</p><ul class="hb-list">{"".join(lines)}</ul></div>')


def finished_checklist_html(run: ChecklistRun) -> str:
    """A completed checklist as a record: when it was finished, then each answer with its time."""
    summary = run.summary()
    finished = summary.completed_at
    parts = ['<div class="hb-result hb-out" role="status">',
             f'<p class="hb-headline">Finished on {esc(when(finished)) if finished else "an unknown date"}</p>',
             f"<p>{esc(summary.progress_text)}. This record cannot be changed.</p></div>"]
    for pp in summary.pause_points:
        lines = []
        for done in pp.done:
            source = " · filled in from the screening" if done.source == FROM_SCREENING else ""
            lines.append(f"<li><strong>{esc(done.prompt)}</strong> {esc(done.display)} · "
                         f"{esc(when(done.answered_at))}{source}</li>")
        for skipped in pp.skipped:
            if skipped.why == "not-applicable":
                said = f"Not applicable: {skipped.reason}"
            else:
                said = "Not answered" + (" (optional)" if skipped.why == "optional" else "")
            at = f" · {esc(when(skipped.at))}" if skipped.at is not None else ""
            lines.append(f"<li><strong>{esc(skipped.prompt)}</strong> {esc(said)}{at}</li>")
        parts.append(f'<h3>{esc(pp.title)}</h3><ul class="hb-facts">{"".join(lines)}</ul>')
    return "".join(parts)


def finished_run(record: RunRecord, protocol: Protocol) -> ChecklistRun | None:
    """A completed run read under ``protocol`` (an older version's run as it still fits), or None."""
    changed = record.updated_at if record.updated_at.tzinfo else record.updated_at.replace(tzinfo=dt.UTC)
    try:
        return ChecklistRun.upgrade(protocol, record.state, changed)
    except EngineError:
        return None


def live_checklist(session: ChecklistSession, library: Library, storage_key: str,
                   log: SceneLogBox | None = None) -> ChecklistWidget:
    """The live checklist widget for a session: each answer goes through it and is saved.

    With ``log``, the scene log is drawn again after each message the session handled.
    """
    protocol = session.run.protocol

    def handled(message: dict[str, Any]) -> dict[str, Any]:
        reply = session.handle(message)
        if log is not None:
            try:
                log.show(session.run)
            except Exception as exc:  # the log is a view: the answer's reply must still go
                log.unavailable(exc)
        return reply

    checklist = ChecklistWidget.for_protocol(protocol.id, library=library, handler=handled,
                                             answers=answers_for_front_end(session.run))
    checklist.storage_key = f"{storage_key}-{session.run_id}"
    checklist.show_title = False
    checklist.status = session.run.status
    return checklist


def checklist_aid(protocol_id: str, aid: str, library: Library | None = None,
                  store: Store | None = None, clock: Clock = local_now) -> widgets.VBox:
    """The whole job aid for one checklist protocol."""
    lib = library or default_library()
    protocol = lib.protocol(protocol_id)

    def open_live(case_number: str, records: Store, frame: CaseAid) -> None:
        session, note = ChecklistSession.start_or_resume(protocol, records, aid, case_number, clock)
        problem = fill_in_from_screening(session, lib, clock)
        frame.show(case_number, sentence(problem) if problem else note, bad=bool(problem))
        log = SceneLogBox()
        log.show(session.run)
        frame.body.children = [html_box(filled_in_note(session.run)), live_checklist(session, lib, aid, log),
                               log.widget, *handout_panels(protocol.id, lib, records, case_number)]

    def show_finished(case_number: str, records: Store, run: ChecklistRun, frame: CaseAid) -> None:
        def start_new() -> None:
            try:
                open_live(case_number, records, frame)
            except StoreError as exc:
                frame.status.show(f"Not started: {why_not_saved(exc)}. Try again.", bad=True)

        log = SceneLogBox()
        log.show(run)
        frame.show(case_number, "This checklist was finished. It is shown below and cannot be changed.",
                   html_box(finished_checklist_html(run)), log.widget,
                   row([button("Start a new checklist for this case", start_new, style="primary",
                               tooltip=f"Start a new “{protocol.title}” checklist for case {case_number}")]),
                   *handout_panels(protocol.id, lib, records, case_number))

    def start(case_number: str, frame: CaseAid) -> None:
        records = open_store(store)
        record = latest_finished(records, aid, case_number, [protocol.id])
        run = finished_run(record, protocol) if record is not None else None
        if run is not None:
            show_finished(case_number, records, run, frame)
        else:
            open_live(case_number, records, frame)

    return case_aid(protocol.title, lib, start, chapter=protocol.chapter, shows=[protocol])


class ChecklistQuery(PageQuery):
    """The page's query (``?protocol=…``), and :attr:`read` once the browser has sent it (even empty)."""

    read = traitlets.Bool(False).tag(sync=True)


def checklist_choice_note(wanted: str | None, library: Library) -> tuple[str, bool]:
    """What the list of checklists says first about the ``?protocol=`` asked for; (HTML, is a problem)."""
    if not wanted:
        return "No checklist was named in the link. Choose one below.", False
    protocol = library.protocols.get(wanted)
    if protocol is None:
        return (f"There is no checklist called “{esc(wanted)}” here. Check the link, or choose one "
                "below."), True
    aid = aid_running_checklist(protocol.id)
    if aid is not None:
        return (f"“{esc(protocol.title)}” has its own job aid: <a href=\"/{esc(aid.path)}\">open "
                f"{esc(aid.title)}</a>. Or choose another checklist below."), False
    return "Choose a checklist below.", False


def checklist_choice(wanted: str | None, library: Library) -> AidBox:
    """The checklists this aid opens, as links, under a note on the one asked for (see above)."""
    note, bad = checklist_choice_note(wanted, library)
    icon = '<span class="hb-icon" aria-hidden="true">⚠ </span>' if bad else ""
    said = (f'<p class="hb-aid-status{" hb-bad" if bad else ""}" role="{"alert" if bad else "status"}">'
            f"{icon}{note}</p>")
    checklists = without_own_aid(library)
    listed = (checklist_links_html(checklists) if checklists
              else "<p>Every checklist here has its own job aid. See all job aids.</p>")
    body = (INDEX_CSS + said + '<h2 id="checklists">Choose a checklist</h2>'
            f'<nav aria-label="Checklists">{listed}</nav>')
    return aid_box([header("Checklist", library=library), styles(), html_box(body)], "Checklist")


def any_checklist_aid(library: Library | None = None, store: Store | None = None,
                      clock: Clock = local_now) -> AidBox:
    """The checklist job aid for the checklist the page's ``?protocol=<id>`` names.

    A checklist with no job aid of its own opens as :func:`checklist_aid` does, saved under its
    id. For no id, an unknown one, or one that has its own job aid, the page says so and lists
    the checklists it can open. Its text form (what nbval compares) lists those checklists.
    """
    lib = library or default_library()
    body = widgets.VBox([html_box('<p role="status">Opening the checklist…</p>')],
                        layout=widgets.Layout(width="100%"))
    query = ChecklistQuery()

    def from_page(change: dict[str, Any]) -> None:
        wanted = query.params.get("protocol") if isinstance(query.params, dict) else None
        wanted = wanted if isinstance(wanted, str) else None
        protocol = lib.protocols.get(wanted) if wanted else None
        if protocol is not None and aid_running_checklist(protocol.id) is None:
            body.children = [checklist_aid(protocol.id, aid=protocol.id, library=lib, store=store, clock=clock)]
        else:
            body.children = [checklist_choice(wanted, lib)]

    query.observe(from_page, names="read")
    box = AidBox([body, query], content_summary("Job aid: Checklist", without_own_aid(lib)))
    box.add_class("hb-aid")
    return box
