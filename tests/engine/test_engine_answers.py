"""Value checks: every value type, its wrong types and its edges."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from engine_content import CHOICE, MULTI, NUMBER, TEXT

from protocols.engine import AnswerError, EngineError, check_case_number, check_value
from protocols.engine.answers import (
    MAX_TEXT_LENGTH,
    check_reason,
    check_text,
    display_value,
)
from protocols.models import ValueSpec

YES_NO = ValueSpec(type="yes-no")
TIME = ValueSpec(type="time")
TEXT_SPEC = ValueSpec.model_validate(TEXT)
NUMBER_SPEC = ValueSpec.model_validate(NUMBER)
CHOICE_SPEC = ValueSpec.model_validate(CHOICE)
MULTI_SPEC = ValueSpec.model_validate(MULTI)


def test_answer_error_is_an_engine_error_and_a_value_error() -> None:
    assert issubclass(AnswerError, EngineError)
    assert issubclass(EngineError, ValueError)


# --------------------------------------------------------------------------- yes-no


@pytest.mark.parametrize(("given", "stored"), [("yes", "yes"), ("no", "no"), (" Yes ", "yes")])
def test_yes_no_accepts_yes_and_no(given: str, stored: str) -> None:
    assert check_value(YES_NO, given) == stored


@pytest.mark.parametrize("given", [True, False, 1, 0, None, "y", "true", "", ["yes"], {"a": 1}])
def test_yes_no_refuses_anything_else(given: Any) -> None:
    with pytest.raises(AnswerError, match='"yes" or "no"'):
        check_value(YES_NO, given)


# --------------------------------------------------------------------------- choice


def test_single_choice_accepts_a_listed_id() -> None:
    assert check_value(CHOICE_SPEC, "read") == "read"


def test_choice_not_in_list_names_the_choices() -> None:
    with pytest.raises(AnswerError, match="choose one of: handed, read"):
        check_value(CHOICE_SPEC, "emailed")


@pytest.mark.parametrize("given", [1, None, True, ["read"], {"read"}])
def test_single_choice_refuses_wrong_types(given: Any) -> None:
    with pytest.raises(AnswerError):
        check_value(CHOICE_SPEC, given)


def test_multiple_choice_stores_ids_in_the_listed_order() -> None:
    assert check_value(MULTI_SPEC, ["email", "phone"]) == ("phone", "email")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("phone", "a list of choice ids"),
        ([], "pick at least one"),
        (["phone", "phone"], "picked twice"),
        (["fax"], "not a choice"),
        ([1], "must be a choice id"),
        (["phone", "text", "email", "fax"], "only 3 choices"),
        (None, "a list of choice ids"),
    ],
)
def test_multiple_choice_refusals(given: Any, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        check_value(MULTI_SPEC, given)


# --------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("21:14", "21:14"),
        ("00:00", "00:00"),
        ("23:59", "23:59"),
        ("9:05", "09:05"),
        (" 21:14 ", "21:14"),
        ("2024-05-03T21:14", "2024-05-03T21:14:00"),
        ("2024-05-03T21:14:00+00:00", "2024-05-03T21:14:00+00:00"),
        (dt.time(7, 3), "07:03"),
        (dt.datetime(2024, 5, 3, 21, 14), "2024-05-03T21:14:00"),
    ],
)
def test_time_accepts_24_hour_and_iso(given: Any, stored: str) -> None:
    assert check_value(TIME, given) == stored


@pytest.mark.parametrize(
    "given",
    ["24:00", "12:60", "9pm", "21.14", "", "2024-05-03", "2024-13-03T10:00", 2114, None, True,
     "21:14" * 100],
)
def test_time_refuses_bad_times(given: Any) -> None:
    with pytest.raises(AnswerError, match=r"24-hour|time"):
        check_value(TIME, given)


# --------------------------------------------------------------------------- number


@pytest.mark.parametrize(("given", "stored"), [(0, 0), (10, 10), (2.5, 2.5), ("3", 3), ("4.5", 4.5)])
def test_number_in_range(given: Any, stored: float) -> None:
    assert check_value(NUMBER_SPEC, given) == stored


@pytest.mark.parametrize(("given", "message"), [(-1, "at least 0"), (10.5, "at most 10 people"),
                                                (11, "at most 10")])
def test_number_out_of_range_names_the_limit(given: float, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        check_value(NUMBER_SPEC, given)


@pytest.mark.parametrize("given", [True, False])
def test_bools_are_not_numbers(given: bool) -> None:
    with pytest.raises(AnswerError, match="true/false"):
        check_value(NUMBER_SPEC, given)


@pytest.mark.parametrize("given", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(given: float) -> None:
    with pytest.raises(AnswerError, match="infinity"):
        check_value(ValueSpec(type="number"), given)


@pytest.mark.parametrize("given", ["three", "1e5", "", None, [1], {"n": 1}, 10**20, -1e13])
def test_number_refuses_non_numbers_and_huge_values(given: Any) -> None:
    with pytest.raises(AnswerError):
        check_value(ValueSpec(type="number"), given)


# --------------------------------------------------------------------------- text


def test_text_is_stored_as_given() -> None:
    given = "  <b>Victim</b> said:\n\t\"leave\" & go  "
    assert check_value(TEXT_SPEC, given) == given


@pytest.mark.parametrize("given", [None, 5, True, ["a"], b"bytes"])
def test_text_refuses_wrong_types(given: Any) -> None:
    with pytest.raises(AnswerError, match="must be text"):
        check_value(TEXT_SPEC, given)


def test_text_over_the_item_limit_is_refused() -> None:
    with pytest.raises(AnswerError, match="101 characters long; the limit is 100"):
        check_value(TEXT_SPEC, "x" * 101)
    assert check_value(TEXT_SPEC, "x" * 100) == "x" * 100


def test_ten_megabytes_of_text_is_refused_quickly() -> None:
    huge = "a" * (10 * 1024 * 1024)
    with pytest.raises(AnswerError, match="10,485,760 characters"):
        check_value(ValueSpec(type="text", max_length=2000), huge)
    with pytest.raises(AnswerError):
        check_text(huge, "the note", max_length=10**9)  # the hard cap still applies
    assert MAX_TEXT_LENGTH == 2000


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\u202e", "\ud800"])
def test_control_characters_are_refused(char: str) -> None:
    with pytest.raises(AnswerError, match="position 3"):
        check_value(TEXT_SPEC, f"ab{char}cd")


def test_line_breaks_and_tabs_are_fine() -> None:
    assert check_value(TEXT_SPEC, "a\nb\tc") == "a\nb\tc"


@pytest.mark.parametrize("given", ["", "   ", "\n\t"])
def test_blank_text_is_refused(given: str) -> None:
    with pytest.raises(AnswerError, match="empty"):
        check_value(TEXT_SPEC, given)


def test_messages_never_repeat_free_text() -> None:
    secret = "Jane Doe lives at 1 Main St\x00"
    with pytest.raises(AnswerError) as error:
        check_value(TEXT_SPEC, secret)
    assert "Jane" not in str(error.value)
    with pytest.raises(AnswerError) as error:
        check_value(TEXT_SPEC, "Jane Doe " * 50)
    assert "Jane" not in str(error.value)


# --------------------------------------------------------------------------- reasons, case numbers


def test_reason_is_required_and_capped() -> None:
    assert check_reason("No children present") == "No children present"
    for bad in (None, "", "   ", 3):
        with pytest.raises(AnswerError):
            check_reason(bad)
    with pytest.raises(AnswerError, match="limit is 500"):
        check_reason("x" * 501)
    assert check_reason("x" * 500) == "x" * 500


@pytest.mark.parametrize("given", ["24-001234", "CAD/2024/77", "a_b", "X", "9" * 40, " 24-1 "])
def test_case_numbers_accepted(given: str) -> None:
    assert check_case_number(given) == given.strip()


@pytest.mark.parametrize("given", ["", "Jane Doe", "24 001", "9" * 41, "ñ1", "a;b", None, 12345,
                                   "a\x00"])
def test_case_numbers_refused(given: Any) -> None:
    with pytest.raises(AnswerError, match="case number"):
        check_case_number(given)


# --------------------------------------------------------------------------- display


def test_display_uses_labels_and_units() -> None:
    assert display_value(CHOICE_SPEC, "read") == "Read aloud"
    assert display_value(MULTI_SPEC, ("phone", "email")) == "Phone; Email"
    assert display_value(NUMBER_SPEC, 3) == "3 people"
    assert display_value(NUMBER_SPEC, 2.5) == "2.5 people"
    assert display_value(NUMBER_SPEC, 4.0) == "4 people"
    assert display_value(YES_NO, "yes") == "Yes" and display_value(YES_NO, "no") == "No"
