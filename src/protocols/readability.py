"""Reading level of the content, by reader: victims at grade 6 or below, officers at 8 or below.

Readability formulas are built for passages, not single lines, so the gate works at two
levels. Each *passage* (all the prompts of a protocol, all the scripts of a protocol, a
rights notice, a directory's descriptions…) must pass two formulas: Flesch-Kincaid grade
and the Coleman-Liau index. Each *text* of 10 words or more must also pass Flesch-Kincaid
on its own, so one hard sentence cannot hide in an easy passage. The Dale-Chall score is
reported for reference; on short police texts its word list ("victim", "suspect") makes
it unreliable, so it does not gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import textstat

from protocols.errors import Problem
from protocols.library import Library
from protocols.yamlsource import YamlDocument, read_yaml

Reader = Literal["victim", "officer"]
LIMITS: dict[Reader, float] = {"victim": 6.0, "officer": 8.0}
MIN_WORDS = 10
"""Shorter texts are too short for a formula to mean anything on their own."""


@dataclass(frozen=True)
class Score:
    kind: str
    where: str
    """Field path, e.g. ``scene-response.pause_points[0].items[2].script``."""
    reader: Reader
    text: str
    flesch_kincaid: float
    dale_chall_grade: float

    @property
    def limit(self) -> float:
        return LIMITS[self.reader]

    @property
    def graded(self) -> bool:
        return len(self.text.split()) >= MIN_WORDS

    @property
    def passes(self) -> bool:
        return not self.graded or self.flesch_kincaid <= self.limit


def dale_chall_grade(text: str) -> float:
    """The Dale-Chall score as the grade band it stands for (upper end of the band)."""
    score = float(textstat.dale_chall_readability_score(text))
    for ceiling, grade in ((4.9, 4.0), (5.9, 6.0), (6.9, 8.0), (7.9, 10.0), (8.9, 12.0)):
        if score <= ceiling:
            return grade
    return 16.0


def _clean(text: str) -> str:
    text = re.sub(r"\([^)]*§[^)]*\)", "", text)  # citations in brackets are not read aloud
    return " ".join(text.split())


def measure(kind: str, where: str, reader: Reader, text: str) -> Score:
    cleaned = _clean(text)
    return Score(kind, where, reader, cleaned, round(float(textstat.flesch_kincaid_grade(cleaned)), 1),
                 dale_chall_grade(cleaned))


def texts(library: Library) -> Iterator[tuple[str, str, Reader, str]]:
    """Every text a reader reads: (kind, field path, reader, text)."""
    for p in library.protocols.values():
        for pi, pp in enumerate(p.pause_points):
            for ii, item in enumerate(pp.items):
                base = f"{p.id}.pause_points[{pi}].items[{ii}]"
                yield "protocols", f"{base}.prompt", "officer", item.prompt
                if item.script:
                    yield "protocols", f"{base}.script", "victim", item.script
    for n in library.rights.values():
        if n.language != "en":
            continue  # the formulas are for English
        yield "rights", f"{n.id}.introduction", "victim", n.introduction
        for ri, right in enumerate(n.rights):
            yield "rights", f"{n.id}.rights[{ri}].text", "victim", right.text
    for g in library.confidentiality.values():
        yield "confidentiality", f"{g.id}.opening_script", "victim", g.opening_script
        for oi, outcome in enumerate(g.outcomes):
            yield "confidentiality", f"{g.id}.outcomes[{oi}].script", "victim", outcome.script
    for i in library.instruments.values():
        yield "instruments", f"{i.id}.introduction", "victim", i.introduction
    for c in library.needs.values():
        for ni, need in enumerate(c.needs):
            yield "needs", f"{c.id}.needs[{ni}].ask", "victim", need.ask
    for d in library.resources.values():
        for oi, org in enumerate(d.organizations):
            for si, service in enumerate(org.services):
                yield ("resources", f"{d.id}.organizations[{oi}].services[{si}].description", "victim",
                       service.description)


def scores(library: Library) -> list[Score]:
    return [measure(*entry) for entry in texts(library)]


@dataclass(frozen=True)
class PassageScore:
    """Every text of one field kind in one content object, read as one passage."""

    kind: str
    obj_id: str
    field: str
    reader: Reader
    words: int
    flesch_kincaid: float
    coleman_liau: float
    dale_chall_grade: float

    @property
    def limit(self) -> float:
        return LIMITS[self.reader]

    @property
    def passes(self) -> bool:
        return self.flesch_kincaid <= self.limit and self.coleman_liau <= self.limit


def passages(library: Library) -> list[PassageScore]:
    grouped: dict[tuple[str, str, str, Reader], list[str]] = {}
    for kind, where, reader, text in texts(library):
        obj_id = where.split(".", 1)[0]
        field = where.rsplit(".", 1)[-1]
        grouped.setdefault((kind, obj_id, field, reader), []).append(_clean(text))
    out = []
    for (kind, obj_id, field, reader), parts in grouped.items():
        joined = " ".join(parts)
        out.append(PassageScore(kind, obj_id, field, reader, len(joined.split()),
                                round(float(textstat.flesch_kincaid_grade(joined)), 1),
                                round(float(textstat.coleman_liau_index(joined)), 1),
                                dale_chall_grade(joined)))
    return out


def _key(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def problems(library: Library) -> list[Problem]:
    """Readability failures as content problems: file, line, field, score, how to fix."""
    found: list[Problem] = []
    docs: dict[tuple[str, str], YamlDocument | None] = {}

    def locate(kind: str, obj_id: str, path: str) -> tuple[Path | None, int | None]:
        file = library.files.get((kind, obj_id))
        if file is None:
            return None, None
        if (kind, obj_id) not in docs:
            docs[(kind, obj_id)] = read_yaml(file)[0]
        doc = docs[(kind, obj_id)]
        try:
            shown = file.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            shown = file
        return shown, doc.line_for(_key(path)) if doc else None

    for score in scores(library):
        if score.passes:
            continue
        obj_id, path = score.where.split(".", 1)
        file, line = locate(score.kind, obj_id, path)
        found.append(Problem(file, line, score.where,
                             f"reads at grade {score.flesch_kincaid:g} (Flesch-Kincaid); text for "
                             f"{'victims' if score.reader == 'victim' else 'officers'} must be at grade "
                             f"{score.limit:g} or below",
                             "use shorter sentences and everyday words; see `handbook readability`"))
    for passage in passages(library):
        if passage.passes:
            continue
        file, line = locate(passage.kind, passage.obj_id, "")
        found.append(Problem(file, line, f"{passage.obj_id} ({passage.field} texts)",
                             f"the {passage.field} texts read at grade {passage.flesch_kincaid:g} "
                             f"(Flesch-Kincaid) and {passage.coleman_liau:g} (Coleman-Liau); the limit "
                             f"is {passage.limit:g}",
                             "shorten the longest sentences and swap long words for short ones"))
    return found
