"""A job aid's first screen, drawn as plain HTML from its widgets (no kernel, no browser).

The page paints this HTML before the kernel's widgets arrive (``protocols.ui.first_screen``):
each case aid's header, notices and case-number form, with the aid's styles aimed at
``.hb-first-screen``. It must never carry the ``hb-aid`` class (pages and tests take
``.hb-aid`` to mean the live aid has arrived) nor draw what exists only live (the idle lock,
the kernel link, the hidden "Retry saving" button). The page itself, served by a real
`handbook serve`, is checked in test_first_screen_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import ipywidgets as widgets
import pytest
from aid_helpers import Clock, walk

from protocols.engine.answers import MAX_CASE_NUMBER_LENGTH
from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.checklist_aid import any_checklist_aid, checklist_aid
from protocols.ui.confidentiality_aid import confidentiality_aid
from protocols.ui.first_screen import FIRST_SCREEN_KEY, first_screen_html
from protocols.ui.follow_up_aid import follow_up_aid
from protocols.ui.frame import AidBox
from protocols.ui.needs_and_referrals_aid import needs_and_referrals_aid
from protocols.ui.rights_notification_aid import rights_notification_aid
from protocols.ui.screening_aid import screening_aid

Builder = Callable[..., widgets.Widget]

CASE_AIDS: dict[str, tuple[Builder, str, str]] = {
    # notebook: (its builder, the title in its header, its start button)
    "scene-response": (lambda **kw: checklist_aid("scene-response", aid="scene-response", **kw),
                       "Make the scene safe and start support", "Start or resume"),
    "screening": (screening_aid, "Danger screening", "Start or resume"),
    "rights-notification": (rights_notification_aid, "Rights notification", "Start or resume"),
    "confidentiality": (confidentiality_aid, "Confidentiality decisions", "Start the questions"),
    "needs-and-referrals": (needs_and_referrals_aid, "Needs and referrals", "Start or resume"),
    "follow-up": (follow_up_aid, "Follow-up plan", "Start or resume"),
}
CASE_LABEL = "Case or incident number"
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
AID_SELECTOR = re.compile(r"\.hb-aid(?![\w-])")
"""``.hb-aid`` itself, not ``.hb-aid-header`` and the like."""
VOID = frozenset({"input", "br", "img", "meta", "link", "hr"})
"""Elements without an end tag."""


class Element:
    """One start tag of the drawn HTML: its name, attributes, and the open tags around it."""

    def __init__(self, tag: str, attrs: dict[str, str | None], ancestors: list[Element]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.ancestors = ancestors
        self.text = ""

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def inside(self, tag: str) -> Element | None:
        return next((a for a in reversed(self.ancestors) if a.tag == tag), None)


class Parsed(HTMLParser):
    """The drawn HTML as a flat list of elements (attribute values unescaped, as a browser reads them)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.unclosed: list[str] = []
        self.feed(markup)
        self.close()
        self.unclosed = [e.tag for e in self._open]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1].tag == tag:
            self._open.pop()
        else:
            self.unclosed.append(f"unexpected </{tag}>")

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def one(self, tag: str) -> Element:
        found = self.all(tag)
        assert len(found) == 1, f"expected one <{tag}>, found {len(found)}"
        return found[0]


def without_styles(markup: str) -> str:
    return STYLE.sub("", markup)


@pytest.fixture(params=list(CASE_AIDS))
def case_aid(request: pytest.FixtureRequest, library: Library, store: Store, clock: Clock) -> tuple[str, AidBox]:
    builder = CASE_AIDS[request.param][0]
    box = builder(library=library, store=store, clock=clock)
    assert isinstance(box, AidBox)
    return request.param, box


# --------------------------------------------------------------------------- every case aid


def test_the_first_screen_has_the_title_and_the_case_number_form(case_aid: tuple[str, AidBox],
                                                                  library: Library) -> None:
    name, box = case_aid
    _builder, title, start = CASE_AIDS[name]
    drawn = Parsed(first_screen_html(box))
    assert drawn.unclosed == [], "the drawn HTML is well formed"
    assert drawn.one("h1").text.strip() == title

    field = drawn.one("input")
    assert field.attrs["type"] == "text"
    assert field.attrs["id"] == "hb-first-field-1"
    label = drawn.one("label")
    assert label.attrs["for"] == field.attrs["id"] and label.text.strip() == CASE_LABEL
    assert field.attrs["placeholder"] == f"e.g. {library.case_number_format.example}"
    assert field.attrs["maxlength"] == str(MAX_CASE_NUMBER_LENGTH)
    assert field.attrs["value"] == "" and "disabled" not in field.attrs

    button = drawn.one("button")
    assert button.text.strip() == start
    assert button.attrs["type"] == "submit"
    assert "mod-primary" in button.classes and button.attrs["title"] == start
    form = button.inside("form")
    assert form is not None and form.classes == ["hb-first-form"] and "novalidate" in form.attrs
    assert form.attrs.get("method") == "dialog", "a press before the script runs must send the form nowhere"
    assert field.inside("form") is form, "Enter in the field submits the form"
    assert len(drawn.all("form")) == 1


def test_the_first_screen_is_never_taken_for_the_live_aid(case_aid: tuple[str, AidBox]) -> None:
    _name, box = case_aid
    assert "hb-aid" in box._dom_classes, "the live aid is the .hb-aid element"
    markup = first_screen_html(box)
    drawn = Parsed(markup)
    classes = {c for element in drawn.elements for c in element.classes}
    assert "hb-aid" not in classes
    assert "hb-aid-header" in classes and "hb-aid-title" in classes, "the header keeps its own classes"
    shown = without_styles(markup)
    assert not re.search(r"""class="(?:[^"]*\s)?hb-aid(?:\s[^"]*)?\"""", shown)
    assert "data-hb-first-screen" not in markup, "the page template adds the wrapper, once"


def test_widget_only_parts_are_not_drawn(case_aid: tuple[str, AidBox]) -> None:
    _name, box = case_aid
    live = list(walk(box))
    retry = [w for w in live if isinstance(w, widgets.Button) and w.description == "Retry saving"]
    assert retry and all(w.layout.display == "none" for w in retry), "the live aid has a hidden retry button"
    kinds = {type(w).__name__ for w in live}
    assert {"IdleLock", "AidLink"} <= kinds, "the live aid has the idle lock and the kernel link"

    shown = without_styles(first_screen_html(box))
    assert "Retry saving" not in shown and "hb-retry" not in shown
    for live_only in ("hb-idle", "hb-link-bar", "Keep working", "Locked", "Reopen the case"):
        assert live_only not in shown, f"{live_only!r} exists only live"
    assert len(Parsed(shown).all("button")) == 1, "the start button is the only button"


def test_the_style_sheets_target_the_first_screen(case_aid: tuple[str, AidBox]) -> None:
    _name, box = case_aid
    live_sheets = [sheet for w in walk(box) if isinstance(w, widgets.HTML) for sheet in STYLE.findall(w.value)]
    assert any(AID_SELECTOR.search(sheet) for sheet in live_sheets), "the live styles are aimed at .hb-aid"
    sheets = STYLE.findall(first_screen_html(box))
    assert len(sheets) == len(live_sheets), "every style sheet of the live aid comes along"
    assert sheets and any(".hb-first-screen" in sheet for sheet in sheets)
    for sheet in sheets:
        stray = AID_SELECTOR.findall(sheet)
        assert stray == [], f"a style sheet still targets .hb-aid: {sheet[:200]}"
    joined = "".join(sheets)
    assert ".hb-aid-header" in joined and ".hb-aid-title" in joined, "rules for the header's own classes are kept"
    assert ".hb-first-screen-" not in joined and ".hb-first-screen-header" not in joined


def test_the_output_carries_the_first_screen_in_its_metadata(case_aid: tuple[str, AidBox]) -> None:
    name, box = case_aid
    result = box._repr_mimebundle_()
    assert isinstance(result, tuple) and len(result) == 2
    data, metadata = result
    assert data["text/plain"] == box.summary
    assert data["text/plain"].startswith(f"Job aid: {CASE_AIDS[name][1]}")
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    assert set(metadata) == {FIRST_SCREEN_KEY}
    assert metadata[FIRST_SCREEN_KEY] == first_screen_html(box)
    assert FIRST_SCREEN_KEY not in data, "the first screen is never a display format (nbval compares those)"


# --------------------------------------------------------------------------- the any-checklist aid


def test_the_any_checklist_aid_draws_only_what_it_shows_first(library: Library, store: Store, clock: Clock) -> None:
    box = any_checklist_aid(library=library, store=store, clock=clock)
    data, metadata = box._repr_mimebundle_()
    assert data["text/plain"] == box.summary
    markup = metadata[FIRST_SCREEN_KEY]
    drawn = Parsed(markup)
    assert drawn.unclosed == []
    status = drawn.one("p")
    assert status.attrs == {"role": "status"} and status.text == "Opening the checklist…"
    assert not drawn.all("form") and not drawn.all("input") and not drawn.all("button")
    assert not drawn.all("h1"), "the checklist's header comes with the live aid, once it knows the checklist"
    assert "hb-aid" not in {c for element in drawn.elements for c in element.classes}


# --------------------------------------------------------------------------- drawing rules


def _box_with(*children: widgets.Widget) -> widgets.VBox:
    return widgets.VBox(list(children))


def test_text_and_attributes_are_escaped() -> None:
    nasty = '<b>"x" & \'y\'</b>'
    field = widgets.Text(description=f"Label {nasty}", placeholder=f"hint {nasty}", value=f"typed {nasty}")
    button = widgets.Button(description=f"Go {nasty}", tooltip=f"Tip {nasty}")
    markup = first_screen_html(_box_with(field, button))
    assert "<b>" not in markup and '"x"' not in markup, markup
    drawn = Parsed(markup)
    assert drawn.unclosed == []
    assert [e.tag for e in drawn.elements] == ["form", "div", "div", "label", "input", "button"]
    assert drawn.one("label").text == f"Label {nasty}"
    attrs = drawn.one("input").attrs
    assert attrs["placeholder"] == f"hint {nasty}" and attrs["value"] == f"typed {nasty}"
    assert drawn.one("button").text == f"Go {nasty}"
    assert drawn.one("button").attrs["title"] == f"Tip {nasty}"


def test_a_field_without_the_case_number_class_has_no_length_limit_and_may_be_disabled() -> None:
    markup = first_screen_html(_box_with(widgets.Text(description="Other", disabled=True)))
    field = Parsed(markup).one("input")
    assert "maxlength" not in field.attrs and "disabled" in field.attrs


def test_hidden_widgets_are_not_drawn() -> None:
    hidden_button = widgets.Button(description="Hidden button", layout=widgets.Layout(display="none"))
    hidden_box = widgets.VBox([widgets.HTML("<p>Inside a hidden box</p>"), widgets.Text(description="Hidden field")],
                              layout=widgets.Layout(display="none"))
    shown_button = widgets.Button(description="Shown button")
    markup = first_screen_html(_box_with(widgets.HTML("<p>Shown</p>"), hidden_button, hidden_box, shown_button))
    assert "Hidden button" not in markup and "Inside a hidden box" not in markup and "Hidden field" not in markup
    assert "<p>Shown</p>" in markup and "Shown button" in markup
    drawn = Parsed(markup)
    assert drawn.all("form") == [], "a box whose only field is hidden is no form"
    assert drawn.one("button").attrs["type"] == "button", "a button outside a form submits nothing"


def test_a_box_holding_a_field_becomes_one_form() -> None:
    inner = widgets.HBox([widgets.Text(description="A"), widgets.Button(description="Go")])
    outer = widgets.VBox([widgets.HTML("<p>Intro</p>"), inner, widgets.Button(description="Elsewhere")])
    drawn = Parsed(first_screen_html(outer))
    (form,) = drawn.all("form")
    go, elsewhere = drawn.all("button")
    assert go.inside("form") is form and go.attrs["type"] == "submit"
    assert elsewhere.inside("form") is None and elsewhere.attrs["type"] == "button"
    assert elsewhere.attrs.get("aria-disabled") == "true", "only a form's button works before the kernel joins"
    assert "aria-disabled" not in go.attrs
    assert "widget-hbox" in drawn.elements[drawn.elements.index(form) + 1].classes


def test_widths_come_along_and_other_widgets_are_skipped() -> None:
    field = widgets.Text(description="Wide", layout=widgets.Layout(width="100%", max_width="28rem"))
    markup = first_screen_html(_box_with(field, widgets.IntSlider(description="Slider"), widgets.Checkbox()))
    assert 'style="width: 100%; max-width: 28rem"' in markup
    assert "Slider" not in markup and "checkbox" not in markup.lower()


def test_field_ids_are_numbered_in_order() -> None:
    markup = first_screen_html(_box_with(widgets.VBox([widgets.Text(description="One")]),
                                         widgets.VBox([widgets.Text(description="Two")])))
    drawn = Parsed(markup)
    assert [e.attrs["id"] for e in drawn.all("input")] == ["hb-first-field-1", "hb-first-field-2"]
    assert [e.attrs["for"] for e in drawn.all("label")] == ["hb-first-field-1", "hb-first-field-2"]


def test_a_screen_with_a_control_it_cannot_draw_is_shown_but_not_usable() -> None:
    """A drop-down the first screen cannot draw: a press must never act on a choice the officer
    did not see, so every control waits for the live aid (and no form sends anything)."""
    chooser = widgets.Dropdown(options=["One scenario", "Another"], description="Scenario")
    form = widgets.VBox([widgets.Text(description="Label"), widgets.Button(description="Continue")])
    drawn = Parsed(first_screen_html(_box_with(widgets.HTML("<p>Choose</p>"), chooser, form)))
    assert drawn.all("form") == []
    assert "disabled" in drawn.one("input").attrs and "disabled" in drawn.one("button").attrs
    assert "One scenario" not in first_screen_html(_box_with(chooser))


def test_password_fields_and_paged_boxes_are_not_drawn() -> None:
    secret = widgets.Password(description="Token", value="s3cret-value")
    tabs = widgets.Tab([widgets.HTML("<p>Page one</p>"), widgets.HTML("<p>Page two</p>")])
    markup = first_screen_html(_box_with(widgets.Text(description="Case"), secret, tabs))
    assert "s3cret-value" not in markup and "Token" not in markup
    assert "Page one" not in markup and "Page two" not in markup
    assert "disabled" in Parsed(markup).one("input").attrs, "a screen holding a password field is not usable"


def test_a_script_in_an_aids_html_is_shown_as_text_never_run() -> None:
    """The page gives every script element in its HTML the page's nonce: an aid's HTML must carry none."""
    markup = first_screen_html(_box_with(widgets.HTML('<p>a</p><SCRIPT src="x.js"></Script><script>alert(1)</script>')))
    assert "<script" not in markup.lower() and "&lt;script" in markup.lower() and "&lt;/script" in markup.lower()


def test_an_aid_that_reads_the_records_when_opened_has_no_first_screen(library: Library, store: Store,
                                                                      clock: Clock) -> None:
    """The tracker reads the records again when its page opens: what its kernel read beforehand
    (a kernel kept ready) may be old, so no first screen shows it."""
    from protocols.ui.tracker_aid import tracker_aid

    aid = tracker_aid(library=library, store=store, clock=clock)
    assert first_screen_html(aid) == ""
    _data, metadata = aid._repr_mimebundle_()
    assert FIRST_SCREEN_KEY not in metadata


def test_a_first_screen_that_fails_to_draw_leaves_the_live_aid_alone(monkeypatch: pytest.MonkeyPatch,
                                                                     case_aid: tuple[str, AidBox]) -> None:
    """The page then waits for the live aid, as it always did; the aid itself still shows."""
    from protocols.ui import frame

    def broken(_widget: widgets.Widget) -> str:
        raise ValueError("cannot draw")

    monkeypatch.setattr(frame, "first_screen_html", broken)
    data, metadata = case_aid[1]._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and metadata == {}
