"""A case number an officer types: never a name, at most 40 characters, messages as sentences."""

from __future__ import annotations

from typing import Any

import pytest

from protocols.engine import AnswerError, check_case_number
from protocols.engine.answers import CaseNumberFormat, check_entered_case_number

AS_WRITTEN = ("Enter the case number as your agency writes it, for example 2026-004512. "
              "Do not enter a name.")


@pytest.mark.parametrize("typed", ["Gonzalez", "maria_gonzalez", "Jane-Doe", "", "  ", "smith/john"])
def test_a_name_is_refused_with_the_example(typed: str) -> None:
    with pytest.raises(AnswerError) as caught:
        check_entered_case_number(typed)
    assert str(caught.value) == AS_WRITTEN


@pytest.mark.parametrize("typed", ["26-0001", "CAD/2024/77", "W-1", " 2026-004512 ", "9" * 40])
def test_a_number_with_a_digit_is_taken_as_typed(typed: str) -> None:
    assert check_entered_case_number(typed) == typed.strip()


def test_the_length_limit_stays_at_40_and_says_so() -> None:
    with pytest.raises(AnswerError) as caught:
        check_entered_case_number("9" * 41)
    assert str(caught.value) == f"Shorten the case number to 40 characters or fewer; it has 41. {AS_WRITTEN}"


def test_an_agency_format_and_its_example() -> None:
    fmt = CaseNumberFormat(pattern=r"\d{2}-\d{5,6}", example="26-012345")  # anchors are not needed
    assert check_entered_case_number("26-012345", fmt) == "26-012345"
    with pytest.raises(AnswerError, match="for example 26-012345"):
        check_entered_case_number("x26-012345", fmt)


@pytest.mark.parametrize("given", ["", "Jane Doe", "9" * 41, "a;b", None, 12345])
def test_case_number_messages_are_sentences_without_code_marks(given: Any) -> None:
    with pytest.raises(AnswerError) as caught:
        check_case_number(given)
    message = str(caught.value)
    assert message[0].isupper() and message.endswith(".") and "`" not in message
    assert "case number" in message  # a session-label check swaps these words for its own
