"""Plain prose from a MyST page, for reading-level checks: no code, labels, markup or tables."""

from __future__ import annotations

import re

FENCE = re.compile(r"^(`{3,})([^\n]*)\n(.*?)^\1\s*$", re.M | re.S)
KEEP_FENCES = ("{admonition}",)
"""Directive blocks whose body is prose (the "At a glance" box)."""


def prose(markdown: str) -> str:
    """The sentences a reader reads, one per line, without code blocks and markup."""

    def fence(match: re.Match[str]) -> str:
        head, body = match.group(2).strip(), match.group(3)
        if head.startswith(KEEP_FENCES):
            return "\n".join(line for line in body.splitlines() if not line.startswith(":"))
        return ""

    text = FENCE.sub(fence, markdown)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("(", "|", "#")):
            continue  # labels, tables, headings
        line = re.sub(r"\{[a-z]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", line)  # {term}`x <y>` → x
        line = re.sub(r"`[^`]*`", "it", line)  # inline code reads as one short word
        line = re.sub(r"^(\d+\.|-)\s+", "", line)
        line = line.replace("**", "").replace("*", "")
        if line and line[-1] not in ".:?!;":
            line += "."
        lines.append(line)
    return "\n".join(lines)
