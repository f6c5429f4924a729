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


def table(results: dict[str, Any]) -> str:
    lines = [f"Measured {results.get('date', '?')} on {results.get('machine', '?')}.", ""]
    first = results.get("first_usable")
    if first:
        lines += ["### 1. Job aid: time to first usable control (s, median / p95)", "",
                  "| Job aid | handbook serve | default voila | default ÷ ours |", "| --- | --- | --- | --- |"]
        for aid, row in first.items():
            if aid == "concurrent":
                continue
            lines.append(f"| {aid} | {_ms(row.get('ours'))} | {_ms(row.get('default'))} | {row.get('ratio', '–')} |")
        conc = first.get("concurrent", {})
        if conc:
            ours, default = conc.get("ours", {}), conc.get("default", {})
            lines.append(f"| {ours.get('sessions', '?')} sessions at once (scene-response) | {_ms(ours)} "
                         f"(failed {ours.get('failed', '?')}) | {_ms(default)} (failed {default.get('failed', '?')}) | "
                         f"{round(default['median'] / ours['median'], 2) if ours.get('median') else '–'} |")
        lines.append("")
    memory = results.get("memory")
    if memory:
        lines += ["### 2. Memory (server + kernels, MB; PSS, with RSS in brackets)", "",
                  "| Server | at rest | per open session | sessions in 2 GB |", "| --- | --- | --- | --- |"]
        for kind, row in memory.items():
            lines.append(f"| {kind} | {row['at_rest_mb']} ({row.get('at_rest_rss_mb', '–')}) | "
                         f"{row['per_session_mb']} ({row.get('per_session_rss_mb', '–')}) | "
                         f"{row['sessions_in_2gb']} |")
        lines.append("")
    trip = results.get("round_trip")
    if trip:
        lines += ["### 3. Answer round trip: tick → saved → page confirms (s, median / p95)", "",
                  "| Store | round trip |", "| --- | --- |"]
        lines += [f"| {store} | {_ms(row)} |" for store, row in trip.items()]
        lines.append("")
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
