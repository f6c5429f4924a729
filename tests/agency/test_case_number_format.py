"""An agency profile sets how its case numbers look; a bad format is refused on its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from protocols.engine import AnswerError
from protocols.engine.answers import DEFAULT_CASE_NUMBER_FORMAT, check_entered_case_number
from protocols.library.errors import ContentError
from protocols.library.loader import load_library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "agencies" / "sample-county" / "agency.yaml"
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    target = tmp_path / "sample-county"
    shutil.copytree(SAMPLE.parent, target)
    return target / "agency.yaml"


def _problems(profile: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_library(agency=profile)
    return "\n".join(map(str, caught.value.problems))


def _set_format(profile: Path, pattern: str, example: str) -> int:
    """Write a case-number format into the profile; return the pattern's line."""
    lines = [line for line in profile.read_text(encoding="utf-8").splitlines()
             if not line.startswith(("case_number:", "  pattern:", "  example:"))]
    lines += ["case_number:", f"  pattern: '{pattern}'", f"  example: {example}"]
    profile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def test_both_sample_agencies_set_a_format_their_example_fits() -> None:
    for file in (SAMPLE, RIVER):
        agency = load_library(agency=file).agency
        assert agency is not None and agency.case_number != DEFAULT_CASE_NUMBER_FORMAT
        fmt = agency.case_number
        assert check_entered_case_number(fmt.example, fmt) == fmt.example
        with pytest.raises(AnswerError, match=f"for example {fmt.example}"):
            check_entered_case_number("Gonzalez", fmt)


def test_the_agency_format_is_applied_to_what_an_officer_types() -> None:
    agency = load_library(agency=SAMPLE).agency
    assert agency is not None
    fmt = agency.case_number
    assert check_entered_case_number(" 26-012345 ", fmt) == "26-012345"
    assert check_entered_case_number("26-DV-0412", fmt) == "26-DV-0412"
    for typed in ("2026-004512", "DV-0001", "maria_gonzalez", "26 012345"):
        with pytest.raises(AnswerError) as caught:
            check_entered_case_number(typed, fmt)
        assert str(caught.value) == ("Enter the case number as your agency writes it, for example "
                                     "26-012345. Do not enter a name.")


def test_a_pattern_that_does_not_compile_is_refused_on_its_line(profile: Path) -> None:
    line = _set_format(profile, r"^\d{2}-(\d{5,6}$", "26-012345")
    message = _problems(profile)
    assert f"agency.yaml:{line}: agency.case_number.pattern: the pattern is not a valid regular " \
        "expression: missing ), unterminated subpattern at position 8" in message
    assert "fix: write a Python regular expression" in message


def test_an_example_that_does_not_fit_its_pattern_is_refused(profile: Path) -> None:
    line = _set_format(profile, r"^\d{2}-\d{5,6}$", "26-0001")
    assert f"agency.yaml:{line + 1}: agency.case_number.example: the example `26-0001` does not " \
        "match the pattern" in _problems(profile)
    _set_format(profile, r"^.*$", "Jane Doe")
    assert "the example is not a usable case number" in _problems(profile)


def test_a_profile_without_a_format_needs_a_digit(profile: Path) -> None:
    lines = [line for line in profile.read_text(encoding="utf-8").splitlines()
             if not line.startswith(("case_number:", "  pattern:", "  example:"))]
    profile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    agency = load_library(agency=profile).agency
    assert agency is not None and agency.case_number == DEFAULT_CASE_NUMBER_FORMAT
