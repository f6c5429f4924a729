"""A supervisor's journey through every job aid, in Chromium, from the index to a verified export.

One real ``handbook serve`` (``conftest.journey_server``) and one browser for the module. For
each job aid on the index: open it by its link (the scene checklist on a 375-px phone, the
rest on a desktop), finish it for case :data:`CASE` (the scenario under that session label),
reload and reopen the case to see the saved record, and photograph the finished aid. Then the
``handbook`` command lists every run of the case, exports the case as signed JSON and HTML,
verifies both, finds each aid's answers in the JSON, and catches an answer edited after export.
Last, the tracker lists the case if its follow-up plan has a check-in due.

Screenshots go to ``artifacts/screenshots/journeys/``. Every request must stay on the server's
loopback address and the console must show no errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from journey_server import SUPERVISOR, Handbook, JourneyServer
from journey_steps import LOAD_TIMEOUT, VIEWPORTS, WALKS, Entered, screenshot
from playwright.sync_api import Browser, Page, expect

from protocols.render.labels import JOB_AIDS
from served import Watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots" / "journeys"
CASE = "26-JRN-001"
INDEX = "/voila/render/index.ipynb"
NOT_WALKED = {"tracker", "acknowledgements"}
"""Aids on the index with no run of their own (opened once, at the end)."""
ALTERED_EXIT = 3


@pytest.fixture(scope="module")
def open_from_index(chromium: Browser, journey_server: JourneyServer) -> Iterator[Callable[[str, str], Page]]:
    """``open_from_index(aid, view)``: a fresh tab at that size, on the index, then the aid's link
    clicked (``"index"``: stay on the index)."""
    watches: list[Watch] = []

    def opener(aid: str, view: str) -> Page:
        context = chromium.new_context(viewport=VIEWPORTS[view], is_mobile=view == "phone", device_scale_factor=1)
        watch = Watch(journey_server.base)
        watches.append(watch)
        page = context.new_page()
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("websocket", lambda ws: watch.requests.append(ws.url))
        page.on("console", lambda m: watch.errors.append(f"{aid}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"{aid}: {e}"))
        page.goto(journey_server.base + INDEX)
        page.locator(".hb-aid-list").wait_for(timeout=LOAD_TIMEOUT)
        if aid == "index":
            return page
        page.get_by_role("link", name=JOB_AIDS[aid].title).click()
        page.wait_for_url(f"**/voila/render/{aid}.ipynb")
        page.locator(".hb-aid").wait_for(timeout=LOAD_TIMEOUT)
        return page

    yield opener
    stray = [url for watch in watches for url in watch.off_machine()]
    errors = [error for watch in watches for error in watch.errors]
    assert stray == [], "requests left the server's loopback address"
    assert errors == [], "the console showed errors"


@pytest.fixture(scope="module")
def walked() -> dict[str, Entered | str]:
    """Each aid's walk: what it entered, or why it failed (so later tests say which aid broke)."""
    return {}


@pytest.fixture(scope="module")
def walk(open_from_index: Callable[[str, str], Page], walked: dict[str, Entered | str]) -> Callable[[str], Entered]:
    """``walk(aid)``: the aid finished, reloaded and reopened for :data:`CASE`, photographed (once a module)."""

    def run(aid: str) -> Entered:
        if aid not in walked:
            walked[aid] = f"the {aid} journey failed (see its own test)"
            steps = WALKS[aid]
            page = open_from_index(aid, steps.view)
            try:
                entered = steps.finish(page, CASE)
                screenshot(page, SHOTS, f"{aid}-finished", steps.view)
                if steps.view != "desktop":
                    screenshot(page, SHOTS, f"{aid}-finished", "desktop")
                page.reload()
                page.locator(".hb-aid").wait_for(timeout=LOAD_TIMEOUT)
                steps.reopen(page, CASE, entered)
                screenshot(page, SHOTS, f"{aid}-reopened", steps.view)
            finally:
                page.context.close()
            walked[aid] = entered
        result = walked[aid]
        if isinstance(result, str):
            pytest.fail(result)
        return result

    return run


def test_the_index_lists_each_aid_this_module_walks(open_from_index: Callable[[str, str], Page]) -> None:
    """A new job aid on the index needs its journey here (or a reason it has no run)."""
    page = open_from_index("index", "desktop")
    links = page.locator(".hb-aid-list a")
    listed = {str(links.nth(i).get_attribute("href")).removeprefix("/voila/render/").removesuffix(".ipynb")
              for i in range(links.count())}
    page.context.close()
    assert listed == set(WALKS) | NOT_WALKED


@pytest.mark.parametrize("aid", list(WALKS))
def test_a_supervisor_finishes_the_aid_and_reopens_the_saved_record(walk: Callable[[str], Entered], aid: str) -> None:
    entered = walk(aid)
    assert entered.answers and all(q and a for q, a in entered.answers), f"the {aid} walk noted nothing to check"
    assert (SHOTS / f"{aid}-finished-{WALKS[aid].view}.png").stat().st_size > 0


# --------------------------------------------------------------------------- the export


def all_walked(walk: Callable[[str], Entered]) -> dict[str, Entered]:
    return {aid: walk(aid) for aid in WALKS}


def missing_answers(run: dict[str, Any], entered: Entered) -> list[tuple[str, str]]:
    """The answers entered that no row of the exported run shows under its question."""
    rows = [row for section in run["sections"] for row in section["rows"]]
    return [(question, answer) for question, answer in entered.answers
            if not any(question in str(row["label"]) and answer in str(row["value"]) for row in rows)]


@pytest.fixture(scope="module")
def case_export(walk: Callable[[str], Entered], handbook: Handbook,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The case file of :data:`CASE` as JSON and HTML, exported after every aid was walked."""
    all_walked(walk)
    folder = tmp_path_factory.mktemp("case-export")
    as_json, as_html = folder / "case.json", folder / "case.html"
    done = handbook("export", "--case", CASE, "--out", str(as_json), "--out", str(as_html))
    assert done.returncode == 0, done.stdout + done.stderr
    return as_json, as_html


def runs_of_the_case(handbook: Handbook, journey_server: JourneyServer) -> list[list[str]]:
    """``handbook runs --case`` as rows of cells (the columns are two or more spaces apart)."""
    listed = handbook("runs", "--case", CASE, "--database", journey_server.database_url)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    lines = [line for line in listed.stdout.splitlines() if CASE in line]
    return [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in lines]


def test_the_runs_listing_names_every_aids_run_of_the_case(walk: Callable[[str], Entered], handbook: Handbook,
                                                          journey_server: JourneyServer) -> None:
    entered = all_walked(walk)
    rows = runs_of_the_case(handbook, journey_server)
    aids = {cells[1] for cells in rows}
    assert {e.aid for e in entered.values()} <= aids, rows
    assert "screen-in-response" in aids, "the screen-in steps the screening opened have their own run"


def test_the_case_file_verifies_and_holds_each_aids_answers(case_export: tuple[Path, Path], handbook: Handbook,
                                                            walk: Callable[[str], Entered]) -> None:
    entered = all_walked(walk)
    for file in case_export:
        checked = handbook("verify-export", str(file))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f"OK: {file}"), checked.stdout
    payload = json.loads(case_export[0].read_text(encoding="utf-8"))["payload"]
    assert payload["scope"] == "case" and payload["case_number"] == CASE
    assert payload["exported_by"] == SUPERVISOR
    runs = {run["aid"]: run for run in payload["runs"]}
    assert {run["recorded_by"] for run in payload["runs"]} == {SUPERVISOR}
    for aid, what in entered.items():
        if aid == "scenario-player":
            assert aid not in runs, "a training play-through is left out of a case file"
            continue
        assert aid in runs, f"the case file has no {aid} run"
        assert missing_answers(runs[aid], what) == [], f"the {aid} run's export lacks answers given in the aid"
    page = case_export[1].read_text(encoding="utf-8")
    assert f"by {SUPERVISOR}" in page


def test_a_yes_no_answer_reads_in_the_export_as_the_button_pressed(case_export: tuple[Path, Path],
                                                                   walk: Callable[[str], Entered]) -> None:
    entered = walk("scene-response")
    assert entered.pressed, "the scene walk answered no yes/no item"
    [run] = [r for r in json.loads(case_export[0].read_text(encoding="utf-8"))["payload"]["runs"]
             if r["aid"] == "scene-response"]
    question, button = entered.pressed[0]
    [value] = [row["value"] for s in run["sections"] for row in s["rows"] if row["label"] == question]
    assert value == button


def test_an_answer_edited_after_export_is_caught(case_export: tuple[Path, Path], handbook: Handbook,
                                                 tmp_path: Path) -> None:
    document = json.loads(case_export[0].read_text(encoding="utf-8"))
    rewritten = tmp_path / "rewritten.json"  # the control: written out again, nothing changed
    rewritten.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert handbook("verify-export", str(rewritten)).returncode == 0
    run = next(r for r in document["payload"]["runs"] if r["aid"] == "screening")
    row = next(r for s in run["sections"] for r in s["rows"] if r["value"] in ("Yes", "No"))
    row["value"] = "No" if row["value"] == "Yes" else "Yes"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    checked = handbook("verify-export", str(edited))
    assert checked.returncode == ALTERED_EXIT, checked.stdout + checked.stderr
    assert "altered" in (checked.stdout + checked.stderr).lower()


def test_the_training_play_through_exports_on_its_own(walk: Callable[[str], Entered], handbook: Handbook,
                                                      journey_server: JourneyServer, tmp_path: Path) -> None:
    """A scenario run is not in the case file; exported by its run id it verifies like the rest."""
    entered = walk("scenario-player")
    [run_id] = [cells[0] for cells in runs_of_the_case(handbook, journey_server) if cells[1] == "scenario-player"]
    out = tmp_path / "play-through.json"
    done = handbook("export", run_id, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    checked = handbook("verify-export", str(out))
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr
    [run] = json.loads(out.read_text(encoding="utf-8"))["payload"]["runs"]
    assert run["recorded_by"] == SUPERVISOR
    assert missing_answers(run, entered) == []


# --------------------------------------------------------------------------- the tracker


def test_the_tracker_lists_the_case_when_its_check_in_is_due(walk: Callable[[str], Entered], handbook: Handbook,
                                                             open_from_index: Callable[[str, str], Page],
                                                             journey_server: JourneyServer) -> None:
    """The tracker has no run of its own: it lists what `handbook followups` lists (the plan's next check-in)."""
    walk("follow-up")
    due = handbook("followups", "--database", journey_server.database_url)
    assert due.returncode == 0, due.stdout + due.stderr
    page = open_from_index("tracker", "desktop")
    try:
        page.get_by_text("This unit, week by week").wait_for(timeout=LOAD_TIMEOUT)
        due_list = page.locator(".hb-aid .hb-card")
        if CASE in due.stdout:  # the tracker and `handbook followups` list the same check-ins
            expect(due_list.filter(has_text=f"case {CASE}").first).to_be_visible()
        else:
            expect(page.get_by_text("No check-ins are overdue or due this week or next week.")).to_be_visible()
        screenshot(page, SHOTS, "tracker", "desktop")
    finally:
        page.context.close()

