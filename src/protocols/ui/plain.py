"""What the job aids say, in plain words: messages as sentences, no code words, no internal ids.

The engine and the store write their messages for logs and tests: lower case, ids in backticks
(``this checklist is on hold at item `danger-screen-result` …``). What an officer reads goes
through :func:`plain_message` first. Also here: :func:`joined_static`, one widget module made of
several files under ``static/``, and :func:`static_style`, a style sheet there as a ``<style>`` element.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from protocols.engine.answers import sentence

STATIC = Path(__file__).parent / "static"

_CODE = re.compile(r"`([^`]*)`")
_PAREN_ID = re.compile(r" \(([a-z0-9]+(?:-[a-z0-9]+)+)\)")


def plain_message(text: str, names: Mapping[str, str] | None = None) -> str:
    """``text`` as an officer should read it.

    ``names`` maps ids (an item's, a choice's) to what the screen calls them: an id in
    backticks becomes its name in quotes, and an id in brackets after its own name goes.
    Other backticks are dropped, and the result is a sentence.
    """
    known = names or {}

    def named(match: re.Match[str]) -> str:
        word = match.group(1)
        return f"“{known[word]}”" if word in known else word

    text = _PAREN_ID.sub(lambda m: "" if m.group(1) in known else m.group(0), text)
    return sentence(_CODE.sub(named, text).replace("`", ""))


def joined_static(*names: str) -> str:
    """The text of several front-end files under ``static/``, in order, as one module."""
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)


def static_style(name: str) -> str:
    """A style sheet under ``static/`` as a ``<style>`` element, for an HTML widget to embed."""
    return f"<style>\n{(STATIC / name).read_text(encoding='utf-8')}</style>\n"
