"""Agency profiles and overlays adapt the content without forking it; locked things stay locked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.trainer.maintenance import KIND_LABELS, review_status

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "agencies" / "sample-county" / "agency.yaml"
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"
runner = CliRunner()


@pytest.fixture
def river(tmp_path: Path) -> Path:
    target = tmp_path / "river-city"
    shutil.copytree(RIVER.parent, target)
    return target


def test_both_shipped_agencies_load_and_differ() -> None:
    sample = load_library(agency=SAMPLE)
    river = load_library(agency=RIVER)
    assert sample.agency is not None and river.agency is not None
    assert sample.agency.name != river.agency.name
    assert "river-city-welfare-check" in river.protocols
    assert "river-city-welfare-check" not in sample.protocols
    added = river.protocol("scene-response").item("camera-notice-given")
    assert added.critical
    assert river.protocol("scene-response").changelog[0].change.startswith("River City PD adaptation")


def test_overlay_never_changes_the_shipped_content() -> None:
    load_library(agency=RIVER)
    base = load_library()
    with pytest.raises(KeyError):
        base.protocol("scene-response").item("camera-notice-given")


def test_diff_shows_added_items_scripts_and_objects() -> None:
    result = runner.invoke(app, ["diff", "--agency", str(RIVER)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "+ protocol river-city-welfare-check" in out
    assert "+ item camera-notice-given in engage-and-assess (critical)" in out
    assert "~ script of contact-details-left" in out
    sample = runner.invoke(app, ["diff", "--agency", str(SAMPLE)])
    assert "No content changes" in sample.output


def _error(agency: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_library(agency=agency)
    return "\n".join(map(str, caught.value.problems))


def test_replacing_a_locked_instrument_is_refused(river: Path) -> None:
    folder = river / "overlay" / "instruments"
    folder.mkdir()
    source = ROOT / "src" / "protocols" / "content" / "instruments" / "sample-danger-screen.yaml"
    (folder / "sample-danger-screen.yaml").write_text(source.read_text(encoding="utf-8").replace(
        "at_least: 4", "at_least: 3"), encoding="utf-8")
    assert "is locked and cannot be replaced" in _error(river / "agency.yaml")


def test_changing_an_instrument_through_changes_is_refused(river: Path) -> None:
    (river / "overlay" / "changes" / "sample-danger-screen.yaml").write_text(
        "protocol: sample-danger-screen\nwhy: Fewer questions.\ndate: 2026-11-10\nhide_items: [q-one]\n",
        encoding="utf-8")
    assert "wording and rules are locked" in _error(river / "agency.yaml")


HIDE_LESSON = ("protocol: de-escalation\nwhy: Our debrief form asks this.\ndate: 2026-11-12\n"
               "hide_items: [lesson-learned]\n")


def test_hiding_an_optional_item_removes_it_and_logs_why(river: Path) -> None:
    (river / "overlay" / "changes" / "de-escalation.yaml").write_text(HIDE_LESSON, encoding="utf-8")
    base = load_library().protocol("de-escalation")
    assert base.item("lesson-learned").optional
    adapted = load_library(agency=river / "agency.yaml").protocol("de-escalation")
    with pytest.raises(KeyError):
        adapted.item("lesson-learned")
    assert len(adapted.items()) == len(base.items()) - 1
    assert adapted.changelog[0].change == "River City PD adaptation: 1 optional item(s) hidden"
    assert adapted.changelog[0].why == "Our debrief form asks this."
    result = runner.invoke(app, ["diff", "--agency", str(river / "agency.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "~ protocol de-escalation" in lines
    hidden = lines[lines.index("~ protocol de-escalation") + 1]
    assert hidden == f"    - item lesson-learned hidden: {base.item('lesson-learned').prompt}"


def test_hiding_a_critical_item_is_refused_on_its_line(river: Path) -> None:
    change = river / "overlay" / "changes" / "scene-response.yaml"
    text = change.read_text(encoding="utf-8")
    change.write_text(text + "hide_items: [suspect-status]\n", encoding="utf-8")
    assert not load_library().protocol("scene-response").item("suspect-status").optional
    message = _error(river / "agency.yaml")
    line = text.count("\n") + 1
    assert f"changes/scene-response.yaml:{line}: scene-response.hide_items[0]: item `suspect-status` is not " \
        "optional, so an agency may not hide it" in message


def test_an_added_item_must_keep_the_checklist_rules(river: Path) -> None:
    change = river / "overlay" / "changes" / "scene-response.yaml"
    text = change.read_text(encoding="utf-8").replace("after: safety-rechecked-engage", "after: victim-choice-offered")
    change.write_text(text, encoding="utf-8")
    message = _error(river / "agency.yaml")
    line = text.splitlines().index("      critical: true") + 1
    assert f"changes/scene-response.yaml:{line}: scene-response.add_items[0].item.critical: critical item " \
        "`camera-notice-given` comes after non-critical item" in message
    assert "content/protocols/scene-response.yaml" not in message


def test_an_overlay_id_clash_and_unknown_references_are_errors(river: Path) -> None:
    clash = river / "overlay" / "protocols" / "scene-response.yaml"
    shutil.copy(ROOT / "src" / "protocols" / "content" / "protocols" / "scene-response.yaml", clash)
    profile = river / "agency.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "rights_notices: [us-federal-cvra-en]", "rights_notices: [us-federal-cvra-fr]"), encoding="utf-8")
    message = _error(profile)
    assert "already used by the shipped content" in message
    assert "there is no rights `us-federal-cvra-fr`" in message


def test_a_missing_profile_is_a_clear_cli_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--agency", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "the agency profile does not exist" in result.output


def test_review_due_lists_overdue_content_and_fails_in_ci_mode() -> None:
    ok = runner.invoke(app, ["review-due", "--today", "2026-11-25", "--no-ci"])
    assert ok.exit_code == 0, ok.output
    late = runner.invoke(app, ["review-due", "--today", "2031-01-01", "--ci"])
    assert late.exit_code == 1
    assert "OVERDUE" in late.output and "owner:" in late.output
    bad = runner.invoke(app, ["review-due", "--today", "yesterday"])
    assert bad.exit_code == 2


def test_review_due_within_n_days_lists_only_what_falls_due_in_that_window() -> None:
    statuses = review_status(load_library(), dt.date(2026, 1, 1))
    first = statuses[0]
    today = first.due - dt.timedelta(days=10)
    later = [s for s in statuses if (s.due - today).days <= 15]
    narrow = runner.invoke(app, ["review-due", "--today", today.isoformat(), "--within", "5", "--ci"])
    assert narrow.exit_code == 0, narrow.output
    assert narrow.output.startswith("Nothing is due for review within 5 days")
    wide = runner.invoke(app, ["review-due", "--today", today.isoformat(), "--within", "15", "--ci"])
    assert wide.exit_code == 0, wide.output
    assert f"due in 10 days         {first.due}  {KIND_LABELS[first.kind]} {first.obj_id} (owner: {first.owner})" \
        in wide.output
    assert len(wide.output.splitlines()) == len(later)
    assert "OVERDUE" not in wide.output


def test_an_edit_to_any_agency_file_changes_the_content_digest(river: Path) -> None:
    """The digest keys the library snapshot the job aids load: a stale one would serve old content."""
    profile = river / "agency.yaml"
    files = [profile, *sorted(p for p in river.rglob("*.yaml") if p != profile)]
    assert len(files) >= 3, "the River City sample should hold a profile, a change and an added protocol"
    seen = {load_library(agency=profile).digest}
    for file in files:
        file.write_text(file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        digest = load_library(agency=profile).digest
        assert digest not in seen, f"editing {file.relative_to(river)} left the digest as it was"
        seen.add(digest)
