"""An agency's adapted protocol shows the agency's version and date beside the shipped version it
came from: on the book's block and card, in the job aid, in the records and in ``handbook diff``."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.agency import MAX_VERSION_LENGTH
from protocols.library.container import Library
from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.models import Protocol
from protocols.records import Store
from protocols.records.run_views import run_view
from protocols.records.store import runs
from protocols.render.checklist import pocket_card_html, protocol_html
from protocols.render.summary import document_summary
from protocols.ui.checklist import ChecklistWidget, checklist_spec
from protocols.ui.checklist_session import ChecklistSession

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"
MINIMAL = ROOT / "tests" / "content" / "minimal"
CASE = "RC2026-004512"
runner = CliRunner()


@pytest.fixture(scope="module")
def shipped() -> Protocol:
    return load_library().protocol("scene-response")


@pytest.fixture(scope="module")
def river_library() -> Library:
    return load_library(agency=RIVER)


@pytest.fixture(scope="module")
def adapted(river_library: Library) -> Protocol:
    return river_library.protocol("scene-response")


@pytest.fixture
def river(tmp_path: Path) -> Path:
    target = tmp_path / "river-city"
    shutil.copytree(RIVER.parent, target)
    return target


def _change_file(river: Path) -> Path:
    return river / "overlay" / "changes" / "scene-response.yaml"


def _error(agency: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_library(agency=agency)
    return "\n".join(map(str, caught.value.problems))


def test_the_adapted_protocol_carries_the_agency_version_date_and_the_shipped_version(
        shipped: Protocol, adapted: Protocol) -> None:
    assert adapted.adapted is not None
    assert adapted.adapted.agency == "River City PD"
    assert adapted.adapted.version == adapted.version == f"{shipped.version}-river-city.1"
    assert adapted.adapted.date == dt.date(2026, 12, 7)
    assert adapted.adapted.shipped_version == shipped.version
    assert adapted.adapted.shipped_revised == shipped.revised
    assert adapted.revised == max(shipped.revised, dt.date(2026, 12, 7))
    assert adapted.changelog[0].version == adapted.version
    assert adapted.changelog[0].change.startswith("River City PD adaptation")
    assert adapted.version_line() == (f"Version {shipped.version}-river-city.1 (River City PD adaptation of "
                                      f"{shipped.version}), revised {adapted.revised.isoformat()}")


def test_a_shipped_protocol_and_an_unchanged_one_keep_the_shipped_version(
        shipped: Protocol, river_library: Library) -> None:
    assert shipped.adapted is None
    assert shipped.version_line() == f"Version {shipped.version}, revised {shipped.revised.isoformat()}"
    unchanged = river_library.protocol("de-escalation")
    assert unchanged.adapted is None
    assert unchanged == load_library().protocol("de-escalation")
    assert "hc-adapted" not in protocol_html(shipped, load_library())
    assert "hc-adapted" not in pocket_card_html(shipped)
    assert checklist_spec(shipped)["adapted"] is None


def test_the_change_file_version_is_the_agency_number_in_the_adapted_version(river: Path,
                                                                             shipped: Protocol) -> None:
    change = _change_file(river)
    change.write_text(change.read_text(encoding="utf-8").replace("version: 1\n", "version: 3\n"),
                      encoding="utf-8")
    adapted = load_library(agency=river / "agency.yaml").protocol("scene-response")
    assert adapted.version == f"{shipped.version}-river-city.3"


def test_the_book_block_and_the_card_show_the_agency_version_and_the_shipped_one(
        shipped: Protocol, adapted: Protocol, river_library: Library) -> None:
    note = f'<span class="hc-adapted">(River City PD adaptation of {shipped.version})</span>'
    revised = adapted.revised.isoformat()
    block = protocol_html(adapted, river_library)
    assert f"Version <strong>{adapted.version}</strong> {note}</span>" in block
    assert f'Revised <strong><time datetime="{revised}">' in block
    assert f"(version {adapted.version}, " in block  # the latest change names the adapted version
    card = pocket_card_html(adapted)
    assert f"<span>Version {adapted.version} {note}</span> <span>Revised <time" in card
    assert f"scene-response v{adapted.version} {note} · revised <time datetime=\"{revised}\">" in card


def test_the_job_aid_shows_the_agency_version_and_the_shipped_one(
        shipped: Protocol, adapted: Protocol, river_library: Library) -> None:
    spec = checklist_spec(adapted)
    assert spec["version"] == adapted.version
    assert spec["adapted"] == f"River City PD adaptation of {shipped.version}"
    assert spec["revised"] == adapted.revised.isoformat()
    widget = ChecklistWidget.for_protocol("scene-response", library=river_library)
    assert (f"version {adapted.version} (River City PD adaptation of {shipped.version}), "
            f"revised {adapted.revised.isoformat()}") in repr(widget)
    assert document_summary(shipped).startswith(f"protocol scene-response, version {shipped.version}, revised")
    script = (ROOT / "src" / "protocols" / "ui" / "static" / "checklist.js").read_text(encoding="utf-8")
    assert "spec.adapted" in script


def test_a_record_keeps_the_adapted_version_and_an_older_record_still_reads(
        tmp_path: Path, shipped: Protocol, adapted: Protocol, river_library: Library) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/records.sqlite3")

    def saved_version(run_id: str) -> str:
        record = store.get(run_id)
        assert record is not None
        return record.content_version

    before, _ = ChecklistSession.start_or_resume(shipped, store, "scene-response", CASE)
    assert saved_version(before.run_id) == shipped.version
    resumed, note = ChecklistSession.start_or_resume(adapted, store, "scene-response", CASE)
    assert f"made with version {shipped.version}; this is version {adapted.version}" in note
    assert resumed.run.state.content_version == adapted.version
    older = store.get(before.run_id)
    assert older is not None
    view, _state = run_view(older, river_library, notes=False)
    assert (view.content["version"], view.content["current_version"]) == (shipped.version, adapted.version)
    fresh, _ = ChecklistSession.start_or_resume(adapted, store, "scene-response", "RC2026-000001")
    assert saved_version(fresh.run_id) == fresh.run.state.content_version == adapted.version
    store.engine.dispose()


def test_the_longest_version_is_what_a_record_keeps() -> None:
    assert getattr(runs.c.content_version.type, "length", None) == MAX_VERSION_LENGTH


def test_diff_shows_the_version_line_before_and_after(shipped: Protocol, adapted: Protocol) -> None:
    result = runner.invoke(app, ["diff", "--agency", str(RIVER)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("    ~ version line (cards, pages and job aids)")
    assert lines[start + 1] == f"        was: {shipped.version_line()}"
    assert lines[start + 2] == f"        now: {adapted.version_line()}"


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5", "1.1-river-city.2"])
def test_a_bad_change_file_version_is_refused_on_its_line(river: Path, value: str) -> None:
    change = _change_file(river)
    text = change.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("version: 1") + 1
    change.write_text(text.replace("version: 1\n", f"version: {value}\n"), encoding="utf-8")
    message = _error(river / "agency.yaml")
    assert f"changes/scene-response.yaml:{at}: scene-response.version: `version: {value}` is not a whole " \
        "number from 1 to 999" in message
    assert "such as `version: 2`, and raise it by one each time you edit this file" in message


def test_an_agency_id_too_long_for_a_record_is_refused_with_a_fix(river: Path) -> None:
    profile = river / "agency.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "id: river-city", "id: river-city-police-department"), encoding="utf-8")
    at = _change_file(river).read_text(encoding="utf-8").splitlines().index("version: 1") + 1
    message = _error(profile)
    assert f"changes/scene-response.yaml:{at}: scene-response.version: the adapted version " in message
    assert f"a job-aid record keeps at most {MAX_VERSION_LENGTH}" in message
    assert "give the agency a shorter `id` in agency.yaml" in message


def test_content_may_not_claim_to_be_adapted(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    mini = content / "protocols" / "mini.yaml"
    text = mini.read_text(encoding="utf-8")
    mini.write_text(text + "adapted:\n  agency: Metro PD\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_library(content)
    message = "\n".join(map(str, caught.value.problems))
    assert f"mini.yaml:{text.count(chr(10)) + 1}: mini.adapted: `adapted` is filled in by the handbook" in message
    assert "write changes/<protocol-id>.yaml in your agency's overlay folder" in message
    assert "adapted" not in Protocol.model_json_schema()["properties"]
