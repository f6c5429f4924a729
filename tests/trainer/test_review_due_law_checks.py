"""`handbook review-due` lists a rights notice whose wording was last checked against the law too long ago.

Each right carries ``verified_on``; the check falls due after the notice's ``review_every_days``
and goes to its owner. An agency overlay's own notice follows the same rule.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import load_library
from protocols.models import RightsNotice
from protocols.trainer.maintenance import LAW_CHECK, law_checks, review_status

runner = CliRunner()

NOTICE = """\
id: county-notice-en
family: county-notice
title: Your rights in this county
jurisdiction: California
citation: "Sample Code § 10"
language: en
effective: 2026-06-01
when_to_give: At first contact.
introduction: You have rights.
version: "1.0"
revised: 2026-11-01
owner: County victim services lead
review_every_days: 90
sources: [plain-language-guidelines]
needs: [information]
delivery_methods: [handed]
rights:
  - id: be-safe
    title: Safety
    text: You have the right to be safe.
    citation: "Sample Code § 10(a)"
    verified_on: 2026-11-01
  - id: be-told
    title: Information
    text: You have the right to be told about your case.
    citation: "Sample Code § 10(b)"
{told_checked}"""


def agency(tmp_path: Path, told_checked: str) -> Path:
    """An agency profile whose overlay adds a rights notice of its own."""
    rights = tmp_path / "overlay" / "rights"
    rights.mkdir(parents=True)
    (rights / "county-notice-en.yaml").write_text(NOTICE.format(told_checked=told_checked), encoding="utf-8")
    profile = tmp_path / "agency.yaml"
    profile.write_text(textwrap.dedent("""\
        id: test-county
        name: Test County Sheriff
        short_name: Test County
        jurisdiction: California
        hotline: {label: Crisis line, phone: 555-0100}
        on_call: {label: Advocate, phone: 555-0142}
        rights_notices: [county-notice-en, ca-marsy-en]
        screening_instrument: sample-danger-screen
        resource_directory: sample-directory
        overlay: overlay
        """), encoding="utf-8")
    return profile


def test_a_stale_law_check_is_listed_with_its_rights_and_owner(tmp_path: Path) -> None:
    profile = agency(tmp_path, "    verified_on: 2025-09-01\n")
    result = runner.invoke(app, ["review-due", "--agency", str(profile), "--today", "2026-12-07",
                                 "--within", "0", "--no-ci"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "OVERDUE by 372 days    2025-11-30  law check of rights notice county-notice-en "
        "(owner: County victim services lead): rights be-told last checked against the law on 2025-09-01"]
    failing = runner.invoke(app, ["review-due", "--agency", str(profile), "--today", "2026-12-07",
                                  "--within", "0", "--ci"])
    assert failing.exit_code == 1


def test_a_fresh_law_check_falls_due_after_the_review_interval(tmp_path: Path) -> None:
    profile = agency(tmp_path, "    verified_on: 2026-11-01\n")
    checks = [s for s in review_status(load_library(agency=profile), dt.date(2026, 12, 7))
              if s.kind == LAW_CHECK and s.obj_id == "county-notice-en"]
    assert [(s.due, s.days_left, s.detail) for s in checks] == [
        (dt.date(2027, 1, 30), 54, "all 2 rights last checked against the law on 2026-11-01")]
    result = runner.invoke(app, ["review-due", "--agency", str(profile), "--today", "2027-01-31",
                                 "--within", "0", "--no-ci"])
    assert "OVERDUE by 1 days" in result.output and "law check of rights notice county-notice-en" in result.output


def test_rights_checked_on_different_days_are_listed_apart() -> None:
    library = load_library()
    notice = library.notice("us-federal-cvra-en")
    older = notice.rights[0].model_copy(update={"verified_on": dt.date(2026, 1, 5)})
    mixed = RightsNotice.model_validate(notice.model_dump() | {"rights": [older, *notice.rights[1:]]})
    checks = law_checks(mixed, dt.date(2026, 12, 7))
    assert [c.detail.split(" last")[0] for c in checks] == [
        "rights protection", f"rights {', '.join(r.id for r in notice.rights[1:])}"]
    assert checks[0].overdue and checks[0].owner == notice.owner


def test_every_shipped_right_says_when_it_was_checked() -> None:
    for notice in load_library().rights.values():
        assert all(right.verified_on <= dt.date.today() for right in notice.rights), notice.id


@pytest.mark.parametrize(("written", "message", "fix"), [
    ("", "county-notice-en.rights[1]: this right has no `verified_on` date",
     "add `verified_on: YYYY-MM-DD` to this right"),
    ("    verified_on: last spring\n", "county-notice-en.rights[1].verified_on:",
     "write the date as YYYY-MM-DD"),
])
def test_an_overlay_notice_needs_verified_on_too(tmp_path: Path, written: str, message: str, fix: str) -> None:
    profile = agency(tmp_path, written)
    result = runner.invoke(app, ["validate", "--agency", str(profile)])
    assert result.exit_code == 1
    line = 27 if written else 23  # the bad date's line, else the first line of the right
    assert f"overlay/rights/county-notice-en.yaml:{line}: {message}" in result.output
    assert f"fix: {fix}" in result.output
