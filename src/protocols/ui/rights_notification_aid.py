"""The rights-notification job aid: show the right notice in the right language, record how it was given.

Choose the jurisdiction's notice and the language; the rights text shows; then record
how and when it was given. Each record is one engine call
(:class:`~protocols.engine.RightsDelivery`) and one saved record; earlier deliveries
for the case are listed.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from protocols.engine import EngineError, RightsDelivery, RightsDeliveryState, delivery_text, load_state
from protocols.engine.languages import language_name
from protocols.engine.rights import REVIEW_LABELS, method_options
from protocols.library import Library, default_library
from protocols.models import RightsNotice
from protocols.records import Store, StoreError
from protocols.ui.aid_parts import (
    Clock,
    Step,
    button,
    column,
    esc,
    html_box,
    local_now,
    open_store,
    row,
    sentence,
    stacked,
    styles,
)
from protocols.ui.frame import CaseForm, StatusLine, aid_box, header

AID = "rights-notification"
CHOOSE = ""


def offered(library: Library) -> list[RightsNotice]:
    """The notices this agency gives (its profile's list), else every notice in the library."""
    if library.agency is not None:
        return [library.rights[n] for n in library.agency.rights_notices if n in library.rights]
    return list(library.rights.values())


def families(library: Library) -> list[tuple[str, str]]:
    """``(title, family)`` for each notice family offered, in the agency's order, else by title.

    The title is the English version's; the jurisdiction and citation show under the choice.
    """
    notices = offered(library)
    found: dict[str, str] = {}
    for notice in notices:
        if notice.family not in found:
            first = library.notices_in_family(notice.family)[0]
            found[notice.family] = first.title
    pairs = [(label, family) for family, label in found.items()]
    return pairs if library.agency is not None else sorted(pairs)


def languages(library: Library, family: str) -> list[RightsNotice]:
    """The offered language versions of one notice family, English first."""
    allowed = {n.id for n in offered(library)}
    return [n for n in library.notices_in_family(family) if n.id in allowed]


def language_label(notice: RightsNotice) -> str:
    label = language_name(notice.language)
    if notice.translation_review == "needs-review":
        label += " (translation under review)"
    return label


def notice_html(notice: RightsNotice) -> str:
    """The notice as the victim should get it, with its citation and version (all escaped)."""
    rights = "".join(
        f'<li><strong>{esc(r.title)}.</strong> {esc(r.text)} <span class="hb-muted">({esc(r.citation)})</span></li>'
        for r in notice.rights)
    review = ""
    if notice.translation_review == "needs-review":
        review = (f'<div class="hb-warn" role="note"><p><strong>{esc(REVIEW_LABELS["needs-review"])}.</strong> '
                  f"{esc(notice.when_to_give)}</p></div>")
    return (f"{review}<div class=\"hb-card\" lang=\"{esc(notice.language)}\">"
            f"<h3>{esc(notice.title)}</h3><p>{esc(notice.introduction)}</p>"
            f'<ol class="hb-list">{rights}</ol>'
            f'<p class="hb-muted" lang="en">{esc(notice.citation)} · notice {esc(notice.id)}, version '
            f"{esc(notice.version)}, in effect from {esc(notice.effective.isoformat())}</p></div>")


class RightsController:
    """Records each notice given for one case; no widgets."""

    def __init__(self, library: Library, store: Store, clock: Clock = local_now) -> None:
        self.library = library
        self.store = store
        self.clock = clock
        self.case_number = ""

    def start(self, case_number: str) -> str:
        """Remember the case and say what is already recorded. Raises ``StoreError``."""
        self.case_number = case_number
        count = len(self.deliveries())
        if count:
            return f"{count} notice{'s' if count != 1 else ''} already recorded for this case (listed below)."
        return "No rights notice recorded for this case yet."

    def deliveries(self) -> list[str]:
        """Each recorded delivery for the case, newest first, as one line. Raises ``StoreError``."""
        lines = []
        for record in self.store.find(AID, self.case_number):
            try:
                state = load_state(record.state)
            except EngineError:
                lines.append(f"A record of notice {record.content_id} could not be read.")
                continue
            if isinstance(state, RightsDeliveryState):
                lines.append(delivery_text(state))
        return lines

    def record(self, notice_id: str, method: str, given_at: dt.time | None = None) -> Step[RightsDelivery]:
        """Record that the notice was given, and save it."""
        notice = self.library.rights.get(notice_id)
        if notice is None:
            return Step(False, "Choose the notice and its language first.")
        try:
            delivery = RightsDelivery.record(notice, self.case_number, method or None, self.clock(),
                                             given_at=given_at)
        except EngineError as exc:
            return Step(False, sentence(str(exc)))
        state = delivery.state
        try:
            self.store.create(AID, state.content_id, state.content_version, self.case_number, "completed",
                              state.model_dump_json())
        except StoreError as exc:
            return Step(False, f"Not saved: {exc}. Nothing was recorded; try again.")
        return Step(True, f"Recorded and saved: {delivery.summary().text}.", delivery)


class RightsView:
    """Notice, language, text, then how it was given."""

    def __init__(self, controller: RightsController, status: StatusLine) -> None:
        self.c = controller
        self.status = status
        lib = controller.library
        options = families(lib)
        self.family = stacked(widgets.Dropdown(description="Which notice (the jurisdiction)", options=options,
                                               value=options[0][1]))
        self.language = stacked(widgets.Dropdown(description="Language the victim reads", options=[]))
        self.text = html_box()
        self.method = stacked(widgets.Dropdown(description="How you gave it", options=[]))
        self.given_at = stacked(widgets.TimePicker(description="Time given (leave empty for now)", value=None))
        self.record_button = button("Record that the notice was given", self.record, style="primary")
        self.recorded = html_box()
        self.about = html_box()
        self.earlier = html_box()
        self.family.observe(lambda _c: self._family_changed(), names="value")
        self.language.observe(lambda _c: self._notice_changed(), names="value")
        self.widget = column([
            self.earlier,
            html_box("<h2>1. Choose the notice</h2>"), self.family, self.about, self.language,
            html_box("<h2>2. Give the notice</h2><p class=\"hb-muted\">Hand it over, read it aloud or send it. "
                     "This is the text the victim gets.</p>"),
            self.text,
            html_box("<h2>3. Record how you gave it</h2>"),
            column([self.method, self.given_at, row([self.record_button]), self.recorded], "hb-card"),
        ])
        self._family_changed()
        self.draw_earlier()

    @property
    def notice(self) -> RightsNotice:
        return self.c.library.notice(str(self.language.value))

    def _family_changed(self) -> None:
        notices = languages(self.c.library, str(self.family.value))
        self.language.options = [(language_label(n), n.id) for n in notices]
        self.language.value = notices[0].id
        self._notice_changed()

    def _notice_changed(self) -> None:
        if not self.language.value:
            return
        notice = self.notice
        self.about.value = (f'<p class="hb-muted"><strong>{esc(notice.jurisdiction)}:</strong> '
                            f"{esc(notice.citation)}. When to give it: {esc(notice.when_to_give)}</p>")
        self.text.value = notice_html(notice)
        self.method.options = [("Choose how", CHOOSE), *method_options(notice)]
        self.method.value = CHOOSE

    def record(self) -> None:
        step = self.c.record(str(self.language.value), str(self.method.value), self.given_at.value)
        css = "hb-answer" if step.saved else "hb-aid-status hb-bad"
        self.recorded.value = f'<p class="{css}">{esc(step.message)}</p>'
        if step.saved:
            self.method.value = CHOOSE
            self.given_at.value = None
            self.draw_earlier()
        self.status.show(step.message, bad=not step.saved)

    def draw_earlier(self) -> None:
        try:
            lines = self.c.deliveries()
        except StoreError as exc:
            self.earlier.value = f'<p class="hb-warn">Earlier records cannot be read: {esc(str(exc))}</p>'
            return
        if lines:
            items = "".join(f"<li>{esc(line)}</li>" for line in lines)
            self.earlier.value = (f'<div class="hb-progress" role="status"><p>Case {esc(self.c.case_number)} · '
                                  f"{len(lines)} notice{'s' if len(lines) != 1 else ''} recorded:</p>"
                                  f'<ul class="hb-list">{items}</ul></div>')
        else:
            self.earlier.value = (f'<p class="hb-progress" role="status">Case {esc(self.c.case_number)} · '
                                  "no notice recorded yet</p>")


def rights_notification_aid(library: Library | None = None, store: Store | None = None,
                            clock: Clock = local_now) -> widgets.VBox:
    """The whole rights-notification job aid."""
    lib = library or default_library()
    status = StatusLine()
    body = widgets.VBox(layout=widgets.Layout(width="100%"))

    def start(case_number: str) -> None:
        controller = RightsController(lib, open_store(store), clock)
        note = controller.start(case_number)
        body.children = [RightsView(controller, status).widget]
        status.show(f"Case {case_number}: {note}")

    form = CaseForm(start, status)
    body.children = [form.widget]
    return aid_box([header("Rights notification", "book/rights/victims-rights", "Read the rights chapter"),
                    styles(), status.widget, body])
