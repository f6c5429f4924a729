"""Building for an agency without building: output folders, the default profile, the zip,
the job-aid header, and clear errors from `handbook build`."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols import render
from protocols.book.build import BuildRun, default_agency, output_dir, zip_site
from protocols.cli.app import app
from protocols.library.loader import default_library, load_library

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "agencies" / "sample-county" / "agency.yaml"
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"
runner = CliRunner()


def test_the_sample_agency_is_the_books_default_profile() -> None:
    assert default_agency(ROOT) == ROOT / "agencies" / "sample-county" / "agency.yaml"
    assert default_agency(ROOT / "nowhere") is None


def test_each_agency_builds_into_its_own_folder() -> None:
    assert output_dir(ROOT, None) == ROOT / "_build" / "html"
    assert output_dir(ROOT, RIVER) == ROOT / "_build" / "river-city" / "html"
    assert output_dir(ROOT, SAMPLE) == ROOT / "_build" / "sample-county" / "html"


def test_the_zip_is_named_by_agency_and_date(tmp_path: Path) -> None:
    site = tmp_path / "html"
    (site / "book").mkdir(parents=True)
    (site / "index.html").write_text("home", encoding="utf-8")
    (site / "book" / "a.html").write_text("a", encoding="utf-8")
    (site / ".buildinfo").write_text("x", encoding="utf-8")
    archive = zip_site(site, tmp_path / "out", "river-city", dt.date(2026, 12, 1))
    assert archive == tmp_path / "out" / "handbook-river-city-2026-12-01.zip"
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["handbook-river-city-2026-12-01/book/a.html",
                                             "handbook-river-city-2026-12-01/index.html"]


def test_build_log_problems_leave_kernel_chatter_out() -> None:
    log = ("[IPKernelApp] WARNING | Kernel is running over TCP\n"
           "/x/book/a.md:3: WARNING: unknown document: 'b'\nreading sources... [ 50%] book/a\n")
    assert BuildRun(1, 1.0, [], log).problems() == ["/x/book/a.md:3: WARNING: unknown document: 'b'"]


def test_agency_contacts_name_the_agency_and_link_the_numbers() -> None:
    agency = load_library(agency=RIVER).agency
    out = render.agency_contacts_html(agency)
    assert "Set up for <strong>River City Police Department</strong>" in out
    assert '<a href="tel:5550177">555-0177</a>' in out and '<a href="tel:5550188">555-0188</a>' in out
    assert "No agency profile" in render.agency_contacts_html(None)


def test_a_card_carries_the_agency_numbers_and_who_added_it() -> None:
    library = load_library(agency=RIVER)
    card = render.pocket_card_html(library.protocol("river-city-welfare-check"), agency=library.agency,
                                   added_by="River City PD")
    assert "Added by River City PD" in card
    assert 'River City Crisis Connect: <span class="hc-tel">555-0177</span>' in card and "555-0188" in card


def test_an_unused_notice_says_so_in_words() -> None:
    library = load_library(agency=RIVER)
    assert library.agency is not None
    out = render.not_used_html(library.notice("ca-marsy-en").title, library.agency)
    assert "is not used by River City PD" in out and 'role="note"' in out


@pytest.fixture
def agency_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    default_library.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    default_library.cache_clear()


def test_the_job_aid_header_names_the_agency(agency_env: pytest.MonkeyPatch) -> None:
    from protocols.ui.frame import BOOK_TITLE, header

    agency_env.setenv("HANDBOOK_AGENCY", str(RIVER))
    assert "River City Police Department · Crisis Intervention Field Handbook · job aid" in header("Scene").value
    default_library.cache_clear()
    agency_env.delenv("HANDBOOK_AGENCY")
    assert f"{BOOK_TITLE} · job aid" in header("Scene").value


def test_build_refuses_a_missing_agency_and_a_folder_that_is_not_the_book(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["build", str(ROOT), "--agency", str(tmp_path / "agency.yaml")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    elsewhere = runner.invoke(app, ["build", str(tmp_path)])
    assert elsewhere.exit_code == 2 and "is not the book folder" in elsewhere.output


def test_build_checks_the_agency_content_before_building(tmp_path: Path) -> None:
    import shutil

    agency = tmp_path / "river-city"
    shutil.copytree(RIVER.parent, agency)
    change = agency / "overlay" / "changes" / "scene-response.yaml"
    change.write_text(change.read_text(encoding="utf-8").replace("after: safety-rechecked-engage",
                                                                 "after: no-such-item"), encoding="utf-8")
    done = runner.invoke(app, ["build", str(ROOT), "--agency", str(agency / "agency.yaml"),
                               "--output", str(tmp_path / "out")])
    assert done.exit_code == 1
    assert "no-such-item" in done.output and "nothing was built" in done.output
    assert not (tmp_path / "out").exists()
