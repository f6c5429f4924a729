"""Maths as text: the book fetches no maths library from another host, so formulas show as written."""

from __future__ import annotations

from typing import Any

from docutils import nodes

RENDERER = "handbook-text"
"""The name the extension registers this renderer under (``html_math_renderer``)."""


def visit_math(self: Any, node: nodes.Element) -> None:
    """Inline maths: its source text, escaped."""
    self.body.append(f'<span class="math notranslate">{self.encode(node.astext())}</span>')
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.Element) -> None:
    """Display maths: its source text, escaped, as preformatted text."""
    self.body.append(f'<div class="math notranslate"><pre>{self.encode(node.astext())}</pre>'
                     "</div>")
    raise nodes.SkipNode
