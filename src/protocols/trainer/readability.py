"""Reading level of the content, by reader: victims at grade 6 or below, officers at 8 or below.

Readability formulas are built for passages, not single lines, so the gate works at two
levels. Each *passage* (all the prompts of a protocol, all the scripts of a protocol, a
rights notice, a directory's descriptions…) must pass two formulas: Flesch-Kincaid grade
and the Coleman-Liau index. Each *text* of 10 words or more must also pass Flesch-Kincaid
on its own, so one hard sentence cannot hide in an easy passage. The Dale-Chall score is
reported for reference; on short police texts its word list ("victim", "suspect") makes
it unreliable, so it does not gate.

Besides the content, the book's "What to say" boxes (``{admonition} What to say`` in
``book/**/*.md``) are graded for victims: each quoted line in a box is a script said to a
victim, and a chapter's scripts are one passage. Errors name the chapter file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import textstat

from protocols.library.errors import Problem
from protocols.library.loader import Library
from protocols.library.project import is_project_folder, project_folder
from protocols.library.yamlsource import YamlDocument, read_yaml, shown_path

Reader = Literal["victim", "officer"]
BOOK_KIND = "book"
"""The ``kind`` of a text from a book chapter (its ``where`` is ``book/…/page.md:LINE``)."""
SCRIPT_BOX = re.compile(r"^(?P<fence>`{3,}|:{3,})\{admonition\}\s+What to say\s*$")
QUOTED = re.compile(r'"([^"\n]+)"|\u201c([^\u201d\n]+)\u201d')
LIMITS: dict[Reader, float] = {"victim": 6.0, "officer": 8.0}
MIN_WORDS = 10
"""Shorter texts are too short for a formula to mean anything on their own."""
TABLE_COLUMNS = (
    ("passage", "the file's id (or the book page) and the kind of text; all texts of that kind are read "
                "as one passage"),
    ("reader", "who reads it: a victim (grade 6 or below) or an officer (grade 8 or below)"),
    ("words", "how many words the passage has"),
    ("F-K", "Flesch-Kincaid grade: the school grade a reader needs, from sentence length and syllables "
            "per word"),
    ("C-L", "Coleman-Liau grade: the same idea, from letters per word and sentences per 100 words"),
    ("D-C", "Dale-Chall grade: from words that are not on a list of common words; shown for reference, "
            "it does not pass or fail a text"),
    ("result", "ok when F-K and C-L are both at or below the limit shown (≤ 6 or ≤ 8); TOO HARD if not"),
)
"""The readability table's columns and what each one means, for its legend."""


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


@dataclass(frozen=True)
class Sentence:
    """The hardest sentence of a text or passage, and why it is hard."""

    text: str
    grade: float
    """Its Flesch-Kincaid grade on its own."""
    long_words: tuple[str, ...]
    """Its longest words (most syllables first)."""
    where: str = ""
    """The text it is in (field path, or a book page's ``file:line``)."""

    def words(self) -> str:
        """``"Notwithstanding" (4 syllables), "statutory" (4)`` style, for a message."""
        shown = [f"“{word}” ({syllables(word)} syllables)" if index == 0 else f"“{word}” ({syllables(word)})"
                 for index, word in enumerate(self.long_words)]
        return ", ".join(shown)

    def described(self) -> str:
        """The sentence and its longest words, for a message."""
        quoted = self.text if len(self.text) <= 120 else self.text[:117] + "..."
        words = f"; its longest words: {self.words()}" if self.long_words else ""
        return f"the hardest sentence is “{quoted}” (grade {self.grade:g}, {len(self.text.split())} words{words})"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def syllables(word: str) -> int:
    """How many syllables ``word`` has (textstat's count)."""
    return int(textstat.syllable_count(word))


def longest_words(sentence: str, count: int = 3) -> tuple[str, ...]:
    """The words of three syllables or more with the most syllables, longest first (none if all are short)."""
    found = dict.fromkeys(word.strip("'’-") for word in _WORD.findall(sentence))
    long = [word for word in found if syllables(word) >= 3]
    return tuple(sorted(long, key=lambda word: (-syllables(word), -len(word)))[:count])


def hardest_sentence(parts: list[tuple[str, str]]) -> Sentence | None:
    """The sentence with the highest Flesch-Kincaid grade in ``parts`` (``(where, text)`` pairs)."""
    found = [(round(float(textstat.flesch_kincaid_grade(sentence)), 1), sentence, where)
             for where, text in parts for sentence in _SENTENCE_END.split(_clean(text)) if sentence]
    if not found:
        return None
    grade, sentence, where = max(found, key=lambda entry: (entry[0], len(entry[1])))
    return Sentence(sentence, grade, longest_words(sentence), where)


def find_book() -> Path | None:
    """The project folder holding the book (``_config.yml`` and ``book/``): the working folder,
    one of its parents (``project.project_folder``), or else the checkout this package runs
    from, so the chapters are graded from any working folder; None when there is none."""
    checkout = Path(__file__).resolve().parents[3]
    return project_folder(with_book=True) or (
        checkout if is_project_folder(checkout, with_book=True) else None)


def book_scripts(root: Path) -> Iterator[tuple[str, str, Reader, str]]:
    """Every quoted line of every "What to say" box in ``root/book``: (kind, file:line, victim, text)."""
    for page in sorted((root / "book").rglob("*.md")):
        shown = page.relative_to(root).as_posix()
        fence = ""
        # A page that is not UTF-8 is named by :func:`unreadable_pages`; its readable lines count.
        for number, line in enumerate(page.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if not fence:
                opened = SCRIPT_BOX.match(line.strip())
                fence = opened.group("fence") if opened else ""
                continue
            if line.strip() == fence:
                fence = ""
                continue
            for plain, curly in QUOTED.findall(line):
                yield BOOK_KIND, f"{shown}:{number}", "victim", plain or curly


def texts(library: Library, book: Path | None = None) -> Iterator[tuple[str, str, Reader, str]]:
    """Every text a reader reads: (kind, field path, reader, text).

    ``book`` is the project folder whose chapters' "What to say" boxes are read too (default:
    ``find_book()``).
    """
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
    for t in library.followup.values():
        for qi, question in enumerate(t.safe_contact_questions):
            yield "followup", f"{t.id}.safe_contact_questions[{qi}]", "victim", question
    root = book if book is not None else find_book()
    if root is not None:
        yield from book_scripts(root)


def scores(library: Library, book: Path | None = None) -> list[Score]:
    return [measure(*entry) for entry in texts(library, book)]


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
    first: str = ""
    """Where its first text is (a book passage's ``file:line``)."""

    @property
    def limit(self) -> float:
        return LIMITS[self.reader]

    @property
    def passes(self) -> bool:
        return self.flesch_kincaid <= self.limit and self.coleman_liau <= self.limit


def _passage_key(kind: str, where: str) -> tuple[str, str]:
    """(object, field) a text is grouped by: a book chapter's scripts are one passage."""
    if kind == BOOK_KIND:
        return where.split(":", 1)[0].removeprefix("book/").removesuffix(".md"), "script"
    return where.split(".", 1)[0], re.sub(r"\[\d+\]$", "", where.rsplit(".", 1)[-1])


PassageKey = tuple[str, str, str, Reader]
"""(kind, object id, field, reader) of a passage."""


def passage_texts(library: Library, book: Path | None = None) -> dict[PassageKey, list[tuple[str, str]]]:
    """The texts of each passage, in order: ``(where, cleaned text)`` pairs."""
    grouped: dict[PassageKey, list[tuple[str, str]]] = {}
    for kind, where, reader, text in texts(library, book):
        grouped.setdefault((kind, *_passage_key(kind, where), reader), []).append((where, _clean(text)))
    return grouped


def passages(library: Library, book: Path | None = None) -> list[PassageScore]:
    out = []
    for (kind, obj_id, field, reader), parts in passage_texts(library, book).items():
        joined = " ".join(text for _, text in parts)
        out.append(PassageScore(kind, obj_id, field, reader, len(joined.split()),
                                round(float(textstat.flesch_kincaid_grade(joined)), 1),
                                round(float(textstat.coleman_liau_index(joined)), 1),
                                dale_chall_grade(joined), parts[0][0]))
    return out


def _key(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _book_place(root: Path | None, where: str) -> tuple[Path | None, int | None]:
    """``book/…/page.md:LINE`` as (file shown from the working folder, line)."""
    name, _, line = where.rpartition(":")
    return shown_path((root / name) if root is not None else Path(name)), int(line)


_FIX_SENTENCE = ("split that sentence into short ones and swap its long words for everyday words; "
                 "see `handbook readability`")


def unreadable_pages(root: Path) -> list[Problem]:
    """A problem for each book page that is not UTF-8 text, at the line of its first bad byte."""
    found = []
    for page in sorted((root / "book").rglob("*.md")):
        raw = page.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            found.append(Problem(page.relative_to(root), raw[: exc.start].count(b"\n") + 1, "",
                                 f"the page is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                                 "save the page as UTF-8 in your editor (often under Save As, Encoding)"))
    return found


def problems(library: Library, book: Path | None = None) -> list[Problem]:
    """Readability failures as content problems: file, line, field, score, the hardest sentence, how to fix."""
    root = book if book is not None else find_book()
    place = _Locator(library, root)
    found: list[Problem] = unreadable_pages(root) if root is not None else []
    for score in scores(library, root):
        if score.passes:
            continue
        hardest = hardest_sentence([(score.where, score.text)])
        said = f"; {hardest.described()}" if hardest else ""
        readers = "victims" if score.reader == "victim" else "officers"
        if score.kind == BOOK_KIND:
            file, line = _book_place(root, score.where)
            found.append(Problem(file, line, "What to say",
                                 f"“{score.text[:60]}” reads at grade {score.flesch_kincaid:g} "
                                 f"(Flesch-Kincaid); words said to a victim must be at grade "
                                 f"{score.limit:g} or below{said}", _FIX_SENTENCE))
            continue
        file, line = place.of(score.kind, score.where)
        found.append(Problem(file, line, score.where,
                             f"reads at grade {score.flesch_kincaid:g} (Flesch-Kincaid); text for {readers} must "
                             f"be at grade {score.limit:g} or below{said}", _FIX_SENTENCE))
    found.extend(_passage_problems(library, root, place))
    return found


def _passage_problems(library: Library, root: Path | None, place: _Locator) -> list[Problem]:
    """A problem for each passage above its level, at its hardest sentence."""
    found: list[Problem] = []
    grouped = passage_texts(library, root)
    for passage in passages(library, root):
        if passage.passes:
            continue
        hardest = hardest_sentence(grouped[(passage.kind, passage.obj_id, passage.field, passage.reader)])
        where = hardest.where if hardest else passage.first
        file, line = place.of(passage.kind, where) if passage.kind != BOOK_KIND else _book_place(root, where)
        said = f"; {hardest.described()} ({_shown_where(hardest.where)})" if hardest else ""
        found.append(Problem(file, line, f"{passage.obj_id} ({passage.field} texts)",
                             f"the {passage.field} texts read at grade {passage.flesch_kincaid:g} "
                             f"(Flesch-Kincaid) and {passage.coleman_liau:g} (Coleman-Liau); the limit "
                             f"is {passage.limit:g}{said}", _FIX_SENTENCE))
    return found


def _shown_where(where: str) -> str:
    """Where a text is, for a message: a book page's ``file:line``, or the field path."""
    return f"at {where}" if ":" in where else f"in {where}"


class _Locator:
    """The file and line of a text of the library, reading each file's line map once."""

    def __init__(self, library: Library, root: Path | None) -> None:
        self.library, self.root = library, root
        self.docs: dict[tuple[str, str], YamlDocument | None] = {}

    def of(self, kind: str, where: str) -> tuple[Path | None, int | None]:
        obj_id, _, path = where.partition(".")
        file = self.library.files.get((kind, obj_id))
        if file is None:
            return None, None
        if (kind, obj_id) not in self.docs:
            self.docs[(kind, obj_id)] = read_yaml(file)[0]
        doc = self.docs[(kind, obj_id)]
        return shown_path(file), doc.line_for(_key(path)) if doc else None
