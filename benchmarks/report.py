"""Render benchmarks/results.json as the table in benchmarks/README.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

START, END = "<!-- RESULTS START -->", "<!-- RESULTS END -->"


def _ms(cell: dict[str, Any] | None) -> str:
    if not cell:
        return "–"
    return f"{cell['median']:.2f} / {cell['p95']:.2f}"


def _burst(cell: dict[str, Any] | None, browser: bool = False) -> str:
    """Median / p95 of a burst, its failures and, for the mixed one, the browser's own figure."""
    if not cell:
        return "–"
    notes = []
    if browser:
        seconds = cell.get("browser_s")
        notes.append(f"browser {seconds:.2f}" if seconds is not None else "browser failed")
    notes.append(f"failed {cell.get('failed', '?')}")
    if cell.get("headless_fallbacks"):
        notes.append(f"{cell['headless_fallbacks']} states model by model")
    return f"{_ms(cell)} ({', '.join(notes)})"


def _timings(title: str, head: tuple[str, str], rows: dict[str, Any] | None) -> list[str]:
    """A section of one label and one median / p95 timing per row; nothing when not measured."""
    if not rows:
        return []
    return [title, "", f"| {head[0]} | {head[1]} |", "| --- | --- |",
            *(f"| {label} | {_ms(row)} |" for label, row in rows.items()), ""]


def table(results: dict[str, Any]) -> str:
    lines = [f"Measured {results.get('date', '?')} on {results.get('machine', '?')}.", ""]
    dates = results.get("section_dates") or {}
    if len(set(dates.values())) > 1:  # a partial run: the other sections are older
        lines[-1:] = ["Sections measured: " + ", ".join(f"{name.replace('_', ' ')} {day}"
                                                         for name, day in dates.items()) + ".", ""]
    first = results.get("first_usable")
    if first:
        baseline = any("baseline" in row for aid, row in first.items() if not aid.startswith("concurrent"))
        lines += ["### 1. Job aid: time to first usable control (s, median / p95)", ""]
        if baseline:
            lines += ["| Job aid | handbook serve | previous release | default voila | default ÷ ours |",
                      "| --- | --- | --- | --- | --- |"]
        else:
            lines += ["| Job aid | handbook serve | default voila | default ÷ ours |", "| --- | --- | --- | --- |"]
        for aid, row in first.items():
            if aid.startswith("concurrent"):
                continue
            previous = f" {_ms(row.get('baseline'))} |" if baseline else ""
            ours = row.get("ours") or {}
            joined = ours.get("live")
            if joined and joined.get("median", 0) - ours.get("median", 0) > 0.01:
                ours_text = f"{_ms(ours)} (live widgets {_ms(joined)})"  # a first screen came first
            else:
                ours_text = _ms(ours or None)
            ratio = f"{row.get('ratio', '–')}" + (f" ({row['ratio_live']} live)" if "ratio_live" in row else "")
            lines.append(f"| {aid} | {ours_text} |{previous} {_ms(row.get('default'))} | {ratio} |")
        cores = str(results.get("machine", "")).split(" cores", 1)[0]
        where = f"the same {cores} cores" if cores.isdigit() else "the same machine"
        share = first.get("concurrent_server", {})
        if share:
            n = share.get("ours", share.get("default", {})).get("sessions", 0)
            label = f"{n} sessions at once: 1 browser + {n - 1} headless (server's share)"
            lines.append(f"| {label} | {_burst(share.get('ours'), True)} |{' – |' if baseline else ''} "
                         f"{_burst(share.get('default'), True)} | {share.get('ratio', '–')} |")
        conc = first.get("concurrent", {})
        if conc:
            n = conc.get("ours", conc.get("default", {})).get("sessions", "?")
            lines.append(f"| {n} Chromium pages at once on {where} | {_burst(conc.get('ours'))} |"
                         f"{' – |' if baseline else ''} {_burst(conc.get('default'))} | {conc.get('ratio', '–')} |")
        lines.append("")
    lines += _timings("### 1b. Scene-response aid, with and without preheated kernels (s, median / p95)",
                      ("Server", "first usable"), results.get("cold"))
    memory = results.get("memory")
    if memory:
        lines += ["### 2. Memory (server + kernels, MB; PSS, with RSS in brackets)", "",
                  "| Server | at rest | per open session | sessions in 2 GB |", "| --- | --- | --- | --- |"]
        for kind, row in memory.items():
            lines.append(f"| {kind} | {row['at_rest_mb']} ({row.get('at_rest_rss_mb', '–')}) | "
                         f"{row['per_session_mb']} ({row.get('per_session_rss_mb', '–')}) | "
                         f"{row['sessions_in_2gb']} |")
        lines.append("")
    lines += _timings("### 3. Answer round trip: tick → saved → page confirms (s, median / p95)",
                      ("Store", "round trip"), results.get("round_trip"))
    write = results.get("store_write")
    if write:
        lines += ["### 3b. Store write per answer: engine check and one transaction, no browser (ms, median / p95)",
                  "", "| Store | write | answers timed |", "| --- | --- | --- |",
                  *(f"| {name} | {_ms(row)} | {row.get('answers', '?')} |" for name, row in write.items()),
                  ""]
    build = results.get("build")
    if build:
        lines += ["### 4. Book build (s, median / p95)", "",
                  "| Build | ours (execution cache) | default (execute every build) |", "| --- | --- | --- |"]
        for step in ("clean", "unchanged", "chapter_edit", "yaml_edit"):
            lines.append(f"| {step.replace('_', ' ')} | {_ms(build['ours'][step])} | {_ms(build['default'][step])} |")
        lines.append("")
    pages = results.get("pages")
    if pages:
        lines += ["### 5. Page weight and load", "",
                  "| Page | network | transferred KB | uncompressed KB | requests | FCP s (median / p95) | load s |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for page, nets in pages.items():
            for net, row in nets.items():
                lines.append(f"| {page} | {net} | {row['transferred_kb']} | {row['uncompressed_kb']} | "
                             f"{row['requests']} | {_ms(row['fcp_s'])} | {_ms(row['load_s'])} |")
        lines.append("")
    site = results.get("site")
    if site:
        weight = site["transferred_kb"]
        lines += [f"### 6. Every page of the built book ({site['pages']} pages, loopback, no cache)", "",
                  f"Transferred per page: median {weight['median']:.1f} KB, p95 {weight['p95']:.1f} KB, "
                  f"largest {weight['max']:.1f} KB.", "",
                  "| Heaviest pages | transferred KB | uncompressed KB | requests |", "| --- | --- | --- | --- |"]
        lines += [f"| {r['page']} | {r['transferred_kb']} | {r['uncompressed_kb']} | {r['requests']} |"
                  for r in site["heaviest"]]
        lines.append("")
    return "\n".join(lines)


def write_table(results: dict[str, Any], readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table(results)}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    here = Path(__file__).parent
    write_table(json.loads((here / "results.json").read_text()), here / "README.md")
    sys.exit(0)
