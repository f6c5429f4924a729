"""The rights-notification job aid: show the right notice in the right language, record how it was given.

Choose the notice (the agency's own jurisdiction comes first) and the language; the rights
text shows; then record how and when it was given. Every notice given in one visit goes into
one saved run (:class:`~protocols.engine.RightsDelivery`): a sexual-assault victim in
California gets the Marsy's Rights card and the sexual-assault card, and both are recorded.
Earlier notices for the case are listed.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from protocols.engine import EngineError, RightsDelivery, RightsDeliveryState, load_state
from protocols.engine.answers import sentence
from protocols.engine.languages import language_name
from protocols.engine.rights import REVIEW_LABELS, NoticeGiven, delivery_text, method_options, run_lines
from protocols.engine.scene_log import scene_log
from protocols.library.loader import Library, default_library
from protocols.models import RightsNotice
from protocols.records import Store, StoreError
from protocols.ui.frame import CaseAid, StatusLine, case_aid
from protocols.ui.handout_action import HandoutPanel
from protocols.ui.markup import esc
from protocols.ui.session import Clock, Step, local_now, open_store
from protocols.ui.widget_kit import button, column, html_box, row, stacked

AID = "rights-notification"
CHOOSE = ""
RECORDED_STATUS = "completed"
"""A rights run is complete once it holds a notice; more can be added while the aid is open."""


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


def _place(jurisdiction: str) -> str:
    """``"United States (federal criminal cases)"`` → ``"united states"``: the place, for comparing."""
    return jurisdiction.split("(", 1)[0].strip().casefold()


def default_family(library: Library) -> str:
    """The family to show first: the first one offered for the agency's own jurisdiction.

    A California agency starts on a California notice even when its profile lists the federal
    notice first; with no agency, or no notice for its jurisdiction, the first family offered.
    """
    options = [family for _, family in families(library)]
    agency = library.agency
    if agency is not None:
        for family in options:
            if any(_place(n.jurisdiction) == _place(agency.jurisdiction)
                   for n in library.notices_in_family(family)):
                return family
    return options[0]


def languages(library: Library, family: str) -> list[RightsNotice]:
    """The offered language versions of one notice family, English first."""
    allowed = {n.id for n in offered(library)}
    return [n for n in library.notices_in_family(family) if n.id in allowed]


def language_label(notice: RightsNotice) -> str:
    """The language as the choice list shows it, with the translation's review status."""
    label = language_name(notice.language)
    if notice.translation_review == "needs-review":
        label += f" ({REVIEW_LABELS['needs-review'].lower()})"
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
            f"{esc(notice.version)}, in effect from {esc(notice.effective.isoformat())} · wording checked "
            f"against the law on {esc(notice.verified_on.isoformat())}</p></div>")


class RightsController:
    """Records each notice given for one case, all in one run; no widgets."""

    def __init__(self, library: Library, store: Store, clock: Clock = local_now) -> None:
        self.library = library
        self.store = store
        self.clock = clock
        self.case_number = ""
        self.run: RightsDelivery | None = None
        """This visit's run, once its first notice is saved."""
        self._run_id: str | None = None
        self._revision = 0

    def start(self, case_number: str) -> str:
        """Remember the case and say what is already recorded. Raises ``StoreError``."""
        self.case_number = case_number
        self.run, self._run_id, self._revision = None, None, 0
        count = len(self.deliveries())
        if count:
            return f"{count} notice{'s' if count != 1 else ''} already recorded for this case (listed below)."
        return "No rights notice recorded for this case yet."

    def deliveries(self) -> list[str]:
        """Every notice recorded for the case, newest run first, as one line each. Raises ``StoreError``."""
        lines = []
        for record in self.store.find(AID, self.case_number):
            try:
                state = load_state(record.state)
            except EngineError:
                lines.append(f"A record of notice {record.content_id} could not be read.")
                continue
            if isinstance(state, RightsDeliveryState):
                lines.extend(run_lines(state))
        return lines

    def record(self, notice_id: str, method: str, given_at: dt.time | None = None) -> Step[NoticeGiven]:
        """Record that the notice was given, in this visit's run, and save the run."""
        notice = self.library.rights.get(notice_id)
        if notice is None:
            return Step(False, "Choose the notice and its language first.")
        run, before = self.run, self.run.state if self.run is not None else None
        try:
            if run is None:
                run = RightsDelivery.record(notice, self.case_number, method or None, self.clock(),
                                            given_at=given_at)
                given = run.state.deliveries[-1]
            else:
                given = run.give(notice, method or None, self.clock(), given_at=given_at)
        except EngineError as exc:
            return Step(False, sentence(str(exc)))
        state = run.state
        try:
            if self._run_id is None:
                saved = self.store.create(AID, state.content_id, state.content_version, self.case_number,
                                          RECORDED_STATUS, state.model_dump_json(), scene_log=scene_log(run))
                self._run_id, self._revision = saved.id, saved.revision
            else:
                self._revision = self.store.save(self._run_id, self._revision, RECORDED_STATUS,
                                                 state.model_dump_json(), scene_log=scene_log(run))
        except StoreError as exc:
            if before is not None:
                run.state = before  # the notice is not in the run until it is saved
            return Step(False, f"Not saved: {exc}. This notice was not recorded; try again.")
        self.run = run
        return Step(True, f"Recorded and saved: {delivery_text(given)}.", given)


class RightsView:
    """Notice, language, text, then how it was given; another notice can follow."""

    def __init__(self, controller: RightsController, status: StatusLine) -> None:
        self.c = controller
        self.status = status
        lib = controller.library
        self.family = stacked(widgets.Dropdown(description="Which notice (the jurisdiction)", options=families(lib),
                                               value=default_family(lib)))
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
            html_box('<p><a href="#hb-rights-record">Given it? Record how you gave it ↓</a></p>', "hb-sticky-jump"),
            html_box("<h2 id=\"hb-rights-record\" tabindex=\"-1\">3. Record how you gave it</h2>"
                     "<p class=\"hb-muted\">Giving more than one notice, such "
                     "as both California cards after a sexual assault? Record each one: choose the next "
                     "notice above, then record it here. They are kept together in one record.</p>"),
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
        message = esc(step.message)
        if step.saved and self.c.run is not None:
            count = len(self.c.run.state.deliveries)
            message += (f" This visit's record holds {count} notice{'s' if count != 1 else ''}. "
                        "To record another, choose it above.")
        self.recorded.value = f'<p class="{css}">{message}</p>'
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

    def start(case_number: str, frame: CaseAid) -> None:
        controller = RightsController(lib, open_store(store), clock)
        note = controller.start(case_number)
        frame.show(case_number, note, RightsView(controller, frame.status).widget,
                   HandoutPanel(lib, controller.store, case_number).widget)

    return case_aid("Rights notification", lib, start, chapter="book/rights/victims-rights",
                    chapter_title="Read the rights chapter", shows=[lib.rights[key] for key in sorted(lib.rights)])
