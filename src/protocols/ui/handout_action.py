"""The victim's handout in the scene-response, rights and referral aids: one button opens it.

The handout is built by :mod:`protocols.render.handout` from the case's saved runs in the three
aids (never from what is on screen only), so it shows what was recorded. It is printed from the
browser (``static/handout.js``) only when paper is safe for the victim to keep; otherwise the
aid shows the same facts as a script to read aloud.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine import EngineError, load_state
from protocols.engine.base import RunState
from protocols.engine.languages import language_options
from protocols.library.container import Library
from protocols.records import Store, StoreError
from protocols.render.handout import (
    PAPER_SAFE,
    PAPER_UNSAFE,
    WORDS,
    CaseFacts,
    Handout,
    case_facts,
    handout,
    suggested_language,
)
from protocols.ui.markup import esc
from protocols.ui.plain import STATIC, static_style
from protocols.ui.widget_kit import button, column, html_box, row, stacked

HANDOUT_AIDS = ("scene-response", "rights-notification", "needs-and-referrals")
"""The aids whose saved runs feed the handout."""
HANDOUT_STYLE = static_style("handout.css")


class HandoutPrinter(anywidget.AnyWidget):
    """The browser's part: prints :attr:`document` from a hidden frame when :attr:`printable`."""

    _esm = STATIC / "handout.js"

    document = traitlets.Unicode("").tag(sync=True)
    printable = traitlets.Bool(False).tag(sync=True)
    prints = traitlets.Int(0).tag(sync=True)
    """How many times the officer pressed "Print the handout" (the browser counts)."""


def case_states(store: Store, case_number: str) -> tuple[list[RunState], int]:
    """The case's saved runs in the handout's aids (newest first in each), and how many could not be read.

    Raises ``StoreError`` when the store cannot be read.
    """
    states: list[RunState] = []
    unreadable = 0
    for aid in HANDOUT_AIDS:
        for record in store.find(aid, case_number):
            try:
                states.append(load_state(record.state))
            except EngineError:
                unreadable += 1
    return states, unreadable


def language_choices(library: Library, facts: CaseFacts) -> list[tuple[str, str]]:
    """Languages to offer: the handout's own, the notices' and the directory's."""
    codes = {*WORDS, *facts.languages}
    for directory in library.resources.values():
        codes.update(c for o in directory.organizations for s in o.services for c in s.languages)
    return language_options(sorted(codes))


class HandoutPanel:
    """"Make the victim's handout": the sheet, or the script to read aloud, for one case."""

    def __init__(self, library: Library, store: Store, case_number: str) -> None:
        self.library = library
        self.store = store
        self.case_number = case_number
        self.facts = CaseFacts(case_number)
        self._unreadable = 0
        self.open_button = button("Make the victim's handout", self.open,
                                  tooltip=f"Make the victim's one-page handout for case {case_number}")
        self.language = stacked(widgets.Dropdown(description="Language of the handout", options=[("English", "en")]))
        self.paper_safe = widgets.Checkbox(description="The victim told me paper is safe to keep", indent=False,
                                           layout=widgets.Layout(display="none"))
        self.printer = HandoutPrinter()
        self.notes = html_box()
        self.sheet = html_box()
        self.details = column([self.language, self.paper_safe, self.notes, row([self.printer]), self.sheet])
        self.details.layout.display = "none"
        self.language.observe(self._changed, names="value")
        self.paper_safe.observe(self._changed, names="value")
        self.widget = column([
            html_box("<h2>Victim's handout</h2><p class=\"hb-muted\">One page for the victim: the rights notice "
                     "given, the referrals chosen, the case number, who to call and what happens next. It is "
                     "built from what this case's aids saved, with no name.</p>"),
            row([self.open_button]), self.details], "hb-card", "hb-handout-panel")

    def open(self) -> None:
        """Read the case's runs again and show the handout."""
        try:
            states, unreadable = case_states(self.store, self.case_number)
        except StoreError as exc:
            self.details.layout.display = ""
            self.notes.value = f'<p class="hb-warn" role="alert">The saved records cannot be read: {esc(str(exc))}</p>'
            return
        self.facts = case_facts(self.case_number, states)
        self._unreadable = unreadable
        self.language.unobserve(self._changed, names="value")
        try:
            self.language.options = language_choices(self.library, self.facts)
            offered = [code for _label, code in self.language.options]
            wanted = suggested_language(self.facts)
            # A regional notice (es-MX) starts the handout in its language (es) when only that is offered.
            self.language.value = wanted if wanted in offered else next(
                (code for code in offered if code.split("-")[0] == wanted.split("-")[0]), "en")
        finally:
            self.language.observe(self._changed, names="value")
        self.paper_safe.layout.display = "none" if self.facts.paper in PAPER_SAFE | PAPER_UNSAFE else ""
        self.details.layout.display = ""
        self.open_button.description = "Make the handout again (after new answers)"
        self.draw()

    def _changed(self, _change: dict[str, Any]) -> None:
        self.draw()

    def current(self) -> Handout:
        return handout(self.library, self.facts, str(self.language.value or "en"),
                       paper_confirmed_safe=bool(self.paper_safe.value))

    def draw(self) -> None:
        item = self.current()
        notes = list(item.officer_notes)
        if self._unreadable:
            notes.append("Some saved records of this case could not be read, so the handout may miss them.")
        self.notes.value = "".join(f'<p class="hb-warn" role="note">{esc(n)}</p>' for n in notes)
        self.printer.document = item.document()
        self.printer.printable = item.printable
        if item.printable or self.facts.paper not in PAPER_UNSAFE:
            self.sheet.value = f'{HANDOUT_STYLE}<div class="hb-handout-preview">{item.shown_under(2)}</div>'
        else:
            said = "".join(f"<p>{esc(line)}</p>" for line in item.script)
            self.sheet.value = (f"{HANDOUT_STYLE}<h3>Read this aloud</h3>"
                                f'<div class="hc-handout-script" lang="{esc(item.language)}">{said}</div>')


def handout_panels(protocol_id: str, library: Library, store: Store, case_number: str) -> list[widgets.Widget]:
    """The handout panel for a checklist aid: only the scene-response checklist has one."""
    if protocol_id != HANDOUT_AIDS[0]:
        return []
    return [HandoutPanel(library, store, case_number).widget]
