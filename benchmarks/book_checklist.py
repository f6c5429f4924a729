#!/usr/bin/env python3
"""The book's checklist page and the offline handbook, side by side with a baseline, in one run.

    .venv/bin/python benchmarks/book_checklist.py [--trials 7] [--baseline PROJECT]

For each site (this project's built book and, given ``--baseline``, the built book of another
checkout of the handbook, e.g. the commit before checklists were drawn without a widget
manager), served by that checkout's own ``handbook serve``:

- ``first_usable_s``: navigation → the checklist's first answer button is visible (a fresh
  browser context per trial: nothing cached), on loopback and on 1.6 Mbps / 150 ms;
- ``transferred_kb`` / ``requests``: what the checklist page cost on the wire;
- a bare page (the checklist's state, one view and ``widgets_static.js``, nothing else) on
  loopback: the floor the book page is compared with;
- ``offline``: the files and bytes the service worker keeps, and the checklist's first usable
  answer with the network off after one visit.

Writes benchmarks/book_checklist.json. Timing is never asserted in the test suite; the targets
(≤ 0.3 s on loopback, ≤ 2.5 s and ≤ 450 KB on the slow link) live here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    RECORD_FIRST_USABLE,
    ROOT,
    SLOW_NETWORK,
    VENV_BIN,
    free_port,
    machine,
    stats,
    stop_group,
    wait_port,
    wire_bytes,
)

CHECKLIST_PAGE = "book/arrive/scene-checklist.html"
CHAPTER = "book/arrive/scene-safety.html"
OUT = HERE / "book_checklist.json"
EDITION = re.compile(r"^const EDITION = (\{.*?\});\n", re.S)


@contextlib.contextmanager
def book_server(project: Path) -> Iterator[str]:
    """``handbook serve`` of ``project`` (its own code and its built book), no kernels preheated."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(project / "src"),
           "HANDBOOK_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/r.sqlite3"}
    proc = subprocess.Popen([str(VENV_BIN / "handbook"), "serve", "--port", str(port), "--no-preheat"],
                            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_group(proc)


def first_usable(page: Any, timeout_s: float = 120) -> float:
    """Seconds from navigation to the first visible answer button (recorded in the page).

    Polled with ``evaluate``: Playwright's ``wait_for_function`` evaluates strings, which the
    book's content security policy (no eval) refuses.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate("window.__firstUsable")
        if isinstance(value, int | float):
            return float(value) / 1000
        time.sleep(0.02)
    return float("nan")


def one_load(browser: Any, url: str, network: dict[str, Any] | None) -> tuple[float, list[int], int]:
    """One fresh-context load: first usable seconds, bytes per response, requests."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.add_init_script(RECORD_FIRST_USABLE)
        transferred = wire_bytes(context, page, network)
        page.goto(url, wait_until="commit", timeout=180_000)
        seconds = first_usable(page)
        page.wait_for_load_state("load", timeout=180_000)
        requests = int(page.evaluate("performance.getEntriesByType('resource').length + 1"))
        return seconds, list(transferred), requests
    finally:
        context.close()


def bench_site(browser: Any, project: Path, trials: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with book_server(project) as base:
        url = f"{base}/{CHECKLIST_PAGE}"
        one_load(browser, url, None)  # warm the server's own caches, not the browser's
        for label, network in (("loopback", None), ("1.6 Mbps / 150 ms", SLOW_NETWORK)):
            times: list[float] = []
            sizes: list[int] = []
            requests = 0
            for _ in range(trials if network is None else max(2, trials // 3)):
                seconds, transferred, requests = one_load(browser, url, network)
                times.append(seconds)
                sizes.append(sum(transferred))
            out[label] = {"first_usable_s": stats(times), "transferred_kb": round(min(sizes) / 1024, 1),
                          "requests": requests}
        worker = project / "_build" / "html" / "service-worker.js"
        if worker.is_file():
            out["offline"] = bench_offline(browser, base, worker, trials)
    return out


def bench_offline(browser: Any, base: str, worker: Path, trials: int) -> dict[str, Any]:
    """What the service worker keeps, and the checklist with the network off after one visit."""
    found = EDITION.match(worker.read_text(encoding="utf-8"))
    edition = json.loads(found.group(1)) if found else {"files": [], "bytes": 0}
    times: list[float] = []
    for _ in range(max(3, trials // 2)):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{base}/{CHAPTER}")
            deadline = time.monotonic() + 60
            while page.evaluate("document.documentElement.dataset.offlineReady") != "ready":
                if time.monotonic() > deadline:
                    raise RuntimeError("the offline copy was not ready within 60 s")
                time.sleep(0.05)
            context.set_offline(True)
            page.add_init_script(RECORD_FIRST_USABLE)
            page.goto(f"{base}/{CHECKLIST_PAGE}", wait_until="commit")
            times.append(first_usable(page, 30))
        finally:
            context.close()
    return {"kept_files": len(edition["files"]), "kept_kb": round(edition["bytes"] / 1024, 1),
            "first_usable_offline_s": stats(times)}


def bench_bare(browser: Any, trials: int) -> dict[str, Any]:
    """The same checklist on a page with nothing but its state and the drawer: the floor."""
    sys.path.insert(0, str(ROOT / "tests" / "book"))
    from book_site import serve
    from test_static_widgets import bare_page, widget_state

    from protocols.book.static_widgets import static_state
    from protocols.ui.checklist import ChecklistWidget

    folder = Path(tempfile.mkdtemp())
    shutil.copyfile(ROOT / "src" / "protocols" / "book" / "assets" / "widgets_static.js",
                    folder / "widgets_static.js")
    widget = ChecklistWidget.for_protocol("scene-response")
    state = static_state(widget_state(widget), {widget.model_id}, folder, "./")
    (folder / "index.html").write_text(bare_page(state, widget.model_id), encoding="utf-8")
    times: list[float] = []
    with serve(folder) as base:
        for _ in range(trials):
            times.append(one_load(browser, f"{base}/index.html", None)[0])
    shutil.rmtree(folder, ignore_errors=True)
    return {"loopback": {"first_usable_s": stats(times)}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=7)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of the handbook, its book built (_build/html)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"machine": machine(), "trials": args.trials}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results["bare page (floor)"] = bench_bare(browser, args.trials)
            results["this checkout"] = bench_site(browser, ROOT, args.trials)
            if args.baseline is not None:
                results["baseline"] = {"project": args.baseline.name,
                                       **bench_site(browser, args.baseline.resolve(), args.trials)}
        finally:
            browser.close()
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
