"""A short plain-text account of the content a page or job aid shows.

It is the text a notebook cell stores as its output (``text/plain``), so nbval can compare it: a
content change that alters what a page shows (a new version, a revision date, an item added or
removed) changes this text, and the stored output must be refreshed on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    """One line: kind, id, version, revision date, and what the document holds."""
    kind, counts = _what_it_holds(document)
    return (f"{kind} {getattr(document, 'id', '?')}, version {document.version}, "
            f"revised {document.revised.isoformat()}: {counts}")


def content_summary(title: str, documents: Iterable[Reviewed]) -> str:
    """The title, then one line per document, in the order given."""
    lines = [title, *(f"- {document_summary(document)}" for document in documents)]
    return "\n".join(lines)


def _what_it_holds(document: Reviewed) -> tuple[str, str]:
    if isinstance(document, Protocol):
        sizes = ", ".join(str(len(point.items)) for point in document.pause_points)
        critical = sum(item.critical for point in document.pause_points for item in point.items)
        return "protocol", (f"{len(document.pause_points)} pause points ({sizes} items; "
                            f"{critical} must-check)")
    if isinstance(document, ScreeningInstrument):
        return "instrument", f"{len(document.questions)} questions, {len(document.rules)} screen-in rules"
    if isinstance(document, RightsNotice):
        return "rights notice", f"{len(document.rights)} rights, language {document.language}"
    if isinstance(document, ConfidentialityGuide):
        return "decision guide", f"{len(document.questions)} questions, {len(document.outcomes)} outcomes"
    if isinstance(document, NeedsCatalogue):
        return "needs assessment", f"{len(document.needs)} needs"
    if isinstance(document, FollowUpTemplate):
        return "follow-up template", f"{len(document.check_ins)} check-ins"
    if isinstance(document, Scenario):
        return "scenario", f"{len(document.nodes)} decisions"
    return type(document).__name__.lower(), "reviewed document"
