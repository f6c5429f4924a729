"""Check values that arrive from a browser before they reach a run's state.

Every function here treats its input as untrusted: any type may arrive. A bad
value raises :class:`AnswerError` with a message that says what is wrong and
how to fix it. Messages never repeat free text (it may hold personal details
and error messages end up in logs); ids and numbers may be quoted, shortened.

Free text is stored as given: escaping it is the renderer's job.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated

from pydantic import StringConstraints, model_validator

from protocols.engine.errors import AnswerError
from protocols.models import Strict, ValueSpec, ValueType, rule_broken

MAX_TEXT_LENGTH = 2000
"""Hard cap on any free text, whatever an item's ``max_length`` says."""
MAX_REASON_LENGTH = 500
"""Cap on a reason (not applicable, officer belief, reopening, closing a plan)."""
MAX_NOTE_LENGTH = 1000
"""Cap on a follow-up note."""
MAX_NUMBER = 1e12
"""Numbers larger than this (either sign) are refused as typing mistakes."""
MAX_ID_LENGTH = 64

MAX_CASE_NUMBER_LENGTH = 40
CASE_NUMBER_RE = r"^[A-Za-z0-9/_-]{1,40}$"
CaseNumber = Annotated[str, StringConstraints(pattern=CASE_NUMBER_RE)]
"""An incident or case number: 1-40 letters, digits, ``-``, ``/`` or ``_``. Never a name."""
MAX_PATTERN_LENGTH = 200

StoredValue = str | int | float | tuple[str, ...]
"""What a run keeps for an answered item: yes-no/time/text/single choice as text,
numbers as numbers, multiple choices as a tuple of choice ids."""

_CASE_NUMBER = re.compile(CASE_NUMBER_RE)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_NUMBER_TEXT = re.compile(r"^[+-]?\d{1,13}(\.\d{1,12})?$")
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CHAR_NAMES = {"\r": "a carriage return", "\x00": "a null character", "\x1b": "an escape character"}


def _shortened(value: object, limit: int) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = _FORBIDDEN.sub("?", text)
    return text[: limit - 1] + "…" if len(text) > limit else text


def quote(value: object, limit: int = 30) -> str:
    """A short, safe rendering of an id-like value for a developer-facing message: ```id```."""
    return f"`{_shortened(value, limit)}`"


def named(value: object, limit: int = 30) -> str:
    """A short, safe rendering of an id-like value for a message a user reads: ``“id”``."""
    return f"“{_shortened(value, limit)}”"


def sentence(text: str) -> str:
    """A message as a sentence: a capital first letter and a full stop (what users read)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else f"{text}."


def clipped(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (a prompt quoted in a message)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    """``"1 item"``, ``"2 items"``: a count with its noun (``many`` for an irregular plural)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def check_id(value: object, what: str) -> str:
    """An id from the browser (item, question, choice …): text of at most 64 characters."""
    if not isinstance(value, str):
        raise AnswerError(sentence(f"{what} must be given as text, not {_type_name(value)}"))
    if not value or len(value) > MAX_ID_LENGTH:
        raise AnswerError(sentence(f"{what} must be 1-{MAX_ID_LENGTH} characters long"))
    return value


def check_case_number(value: object, what: str = "case number") -> str:
    """A case or incident number: 1-40 letters, digits, ``-``, ``/`` or ``_``.

    The characters and the length only; :func:`check_entered_case_number` also applies the
    agency's format to a number an officer types. ``what`` names the value in messages (a
    training play-through is filed under a "session label" that follows the same rules).
    """
    if not isinstance(value, str):
        raise AnswerError(f"Give the {what} as text, not {_type_name(value)}.")
    stripped = value.strip()
    if not stripped:
        raise AnswerError(f"Enter the {what}. Do not enter a name.")
    if len(stripped) > MAX_CASE_NUMBER_LENGTH:
        raise AnswerError(
            f"Shorten the {what} to {MAX_CASE_NUMBER_LENGTH} characters or fewer; it has "
            f"{len(stripped)}."
        )
    if not _CASE_NUMBER.match(stripped):
        raise AnswerError(
            f"Use only letters, digits, -, / and _ in the {what}, with no spaces. Do not "
            "enter a name."
        )
    return stripped


class CaseNumberFormat(Strict):
    """How an agency writes its case numbers: a regular expression and an example of it.

    A number must match the whole ``pattern`` (``^`` and ``$`` are allowed but not needed), on
    top of the rules every case number keeps: 1-40 letters, digits, ``-``, ``/`` or ``_``.
    """

    pattern: str
    """A regular expression (Python syntax), e.g. ``^\\d{2}-\\d{5,6}$``."""
    example: str
    """A case number in this format, shown to officers, e.g. ``26-012345``."""

    @model_validator(mode="after")
    def _pattern_works(self) -> CaseNumberFormat:
        if len(self.pattern) > MAX_PATTERN_LENGTH:
            raise rule_broken("CaseNumberFormat", ("pattern",),
                              f"the pattern is {len(self.pattern)} characters long; the limit is "
                              f"{MAX_PATTERN_LENGTH}", "write a shorter pattern", self.pattern)
        try:
            compiled = re.compile(self.pattern)
        except re.error as exc:
            where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
            raise rule_broken("CaseNumberFormat", ("pattern",),
                              f"the pattern is not a valid regular expression: {exc.msg}{where}",
                              "write a Python regular expression; in YAML put it in single "
                              "quotes, e.g. '^\\d{2}-\\d{5,6}$'", self.pattern) from None
        try:
            example = check_case_number(self.example)
        except AnswerError:
            raise rule_broken("CaseNumberFormat", ("example",),
                              "the example is not a usable case number",
                              f"use 1-{MAX_CASE_NUMBER_LENGTH} letters, digits, `-`, `/` or `_`, "
                              "e.g. 26-012345", self.example) from None
        if compiled.fullmatch(example) is None:
            raise rule_broken("CaseNumberFormat", ("example",),
                              f"the example `{example}` does not match the pattern",
                              "change the example or the pattern so that they agree", self.example)
        return self

    def matches(self, number: str) -> bool:
        return re.fullmatch(self.pattern, number) is not None


DEFAULT_CASE_NUMBER_FORMAT = CaseNumberFormat(pattern=r".*[0-9].*", example="2026-004512")
"""Without an agency format: any case number with at least one digit (a name has none)."""


def check_entered_case_number(value: object,
                              case_format: CaseNumberFormat | None = None) -> str:
    """A case number an officer typed: :func:`check_case_number`, then the agency's format.

    ``case_format`` is the agency profile's ``case_number``; without one, the number needs at
    least one digit (:data:`DEFAULT_CASE_NUMBER_FORMAT`). Each message shows the example.
    """
    fmt = case_format or DEFAULT_CASE_NUMBER_FORMAT
    as_written = (f"Enter the case number as your agency writes it, for example {fmt.example}. "
                  "Do not enter a name.")
    try:
        number = check_case_number(value)
    except AnswerError as exc:
        blank = isinstance(value, str) and not value.strip()
        if blank:
            raise AnswerError(as_written) from None
        too_long = isinstance(value, str) and len(value.strip()) > MAX_CASE_NUMBER_LENGTH
        raise AnswerError(f"{exc} {as_written}" if too_long else as_written) from None
    if not fmt.matches(number):
        raise AnswerError(as_written)
    return number


def _check_characters(value: str, what: str) -> None:
    match = _FORBIDDEN.search(value)
    if match is not None:
        char = match.group()
        name = _CHAR_NAMES.get(char, f"an invisible control character (U+{ord(char):04X})")
        raise AnswerError(
            f"There is {name} at position {match.start() + 1} of {what}. Remove it: control "
            "characters are not allowed, but line breaks and tabs are fine."
        )


def check_text(
    value: object, what: str, *, max_length: int = MAX_TEXT_LENGTH, required: bool = True
) -> str:
    """Free text: a string, not blank, within ``max_length``, without control characters.

    Returned unchanged: text is stored as given.
    """
    limit = min(max_length, MAX_TEXT_LENGTH)
    if not isinstance(value, str):
        raise AnswerError(sentence(f"{what} must be text, not {_type_name(value)}"))
    if len(value) > limit:
        raise AnswerError(
            sentence(f"{what} is {len(value):,} characters long; the limit is {limit:,}. Shorten it")
        )
    if required and not value.strip():
        raise AnswerError(sentence(f"{what} is empty; write something"))
    _check_characters(value, what)
    return value


def check_reason(value: object, what: str = "the reason") -> str:
    """A reason a user must give: non-empty, at most 500 characters."""
    if value is None:
        raise AnswerError(sentence(f"{what} is missing; say why in a few words"))
    return check_text(value, what, max_length=MAX_REASON_LENGTH)


def _check_yes_no(value: object, what: str) -> str:
    if isinstance(value, str) and len(value) <= 10:
        answer = value.strip().lower()
        if answer in ("yes", "no"):
            return answer
    raise AnswerError(sentence(f'{what} takes "yes" or "no"; got {_type_name(value)}'))


def _check_choice(spec: ValueSpec, value: object, what: str) -> str | tuple[str, ...]:
    choices = spec.choices or []
    ids = [c.id for c in choices]
    listed = ", ".join(ids)
    if not spec.multiple:
        if not isinstance(value, str):
            raise AnswerError(sentence(
                f"{what} takes one choice id as text, not {_type_name(value)}; choose one of: "
                f"{listed}"
            ))
        if value not in ids:
            raise AnswerError(f"{named(value)} is not a choice for {what}; choose one of: {listed}.")
        return value
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise AnswerError(sentence(
            f"{what} takes a list of choice ids, not {_type_name(value)}; choose from: {listed}"
        ))
    if not value:
        raise AnswerError(
            f"No choice was picked for {what}; pick at least one, or mark it not applicable."
        )
    if len(value) > len(ids):
        raise AnswerError(sentence(f"{what} has only {len(ids)} choices; {len(value)} were given"))
    picked: list[str] = []
    for entry in value:
        if not isinstance(entry, str):
            raise AnswerError(
                f"Each choice for {what} must be a choice id (text); choose from: {listed}."
            )
        if entry not in ids:
            raise AnswerError(f"{named(entry)} is not a choice for {what}; choose from: {listed}.")
        if entry in picked:
            raise AnswerError(f"{named(entry)} was picked twice for {what}. Pick each choice once.")
        picked.append(entry)
    return tuple(i for i in ids if i in picked)


def _check_time(value: object, what: str) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if not isinstance(value, str):
        raise AnswerError(sentence(
            f'{what} takes a time as text such as "21:14" (24-hour), not {_type_name(value)}'
        ))
    text = value.strip()
    if len(text) <= 40:
        hhmm = _HHMM.match(text)
        if hhmm is not None:
            return f"{int(hhmm.group(1)):02d}:{hhmm.group(2)}"
        if _ISO_DATETIME.match(text):
            try:
                return dt.datetime.fromisoformat(text).isoformat()
            except (ValueError, OverflowError):
                pass
    raise AnswerError(sentence(
        f'{what} takes a 24-hour time such as "21:14" (or a full date and time such as '
        '"2024-05-01T21:14"); check the hours (00-23) and minutes (00-59)'
    ))


def _check_number(spec: ValueSpec, value: object, what: str) -> int | float:
    number: int | float
    if isinstance(value, bool):
        raise AnswerError(sentence(f"{what} takes a number; got true/false. Type the number"))
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and len(value) <= 40 and _NUMBER_TEXT.match(value.strip()):
        text = value.strip()
        number = float(text) if "." in text else int(text)
    else:
        raise AnswerError(sentence(f"{what} takes a number such as 3 or 2.5; got {_type_name(value)}"))
    if isinstance(number, float) and not math.isfinite(number):
        raise AnswerError(sentence(f"{what} takes an ordinary number; infinity and not-a-number are refused"))
    if abs(number) > MAX_NUMBER:
        raise AnswerError(sentence(f"{what} is too large; check the number you typed"))
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.min is not None and number < spec.min:
        raise AnswerError(sentence(f"{what} must be at least {_fmt_number(spec.min)}{unit}"))
    if spec.max is not None and number > spec.max:
        raise AnswerError(sentence(f"{what} must be at most {_fmt_number(spec.max)}{unit}"))
    return number


def check_value(spec: ValueSpec, value: object, what: str = "this item") -> StoredValue:
    """Check ``value`` against ``spec`` and return what the run should store.

    - yes-no: ``"yes"`` or ``"no"`` (case and surrounding spaces ignored), stored lower-case.
    - choice: a choice id; with ``multiple``, a list of ids (stored in the spec's order).
    - time: ``"HH:MM"`` 24-hour (stored zero-padded) or an ISO date and time.
    - number: an int or float (not a bool, NaN or infinity) or a plain decimal string,
      within ``min``/``max`` and within ±10^12.
    - text: a non-blank string within ``max_length`` (and the hard cap), without control
      characters other than line breaks and tabs; stored as given.
    """
    if spec.type is ValueType.YES_NO:
        return _check_yes_no(value, what)
    if spec.type is ValueType.CHOICE:
        return _check_choice(spec, value, what)
    if spec.type is ValueType.TIME:
        return _check_time(value, what)
    if spec.type is ValueType.NUMBER:
        return _check_number(spec, value, what)
    return check_text(value, what, max_length=spec.max_length)


def _fmt_number(number: float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def display_value(spec: ValueSpec, value: StoredValue) -> str:
    """How a stored value reads to a person: choice labels, numbers with their unit."""
    if spec.type is ValueType.CHOICE:
        labels = {c.id: c.label for c in spec.choices or []}
        ids = value if isinstance(value, tuple) else (str(value),)
        return "; ".join(labels.get(i, i) for i in ids)
    if spec.type is ValueType.YES_NO and value in ("yes", "no"):
        return "Yes" if value == "yes" else "No"  # as the button the officer pressed reads
    if spec.type is ValueType.NUMBER and isinstance(value, int | float):
        unit = f" {spec.unit}" if spec.unit else ""
        return f"{_fmt_number(value)}{unit}"
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)
