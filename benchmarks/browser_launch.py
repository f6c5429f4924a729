#!/usr/bin/env python3
"""The browser the tests drive: Debian's full Chromium beside its headless build, in one run.

    .venv/bin/python benchmarks/browser_launch.py [--rounds 2] [--pages 30]

Each round, for each browser, in turn:

- ``launch``: 10 launches, each opening one small page and closing;
- ``pages``: one launch, then the first ``--pages`` pages of the built book (``handbook build``
  first) at 1280 x 900 and 375 x 667, each loaded, checked with axe-core and photographed, as
  the suite's book tests do.

Reported: the wall time and the whole machine's CPU time (``/proc/stat``, so the browser's own
processes count too: run on a quiet machine). Writes benchmarks/browser_launch.json. The suite
uses the headless build (``tests/browser.py``); the printed manual keeps the full browser.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "book")]

from book_site import serve  # noqa: E402
from run import machine  # noqa: E402

from browser import CHROMIUM_ARGS, CHROMIUM_PATH  # noqa: E402
from protocols.book import vendor  # noqa: E402
from protocols.book.manual_print import CHROMIUM  # noqa: E402

BROWSERS = {"chromium (full)": str(CHROMIUM), "chromium-headless-shell": CHROMIUM_PATH}
OUT = HERE / "browser_launch.json"
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"], runOnly:
  {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations.length"""
SIZES = (({"width": 1280, "height": 900}, False), ({"width": 375, "height": 667}, True))


def busy_cpu_seconds() -> float:
    """The machine's CPU time so far, all cores, idle and I/O wait left out."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def measured(work: Callable[[], None]) -> dict[str, float]:
    cpu, wall = busy_cpu_seconds(), time.perf_counter()
    work()
    return {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(busy_cpu_seconds() - cpu, 2)}


def launches(pw: Any, executable: str) -> None:
    for _ in range(10):
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        browser.new_page().set_content("<p>ready</p>")
        browser.close()


def book_pages(pw: Any, executable: str, base: str, names: list[str], axe: Path) -> None:
    browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        for size, mobile in SIZES:
            context = browser.new_context(viewport=size, is_mobile=mobile)
            page = context.new_page()
            for name in names:
                page.goto(f"{base}/{name}", wait_until="load")
                page.add_script_tag(path=str(axe))
                page.evaluate(AXE_RUN)
                page.screenshot()
            context.close()
    finally:
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    site = ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"No built book in {site}: run `handbook build` first.", file=sys.stderr)
        return 2
    missing = [path for path in BROWSERS.values() if not Path(path).exists()]
    if missing:
        print(f"Not installed: {', '.join(missing)} (bash scripts/dev.sh setup installs both).", file=sys.stderr)
        return 2
    names = sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                   if not {"_static", "voila"} & set(p.parts))[:args.pages]
    axe_folder = Path(os.environ.get("TMPDIR", "/tmp")) / "handbook-bench-axe"
    try:
        tarball = vendor.fetch_tarball(vendor.AXE_CORE, vendor.cache_folder(ROOT / "vendor"))
        vendor.extract(vendor.AXE_CORE, tarball, axe_folder)
    except vendor.VendorError as exc:
        print(f"axe-core is not available ({exc}); run `bash scripts/dev.sh setup`.", file=sys.stderr)
        return 2
    axe = axe_folder / "axe.min.js"
    from playwright.sync_api import sync_playwright

    trials: dict[str, dict[str, list[dict[str, float]]]] = {name: {"launch": [], "pages": []} for name in BROWSERS}
    with serve(site) as base, sync_playwright() as pw:
        for _ in range(args.rounds):
            for name, executable in BROWSERS.items():  # alternated, so a slow minute hits both
                trials[name]["launch"].append(measured(lambda exe=executable: launches(pw, exe)))
                trials[name]["pages"].append(measured(lambda exe=executable: book_pages(pw, exe, base, names, axe)))
    summary = {name: {kind: {key: statistics.median(t[key] for t in runs) for key in ("wall_s", "cpu_s")}
                      for kind, runs in kinds.items()} for name, kinds in trials.items()}
    OUT.write_text(json.dumps({"machine": machine(), "date": time.strftime("%Y-%m-%d"), "pages": len(names),
                               "rounds": args.rounds, "median": summary, "trials": trials}, indent=2) + "\n")
    print(f"Median of {args.rounds} rounds; CPU is the whole machine's ({machine()}).")
    print(f"| Browser | 10 launches: wall / CPU (s) | {len(names)} pages x 2 widths, axe, photo: wall / CPU (s) |")
    print("| --- | --- | --- |")
    for name, kinds in summary.items():
        cells = [f"{kinds[kind]['wall_s']:.1f} / {kinds[kind]['cpu_s']:.1f}" for kind in ("launch", "pages")]
        print(f"| {name} | {' | '.join(cells)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
