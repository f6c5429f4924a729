"""The case-number form refuses a name and follows the agency's format, showing its example."""

from __future__ import annotations

import pytest

from protocols.engine.answers import DEFAULT_CASE_NUMBER_FORMAT, CaseNumberFormat
from protocols.ui.frame import CaseForm, StatusLine

RIVER_CITY = CaseNumberFormat(pattern=r"^RC\d{4}-\d{6}$", example="RC2026-004512")


def _submit(value: str, case_format: CaseNumberFormat = DEFAULT_CASE_NUMBER_FORMAT) -> tuple[list[str], str]:
    started: list[str] = []
    status = StatusLine()
    form = CaseForm(started.append, status, case_format)
    form.text.value = value
    form.submit()
    return started, status.text.value


@pytest.mark.parametrize("name", ["Gonzalez", "maria_gonzalez", "Jane-Doe"])
def test_a_name_is_refused_with_the_example(name: str) -> None:
    started, shown = _submit(name)
    assert started == []
    assert "for example 2026-004512" in shown and "Do not enter a name" in shown


def test_a_number_starts_the_case() -> None:
    assert _submit(" 26-0001 ")[0] == ["26-0001"]


def test_the_agency_format_is_required_and_shown() -> None:
    started, shown = _submit("26-0001", RIVER_CITY)
    assert started == [] and "for example RC2026-004512" in shown
    assert _submit("RC2026-004512", RIVER_CITY)[0] == ["RC2026-004512"]
    form = CaseForm(lambda _n: None, StatusLine(), RIVER_CITY)
    assert form.text.placeholder == "e.g. RC2026-004512"
    assert "hb-case-number" in form.text._dom_classes
