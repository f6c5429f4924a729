"""The checklist drawn with no Sphinx and no widget manager: ``widgets_static.js`` on a bare page.

The unit tests cover how the build rewrites a page's widget state (:mod:`protocols.book.static_widgets`);
the browser tests put one checklist's state in a plain HTML page beside the drawer and use it,
with the module given inline (its source) and as a file (its address), as the book does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, serve
from checklist_page import answer, open_checklist, progress

from protocols.book.offline_files import precached_files
from protocols.book.static_widgets import (
    STATE_TYPE,
    VIEW_TYPE,
    early_fetches,
    prune_modules,
    script_json,
    static_state,
    stored_file,
    viewed_models,
)
from protocols.ui.checklist import ChecklistWidget

DRAWER = Path(__file__).resolve().parents[2] / "src" / "protocols" / "book" / "assets" / "widgets_static.js"


def widget_state(widget: ChecklistWidget) -> dict[str, Any]:
    """The notebook-style state of one widget and its layout model, as myst-nb embeds it."""
    state = {k: v for k, v in widget.get_state().items() if not isinstance(v, bytes | memoryview)}
    layout = widget.layout
    return {
        "version_major": 2, "version_minor": 0,
        "state": {
            widget.model_id: {"model_module": "anywidget", "model_module_version": "~0.11.*",
                              "model_name": "AnyModel", "state": state},
            layout.model_id: {"model_module": "@jupyter-widgets/base", "model_module_version": "2.0.0",
                              "model_name": "LayoutModel", "state": layout.get_state()},
        },
    }


def bare_page(state: dict[str, Any], model_id: str) -> str:
    view = json.dumps({"model_id": model_id, "version_major": 2, "version_minor": 1})
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bare checklist</title>"
        "<link rel='icon' href='data:,'>"
        f'<script type="{STATE_TYPE}">{script_json(state)}</script>'
        '<script type="module" src="widgets_static.js"></script></head>'
        f'<body><main><h1>Bare checklist</h1><script type="{VIEW_TYPE}">{view}</script></main></body></html>'
    )


@pytest.fixture(scope="module")
def widget() -> ChecklistWidget:
    return ChecklistWidget.for_protocol("scene-response")


def test_the_state_keeps_only_viewed_models_and_moves_sources_to_files(tmp_path: Path, widget) -> None:
    state = widget_state(widget)
    body = f'<script type="{VIEW_TYPE}">{{"model_id": "{widget.model_id}"}}</script>'
    rewritten = static_state(state, viewed_models(body), tmp_path, "../_static/")
    assert list(rewritten["state"]) == [widget.model_id], "the layout model no view draws stays"
    fields = rewritten["state"][widget.model_id]["state"]
    assert "layout" not in fields
    module = fields["_esm"]
    assert module.startswith("../_static/widgets/") and module.endswith(".js")
    assert (tmp_path / module.removeprefix("../_static/")).read_text(encoding="utf-8") == widget._esm
    assert fields["_css"].endswith(".css")
    assert fields["spec"] == widget.spec, "the checklist itself is carried unchanged"


def test_a_module_given_by_address_is_kept_and_files_are_named_by_content(tmp_path: Path) -> None:
    state = {"state": {"m": {"model_module": "anywidget", "state": {"_esm": "./mine.js", "_css": ""}}}}
    assert static_state(state, {"m"}, tmp_path, "")["state"]["m"]["state"]["_esm"] == "./mine.js"
    first = stored_file(tmp_path, "export default {};\n", ".js")
    assert stored_file(tmp_path, "export default {};\n", ".js") == first
    assert stored_file(tmp_path, "export default { render() {} };\n", ".js") != first
    assert (tmp_path / first).stat().st_mode & 0o044 == 0o044, "the web server could not read it"


def test_each_module_and_style_file_is_fetched_with_the_page_once() -> None:
    """A modulepreload and a stylesheet link per file (two views of one module: one each); source
    text still in the state, and odd characters in an address, are handled."""
    module, style = "../_static/widgets/abc.js", "../_static/widgets/d&e.css"
    state = {"state": {
        "a": {"model_module": "anywidget", "state": {"_esm": module, "_css": style}},
        "b": {"model_module": "anywidget", "state": {"_esm": module, "_css": style}},
        "c": {"model_module": "anywidget", "state": {"_esm": "export default {}", "_css": ".x { color: red }"}},
    }}
    links = early_fetches(state).split()
    assert early_fetches(state).strip().splitlines() == [
        '<link rel="modulepreload" href="../_static/widgets/abc.js">',
        '<link rel="preload" as="style" href="../_static/widgets/d&amp;e.css">',
    ], links
    assert early_fetches({"state": {}}) == ""


def test_state_json_cannot_close_its_script_element() -> None:
    text = script_json({"note": "</script><script>alert(1)</script>"})
    assert "</" not in text and json.loads(text)["note"].startswith("</script>")


@pytest.mark.browser
@pytest.mark.parametrize("module_as", ["source", "file"])
def test_the_checklist_works_on_a_bare_page(tmp_path: Path, sync_api, widget, module_as: str) -> None:
    """No Sphinx, no RequireJS, no widget manager: the state, one view, and the drawer."""
    shutil.copyfile(DRAWER, tmp_path / "widgets_static.js")
    state = widget_state(widget)
    if module_as == "file":
        state = static_state(state, {widget.model_id}, tmp_path, "./")
    (tmp_path / "index.html").write_text(bare_page(state, widget.model_id), encoding="utf-8")
    items = [item for pp in widget.spec["pause_points"] for item in pp["items"]]
    critical = sum(1 for item in items if item["critical"])
    with serve(tmp_path) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            open_checklist(page, f"{base}/index.html")
            assert page.locator(".hb-checklist .hb-item").count() == len(items)
            assert page.evaluate("typeof window.require") == "undefined", "an AMD loader is on the page"
            assert answer(page, ".hb-checklist .hb-item.hb-critical") == critical
            assert progress(page).startswith(f"{critical} of {len(items)} answered · 0 critical open")
            page.reload()
            open_checklist(page, f"{base}/index.html")
            assert progress(page).startswith(f"{critical} of {len(items)} answered"), "answers were not kept"
            assert page.evaluate("document.documentElement.dataset.widgetsDrawn") == "1"
            assert errors == []
        finally:
            browser.close()


@pytest.mark.browser
def test_a_module_that_fails_says_so_in_the_page(tmp_path: Path, sync_api) -> None:
    shutil.copyfile(DRAWER, tmp_path / "widgets_static.js")
    state = {"state": {"m": {"model_module": "anywidget", "state": {"_esm": "./missing.js"}}}}
    (tmp_path / "index.html").write_text(bare_page(state, "m"), encoding="utf-8")
    with serve(tmp_path) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/index.html")
            page.wait_for_selector(".hb-static-widget:has-text('could not be drawn')", timeout=10_000)
            assert "pocket card" in page.locator(".hb-static-widget").inner_text()
        finally:
            browser.close()


def test_modules_no_page_names_are_pruned(tmp_path: Path) -> None:
    kept = stored_file(tmp_path / "_static", "export default { render() {} };\n", ".js")
    old = stored_file(tmp_path / "_static", "export default {};\n", ".js")
    (tmp_path / "_static" / "widgets" / ".part-x1").write_text("half", encoding="utf-8")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(f'<script>{{"_esm":"../_static/{kept}"}}</script>',
                                                 encoding="utf-8")
    assert prune_modules(tmp_path) == sorted([".part-x1", old.split("/")[-1]])
    assert [p.name for p in (tmp_path / "_static" / "widgets").iterdir()] == [kept.split("/")[-1]]


def test_a_hidden_file_is_never_on_the_offline_list(tmp_path: Path) -> None:
    (tmp_path / "_static" / "widgets").mkdir(parents=True)
    (tmp_path / "_static" / "widgets" / "abc.js").write_text("export default {};", encoding="utf-8")
    (tmp_path / "_static" / "widgets" / ".part-x1").write_text("half", encoding="utf-8")
    (tmp_path / "index.html").write_text("<p>home</p>", encoding="utf-8")
    assert precached_files(tmp_path) == ["_static/widgets/abc.js", "index.html"]
