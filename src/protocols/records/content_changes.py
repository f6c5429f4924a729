"""What an officer must read and acknowledge, and what changed since the version they acknowledged.

Three kinds of document are acknowledged, each with a *content version*:

- a protocol: its ``version`` (raised by the trainer with a changelog line);
- a rights notice: its ``version``;
- a chapter of the book: a fingerprint, the first 12 hex digits of the SHA-256 of its Markdown
  file, the way ``protocols.book.fingerprint`` marks a page to build again when its protocol's
  YAML changes. Chapters carry no version number, so the bytes are the version: any edit
  asks for a new acknowledgement of that chapter only. (The library snapshot's key hashes
  every content file at once, so it would ask every officer to acknowledge every document
  after any edit anywhere: too coarse.)

An acknowledgement keeps a *snapshot* of the document as it was (items and their wording, or
rights, or a chapter's headings), so the change to a later version is worked out against what
the officer actually read, with no old content files needed: items added, removed and
reworded, each with its rationale, and the changelog lines since. Pure functions; no store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protocols.library.loader import Library
from protocols.models import Protocol, RightsNotice
from protocols.render.knowledge import MAKERS, KnowledgeQuestion, knowledge_questions, seeded, take_turns
from protocols.render.knowledge_content import rights_questions

CHECK_QUESTIONS = 3
FINGERPRINT_DIGITS = 12
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*$", re.M)


@dataclass(frozen=True)
class Document:
    """One document an officer acknowledges, at its current version."""

    key: str
    """``protocol:<id>``, ``rights:<id>`` or ``chapter:<path under book/ without .md>``."""
    kind: str
    title: str
    version: str
    snapshot: dict[str, Any]
    """What the officer reads, kept with the acknowledgement (see :func:`changes`)."""
    changelog: tuple[tuple[str, str, str], ...] = ()
    """(version, what changed, why), newest first."""
    link: str = ""
    """Where the document is in the handbook (site-relative)."""
    revised: dt.date | None = None
    """When this version was made (a chapter: its file's last change); the report's due dates count from it."""


@dataclass(frozen=True)
class Change:
    """One change between two versions, in plain words."""

    kind: str
    """``added``, ``removed``, ``reworded`` or ``changelog``."""
    ref: str
    text: str
    rationale: str = ""
    what: str = ""
    """What changed: ``item``, ``right``, ``section`` or ``chapter`` ("" for a change note)."""

    @property
    def heading(self) -> str:
        """``Added item``, ``Reworded right``, ``Change note``…"""
        return f"{self.kind.capitalize()} {self.what}" if self.what else "Change note"


@dataclass(frozen=True)
class Changes:
    """What changed in one document since the version an officer acknowledged."""

    document: Document
    acknowledged_version: str | None
    """``None`` when the officer never acknowledged any version of it."""
    items: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def first_time(self) -> bool:
        return self.acknowledged_version is None

    def summary(self) -> str:
        """E.g. ``2 added, 1 reworded`` or ``new to you``."""
        if self.first_time:
            return "new to you: read it whole"
        counts = {k: sum(1 for c in self.items if c.kind == k) for k in ("added", "removed", "reworded")}
        said = [f"{n} {k}" for k, n in counts.items() if n]
        return ", ".join(said) if said else "wording unchanged; see the change notes"


# --------------------------------------------------------------------------- documents


def protocol_document(protocol: Protocol) -> Document:
    items = {item.id: {"pause_point": pp.title, "prompt": item.prompt, "script": item.script or "",
                       "rationale": item.rationale, "critical": item.critical}
             for pp in protocol.pause_points for item in pp.items}
    return Document(f"protocol:{protocol.id}", "protocol", protocol.title, protocol.version,
                    {"items": items}, tuple((c.version, c.change, c.why) for c in protocol.changelog),
                    f"{protocol.chapter}.html" if protocol.chapter else "", protocol.revised)


def rights_document(notice: RightsNotice) -> Document:
    rights = {r.id: {"title": r.title, "text": r.text.strip(), "citation": r.citation} for r in notice.rights}
    return Document(f"rights:{notice.id}", "rights notice", notice.title, notice.version, {"rights": rights},
                    tuple((c.version, c.change, c.why) for c in notice.changelog), revised=notice.revised)


def chapter_fingerprint(data: bytes) -> str:
    """A chapter's content version: the first 12 hex digits of the SHA-256 of its file."""
    return hashlib.sha256(data).hexdigest()[:FINGERPRINT_DIGITS]


def chapter_document(book: Path, page: Path) -> Document:
    data = page.read_bytes()
    text = data.decode("utf-8", errors="replace")
    headings = [m.group(2) for m in _HEADING.finditer(text)]
    name = page.relative_to(book.parent).with_suffix("").as_posix()
    title = headings[0] if headings else name
    changed = dt.datetime.fromtimestamp(page.stat().st_mtime, dt.UTC).date()
    return Document(f"chapter:{name}", "chapter", title, chapter_fingerprint(data), {"headings": headings[1:]},
                    link=f"{name}.html", revised=changed)


def documents(library: Library, book: Path | None = None) -> list[Document]:
    """Every document to acknowledge: the protocols, the rights notices, and (given the book's
    ``book/`` folder) its chapters; in that order, each by id or path."""
    found = [protocol_document(p) for _, p in sorted(library.protocols.items())]
    found += [rights_document(n) for _, n in sorted(library.rights.items())]
    if book is not None and book.is_dir():
        found += [chapter_document(book, page) for page in sorted(book.rglob("*.md"))]
    return found


# --------------------------------------------------------------------------- changes


def _changelog_since(document: Document, version: str) -> list[Change]:
    """The changelog lines newer than ``version`` (all of them if it is not in the log)."""
    out = []
    for newer, what, why in document.changelog:
        if newer == version:
            break
        out.append(Change("changelog", newer, f"Version {newer}: {what}", why))
    return out


def _compare(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], words: str,
             text_keys: tuple[str, ...], shown: str, why: str) -> list[Change]:
    out = [Change("added", ref, str(after[ref][shown]), str(after[ref].get(why, "")), words)
           for ref in after if ref not in before]
    out += [Change("removed", ref, str(before[ref][shown]), str(before[ref].get(why, "")), words)
            for ref in before if ref not in after]
    for ref in after:
        if ref in before and any(before[ref].get(k) != after[ref].get(k) for k in text_keys):
            was = before[ref][shown]
            text = f"{after[ref][shown]} (was: {was})" if was != after[ref][shown] else str(after[ref][shown])
            out.append(Change("reworded", ref, text, str(after[ref].get(why, "")), words))
    return out


def changes(document: Document, acknowledged_version: str | None,
            acknowledged_snapshot: dict[str, Any] | None) -> Changes:
    """What changed since the acknowledged version (compared with its snapshot), in plain words."""
    if acknowledged_version is None or acknowledged_snapshot is None:
        return Changes(document, None)
    old, new = acknowledged_snapshot, document.snapshot
    found: list[Change] = []
    if "items" in new:
        found = _compare(old.get("items", {}), new["items"], "item", ("prompt", "script"), "prompt", "rationale")
    elif "rights" in new:
        found = _compare(old.get("rights", {}), new["rights"], "right", ("title", "text"), "title", "citation")
    elif "headings" in new:
        before, after = old.get("headings", []), new["headings"]
        found = [Change("added", h, h, what="section") for h in after if h not in before]
        found += [Change("removed", h, h, what="section") for h in before if h not in after]
        if not found:
            found = [Change("reworded", "", "The text changed; its sections are the same.", what="chapter")]
    return Changes(document, acknowledged_version, tuple(found + _changelog_since(document, acknowledged_version)))


# --------------------------------------------------------------------------- the check


def check_questions(found: Changes, library: Library, count: int = CHECK_QUESTIONS) -> list[KnowledgeQuestion]:
    """Up to ``count`` questions drawn from the changed items first (the knowledge-check builder of
    ``render.knowledge``), topped up from the document's other questions; none for a chapter."""
    document = found.document
    changed = {c.ref for c in found.items if c.kind in ("added", "reworded")} if not found.first_time else set()
    rng = seeded(f"{document.key}@{document.version}")
    if document.kind == "protocol":
        protocol = library.protocol(document.key.split(":", 1)[1])
        pairs = [(pp, item) for pp in protocol.pause_points for item in pp.items if item.id in changed]
        by_kind = [[q for pp, item in pairs if (q := maker(protocol, pp, item, rng)) is not None] for maker in MAKERS]
        chosen = take_turns(by_kind, count)[:count] if any(by_kind) else []
        return _topped_up(chosen, knowledge_questions(protocol, count), count)
    if document.kind == "rights notice":
        notice = library.rights[document.key.split(":", 1)[1]]
        others = [n for n in library.rights.values() if n.id != notice.id]
        made = [q for group in rights_questions(notice, others, rng) for q in group]
        first = [q for q in made if q.item in changed]
        return _topped_up(first[:count], made, count)
    return []


def _topped_up(chosen: list[KnowledgeQuestion], more: Iterable[KnowledgeQuestion],
               count: int) -> list[KnowledgeQuestion]:
    out = list(chosen)
    for q in more:
        if len(out) >= count:
            break
        if all(q.text != c.text for c in out):
            out.append(q)
    return out[:count]


def score(questions: list[KnowledgeQuestion], picked: list[int | None]) -> int:
    """How many of the questions were answered right (an unanswered one counts as wrong)."""
    return sum(1 for q, p in zip(questions, picked, strict=False) if p is not None and p == q.answer)


__all__ = ["CHECK_QUESTIONS", "Change", "Changes", "Document", "changes", "chapter_document", "chapter_fingerprint",
           "check_questions", "documents", "protocol_document", "rights_document", "score"]
