"""In Chromium: the acknowledgement flow, the scene log in the checklist aid, and the scene log in an export.

One `handbook serve` for the module, signed in as one officer (``HANDBOOK_USER``), with a scratch
records database. Each screen is checked with axe-core (WCAG 2.0/2.1 A and AA), for unnamed
controls, sideways scrolling and small targets (the checks of tests/a11y), at 375 px and at
desktop size, and is used with the keyboard alone. Screenshots (desktop and 375 px) go to
artifacts/screenshots/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from required import axe_core, load_module
from served import DESKTOP, PHONE, Served, handbook_serve, launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHECKS = load_module(ROOT / "tests" / "a11y" / "a11y_checks.py", "_jobaids_a11y_checks")
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
LOAD_TIMEOUT = 120_000
ACTION_TIMEOUT = 45_000
OFFICER = "ofc-ack-1"
SERVE_ARGS: list[str] = []  # preheated kernels, as served: the list is drawn again for whoever opens it


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    before = os.environ.get("HANDBOOK_USER")
    os.environ["HANDBOOK_USER"] = OFFICER
    try:
        with handbook_serve(tmp_path_factory.mktemp("ack-serve"), *SERVE_ARGS) as served:
            yield served
    finally:
        if before is None:
            os.environ.pop("HANDBOOK_USER", None)
        else:
            os.environ["HANDBOOK_USER"] = before


@pytest.fixture(scope="module")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return axe_core(tmp_path_factory.mktemp("axe"))


@pytest.fixture
def open_aid(browser: Any, server: Served) -> Iterator[Any]:
    contexts: list[Any] = []

    def opener(aid: str, view: str = "phone") -> Any:
        context = browser.new_context(viewport=VIEWPORTS[view], is_mobile=view == "phone", device_scale_factor=1,
                                      bypass_csp=True)  # the CSP's nonces would block the injected axe-core
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT)
        page = context.new_page()
        page.goto(f"{server.base}/voila/render/{aid}.ipynb")
        page.wait_for_selector(".hb-aid", timeout=LOAD_TIMEOUT)
        return page

    yield opener
    for context in contexts:
        context.close()


def whole_page_shot(page: Any, name: str) -> Path:
    """The aid from its top: the viewport grows to the aid's height (at most 1500 px) for the shot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("(document.querySelector('#rendered_cells') || document.body).scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 24, 1500))})
    page.wait_for_timeout(200)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def press_by_keyboard(page: Any, name: str) -> None:
    """Tab to the control named ``name`` and press it with Enter (no mouse)."""
    target = page.get_by_role("button", name=name).first
    for _ in range(200):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"the button {name!r} cannot be reached with Tab")


def acknowledged_an_older_version(database_url: str, document: Any) -> Any:
    """Record that :data:`OFFICER` acknowledged an older version of ``document``: the one before
    its current version, with one item worded otherwise and one item it did not have yet."""
    from protocols.records import Store
    from protocols.records.acknowledgements import acknowledge

    items = dict(document.snapshot["items"])
    first, second = list(items)[:2]
    items[first] = {**items[first], "prompt": "Is the scene safe?"}
    del items[second]
    older = dataclasses.replace(document, version="1.0", snapshot={"items": items})
    store = Store.open(database_url, actor=OFFICER)
    try:
        acknowledge(store, OFFICER, older, dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC))
    finally:
        store.engine.dispose()
    return older


def test_an_officer_sees_what_changed_acknowledges_by_keyboard_and_takes_the_check(
        open_aid: Any, axe_js: Path, server: Served) -> None:
    from protocols.library.loader import load_library
    from protocols.records.content_changes import protocol_document

    scene = load_library().protocol("scene-response")
    acknowledged_an_older_version(server.database_url, protocol_document(scene))
    page = open_aid("acknowledgements", "phone")
    label = f"{scene.title} · version {scene.version} · 1 added, 1 reworded"
    page.get_by_role("button", name=label).wait_for(timeout=LOAD_TIMEOUT)
    problems = CHECKS.check_state(page, axe_js, "acknowledgements-list", photo=False)
    whole_page_shot(page, "acknowledgements-list-phone")
    press_by_keyboard(page, label)
    page.get_by_role("button", name=f"I have read version {scene.version}").wait_for()
    shown = page.locator(".hb-ack-detail").inner_text()
    assert "Since version 1.0, which you acknowledged: 1 added, 1 reworded" in shown
    assert "Reworded item. " in shown and "(was: Is the scene safe?)" in shown and "Why:" in shown
    problems += CHECKS.check_state(page, axe_js, "acknowledgements-changed", photo=False)
    whole_page_shot(page, "acknowledgements-read-phone")
    page.set_viewport_size(VIEWPORTS["desktop"])
    whole_page_shot(page, "acknowledgements-read-desktop")
    page.set_viewport_size(VIEWPORTS["phone"])
    press_by_keyboard(page, f"I have read version {scene.version}")
    assert CHECKS.in_live_region(page, f"Acknowledged: “{scene.title}”", 20_000)
    page.get_by_role("button", name="Check my answers").wait_for()
    radios = page.get_by_role("radio")
    assert radios.count() >= 6, "three questions, each with options"
    problems += CHECKS.check_state(page, axe_js, "acknowledgements-check", photo=False)
    whole_page_shot(page, "acknowledgements-check-phone")
    page.set_viewport_size(VIEWPORTS["desktop"])
    whole_page_shot(page, "acknowledgements-check-desktop")
    page.set_viewport_size(VIEWPORTS["phone"])
    for group in page.locator(".hb-ack-options").all():
        group.get_by_role("radio").first.check()
    page.get_by_role("button", name="Check my answers").click()
    assert CHECKS.in_live_region(page, "Your result is saved with your acknowledgement", 20_000)
    page.get_by_role("button", name="Show the supervisor report").click()
    page.get_by_text(OFFICER).first.wait_for()
    problems += CHECKS.check_state(page, axe_js, "acknowledgements-report", photo=False)
    whole_page_shot(page, "acknowledgements-report-phone")
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.get_by_role("button", name="Show the supervisor report").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "acknowledgements-report-desktop.png"))
    assert problems == [], "\n".join(problems)
    done = subprocess.run([str(Path(sys.executable).with_name("handbook")), "acknowledgements", "--format", "json",
                           "--officer", OFFICER, "--database", server.database_url, "--book", str(ROOT / "book")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    mine = [r for r in json.loads(done.stdout) if r["document"] == "protocol:scene-response"]
    assert mine[0]["state"] == "acknowledged" and mine[0]["check"].endswith("of 3")


def test_the_scene_log_shows_in_the_aid_and_in_the_export(open_aid: Any, axe_js: Path, server: Served,
                                                          browser: Any, tmp_path: Path) -> None:
    page = open_aid("scene-response", "phone")
    field = page.get_by_label("Case or incident number")
    field.fill("26-0777")
    field.press("Enter")
    toggle = page.get_by_role("button", name="Scene log (1 step)")
    toggle.wait_for(timeout=LOAD_TIMEOUT)
    first = page.locator(".hb-item").first
    first.locator(".hb-option[data-value]").first.click()
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => "
                           "/^Scene log \\((\\d+) steps\\)/.test(b.textContent) && "
                           "+b.textContent.match(/\\((\\d+)/)[1] >= 3)", timeout=ACTION_TIMEOUT)
    page.locator(".hb-scene-log-toggle").click()
    page.locator(".hb-scene-lines li").first.wait_for()
    assert page.locator(".hb-scene-lines").inner_text().count("Critical item answered") >= 1
    problems = CHECKS.check_state(page, axe_js, "scene-log", photo=False)
    page.locator(".hb-scene-log").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "scene-log-phone.png"))
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.locator(".hb-scene-log").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "scene-log-desktop.png"))
    assert problems == [], "\n".join(problems)
    out = tmp_path / "case.html"
    done = subprocess.run([str(Path(sys.executable).with_name("handbook")), "export", "--case", "26-0777", "--out",
                           str(out), "--database", server.database_url, "--user", "sgt-1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        shown = context.new_page()
        shown.goto(out.as_uri())
        table = shown.locator("table.scene-log")
        assert table.count() == 1 and "Critical item answered" in table.inner_text()
        table.scroll_into_view_if_needed()
        shown.screenshot(path=str(SHOTS / "scene-log-export.png"), full_page=True)
    finally:
        context.close()
