"""The job aids' ipywidgets parts: big controls, rows and columns, HTML blocks, the shared styles.

Every control has a 44px target; labels sit above their fields so a form reads well on a
phone. :class:`AidView` is what each aid's view shares: it draws its controller's run and
reports what became of each action on the status line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.ui.plain import STATIC, static_style
from protocols.ui.session import Step

AID_CSS = static_style("aid.css")
"""Extra styles for the job aids, on top of the frame's: 44px targets, stacked labels, cards."""


def styles() -> widgets.HTML:
    """The job aids' shared styles (add once per aid)."""
    return widgets.HTML(AID_CSS)


def html_box(markup: str = "", *classes: str) -> widgets.HTML:
    """An HTML block. ``markup`` must already be escaped (use ``esc`` on every value)."""
    box = widgets.HTML(markup, layout=widgets.Layout(width="100%"))
    for name in classes:
        box.add_class(name)
    return box


def button(label: str, on_click: Callable[[], object], *, style: str = "", tooltip: str | None = None,
           wide: bool = False, disabled: bool = False) -> widgets.Button:
    """A button with a 44px target; ``tooltip`` adds context for screen readers."""
    widget = widgets.Button(description=label, button_style=style, tooltip=tooltip or label,
                            disabled=disabled)
    if wide:
        widget.add_class("hb-wide")
    widget.on_click(lambda _b: on_click())
    return widget


def row(children: list[widgets.Widget]) -> widgets.HBox:
    """Buttons side by side that wrap on a phone."""
    box = widgets.HBox(children, layout=widgets.Layout(width="100%"))
    box.add_class("hb-row")
    return box


def stacked(widget: widgets.Widget) -> widgets.Widget:
    """Put a control's label above it, full width (reads well on a phone)."""
    widget.add_class("hb-stack")
    widget.style.description_width = "initial"
    return widget


def column(children: list[widgets.Widget], *classes: str) -> widgets.VBox:
    """Widgets one under the other, full width, with the given classes."""
    box = widgets.VBox(children, layout=widgets.Layout(width="100%"))
    for name in classes:
        box.add_class(name)
    return box


class Status(Protocol):
    """The status line a view speaks through (``protocols.ui.frame.StatusLine``)."""

    def show(self, text: str, bad: bool = False) -> None: ...

    def report(self, step: Any, settle: Callable[[Any], object]) -> None: ...


class AidView:
    """What every case aid's view shares: its status line, and :meth:`_after` for each action."""

    def __init__(self, status: Status) -> None:
        self.status = status

    def draw(self) -> None:
        """Draw the run as it is now."""
        raise NotImplementedError

    def _after(self, step: Step[Any], settle: Callable[[Step[Any]], object] | None = None) -> bool:
        """Draw again, then say what became of ``step``; True when it was saved."""
        self.draw()
        self.status.report(step, settle or self._after)
        return step.saved


class ScreenTop(anywidget.AnyWidget):
    """Scrolls the aid back to its top when :meth:`new_screen` is called; shows nothing.

    An aid that swaps one screen for the next (a decision, then its feedback) would
    otherwise leave a phone or a projector looking at the bottom of the new screen.
    """

    _esm = STATIC / "screen_top.js"
    screen = traitlets.Int(0).tag(sync=True)

    def new_screen(self) -> None:
        self.screen += 1
