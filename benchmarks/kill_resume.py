#!/usr/bin/env python3
"""Kill -9 the job-aid server mid-run, restart, resume: count answers confirmed vs recovered.

    .venv/bin/python benchmarks/kill_resume.py [--trials 20] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "records"))

from kill_trial import run_trial  # noqa: E402
from pgserver import postgres_server  # noqa: E402

from protocols.book.manual_print import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the full browser)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="use a PostgreSQL server instead of SQLite")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        if args.postgres:
            db_url = stack.enter_context(postgres_server())
        else:
            db_url = f"sqlite:///{tempfile.mkdtemp()}/records.sqlite3"
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        totals = {"trials": 0, "confirmed": 0, "recovered": 0, "missing": []}
        for n in range(args.trials):
            result = run_trial(browser, db_url, f"26-KILL-{n}")
            totals["trials"] += 1
            totals["confirmed"] += result.confirmed
            totals["recovered"] += result.recovered
            totals["missing"] += result.missing
            print(f"trial {n + 1}: confirmed {result.confirmed}, recovered {result.recovered}", flush=True)
    store = "postgresql" if args.postgres else "sqlite"
    out = HERE / "kill_resume.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous[store] = totals
    out.write_text(json.dumps(previous, indent=2) + "\n")
    print(json.dumps(totals))
    return 0 if totals["confirmed"] == totals["recovered"] else 1


if __name__ == "__main__":
    sys.exit(main())
