"""What a job-aid kernel still imports per session, forked from the warm parent or started afresh.

Each trial starts one kernel, runs the scene-response aid's cell, and reports the modules the
kernel imported after it was forked (or, for a fresh kernel, after ``ipykernel`` had started it)
and how long the cell took. The suite asserts only that none of the heavy packages is imported
per session (``tests/jobaids/test_kernel_forking.py``); this is the figure for the rest.

    .venv/bin/python benchmarks/fork_imports.py [--trials 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import textwrap
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from protocols.serve.kernel_provisioner import PROVISIONER, ForkServer
from protocols.settings import FORK_SERVER

CELL = textwrap.dedent("""
    import sys, time, json
    from protocols.serve import forkserver
    before = forkserver.MODULES_AT_FORK or frozenset(sys.modules)
    started = time.perf_counter()
    from protocols.ui.checklist_aid import checklist_aid
    checklist_aid("scene-response", aid="scene-response")
    ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"ms": ms, "late": sorted(set(sys.modules) - before)}))
""")


async def one_trial(env: dict[str, str]) -> dict[str, Any]:
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        out: list[str] = []
        reply = await kc.execute_interactive(CELL, timeout=60, output_hook=lambda m: out.append(
            m["content"].get("text", "") if m["msg_type"] == "stream" else ""))
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the aid's cell failed: {reply['content'].get('evalue')}")
        return dict(json.loads("".join(out).strip().splitlines()[-1]))
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def run(trials: int, forked: bool, env: dict[str, str]) -> dict[str, Any]:
    results = [asyncio.run(one_trial(env)) for _ in range(trials)]
    late = results[-1]["late"]
    return {"cell_ms_median": round(statistics.median(r["ms"] for r in results), 1),
            "modules_imported_per_session": len(late),
            "sample": late[:12], "forked": forked}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fork-") as scratch:
        env = {**os.environ, "HANDBOOK_DATABASE_URL": f"sqlite:///{scratch}/records.sqlite3"}
        fresh = run(args.trials, False, env)
        server = ForkServer()
        try:
            if not server.wait_ready(90):
                print("the fork server did not start", file=sys.stderr)
                return 1
            KernelProvisionerFactory.instance().default_provisioner_name = PROVISIONER
            os.environ[FORK_SERVER.name] = server.socket_path  # the provisioner reads it from this process
            forked = run(args.trials, True, env)
        finally:
            server.stop()
    print(f"{'kernel':8} {'aid cell (median ms)':>22} {'modules imported per session':>30}")
    for name, figures in (("fresh", fresh), ("forked", forked)):
        print(f"{name:8} {figures['cell_ms_median']:>22} {figures['modules_imported_per_session']:>30}")
    print("forked, imported per session:", ", ".join(forked["sample"]) or "nothing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
