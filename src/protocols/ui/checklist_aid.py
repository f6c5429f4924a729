"""A checklist job aid: case number → the live checklist, saved after every answer."""

from __future__ import annotations

import ipywidgets as widgets

from protocols.library import Library, default_library
from protocols.records import Store
from protocols.ui.aid_parts import styles
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_session import ChecklistSession, answers_for_front_end
from protocols.ui.frame import CaseForm, StatusLine, aid_box, header


def checklist_aid(protocol_id: str, aid: str, library: Library | None = None,
                  store: Store | None = None) -> widgets.VBox:
    """The whole job aid for one checklist protocol."""
    lib = library or default_library()
    protocol = lib.protocol(protocol_id)
    status = StatusLine()
    body = widgets.VBox()

    def start(case_number: str) -> None:
        records = store or Store.open()
        session, note = ChecklistSession.start_or_resume(protocol, records, aid, case_number)
        checklist = ChecklistWidget.for_protocol(
            protocol.id, library=lib, handler=session.handle,
            answers=answers_for_front_end(session.run),
        )
        checklist.storage_key = f"{aid}-{session.run_id}"
        checklist.show_title = False
        checklist.status = session.run.status
        status.show(f"Case {case_number}: {note}")
        body.children = [checklist]

    form = CaseForm(start, status)
    body.children = [form.widget]
    return aid_box([header(protocol.title, protocol.chapter), styles(), status.widget, body],
                   protocol.title, [protocol])
