"""A short plain-text account of the content a page or job aid shows.

It is the text a notebook cell stores as its output (``text/plain``), so nbval can compare it: a
content change that alters what a page shows (a new version, a revision date, an item added or
removed) changes this text, and the stored output must be refreshed on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from protocols.models import (
    ConfidentialityGuide,
    FollowUpTemplate,
    NeedsCatalogue,
    Protocol,
    Reviewed,
    RightsNotice,
    Scenario,
    ScreeningInstrument,
)


def document_summary(document: Reviewed) -> str:
    """One line: kind, id, version (and whose adaptation it is), revision date, and what the document holds."""
    kind, counts = _what_it_holds(document)
    adapted = document.adapted if isinstance(document, Protocol) else None
    note = f" ({adapted.note})" if adapted else ""
    return (f"{kind} {getattr(document, 'id', '?')}, version {document.version}{note}, "
            f"revised {document.revised.isoformat()}: {counts}")


def content_summary(title: str, documents: Iterable[Reviewed]) -> str:
    """The title, then one line per document, in the order given."""
    lines = [title, *(f"- {document_summary(document)}" for document in documents)]
    return "\n".join(lines)


def _protocol_holds(protocol: Protocol) -> str:
    sizes = ", ".join(str(len(point.items)) for point in protocol.pause_points)
    critical = sum(item.critical for point in protocol.pause_points for item in point.items)
    return f"{len(protocol.pause_points)} pause points ({sizes} items; {critical} must-check)"


HOLDS: dict[type[Reviewed], tuple[str, Callable[[Any], str]]] = {
    Protocol: ("protocol", _protocol_holds),
    ScreeningInstrument: ("instrument", lambda d: f"{len(d.questions)} questions, {len(d.rules)} screen-in rules"),
    RightsNotice: ("rights notice", lambda d: f"{len(d.rights)} rights, language {d.language}"),
    ConfidentialityGuide: ("decision guide", lambda d: f"{len(d.questions)} questions, {len(d.outcomes)} outcomes"),
    NeedsCatalogue: ("needs assessment", lambda d: f"{len(d.needs)} needs"),
    FollowUpTemplate: ("follow-up template", lambda d: f"{len(d.check_ins)} check-ins"),
    Scenario: ("scenario", lambda d: f"{len(d.nodes)} decisions"),
}
"""Each kind of reviewed document: what it is called, and how to count what it holds."""


def _what_it_holds(document: Reviewed) -> tuple[str, str]:
    for model, (kind, holds) in HOLDS.items():
        if isinstance(document, model):
            return kind, holds(document)
    return type(document).__name__.lower(), "reviewed document"
