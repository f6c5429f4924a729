"""Hostile values a browser can send to a job aid, shared by the security tests."""

from __future__ import annotations

from typing import Any

PROTOCOL = "de-escalation"  # has a choice, a number (0-600 minutes), a yes-no and a free-text item
XSS = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>alert(document.cookie)</script>"
BIG = "x" * 10_000_000
REPLY_TYPES = {"saved", "cleared", "rejected", "refused"}


def answer_message(item: Any, value: Any = None, **extra: Any) -> dict[str, Any]:
    return {"type": "answer", "item": item, "answer": {"value": value, **extra}}


REJECTED = [
    ("choice not in the list", answer_message("outcome", "made-up")),
    ("choice as a list", answer_message("outcome", ["arrest"])),
    ("choice as a number", answer_message("outcome", 3)),
    ("choice with markup", answer_message("outcome", XSS)),
    ("number above max", answer_message("minutes-spent", 601)),
    ("number below min", answer_message("minutes-spent", -1)),
    ("number as words", answer_message("minutes-spent", "ten")),
    ("number too big", answer_message("minutes-spent", 10**30)),
    ("number as true", answer_message("minutes-spent", True)),
    ("number as a mapping", answer_message("minutes-spent", {"$gt": 0})),
    ("number with code", answer_message("minutes-spent", "__import__('os').system('id')")),
    ("number overflow text", answer_message("minutes-spent", "1e400")),
    ("text of 10 MB", answer_message("lesson-learned", BIG)),
    ("text of 501 characters", answer_message("lesson-learned", "y" * 501)),
    ("text with NUL", answer_message("lesson-learned", "a\x00b")),
    ("text with escape", answer_message("lesson-learned", "a\x1b[2Jb")),
    ("text with bidi override", answer_message("lesson-learned", "abc\u202edef")),
    ("text with a lone surrogate", answer_message("lesson-learned", "a\ud800b")),
    ("text as a list", answer_message("lesson-learned", ["a"])),
    ("blank text", answer_message("lesson-learned", "   ")),
    ("yes-no as maybe", answer_message("roles-agreed", "maybe")),
    ("yes-no as true", answer_message("roles-agreed", True)),
    ("yes-no of 10 MB", answer_message("roles-agreed", BIG)),
    ("unknown item", answer_message("no-such-item", "yes")),
    ("item id of 10 MB", answer_message(BIG, "yes")),
    ("item id with markup", answer_message(XSS, "yes")),
    ("item id as a list", answer_message(["outcome"], "arrest")),
    ("item id as a mapping", answer_message({"id": "outcome"}, "arrest")),
    ("item id missing", {"type": "answer", "answer": {"value": "yes"}}),
    ("answer missing", {"type": "answer", "item": "outcome"}),
    ("answer as text", {"type": "answer", "item": "outcome", "answer": "arrest"}),
    ("answer as a list", {"type": "answer", "item": "outcome", "answer": ["arrest"]}),
    ("not applicable without reason", answer_message("outcome", na=True)),
    ("not applicable, blank reason", answer_message("outcome", na=True, reason="  ")),
    ("not applicable, 10 MB reason", answer_message("outcome", na=True, reason=BIG)),
    ("not applicable, reason with NUL", answer_message("outcome", na=True, reason="\x00")),
    ("not applicable, reason as a mapping", answer_message("outcome", na=True, reason={"a": 1})),
    ("unknown type", {"type": "drop-table", "item": "outcome"}),
    ("type as a list", {"type": ["answer"], "item": "outcome"}),
    ("type missing", {"item": "outcome"}),
    ("empty message", {}),
    ("hold with a mapping", {"type": "hold", "item": {"a": 1}}),
    ("clear of an unknown item", {"type": "clear", "item": "no-such-item"}),
    ("clear with a list", {"type": "clear", "item": [1, 2]}),
]
