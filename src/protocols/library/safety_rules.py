"""Unsafe guidance: words no officer should say to a victim, caught by ``handbook validate``.

The rules are data, so trainers can add to them without code. A rules file holds a ``rules:``
list; each rule has an ``id``, a ``pattern`` (a regular expression, matched ignoring case), ``why``
the words are unsafe and ``instead`` (what to say), and may have ``allow`` patterns for safe
phrasings the pattern would otherwise catch, ``unsafe_examples`` / ``safe_examples`` that the rule
must catch / pass when it is read, and a ``language`` (default ``en``): a rule reads only texts in
its language (``protocols.library.spoken_fields.text_language``; ``es`` also reads ``es-MX``).

An ``allow`` pattern is matched within the caught words' own clause only, so "I can't keep what you
tell me secret, but this stays between us." is still caught: a clause ends at ``. ? ! ; :``, at a
dash, and at a comma before *but*, *and*, *though*, *although*, *yet* or *so*. A match that lies
inside an ``allow`` match of its clause is not reported.

The rules file lives with the content: ``safety-rules.yaml`` in the content folder being
validated (the shipped ``content/safety-rules.yaml`` for the shipped content, and for a folder
that has none). An agency adds rules in its overlay's ``safety-rules/`` folder; those add to the
content's rules and cannot switch off or replace any of them (an id used twice is an error).
The text the rules read is listed in ``protocols.library.spoken_fields``.
Typographic apostrophes in the content are read as ``'``, so a pattern needs only the plain one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints, ValidationError

from protocols.library.agency import read_overlay
from protocols.library.errors import Problem
from protocols.library.positions import position_words
from protocols.library.spoken_fields import DEFAULT_LANGUAGE, spoken_texts, text_language
from protocols.library.unique_ids import document_locator, repeated_id_problems
from protocols.library.validation import problems_from
from protocols.library.yamlsource import Key, YamlDocument, dotted, read_yaml, shown_path
from protocols.models import CONTENT_KINDS, LanguageCode, Slug, Strict, Text

if TYPE_CHECKING:
    from protocols.library.checks import Where
    from protocols.library.container import Library

RULES_FILE = "safety-rules.yaml"
SHIPPED_RULES = Path(__file__).parents[1] / "content" / RULES_FILE
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_SAMPLE = "Say it, and say it again. 24/7."
"""A pattern that matches nothing visible here (only a position) would match anywhere."""
_CLAUSE_END = re.compile(r"[.?!;:]|,\s*(?:but|and|though|although|yet|so)\b|\s-+\s|--|[\u2013\u2014]",
                         re.IGNORECASE)
"""Where a clause ends: an ``allow`` pattern never reaches past one into the caught words' clause."""
_REGEX_FIX = ("check the brackets `( )` and `[ ]` and what stands before `? * +`; to match one of "
              "`( ) [ ] { } . ? * + | \\ ^ $` as itself, put a backslash before it")


class SafetyRule(Strict):
    """One rule: words to catch in spoken text, why they are unsafe, and what to say instead."""

    id: Slug
    pattern: Pattern
    why: Text
    instead: Text
    allow: list[Pattern] = Field(default_factory=list)
    unsafe_examples: list[Text] = Field(default_factory=list)
    safe_examples: list[Text] = Field(default_factory=list)
    language: LanguageCode = DEFAULT_LANGUAGE


class SafetyRuleFile(Strict):
    """A rules file: ``rules:`` and a list of rules."""

    rules: list[SafetyRule] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """A rule read and compiled, with the file and line that wrote it."""

    id: str
    why: str
    instead: str
    pattern: re.Pattern[str]
    allow: tuple[re.Pattern[str], ...]
    file: Path
    line: int | None
    language: str = DEFAULT_LANGUAGE

    def reads(self, language: str) -> bool:
        """Whether this rule reads text in ``language`` (a rule for ``es`` reads ``es-MX`` too)."""
        return language == self.language or language.startswith(f"{self.language}-")

    def find(self, text: str) -> str | None:
        """The first words of ``text`` this rule catches (outside every ``allow`` match of their clause)."""
        plain = text.translate(_APOSTROPHES)
        for match in self.pattern.finditer(plain):
            start, end = match.span()
            if end > start and not self._allowed(plain, start, end):
                return text[start:end]
        return None

    def _allowed(self, text: str, start: int, end: int) -> bool:
        """Whether an ``allow`` match within the clause of ``text[start:end]`` covers those words."""
        if not self.allow:
            return False
        ends = [m.span() for m in _CLAUSE_END.finditer(text)]  # an end inside the words is not one
        begin = max((b for a, b in ends if b <= start), default=0)
        clause = text[begin:min((a for a, b in ends if a >= end), default=len(text))]
        return any(a <= start - begin and end - begin <= b
                   for allow in self.allow for a, b in (m.span() for m in allow.finditer(clause)))


def rule_files(content_dir: Path, agency_files: Sequence[Path] = ()) -> list[Path]:
    """The rules files that apply: the content folder's (else the shipped one), then the agency's."""
    own = content_dir / RULES_FILE
    return [own if own.is_file() else SHIPPED_RULES, *agency_files]


def read_rules(files: Sequence[Path]) -> tuple[list[Rule], list[Problem]]:
    """Every rule in ``files`` that is sound, and a problem for each fault in them."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    written: list[tuple[SafetyRule, Rule, Path, YamlDocument, int]] = []
    for file in files:
        shown = shown_path(file)
        doc, read_problems = read_yaml(file, shown)
        problems.extend(read_problems)
        if doc is None:
            continue
        try:
            ruleset = SafetyRuleFile.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(problems_from(exc, SafetyRuleFile, doc, shown, ""))
            continue
        problems.extend(repeated_id_problems(ruleset, "", document_locator(shown, doc)))
        for index, rule in enumerate(ruleset.rules):
            compiled = _compile(rule, index, shown, doc, problems)
            if compiled is None:
                continue
            earlier = next((r for r in rules if r.id == rule.id), None)
            if earlier is not None and earlier.file != shown:
                problems.append(Problem(shown, doc.line_for(("rules", index, "id")), f"rules[{index}].id",
                                        f"the rule id `{rule.id}` is already used by {earlier.file}:{earlier.line}",
                                        "give the rule a new id; a rules file adds rules, it cannot replace one"))
                continue
            rules.append(compiled)
            written.append((rule, compiled, shown, doc, index))
    for rule, compiled, shown, doc, index in written:
        problems.extend(_example_problems(rule, compiled, shown, doc, index))
        for other in (r for r in rules if r.reads(compiled.language)):
            words = other.find(rule.instead)
            if words is not None:
                problems.append(Problem(shown, doc.line_for(("rules", index, "instead")), f"rules[{index}].instead",
                                        f'the suggested wording trips the rule `{other.id}` ("{words}")',
                                        "reword `instead` so that it follows every rule"))
    return rules, problems


def _compile(rule: SafetyRule, index: int, file: Path, doc: YamlDocument,
             problems: list[Problem]) -> Rule | None:
    """The compiled rule, or None with a problem for each pattern that cannot be used."""
    pattern = _pattern(rule.pattern, ("rules", index, "pattern"), file, doc, problems)
    allow = [_pattern(text, ("rules", index, "allow", a_index), file, doc, problems)
             for a_index, text in enumerate(rule.allow)]
    if pattern is None or None in allow:
        return None
    return Rule(rule.id, rule.why, rule.instead, pattern, tuple(a for a in allow if a is not None), file,
                doc.line_for(("rules", index, "id")), rule.language)


def _pattern(text: str, path: Key, file: Path, doc: YamlDocument, problems: list[Problem]) -> re.Pattern[str] | None:
    def problem(message: str, fix: str) -> None:
        problems.append(Problem(file, doc.line_for(path), dotted("", path), message, fix))

    if "\n" in text:
        problem("the pattern runs over more than one line", "write the whole pattern on one line")
        return None
    if any(ord(char) < 32 for char in text):
        problem("the pattern holds a control character: in double quotes YAML turns `\\b` into one",
                "put the pattern in single quotes, e.g. '\\bI promise\\b' (write an apostrophe twice: 'won''t')")
        return None
    try:
        compiled = re.compile(text, re.IGNORECASE)
    except re.error as exc:
        where = f", at character {exc.pos + 1}" if exc.pos is not None else ""
        problem(f"`{text}` is not a valid regular expression: {exc.msg}{where}", _REGEX_FIX)
        return None
    if compiled.search("") is not None or any(m.end() == m.start() for m in compiled.finditer(_SAMPLE)):
        problem(f"`{text}` can match without any words, so it would match every text",
                "make at least one word required: check for a `?`, `*` or an empty `|` alternative")
        return None
    return compiled


def _example_problems(rule: SafetyRule, compiled: Rule, file: Path, doc: YamlDocument,
                      index: int) -> Iterator[Problem]:
    for e_index, example in enumerate(rule.unsafe_examples):
        if compiled.find(example) is None:
            path: Key = ("rules", index, "unsafe_examples", e_index)
            yield Problem(file, doc.line_for(path), dotted("", path),
                          f'the rule `{rule.id}` does not catch its own unsafe example "{example}"',
                          "widen the pattern, or narrow the `allow` pattern that covers this example")
    for e_index, example in enumerate(rule.safe_examples):
        words = compiled.find(example)
        if words is not None:
            path = ("rules", index, "safe_examples", e_index)
            yield Problem(file, doc.line_for(path), dotted("", path),
                          f'the rule `{rule.id}` catches "{words}" in its own safe example',
                          "narrow the pattern, or add an `allow` pattern for this safe wording")


def findings(rules: Sequence[Rule], text: str) -> list[tuple[Rule, str]]:
    """(rule, words caught) for each rule that ``text`` breaks."""
    return [(rule, words) for rule in rules if (words := rule.find(text)) is not None]


def unsafe_texts(library: Library, rules: Sequence[Rule]) -> Iterator[tuple[str, str, Key, Rule, str]]:
    """(kind, id, field path, rule, words caught) for each spoken text that breaks a rule of its language."""
    for kind in CONTENT_KINDS:
        for obj_id, obj in getattr(library, kind).items():
            language = text_language(obj)
            own = [rule for rule in rules if rule.reads(language)]
            for path, text in spoken_texts(obj):
                for rule, words in findings(own, text):
                    yield kind, obj_id, path, rule, words


def safety_problems(library: Library, where: Where, files: Sequence[Path]) -> list[Problem]:
    """Problems in the rules ``files``, then each spoken text of the library that breaks a rule."""
    rules, problems = read_rules(files)
    for kind, obj_id, path, rule, words in unsafe_texts(library, rules):
        file, line, shown = where(kind, obj_id, path)
        place = position_words(path)
        problems.append(Problem(
            file, line, dotted(obj_id, shown),
            f'unsafe wording "{words}" ({f"{place}; " if place else ""}rule `{rule.id}` in '
            f"{rule.file}): {rule.why}", rule.instead))
    return problems


def unread_languages(library: Library, agency: Path | None = None) -> list[Problem]:
    """A warning for each document whose spoken text is in a language no rule reads (never an error).

    Call it once ``load_library(library.content_dir, agency)`` has succeeded: the rules are then sound.
    """
    rules, _ = read_rules(rule_files(library.content_dir, read_overlay(agency).safety_rules if agency else ()))
    warnings = []
    for kind in CONTENT_KINDS:
        for obj_id, obj in getattr(library, kind).items():
            language, count = text_language(obj), sum(1 for _ in spoken_texts(obj))
            if count and not any(rule.reads(language) for rule in rules):
                warnings.append(Problem(
                    shown_path(library.files[(kind, obj_id)]), None, f"{obj_id}.language",
                    f"no safety rule reads `{language}` text, so the {count} texts a victim hears or reads "
                    "here are not checked for unsafe wording",
                    f"have the translator's review check them, or add rules with `language: {language}` to "
                    f"{RULES_FILE}"))
    return warnings
