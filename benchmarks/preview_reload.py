#!/usr/bin/env python3
"""`handbook preview`: from saving a file to the open page showing it, in Chromium.

    .venv/bin/python benchmarks/preview_reload.py [--trials 3] [--interval 1.0]

Runs `handbook preview` on a temporary copy of the project (tests/trainer/preview_run.py),
opens a chapter in Chromium and, per trial, saves one edit and waits, without touching the
browser, until the page shows it. Two edits: a protocol's YAML (a prompt the chapter shows)
and the chapter's own Markdown. Each trial is split by when the preview printed each step:

- ``noticed``: save → "Changed: …" (the polling interval);
- ``validated``: → the build starts (validation and reading-level check; not printed, so it is
  the time to "Rebuilt" less the build's own seconds);
- ``built``: the seconds "Rebuilt in N s" reports (the Sphinx child process);
- ``shown``: "Rebuilt" printed → the new page's DOMContentLoaded (the page's own clock).

``total`` is save → the new page's DOMContentLoaded. Writes benchmarks/preview_reload.json.
Timing is never asserted in the test suite; the target (≤ 5 s for a YAML edit) lives here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "trainer"))

from preview_run import Preview, project_copy, running_preview  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PAGE = "book/arrive/scene-safety.html"
CHAPTER = "book/arrive/scene-safety.md"
PROTOCOL = "content/protocols/scene-response.yaml"
PROMPTS = ["Where is the suspect now?", "Where is the suspect right now?", "Where is the suspect at this time?",
           "Where is the suspect at present?"]
"""The shipped prompt first; each YAML trial changes it to the next (round and round)."""
SHOWN_TIMEOUT_S = 120
PAGE_LOADED_AT = ("() => { const nav = performance.getEntriesByType('navigation')[0];"
                  " return nav && nav.domContentLoadedEventEnd ? performance.timeOrigin + nav.domContentLoadedEventEnd"
                  " : null; }")


def _page_text(page: Any) -> str:
    try:
        text: str = page.evaluate("() => document.querySelector('main')?.innerText || ''")
    except Exception:  # the page is being replaced by its reload
        return ""
    return text


def _shown_at(page: Any, text: str) -> float:
    """Wall-clock seconds when the page that shows ``text`` finished loading (DOMContentLoaded)."""
    deadline = time.monotonic() + SHOWN_TIMEOUT_S
    while time.monotonic() < deadline:
        if text in _page_text(page):
            try:
                loaded = page.evaluate(PAGE_LOADED_AT)
                reloaded = page.evaluate("() => window.benchmarkMark === undefined")
            except Exception:  # replaced again meanwhile
                loaded, reloaded = None, False
            if loaded and reloaded:
                return float(loaded) / 1000
        time.sleep(0.02)
    raise SystemExit(f"the page did not show {text!r} within {SHOWN_TIMEOUT_S} s")


def trial(preview: Preview, page: Any, file: Path, edit: Callable[[str], str], shown: str) -> dict[str, float]:
    """Save ``file`` changed by ``edit``; the split of the time until ``shown`` is on the page."""
    page.evaluate("() => { window.benchmarkMark = 1; }")
    text = edit(file.read_text(encoding="utf-8"))
    mark = len(preview.lines)
    saved = time.time()
    file.write_text(text, encoding="utf-8")
    changed, _ = preview.wait_for_line(r"^Changed: ", mark)
    rebuilt, found = preview.wait_for_line(r"Rebuilt in ([\d.]+) s", changed)
    loaded = _shown_at(page, shown)
    build = float(found.group(1))
    to_rebuilt = preview.times[rebuilt] - preview.times[changed]
    return {"total": loaded - saved, "noticed": preview.times[changed] - saved,
            "validated": to_rebuilt - build, "built": build, "shown": loaded - preview.times[rebuilt]}


def summary(trials: list[dict[str, float]]) -> dict[str, Any]:
    return {"trials": [{k: round(v, 2) for k, v in t.items()} for t in trials],
            "median": {k: round(statistics.median(t[k] for t in trials), 2) for k in trials[0]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--interval", type=float, default=1.0, help="the preview's --interval (its default: 1.0)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"interval": args.interval, "machine": f"{platform.machine()}, "
                               f"{len(os.sched_getaffinity(0))} cores"}
    with tempfile.TemporaryDirectory() as folder:
        root = project_copy(Path(folder))
        started = time.time()
        with running_preview(root, "--interval", str(args.interval)) as preview, sync_playwright() as pw:
            results["first_build_s"] = round(time.time() - started, 1)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{preview.base}{PAGE}", wait_until="load")
            yaml_trials, markdown_trials = [], []
            for n in range(args.trials):
                old, new = PROMPTS[n % len(PROMPTS)], PROMPTS[(n + 1) % len(PROMPTS)]

                def swap(text: str, old: str = old, new: str = new) -> str:
                    assert f"prompt: {old}" in text, f"no prompt {old!r} in {PROTOCOL}"
                    return text.replace(f"prompt: {old}", f"prompt: {new}", 1)

                yaml_trials.append(trial(preview, page, root / PROTOCOL, swap, new))
                print(f"YAML edit {n + 1}: {yaml_trials[-1]}", flush=True)
            for n in range(args.trials):
                marker = f"Practice this at roll call, round {n + 1}."

                def add(text: str, marker: str = marker) -> str:
                    return f"{text.rstrip()}\n\n{marker}\n"

                markdown_trials.append(trial(preview, page, root / CHAPTER, add, marker))
                print(f"Markdown edit {n + 1}: {markdown_trials[-1]}", flush=True)
            browser.close()
        results["yaml"] = summary(yaml_trials)
        results["markdown"] = summary(markdown_trials)
        results["rebuilt_pages"] = sorted({re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
                                           for line in preview.lines if line.startswith("Rebuilt in")})
    (HERE / "preview_reload.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: results[k] for k in ("first_build_s", "interval")}))
    print("YAML edit, median:", results["yaml"]["median"])
    print("Markdown edit, median:", results["markdown"]["median"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
