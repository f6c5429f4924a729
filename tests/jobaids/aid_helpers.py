"""Helpers for the job-aid tests: a settable clock, a failing store, and a widget-tree walker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import ipywidgets as widgets
import pytest

from protocols.records import Store, StoreError

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)  # a Friday evening


class Clock:
    """A clock the test moves by hand; callable like the aids' clock."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def break_saves(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every save and create fails, as on a full disk."""

    def fail(*_args: object, **_kwargs: object) -> object:
        raise StoreError("the answer was not saved: the disk is full")

    monkeypatch.setattr(store, "save", fail)
    monkeypatch.setattr(store, "create", fail)


def revisions(store: Store, aid: str, case_number: str) -> list[tuple[str, int]]:
    """(status, revision) of each saved run of an aid for a case, newest first."""
    return [(r.status, r.revision) for r in store.find(aid, case_number)]




def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(root: widgets.Widget, kind: type, **attrs: object) -> list[widgets.Widget]:
    """Every widget of ``kind`` under ``root`` whose attributes equal ``attrs``."""
    return [w for w in walk(root) if isinstance(w, kind)
            and all(getattr(w, k) == v for k, v in attrs.items())]


def one(root: widgets.Widget, kind: type, **attrs: object) -> widgets.Widget:
    found = [w for w in find(root, kind, **attrs) if getattr(getattr(w, "layout", None), "display", "") != "none"]
    assert len(found) == 1, f"expected one {kind.__name__} with {attrs}, found {len(found)}"
    return found[0]


def with_class(root: widgets.Widget, name: str) -> widgets.Widget:
    found = [w for w in walk(root) if name in getattr(w, "_dom_classes", ())]
    assert len(found) == 1, f"expected one widget with class {name}, found {len(found)}"
    return found[0]


def click(root: widgets.Widget, label: str) -> None:
    button = one(root, widgets.Button, description=label)
    assert not button.disabled, f"the button {label!r} is disabled"
    button.click()


def start_case(aid: widgets.Widget, case_number: str) -> None:
    """Type a case number and press the start button, as an officer would."""
    text = one(aid, widgets.Text, description="Case or incident number")
    text.value = case_number


def status_text(aid: widgets.Widget) -> str:
    """The frame's status line (the first live region in the aid)."""
    for w in walk(aid):
        if isinstance(w, widgets.HTML) and 'class="hb-aid-status' in w.value:
            return str(w.value)
    return ""


def page_text(root: widgets.Widget) -> str:
    """All HTML shown under ``root``, joined (for 'is this on screen' checks)."""
    return "\n".join(str(w.value) for w in walk(root) if isinstance(w, widgets.HTML)
                     and getattr(w.layout, "display", "") != "none")
