"""The needs-and-referrals job aid: tick the needs you find, see matching services, refer.

Each need ticked or unticked, each filter change and each referral chosen is one
engine call (:class:`~protocols.engine.ReferralRun`) and one saved revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from protocols.engine import ReferralResult, ReferralRun, language_name, language_options
from protocols.engine.referrals import Recommendation
from protocols.library.loader import Library, default_library
from protocols.models import NeedDomain, NeedsCatalogue, ResourceDirectory, VictimNeed
from protocols.records import Store
from protocols.records.case_runs import latest_finished
from protocols.ui.frame import CaseAid, StatusLine, case_aid
from protocols.ui.handout_action import HandoutPanel
from protocols.ui.markup import bullet_list, esc, facts, when
from protocols.ui.session import CaseController, Clock, Step, local_now, open_store
from protocols.ui.widget_kit import AidView, button, column, html_box, row, stacked

AID = "needs-and-referrals"
DEFAULT_CATALOGUE = "needs-assessment"
DEFAULT_DIRECTORY = "sample-directory"
DOMAIN_TITLES = {
    NeedDomain.SAFETY: "Safety needs",
    NeedDomain.EMOTIONAL: "Emotional needs",
    NeedDomain.LOGISTICS: "Practical needs (logistics)",
}
"""Safety first: urgent needs are met before you leave."""
ANY_LANGUAGE = ""


class ReferralController(CaseController[ReferralRun]):
    """The needs assessment for one case, saved after every change; no widgets."""

    aid = AID
    started = "New needs assessment started."

    def __init__(self, catalogue: NeedsCatalogue, directory: ResourceDirectory, store: Store,
                 clock: Clock = local_now) -> None:
        super().__init__(store, clock)
        self.catalogue = catalogue
        self.directory = directory

    def _load(self, saved: object) -> ReferralRun:
        return ReferralRun.restore(self.catalogue, self.directory, saved)

    def _new_run(self) -> ReferralRun:
        return ReferralRun.start(self.catalogue, self.directory, self.case_number, self.clock())

    def _reopen(self) -> str | None:
        """The open assessment for this case; else the finished one (read-only); else None."""
        if self._resume_open([self.catalogue.id]):
            return self.resumed(f"Resumed where you stopped. {self.run.progress_text()}.")
        last = latest_finished(self.store, AID, self.case_number, [self.catalogue.id])
        if last is not None and self._resume(last) and self.run.state.finished_at is not None:
            return self.resumed(f"This case's needs assessment was finished on {when(self.run.state.finished_at)}. "
                                "It is shown below and cannot be changed.")
        return None

    def new_assessment(self) -> Step[None]:
        """Start a fresh assessment for the same case (the finished one stays on record)."""
        return self.start_again("New needs assessment started for the same case.")

    def toggle_need(self, need_id: str, selected: bool) -> Step[Any]:
        label = self.catalogue_need(need_id).label if self._known(need_id) else need_id
        done = f"“{label}” {'selected' if selected else 'taken off'}. Saved."
        return self._act(lambda run, now: run.select_need(need_id, selected, now), done)

    def set_filters(self, open_24_7_only: bool, language: str, warm_handoff_only: bool) -> Step[Any]:
        return self._act(lambda run, now: run.set_filters(
            now, open_24_7_only=open_24_7_only, language=language or None,
            warm_handoff_only=warm_handoff_only), "Filters saved.")

    def choose(self, service_id: str) -> Step[Any]:
        return self._act(lambda run, now: run.choose(service_id, now), "Referral saved.")

    def drop(self, service_id: str) -> Step[Any]:
        return self._act(lambda run, now: run.drop(service_id, now), "Referral removed. Saved.")

    def finish(self) -> Step[Any]:
        return self._act(lambda run, now: run.finish(now), "Assessment finished and saved.")

    def result(self) -> ReferralResult:
        return self.run.recommendations(today=self.clock().date())

    def _known(self, need_id: str) -> bool:
        return any(n.id == need_id for n in self.catalogue.needs)

    def catalogue_need(self, need_id: str) -> VictimNeed:
        return next(n for n in self.catalogue.needs if n.id == need_id)


def _contact_html(rec: Recommendation) -> str:
    contact = rec.contact
    pairs: list[tuple[str, str]] = []
    if contact.phone:
        pairs.append(("Phone", contact.phone))
    if contact.text:
        pairs.append(("Text", contact.text))
    if contact.web:
        pairs.append(("Web", contact.web))
    if contact.address:
        pairs.append(("Address", contact.address))
    elif rec.confidential_location:
        pairs.append(("Address", "Kept secret for safety: call first"))
    pairs.append(("Hours", rec.hours))
    pairs.append(("Languages", ", ".join(language_name(c) for c in rec.languages)))
    pairs.append(("Who it is for", rec.eligibility))
    pairs.append(("Cost", rec.cost))
    pairs.append(("Details checked", rec.verified_on.isoformat()))
    return facts(pairs)


def recommendation_html(rec: Recommendation, chosen: bool) -> str:
    """One service: badges, contact details, and why it is recommended (all escaped)."""
    badges = []
    if chosen:
        badges.append('<span class="hb-badge hb-done">Referred</span>')
    if rec.urgent:
        badges.append('<span class="hb-badge hb-urgent">Meets an urgent need</span>')
    if rec.open_24_7:
        badges.append('<span class="hb-badge hb-upcoming">Open 24/7</span>')
    if rec.warm_handoff:
        badges.append('<span class="hb-badge hb-upcoming">Warm handoff</span>')
    stale = ('<p class="hb-warn">These details were checked over a year ago. Confirm them before '
             "you refer.</p>") if rec.stale else ""
    return (f"<h3>{esc(rec.service_name)}</h3><p class=\"hb-muted\">{esc(rec.organization_name)}</p>"
            f"<p>{''.join(badges)}</p>{_contact_html(rec)}{stale}"
            f"<p><strong>Why it is listed:</strong></p>{bullet_list(rec.why)}")


class ReferralView(AidView):
    """Draws the assessment for a controller and forwards each action to it."""

    def __init__(self, controller: ReferralController, status: StatusLine) -> None:
        super().__init__(status)
        self.c = controller
        self._quiet = False
        self.progress = html_box()
        self.boxes: dict[str, widgets.Checkbox] = {}
        sections: list[widgets.Widget] = []
        for domain in (NeedDomain.SAFETY, NeedDomain.EMOTIONAL, NeedDomain.LOGISTICS):
            needs = [n for n in controller.catalogue.needs if n.domain is domain]
            if not needs:
                continue
            sections.append(html_box(f"<h3>{esc(DOMAIN_TITLES[domain])}</h3>"))
            for need in needs:
                sections.append(self._need_card(need))
        languages = sorted({c for o in controller.directory.organizations for s in o.services
                            for c in s.languages})
        self.open_24_7 = widgets.Checkbox(description="Open 24/7 only", indent=False)
        self.warm = widgets.Checkbox(description="Warm handoff only", indent=False)
        self.language = stacked(widgets.Dropdown(
            description="Language the victim wants",
            options=[("Any language", ANY_LANGUAGE), *language_options(languages)],
            value=ANY_LANGUAGE))
        for control in (self.open_24_7, self.warm, self.language):
            control.observe(self._filters_changed, names="value")
        self.message = html_box()
        self.services = column([])
        self.chosen = html_box()
        self.finish_button = button("Finish and save the assessment", self.finish, style="primary")
        self.finished_box = html_box()
        self.new_button = button("Start a new needs assessment for this case", self.new_assessment)
        self.widget = column([
            self.progress,
            self.finished_box,
            html_box(f"<p>{esc(controller.catalogue.introduction)}</p><h2>1. What does the victim need?</h2>"
                     '<p class="hb-muted">Ask each question. Tick every need the victim has. Each tick '
                     "is saved.</p>"),
            *sections,
            html_box("<h2>2. Services that meet these needs</h2>"),
            column([self.open_24_7, self.warm, self.language], "hb-card"),
            self.message,
            self.services,
            html_box("<h2>3. Referrals made</h2>"),
            self.chosen,
            row([self.finish_button, self.new_button]),
        ])
        self.draw()

    def _need_card(self, need: VictimNeed) -> widgets.Widget:
        label = f"{need.label} (urgent)" if need.urgent else need.label
        box = widgets.Checkbox(description=label, indent=False, layout=widgets.Layout(width="100%"))
        box.observe(self._on_need(need.id), names="value")
        self.boxes[need.id] = box
        signs = (f"<details><summary>Signs to look for</summary>{bullet_list(need.signs)}</details>"
                 if need.signs else "")
        return column([box, html_box(f"<p>Ask: “{esc(need.ask)}”</p>{signs}")], "hb-card",
                      f"hb-need-{need.id}")

    # ------------------------------------------------------------------ actions

    def _on_need(self, need_id: str) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if not self._quiet:
                self._after(self.c.toggle_need(need_id, bool(change["new"])))
        return changed

    def _filters_changed(self, _change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._after(self.c.set_filters(bool(self.open_24_7.value), str(self.language.value or ""),
                                       bool(self.warm.value)))

    @staticmethod
    def _call(action: Callable[[str], None], value: str) -> Callable[[], None]:
        return lambda: action(value)

    def choose(self, service_id: str) -> None:
        self._after(self.c.choose(service_id))

    def drop(self, service_id: str) -> None:
        self._after(self.c.drop(service_id))

    def finish(self) -> None:
        self._after(self.c.finish())

    def new_assessment(self) -> None:
        self._after(self.c.new_assessment())

    # ------------------------------------------------------------------ drawing

    def draw(self) -> None:
        run = self.c.run
        self._quiet = True
        try:
            selected = set(run.selected)
            for need_id, box in self.boxes.items():
                box.value = need_id in selected
                box.disabled = run.finished
            f = run.state.filters
            self.open_24_7.value = f.open_24_7_only
            self.warm.value = f.warm_handoff_only
            wanted = (f.language or ANY_LANGUAGE).split("-")[0]
            known = [value for _label, value in self.language.options]
            self.language.value = wanted if wanted in known else ANY_LANGUAGE
            for control in (self.open_24_7, self.warm, self.language):
                control.disabled = run.finished
        finally:
            self._quiet = False
        self.progress.value = (f'<p class="hb-progress" role="status">Case {esc(self.c.case_number)} · '
                               f"{esc(run.progress_text())}</p>")
        result = self.c.result()
        self.message.value = f'<p class="hb-note" role="status">{esc(result.message)}</p>'
        chosen = set(run.chosen)
        cards: list[widgets.Widget] = []
        for rec in result.recommendations:
            picked = rec.service_id in chosen
            action = (button("Remove this referral", self._call(self.drop, rec.service_id),
                             tooltip=f"Remove the referral to {rec.service_name}", disabled=run.finished)
                      if picked else
                      button("Refer to this service", self._call(self.choose, rec.service_id),
                             style="primary", tooltip=f"Refer to {rec.service_name}",
                             disabled=run.finished))
            card = column([html_box(recommendation_html(rec, picked)), row([action])], "hb-card",
                          f"hb-service-{rec.service_id}")
            if picked:
                card.add_class("hb-picked")
            cards.append(card)
        self.services.children = cards
        if run.state.referrals:
            items = "".join(
                f"<li><strong>{esc(r.service_name)}</strong> ({esc(r.organization_name)})"
                f"{' · phone ' + esc(r.phone) if r.phone else ''} · {esc(r.hours)}"
                f"{' · warm handoff' if r.warm_handoff else ''} · chosen {esc(when(r.chosen_at))}</li>"
                for r in run.state.referrals)
            self.chosen.value = f'<ul class="hb-list">{items}</ul>'
        else:
            self.chosen.value = '<p class="hb-muted">No referral made yet.</p>'
        self.finish_button.layout.display = "none" if run.finished else ""
        self.new_button.layout.display = "" if run.finished else "none"
        self.finished_box.value = self._finished_html() if run.finished else ""

    def _finished_html(self) -> str:
        """When the assessment was finished, and each need with the time it was ticked."""
        state = self.c.run.state
        labels = {n.id: n.label for n in self.c.catalogue.needs}
        needs = "".join(f"<li>{esc(labels.get(n.need_id, n.need_id))} · {esc(when(n.selected_at))}</li>"
                        for n in state.needs)
        finished = when(state.finished_at) if state.finished_at is not None else "an unknown date"
        return (f'<div class="hb-result hb-out" role="status"><p class="hb-headline">Finished on {esc(finished)}'
                "</p><p>This assessment cannot be changed. Start a new one if the victim's needs have changed."
                f"</p><p><strong>Needs found:</strong></p><ul class=\"hb-list\">{needs}</ul></div>")


def directory_banner(directory: ResourceDirectory) -> widgets.HTML:
    """The directory's name and area; a prominent SAMPLE DATA label when it is the sample."""
    if directory.sample:
        return html_box(f'<div class="hb-sample" role="note"><p><strong class="hb-flag">SAMPLE</strong>'
                        f"<strong>{esc(directory.title)}</strong></p><p>{esc(directory.notice)}</p></div>")
    return html_box(f"<p><strong>{esc(directory.title)}</strong> · {esc(directory.area)}</p>")


def needs_and_referrals_aid(catalogue_id: str = DEFAULT_CATALOGUE, directory_id: str | None = None,
                            library: Library | None = None, store: Store | None = None,
                            clock: Clock = local_now) -> widgets.VBox:
    """The whole needs-and-referrals job aid, with the agency's directory (else the sample)."""
    lib = library or default_library()
    if directory_id is None:
        directory_id = lib.agency.resource_directory if lib.agency is not None else DEFAULT_DIRECTORY
    catalogue = lib.catalogue(catalogue_id)
    directory = lib.directory(directory_id)

    def start(case_number: str, frame: CaseAid) -> None:
        controller = ReferralController(catalogue, directory, open_store(store), clock)
        note = controller.start(case_number)
        frame.show(case_number, note, ReferralView(controller, frame.status).widget,
                   HandoutPanel(lib, controller.store, case_number).widget)

    return case_aid("Needs and referrals", lib, start, chapter="book/assess/needs",
                    chapter_title="Read the needs chapter", banners=[directory_banner(directory)],
                    shows=[catalogue])
