"""One checklist widget for two homes: the static book and the Voila job aids.

The front end (``static/checklist.js``) carries the interaction. In the book it
runs alone and keeps ticks in the browser. In a job aid (``live=True``) it sends
each answer here; a handler (the job aid's controller, over the engine and the
records store) checks and saves it and the widget confirms only then. An answer
with no reply (the connection or the kernel was lost) is kept in the browser and
sent again (``static/kernel_link.js`` watches the connection).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from protocols.library.loader import Library, default_library
from protocols.models import Item, Protocol
from protocols.render.job_aid_links import book_job_aid_url
from protocols.render.labels import KIND_LABELS
from protocols.render.summary import content_summary
from protocols.ui.plain import STATIC, joined_static

Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""Takes a message from the front end, returns the reply (``type`` saved/cleared/rejected…)."""

AUDIENCE_LABELS = {"officer": "for officers", "supervisor": "for supervisors",
                   "victim": "read to the victim"}


def item_spec(item: Item, hidden: bool = False) -> dict[str, Any]:
    """What the front end needs to draw one item."""
    return {
        "id": item.id,
        "prompt": item.prompt,
        "critical": item.critical,
        "na_allowed": item.na_allowed,
        "optional": item.optional,
        "hidden": hidden,
        "script": item.script,
        "help": item.help,
        "value": item.value.model_dump(mode="json", exclude_none=True),
    }


def checklist_spec(protocol: Protocol, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The protocol as plain JSON for the front end; every string is content, shown as text."""
    return {
        "id": protocol.id,
        "title": protocol.title,
        "kind": protocol.kind.value,
        "kind_label": KIND_LABELS[protocol.kind],
        "audience_label": AUDIENCE_LABELS[protocol.audience.value],
        "version": protocol.version,
        "adapted": protocol.adapted.note if protocol.adapted else None,
        "revised": protocol.revised.isoformat(),
        "pause_points": [
            {
                "id": pp.id,
                "title": pp.title,
                "when": pp.when,
                "items": [item_spec(item, item.id in hidden) for item in pp.items],
            }
            for pp in protocol.pause_points
        ],
    }


class ChecklistWidget(anywidget.AnyWidget):
    """An interactive checklist rendered from a protocol in the library."""

    _esm = joined_static("dom.js", "kernel_link.js", "checklist_live.js", "checklist.js")
    _css = STATIC / "checklist.css"

    spec = traitlets.Dict().tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    storage_key = traitlets.Unicode("").tag(sync=True)
    job_aid_url = traitlets.Unicode("").tag(sync=True)
    show_title = traitlets.Bool(True).tag(sync=True)
    status = traitlets.Unicode("in-progress").tag(sync=True)

    def __init__(self, handler: Handler | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handler = handler
        self.summary = ""
        self.on_msg(self._on_front_end_message)

    @classmethod
    def for_protocol(
        cls,
        protocol_id: str,
        *,
        job_aid: str | None = None,
        library: Library | None = None,
        handler: Handler | None = None,
        answers: dict[str, Any] | None = None,
    ) -> ChecklistWidget:
        """A checklist for ``protocol_id``; ``job_aid`` names the Voila notebook to link to.

        The link follows the book's ``handbook_job_aid_base`` (see ``book_job_aid_url``).
        """
        lib = library or default_library()
        protocol = lib.protocol(protocol_id)
        widget = cls(
            handler=handler,
            spec=checklist_spec(protocol),
            answers=answers or {},
            live=handler is not None,
            storage_key=protocol.id,
            job_aid_url=book_job_aid_url(job_aid) if job_aid else "",
        )
        widget.summary = content_summary(f"Checklist: {protocol.title}", [protocol])
        return widget

    def __repr__(self) -> str:
        """What the checklist shows, in one stable text (a notebook's checked output)."""
        return self.summary or super().__repr__()

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if self._handler is None or not isinstance(content, dict):
            return
        reply = self._handler(content)
        answers = reply.pop("answers", None)
        if isinstance(answers, dict):
            self.answers = answers
        seq = content.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool):
            reply["seq"] = seq  # which message this answers (the page may have sent it again)
        self.send(reply)
