"""A job aid's first screen as plain HTML, painted by the page before the kernel's widgets arrive.

A job-aid page is usable only once Voila's front end has loaded, joined the kernel and drawn
the widgets: about a second on a good link, far more on a weak one. The first screen (the
header, the notices, the case-number form) is known when the notebook runs, so the aid hands
it to the page template with its output (:data:`FIRST_SCREEN_KEY` in the output's metadata),
drawn from the very widgets the kernel will show. The page paints it at once; an officer can
type the case number and press the button while the kernel joins. ``first-screen.js`` (in the
page template's ``static`` folder) then hands what was typed and pressed to the live widgets,
which check and save as they always do: nothing is shown as saved before the store said so.

Only plain widgets are drawn (boxes, HTML, text fields, buttons); any other widget, such as
the idle lock or the kernel link, exists only live. A screen holding a control that cannot be
drawn (a drop-down, a check box, a password field) is drawn with every control disabled: a
press must never act on a choice the officer did not see. An aid that reads the records again when
its page opens (a widget with ``redraws_on_open``) has no first screen: what its kernel read
beforehand may be old.
"""

from __future__ import annotations

import html
import re
from typing import Any

import anywidget
import ipywidgets as widgets

from protocols.engine.answers import MAX_CASE_NUMBER_LENGTH

FIRST_SCREEN_KEY = "handbook/first-screen"
"""The output-metadata key under which an aid's first screen travels to the page template."""
_BASE = "lm-Widget jupyter-widgets"
"""ipywidgets' own class names: the painted screen takes the same styles as the live one."""
_STYLE = re.compile(r"<style>.*?</style>", re.S)
_AID_SELECTOR = re.compile(r"\.hb-aid\b(?!-)")
_SCRIPT = re.compile(r"<(/?)(script)", re.I)
_PAGED = (widgets.Tab, widgets.Accordion, widgets.Stack)
"""Boxes that show one page at a time: not drawn (every page would show at once)."""
_DRAWN = (widgets.Box, widgets.HTML, widgets.Label, widgets.Button, anywidget.AnyWidget)


def first_screen_html(widget: widgets.Widget) -> str:
    """``widget`` (an aid's outer box) as static HTML: what the live widgets will first show.

    An aid that reads the page's query (a widget in it has ``reads_page_query``) may show
    something else once the kernel has the query: its screen is marked ``data-hb-reads-query``,
    and first-screen.js leaves its controls disabled on a page with a query.
    """
    if _holds(widget, "redraws_on_open"):
        return ""
    drawn = _draw(widget, [0], in_form=False, usable=not _undrawn_control(widget))
    return f"<div data-hb-reads-query>{drawn}</div>" if _holds(widget, "reads_page_query") else drawn


def _holds(widget: widgets.Widget, marker: str) -> bool:
    """True when ``widget`` or a widget in it has the class attribute ``marker``."""
    if getattr(widget, marker, False):
        return True
    return isinstance(widget, widgets.Box) and any(_holds(child, marker) for child in widget.children)


def _undrawn_control(widget: widgets.Widget) -> bool:
    """True when ``widget`` holds a control the first screen cannot draw."""
    if isinstance(widget, widgets.Box):
        return isinstance(widget, _PAGED) or any(_undrawn_control(child) for child in widget.children)
    if isinstance(widget, widgets.Password):
        return True
    return isinstance(widget, widgets.DOMWidget) and not isinstance(widget, (*_DRAWN, widgets.Text))


def _draw(widget: widgets.Widget, counter: list[int], *, in_form: bool, usable: bool) -> str:
    style = _layout_style(widget)
    if style is None:
        return ""  # hidden live (display: none): not drawn at all
    if isinstance(widget, _PAGED):
        return ""
    if isinstance(widget, widgets.Box):
        # A field with its button is a form: Enter in the field presses the button.
        form = usable and not in_form and any(isinstance(child, widgets.Text) for child in widget.children)
        inner = "".join(_draw(child, counter, in_form=in_form or form, usable=usable)
                        for child in widget.children)
        direction = "widget-hbox" if isinstance(widget, widgets.HBox) else "widget-vbox"
        box = f'<div class="{_BASE} widget-container widget-box {direction}"{style}>{inner}</div>'
        # method="dialog": a press before the page's script has run sends the form nowhere.
        return f'<form class="hb-first-form" method="dialog" novalidate>{box}</form>' if form else box
    if isinstance(widget, widgets.HTML):
        return (f'<div class="{_BASE} widget-inline-hbox widget-html"{style}>'
                f'<div class="widget-html-content">{_restyled(widget.value)}</div></div>')
    if isinstance(widget, widgets.Password):
        return ""
    if isinstance(widget, widgets.Text):
        counter[0] += 1
        field_id = f"hb-first-field-{counter[0]}"
        limit = f' maxlength="{MAX_CASE_NUMBER_LENGTH}"' if "hb-case-number" in widget._dom_classes else ""
        return (f'<div class="{_BASE} widget-inline-hbox widget-text"{style}>'
                f'<label class="widget-label" for="{field_id}">{html.escape(widget.description)}</label>'
                f'<input type="text" id="{field_id}" class="widget-input" autocomplete="off"'
                f' placeholder="{html.escape(widget.placeholder, quote=True)}"{limit}'
                f' value="{html.escape(widget.value, quote=True)}"'
                f'{" disabled" if widget.disabled or not usable else ""}></div>')
    if isinstance(widget, widgets.Button):
        primary = " mod-primary" if widget.button_style == "primary" else ""
        title = f' title="{html.escape(widget.tooltip, quote=True)}"' if widget.tooltip else ""
        # Only a form's button works before the kernel joins (its press waits for it); any other
        # says it is not ready yet (first-screen.js says so when pressed).
        kind = ' type="submit"' if in_form else ' type="button" aria-disabled="true"'
        return (f'<button{kind} class="{_BASE} jupyter-button widget-button{primary}"{title}{style}'
                f'{" disabled" if widget.disabled or not usable else ""}>{html.escape(widget.description)}</button>')
    return ""


def _restyled(markup: str) -> str:
    """``markup`` with its style sheets' ``.hb-aid`` rules aimed at the first screen instead.

    The first screen is not an ``.hb-aid`` element: pages and tests take ``.hb-aid`` to mean the
    live aid has arrived. A script element is written as text: the page gives every script in
    its HTML the page's nonce, and an aid's HTML is meant to show, never to run.
    """
    restyled = _STYLE.sub(lambda sheet: _AID_SELECTOR.sub(".hb-first-screen", sheet.group(0)), markup)
    return _SCRIPT.sub(r"&lt;\1\2", restyled)


def _layout_style(widget: widgets.Widget) -> str | None:
    """The widget's width rules as a ``style`` attribute; None when the widget is hidden."""
    layout: Any = getattr(widget, "layout", None)
    if layout is None:
        return ""
    if layout.display == "none":
        return None
    rules = [f"{name.replace('_', '-')}: {value}" for name in ("width", "max_width")
             if (value := getattr(layout, name, None))]
    return f' style="{html.escape("; ".join(rules), quote=True)}"' if rules else ""
