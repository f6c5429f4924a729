#!/usr/bin/env python3
"""Benchmarks: the handbook and job aids side by side with the defaults they replace.

    .venv/bin/python benchmarks/run.py [--quick] [--only NAME ...] [--baseline PROJECT]

Writes benchmarks/results.json and the table in benchmarks/README.md (between the
RESULTS markers). Every figure is the median and p95 of repeated trials, measured
in one run against its default. Servers listen on 127.0.0.1 only; every loop is
bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AIDS = ["scene-response", "screening", "needs-and-referrals", "rights-notification", "confidentiality",
        "follow-up", "scenario-player"]
BURST_DEADLINE_S = 180
"""A page of the all-browser burst not usable this long after the burst began counts as failed."""
FIRST_USABLE_CSS = "input:not([disabled]), button.jupyter-button:not([disabled], [aria-disabled=true]), .hb-option"
"""The first control a user can act on in a job aid (visible and enabled)."""
LIVE_USABLE_CSS = ", ".join(f".hb-aid {part.strip()}" for part in FIRST_USABLE_CSS.split(","))
"""The same, drawn by the live widgets (the kernel has joined): ours paints a first screen before."""
FIRST_USABLE = ", ".join(f"{part.strip()}:visible" for part in FIRST_USABLE_CSS.split(","))
RECORD_FIRST_USABLE = """(() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const stamp = (name) => {
    window[name] = null;
    requestAnimationFrame(() => { window[name] = performance.now(); });
  };
  const observer = new MutationObserver(() => {
    if (window.__firstUsable === undefined && document.querySelector(FIRST)
        && [...document.querySelectorAll(FIRST)].some(visible)) {
      stamp("__firstUsable");
    }
    if (window.__liveUsable === undefined && [...document.querySelectorAll(LIVE)].some(visible)) {
      stamp("__liveUsable");
    }
    if (window.__firstUsable !== undefined && window.__liveUsable !== undefined) observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();""".replace("FIRST", json.dumps(FIRST_USABLE_CSS)).replace("LIVE", json.dumps(LIVE_USABLE_CSS))
"""Records in the page the moment (the next frame) a first control is visible, and the moment
one drawn by the live widgets is (``__liveUsable``; the same moment where no first screen is painted).

Reading the clock after Playwright's wait returns would add its polling delay: it re-checks
a selector at growing intervals, up to 500 ms apart.
"""


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {timeout} s")


def stats(values: list[float]) -> dict[str, float]:
    """Median and p95 of the trials that measured something (a NaN is a trial with no figure)."""
    ordered = sorted(v for v in values if v == v)
    if not ordered:
        return {"median": float("nan"), "p95": float("nan"), "n": 0, "missing": len(values)}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    out = {"median": round(statistics.median(ordered), 3), "p95": round(p95, 3), "n": len(ordered)}
    if len(ordered) < len(values):
        out["missing"] = len(values) - len(ordered)
    return out


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found: list[int] = []
    pids = [pid]
    while pids:
        current = pids.pop()
        if current in found:
            continue
        found.append(current)
        with contextlib.suppress(OSError):
            pids.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process tree, in MB.

    RSS counts shared libraries once per process; PSS shares them out, so the PSS of the
    tree is what it really takes from the machine. USS is what it alone holds.
    """
    totals = {"rss": 0, "pss": 0, "uss": 0, "processes": 0}
    for current in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = {}
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()[1:]:
                name, value, *_ = line.split()
                fields[name.rstrip(":")] = int(value)
            totals["rss"] += fields.get("Rss", 0)
            totals["pss"] += fields.get("Pss", 0)
            totals["uss"] += fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
            totals["processes"] += 1
    return {k: (round(v / 1024, 1) if k != "processes" else v) for k, v in totals.items()}


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process tree."""
    ticks = 0
    for current in process_tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_quiet(pid: int, timeout: float = 90) -> float:
    """Wait until a server's process tree is idle (its kernel pool refilled); return the wait."""
    started = time.monotonic()
    calm = 0
    processes = len(process_tree(pid))
    used = cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now_processes, now_used = len(process_tree(pid)), cpu_seconds(pid)
        calm = calm + 1 if now_processes == processes and now_used - used < 0.05 else 0
        processes, used = now_processes, now_used
        if calm >= 3:
            break
    return time.monotonic() - started


def settled_memory(pid: int, timeout: float = 120) -> dict[str, float]:
    """Memory once the tree stops changing (a kernel pool can take a while to fill)."""
    last: dict[str, float] | None = None
    steady = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = memory_mb(pid)
        if last is not None and now["processes"] == last["processes"] and abs(now["pss"] - last["pss"]) < 3:
            steady += 1
            if steady >= 3:
                return now
        else:
            steady = 0
        last = now
        time.sleep(2)
    return last or memory_mb(pid)


BASELINE: Path | None = None
"""Another checkout of the project (``--baseline``): its ``handbook serve`` is measured beside ours."""


@contextlib.contextmanager
def server(kind: str, db_url: str | None = None, preheat: bool = True,
           extra: tuple[str, ...] = ()) -> Iterator[tuple[str, int]]:
    """``ours`` = handbook serve (``extra``: more of its flags); ``baseline`` = the same from the
    :data:`BASELINE` checkout (its own package and notebooks); ``default`` = plain voila on widgets/."""
    port = free_port()
    env = {**os.environ, "HANDBOOK_DATABASE_URL": db_url or f"sqlite:///{tempfile.mkdtemp()}/r.sqlite3"}
    cwd = ROOT
    if kind in ("ours", "baseline"):
        cmd = [str(VENV_BIN / "handbook"), "serve", "--port", str(port)]
        if not preheat:
            cmd.append("--no-preheat")
        cmd += extra
        if kind == "baseline":
            assert BASELINE is not None, "--baseline PROJECT names the checkout to compare with"
            cwd = BASELINE
            env["PYTHONPATH"] = str(BASELINE / "src")  # ahead of this checkout's editable install
    else:
        cmd = [str(VENV_BIN / "voila"), "widgets", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_port(port)
        time.sleep(3 if kind != "default" and preheat else 0.5)  # let the kernel pool fill
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM a server's process group, then SIGKILL it if it has not gone within 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def aid_url(base: str, kind: str, aid: str) -> str:
    return f"{base}/voila/render/{aid}.ipynb"


def time_to_first_usable(browser: Any, url: str, timeout_ms: int = 60_000,
                         requested: list[str] | None = None, live: list[float] | None = None) -> float:
    """Navigation start → the first control of the job aid is visible and enabled (seconds).

    ``requested`` collects the URLs the page asks for (what headless sessions then fetch);
    ``live`` the time until the live widgets drew a control (the kernel has joined).
    """
    page = timed_page(browser, viewport={"width": 1280, "height": 900})
    if requested is not None:
        page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        first = first_usable_s(page, timeout_ms)
        if live is not None:
            live.append(float(page.wait_for_function("() => window.__liveUsable",
                                                     timeout=timeout_ms).json_value()) / 1000)
        return first
    finally:
        page.close(run_before_unload=True)  # as a tab closes: the page's beacon shuts its kernel


def timed_page(browser: Any, **options: Any) -> Any:
    """A new page that records when its first usable control appears (:data:`RECORD_FIRST_USABLE`)."""
    page = browser.new_page(**options)
    page.add_init_script(RECORD_FIRST_USABLE)
    return page


def first_usable_s(page: Any, timeout_ms: float, live: bool = False) -> float:
    """Wait for a :func:`timed_page`'s first usable control; seconds from its navigation start.

    ``live``: the first control the live widgets drew (the kernel has joined) instead.
    """
    name = "__liveUsable" if live else "__firstUsable"
    return float(page.wait_for_function(f"() => window.{name}", timeout=timeout_ms).json_value()) / 1000


# --------------------------------------------------------------------------- benchmarks


def server_share(browser: Any, base: str, kind: str, concurrent: int, assets: list[str] | None) -> dict[str, Any]:
    """``concurrent`` sessions at once: one Chromium page and headless sessions for the rest.

    All start together (a barrier). The page's figure is time to first usable; a headless
    session's is time to widget states received, what the server owes a browser on its own
    device. Every session stays open until the burst is measured, as users keep their tabs.
    """
    from sessions import at_once

    timeout = 120.0
    url = aid_url(base, kind, "scene-response")
    page = timed_page(browser)
    browser_s: float | None = None
    browser_errors: list[str] = []
    started = time.monotonic()

    def open_in_browser() -> None:
        nonlocal browser_s, started
        started = time.monotonic()
        try:
            page.goto(url, wait_until="commit", timeout=int(timeout * 1000))
            browser_s = first_usable_s(page, timeout * 1000, live=True)  # a session served in full
        except Exception as exc:  # the page failed: count it, keep the headless figures
            browser_errors.append(f"browser: {type(exc).__name__}: {str(exc).splitlines()[0]}"[:200])

    opened, errors = at_once(base, "scene-response", concurrent - 1, assets, timeout, alongside=open_in_browser)
    wall = time.monotonic() - started
    page.close(run_before_unload=True)
    errors = browser_errors + errors
    headless = [o.seconds for o in opened]
    times = headless + ([browser_s] if browser_s is not None else [])
    return {**stats(times or [float("nan")]), "sessions": concurrent, "failed": concurrent - len(times),
            "browser_s": round(browser_s, 3) if browser_s is not None else None,
            "headless": stats(headless or [float("nan")]), "wall_s": round(wall, 2), "errors": errors[:3],
            # states fetched model by model: the kernel closed the control comm or was too slow
            "headless_fallbacks": sum(o.fallback for o in opened)}


def bench_first_usable(pw: Any, trials: int, concurrent: int, aids: list[str]) -> dict[str, Any]:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    out: dict[str, Any] = {}
    try:
        for kind in ("ours", *(("baseline",) if BASELINE is not None else ()), "default"):
            with server(kind) as (base, pid):
                wait_quiet(pid)
                requested: list[str] = []
                for aid in aids:
                    times: list[float] = []
                    live: list[float] = []
                    for _ in range(trials):
                        # One officer opening one aid: the server has settled (its pool refilled).
                        times.append(time_to_first_usable(browser, aid_url(base, kind, aid), live=live,
                                                          requested=requested if aid == "scene-response" else None))
                        wait_quiet(pid)
                    out.setdefault(aid, {})[kind] = {**stats(times), "live": stats(live)}
                if kind == "baseline":
                    continue  # the previous release: one officer, one aid (the bursts compare with default)
                # Many sessions at once, on the scene-response aid. First the server's share: one
                # browser and headless sessions fetching what that browser fetched.
                from sessions import static_paths

                assets = static_paths(requested, base) or None
                out.setdefault("concurrent_server", {})[kind] = server_share(browser, base, kind, concurrent, assets)
                wait_quiet(pid)
                # Then every session a Chromium page: the browsers share the server's cores.
                results: list[float] = []
                # Playwright's sync API is not thread-safe: open the pages from one thread, in a burst.
                started = time.monotonic()
                pages = [timed_page(browser) for _ in range(concurrent)]
                unanswered: list[Any] = []
                for page in pages:
                    try:
                        page.goto(aid_url(base, kind, "scene-response"), wait_until="commit")
                    except Exception:  # no answer within Playwright's 30 s: a failed page
                        unanswered.append(page)
                deadline = started + BURST_DEADLINE_S  # a collapsing server fails its pages, not the run
                failures = len(unanswered)
                for page in pages:
                    if page in unanswered:
                        continue
                    try:
                        results.append(first_usable_s(page, max(1000, (deadline - time.monotonic()) * 1000),
                                                      live=True))
                    except Exception:
                        failures += 1
                for page in pages:
                    page.close(run_before_unload=True)
                out.setdefault("concurrent", {})[kind] = {**stats(results or [float("nan")]),
                                                          "sessions": concurrent, "failed": failures,
                                                          "wall_s": round(time.monotonic() - started, 2)}
    finally:
        browser.close()
    for row in out.values():
        if "ours" in row and "default" in row and row["ours"]["median"]:
            row["ratio"] = round(row["default"]["median"] / row["ours"]["median"], 2)
            live = row["ours"].get("live", {}).get("median")
            if live:
                row["ratio_live"] = round(row["default"]["median"] / live, 2)
    return out


def bench_memory(pw: Any, sessions: int) -> dict[str, Any]:
    """Memory at rest and per open session (PSS: shared pages shared out), each server alike."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    out: dict[str, Any] = {}
    try:
        for kind in ("ours", "default"):
            with server(kind) as (base, pid):
                at_rest = settled_memory(pid)
                pages = []
                for _ in range(sessions):
                    page = browser.new_page()
                    page.goto(aid_url(base, kind, "scene-response"))
                    page.locator(FIRST_USABLE).first.wait_for(state="visible", timeout=60_000)
                    pages.append(page)
                loaded = settled_memory(pid)
                per = {k: round((loaded[k] - at_rest[k]) / sessions, 1) for k in ("rss", "pss", "uss")}
                out[kind] = {"at_rest_mb": at_rest["pss"], "at_rest_rss_mb": at_rest["rss"],
                             "processes_at_rest": at_rest["processes"],
                             f"with_{sessions}_sessions_mb": loaded["pss"], "sessions": sessions,
                             "per_session_mb": per["pss"], "per_session_rss_mb": per["rss"],
                             "per_session_uss_mb": per["uss"],
                             "sessions_in_2gb": int((2048 - at_rest["pss"]) // per["pss"]) if per["pss"] > 0 else None}
                for page in pages:
                    page.close()
    finally:
        browser.close()
    return out


def bench_round_trip(pw: Any, trials: int, pg_url: str | None) -> dict[str, Any]:
    """Tick → saved in the store → the page says saved (seconds)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    out: dict[str, Any] = {}
    stores = {"sqlite": None, "postgresql": pg_url} if pg_url else {"sqlite": None}
    try:
        for name, url in stores.items():
            with server("ours", db_url=url) as (base, _pid):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(aid_url(base, "ours", "scene-response"))
                page.get_by_label("Case or incident number").fill(f"BENCH-{name}")
                page.get_by_role("button", name="Start or resume").click()
                page.locator(".hb-checklist").wait_for(timeout=60_000)
                first = page.locator(".hb-item").first
                options = first.locator(".hb-option[data-value]")
                times = []
                for n in range(trials):
                    button = options.nth(n % 2)
                    started = time.monotonic()
                    button.click()
                    page.wait_for_function(
                        "el => el.textContent.includes('saved') && !el.textContent.includes('Saving')",
                        arg=first.locator(".hb-status").element_handle(), timeout=30_000)
                    times.append(time.monotonic() - started)
                out[name] = stats(times)
                page.close()
    finally:
        browser.close()
    return out


def bench_store_write(trials: int, pg_url: str | None) -> dict[str, Any]:
    """One answer to a checklist item: checked by the engine and saved in one transaction (ms).

    No browser and no kernel: the part of the round trip (section 3) the store adds. SQLite
    runs as the handbook opens it (WAL, synchronous=FULL) in a file on disk; PostgreSQL
    flushes every commit (fsync on, unlike the test suite's throwaway cluster).
    """
    from protocols.library.loader import default_library
    from protocols.records import Store
    from protocols.ui.checklist_session import ChecklistSession

    protocol = default_library().protocol("scene-response")
    item = next(i for i in protocol.items() if len(i.value.choices) >= 2)
    values = [c.id for c in item.value.choices[:2]]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=ROOT) as folder:
        stores = {"sqlite": f"sqlite:///{folder}/records.sqlite3"}
        if pg_url:
            stores["postgresql"] = pg_url
        for name, url in stores.items():
            store = Store.open(url)
            session, _note = ChecklistSession.start_or_resume(protocol, store, "scene-response",
                                                              f"BENCH-{name}")
            times = []
            for n in range(trials + 5):  # the first five warm the connection pool and caches
                started = time.perf_counter()
                reply = session.handle({"type": "answer", "item": item.id, "answer": {"value": values[n % 2]}})
                elapsed = (time.perf_counter() - started) * 1000
                if reply["type"] != "saved":
                    raise RuntimeError(f"{name}: answer {n} was not saved: {reply.get('message')}")
                if n >= 5:
                    times.append(elapsed)
            out[name] = {**stats(times), "answers": trials, "revision": session.revision}
            store.engine.dispose()
    return out


def _timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.monotonic() - started, 2)


def bench_build(trials: int) -> dict[str, Any]:
    """Clean, unchanged, one-chapter and one-YAML-item rebuilds; ours vs execute_notebooks: force."""
    out: dict[str, Any] = {}
    jb = str(VENV_BIN / "jupyter-book")
    for variant in ("ours", "default"):
        rows: dict[str, list[float]] = {"clean": [], "unchanged": [], "chapter_edit": [], "yaml_edit": []}
        for _ in range(trials):
            work = Path(tempfile.mkdtemp(prefix="hb-bench-"))
            shutil.copytree(ROOT, work / "p", ignore=shutil.ignore_patterns(
                ".venv", "_build", ".git", "artifacts", "node_modules", "__pycache__", ".pytest_cache"))
            project = work / "p"
            content = project / "src" / "protocols" / "content"
            env = {**os.environ, "HANDBOOK_CONTENT": str(content)}
            if variant == "default":
                config = project / "_config.yml"
                config.write_text(config.read_text().replace("execute_notebooks: cache",
                                                             "execute_notebooks: force"))
            cmd = [jb, "build", str(project), "-W", "-n", "--keep-going"]
            rows["clean"].append(_timed(cmd, project, env))
            rows["unchanged"].append(_timed(cmd, project, env))
            chapter = project / "book" / "techniques" / "active-listening.md"
            chapter.write_text(chapter.read_text() + "\nA sentence added by the benchmark.\n")
            rows["chapter_edit"].append(_timed(cmd, project, env))
            yaml_file = content / "protocols" / "scene-response.yaml"
            yaml_file.write_text(yaml_file.read_text().replace("prompt: Where is the suspect now?",
                                                               "prompt: Where is the suspect right now?", 1))
            rows["yaml_edit"].append(_timed(cmd, project, env))
            shutil.rmtree(work, ignore_errors=True)
        out[variant] = {name: stats(values) for name, values in rows.items()}
    return out


SLOW_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8}
"""Chrome DevTools Protocol ``Network.emulateNetworkConditions`` for "1.6 Mbps / 150 ms" (bytes per second)."""


def wire_bytes(context: Any, page: Any, conditions: dict[str, Any] | None = None) -> list[int]:
    """The bytes Chrome received for each of ``page``'s requests (the Chrome DevTools Protocol's
    ``Network.loadingFinished`` ``encodedDataLength``), with the cache off and, given ``conditions``,
    the network throttled. The list fills while the page loads. Shared by :func:`bench_pages` and
    :func:`bench_site`, so both report "transferred" the same way."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if conditions is not None:
        cdp.send("Network.emulateNetworkConditions", conditions)
    transferred: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(int(event["encodedDataLength"])))
    return transferred


def bench_pages(pw: Any, trials: int) -> dict[str, Any]:
    """Bytes, requests, first contentful paint and load for two pages, on loopback and throttled."""
    pages = {"typical chapter": "book/techniques/active-listening.html",
             "heaviest (embedded checklist)": "book/arrive/scene-checklist.html"}
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    out: dict[str, Any] = {}
    try:
        with server("ours", preheat=False) as (base, _pid):
            for label, path in pages.items():
                for network in ("loopback", "1.6 Mbps / 150 ms"):
                    fcp: list[float] = []
                    load: list[float] = []
                    sizes: dict[str, float] = {}
                    for _ in range(trials):
                        context = browser.new_context()
                        page = context.new_page()
                        transferred = wire_bytes(context, page, None if network == "loopback" else SLOW_NETWORK)
                        decoded: list[int] = []
                        page.goto(f"{base}/{path}", wait_until="load", timeout=180_000)
                        timing = page.evaluate("""() => {
                            const nav = performance.getEntriesByType('navigation')[0];
                            const paint = performance.getEntriesByName('first-contentful-paint')[0];
                            const res = performance.getEntriesByType('resource');
                            return {fcp: paint ? paint.startTime : null, load: nav.loadEventEnd,
                                    decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0),
                                    requests: res.length + 1};
                        }""")
                        decoded.append(timing["decoded"])
                        fcp.append(timing["fcp"] / 1000 if timing["fcp"] else float("nan"))
                        load.append(timing["load"] / 1000)
                        sizes = {"transferred_kb": round(sum(transferred) / 1024, 1),
                                 "uncompressed_kb": round(decoded[-1] / 1024, 1),
                                 "requests": timing["requests"]}
                        context.close()
                    out.setdefault(label, {})[network] = {**sizes, "fcp_s": stats(fcp), "load_s": stats(load)}
    finally:
        browser.close()
    return out


COLD_VARIANTS: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "preheated pool (handbook serve as shipped)": ("ours", True, ()),
    "no pool, kernel forked from the warm parent (--no-preheat)": ("ours", False, ()),
    "cold: no pool, no fork (--no-preheat --no-fork-kernels)": ("ours", False, ("--no-fork-kernels",)),
    "default voila": ("default", False, ()),
}


def bench_cold(pw: Any, trials: int) -> dict[str, Any]:
    """Scene-response first usable, with and without preheated kernels (each load a new kernel)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    out: dict[str, Any] = {}
    try:
        for label, (kind, preheat, extra) in COLD_VARIANTS.items():
            with server(kind, preheat=preheat, extra=extra) as (base, pid):
                wait_quiet(pid)
                live: list[float] = []  # kernels started or not: the live widgets tell
                for _ in range(trials):
                    time_to_first_usable(browser, aid_url(base, kind, "scene-response"), live=live)
                    wait_quiet(pid)
                out[label] = stats(live)
    finally:
        browser.close()
    return out


def bench_site(pw: Any) -> dict[str, Any]:
    """Every page of the built book, once on loopback with no cache: the page count and the heaviest."""
    site = ROOT / "_build" / "html"
    paths = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if not p.relative_to(site).as_posix().startswith(("_", "reports/")))
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    rows: list[dict[str, Any]] = []
    try:
        with server("ours", preheat=False) as (base, _pid):
            context = browser.new_context()
            for path in paths:
                page = context.new_page()
                transferred = wire_bytes(context, page)
                page.goto(f"{base}/{path}", wait_until="load", timeout=120_000)
                page.wait_for_timeout(300)  # the checklist module's own requests
                decoded = page.evaluate("""() => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    const res = performance.getEntriesByType('resource');
                    return [nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0), res.length + 1];
                }""")
                rows.append({"page": path, "transferred_kb": round(sum(transferred) / 1024, 1),
                             "uncompressed_kb": round(decoded[0] / 1024, 1), "requests": decoded[1]})
                page.close()
            context.close()
    finally:
        browser.close()
    rows.sort(key=lambda r: r["transferred_kb"], reverse=True)
    weights = [r["transferred_kb"] for r in rows]
    return {"pages": len(rows), "transferred_kb": {**stats(weights), "max": max(weights, default=0.0)},
            "heaviest": rows[:5]}


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer trials, for a smoke run")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["first_usable", "cold", "memory", "round_trip", "store_write", "build", "pages",
                                 "site"])
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of the project (e.g. the previous release) whose job aids "
                             "are measured beside these in the first-usable section")
    parser.add_argument("--trials", type=int, default=None,
                        help="trials per job aid and server (default 10; 3 with --quick)")
    args = parser.parse_args()
    global BASELINE
    BASELINE = args.baseline.resolve() if args.baseline else None
    trials = args.trials or (3 if args.quick else 10)
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "records"))
    results: dict[str, Any] = {"date": dt.date.today().isoformat(), "machine": machine()}
    todo: dict[str, Callable[[Any], Any]] = {
        "first_usable": lambda pw: bench_first_usable(pw, trials, 5 if args.quick else 20,
                                                      AIDS[:2] if args.quick else AIDS),
        "cold": lambda pw: bench_cold(pw, 3 if args.quick else 5),
        "memory": lambda pw: bench_memory(pw, 3 if args.quick else 10),
        "round_trip": lambda pw: _with_pg(lambda url: bench_round_trip(pw, trials * 2, url)),
        "store_write": lambda _pw: _with_pg(lambda url: bench_store_write(50 if args.quick else 500, url),
                                            durable=True),
        "build": lambda pw: bench_build(1 if args.quick else 3),
        "pages": lambda pw: bench_pages(pw, 2 if args.quick else 5),
        "site": bench_site,
    }
    with sync_playwright() as pw:
        for name, job in todo.items():
            if args.only and name not in args.only:
                continue
            print(f"== {name}", flush=True)
            started = time.monotonic()
            results[name] = job(pw)
            print(json.dumps(results[name], indent=1), f"({time.monotonic() - started:.0f} s)", flush=True)
    out = Path(__file__).parent / "results.json"
    previous = json.loads(out.read_text()) if out.exists() and args.only else {}
    # A partial run (--only) keeps the other sections' figures: say when each was measured.
    dates = previous.get("section_dates") or {k: previous.get("date") for k in todo if k in previous}
    dates.update({name: results["date"] for name in todo if name in results})
    previous.update(results)
    previous["section_dates"] = dates
    out.write_text(json.dumps(previous, indent=2) + "\n")
    from report import write_table

    write_table(previous, Path(__file__).parent / "README.md")
    return 0


def _with_pg(job: Callable[[str | None], Any], durable: bool = False) -> Any:
    try:
        from pgserver import postgres_server
    except ImportError:
        return job(None)
    try:
        with postgres_server(durable) as url:
            return job(url)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"PostgreSQL not available ({exc}); SQLite only", flush=True)
        return job(None)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
