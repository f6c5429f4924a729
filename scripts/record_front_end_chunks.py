#!/usr/bin/env python3
"""Refresh src/protocols/front_end_chunks.json: the Voila chunks job-aid pages load.

    .venv/bin/python scripts/record_front_end_chunks.py          # add what pages still fetch
    .venv/bin/python scripts/record_front_end_chunks.py --fresh  # start from an empty list

Starts ``handbook serve`` on a free loopback port, opens every job aid in widgets/ with
Debian's Chromium (and starts a case where the aid asks for one), and adds each numbered
chunk a page fetched on its own to the list, which ``handbook serve`` then sends in one
response (see protocols.front_end_bundle). Run it after upgrading Voila or adding a widget
type; the job-aid tests fail, naming the chunks, when the list is missing some.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "src" / "protocols" / "front_end_chunks.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHUNK_URL = re.compile(r"/voila/static/([0-9]+\.voila\.js)(?:\?|$)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"handbook serve did not answer at {url} within {seconds:.0f} s")


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
    listed: list[str] = [] if args.fresh else json.loads(LIST.read_text(encoding="utf-8")).get("chunks", [])
    if args.fresh:
        LIST.write_text(json.dumps({"voila": version("voila"), "chunks": []}) + "\n", encoding="utf-8")
    notebooks = sorted(p.name for p in (ROOT / "widgets").glob("*.ipynb"))
    port = free_port()
    folder = tempfile.mkdtemp(prefix="handbook-chunks-")
    env = {**os.environ, "HANDBOOK_DATABASE_URL": f"sqlite:///{folder}/records.sqlite3"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("handbook")), "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/voila/render/index.ipynb")
        added = [name for name in fetched_chunks(f"http://127.0.0.1:{port}", notebooks) if name not in listed]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    LIST.write_text(json.dumps({"voila": version("voila"), "chunks": listed + added}, indent=1) + "\n",
                    encoding="utf-8")
    print(f"{LIST.relative_to(ROOT)}: {len(listed) + len(added)} chunks ({len(added)} added)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
