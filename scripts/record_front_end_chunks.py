#!/usr/bin/env python3
"""Refresh src/protocols/serve/front_end_chunks.json: the Voila chunks job-aid pages load.

    .venv/bin/python scripts/record_front_end_chunks.py          # add what pages still fetch
    .venv/bin/python scripts/record_front_end_chunks.py --fresh  # start from an empty list

Starts ``handbook serve`` on a free loopback port, opens every job aid in widgets/ with
Debian's Chromium (and starts a case where the aid asks for one), and adds each numbered
chunk a page fetched on its own to the list, which ``handbook serve`` then sends in one
response (see protocols.serve.front_end_bundle). Run it after upgrading Voila or adding a widget
type; the job-aid tests fail, naming the chunks, when the list is missing some.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from run import CHROMIUM, CHROMIUM_ARGS, server  # noqa: E402  (the benchmarks' handbook serve)

from protocols.serve.front_end_bundle import CHUNK_LIST, CHUNK_NAME, read_chunk_list  # noqa: E402

CHUNK_URL = re.compile(rf"/voila/static/({CHUNK_NAME.pattern})(?:\?|$)")


def fetched_chunks(base: str, notebooks: list[str]) -> list[str]:
    """Chunk names the pages fetched, in the order first fetched."""
    from playwright.sync_api import sync_playwright

    seen: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for notebook in notebooks:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: seen.extend(m.group(1) for m in [CHUNK_URL.search(r.url)] if m))
            page.goto(f"{base}/voila/render/{notebook}", timeout=90_000)
            page.wait_for_selector(".hb-aid", timeout=90_000)
            case = page.get_by_label("Case or incident number")
            if case.count():
                case.first.fill("26-CHUNKS-1")
                case.first.press("Enter")
                page.get_by_text("Case 26-CHUNKS-1").first.wait_for(timeout=30_000)
            page.wait_for_timeout(500)
            print(f"  {notebook}: {len(set(seen))} chunks fetched so far")
            page.close()
        browser.close()
    return list(dict.fromkeys(seen))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="forget the current list first")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    listed = [] if args.fresh else list(read_chunk_list().chunks)
    if args.fresh:
        CHUNK_LIST.write_text(json.dumps({"voila": version("voila"), "chunks": []}) + "\n", encoding="utf-8")
    notebooks = sorted(p.name for p in (ROOT / "widgets").glob("*.ipynb"))
    with server("ours", preheat=False) as (base, _pid):
        added = [name for name in fetched_chunks(base, notebooks) if name not in listed]
    CHUNK_LIST.write_text(json.dumps({"voila": version("voila"), "chunks": listed + added}, indent=1) + "\n",
                          encoding="utf-8")
    print(f"{CHUNK_LIST}: {len(listed) + len(added)} chunks ({len(added)} added)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
