"""The victim's handout: one page from the case's saved runs, in the victim's language, with no name.

Runs are made with the engine and saved in a scratch store, as the three aids save them; the
handout is built from the store (:mod:`protocols.render.handout`, no kernel), then shown in
the aids' panel (ipywidgets in plain Python), then printed by Chromium (one page) and shown
at desktop width and at 375 px.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import ipywidgets as widgets
import pytest
import textstat
from aid_helpers import T0, click, find, page_text, start_case

from protocols.engine import ChecklistRun, ReferralRun, RightsDelivery
from protocols.library.loader import Library, load_library
from protocols.records import Store
from protocols.render.handout import WORDS, CaseFacts, case_facts, handout, plain_text
from protocols.trainer.readability import measure
from protocols.ui.checklist_aid import checklist_aid
from protocols.ui.handout_action import HandoutPanel, case_states
from protocols.ui.needs_and_referrals_aid import needs_and_referrals_aid
from protocols.ui.rights_notification_aid import rights_notification_aid
from required import axe_core, load_module, unavailable

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CASE = "26-012345"
NAME = "Maria Lopez"
"""A name typed where a careless officer might type one: it must never reach the handout."""


@pytest.fixture(scope="module")
def county() -> Library:
    """The shipped content with the sample agency (its advocate and crisis lines)."""
    return load_library(None, ROOT / "agencies" / "sample-county" / "agency.yaml")


def save_scene(store: Store, library: Library, paper: str | None, follow_up: str | None = "next-business-day",
               contact: str = "phone-ok") -> None:
    protocol = library.protocol("scene-response")
    run = ChecklistRun.start(protocol, CASE, T0)
    run.answer("safe-contact-agreed", contact, T0)
    if paper is not None:
        run.answer("safe-to-keep-checked", paper, T0)
    if follow_up is not None:
        run.answer("follow-up-set", follow_up, T0 + dt.timedelta(minutes=1))
    item = next(i for i in protocol.items() if i.na_allowed and not i.critical)
    run.mark_not_applicable(item.id, f"{NAME} lives alone", T0 + dt.timedelta(minutes=2))
    store.create("scene-response", protocol.id, protocol.version, CASE, run.status, run.state.model_dump_json())


def save_rights(store: Store, library: Library, *notice_ids: str) -> None:
    first, *more = (library.notice(n) for n in notice_ids)
    run = RightsDelivery.record(first, CASE, "handed", T0)
    for n, notice in enumerate(more, 1):
        run.give(notice, "handed", T0 + dt.timedelta(minutes=n), notes=f"Gave it to {NAME}")
    state = run.state
    store.create("rights-notification", state.content_id, state.content_version, CASE, "completed",
                 state.model_dump_json())


def save_referrals(store: Store, library: Library, count: int = 3) -> list[Any]:
    directory = library.directory("sample-directory")
    catalogue = library.catalogue("needs-assessment")
    run = ReferralRun.start(catalogue, directory, CASE, T0)
    for need in catalogue.needs:
        run.select_need(need.id, True, T0)
    services = [s for o in directory.organizations for s in o.services][:count]
    for n, service in enumerate(services):
        run.choose(service.id, T0 + dt.timedelta(minutes=n))
    state = run.state
    store.create("needs-and-referrals", state.content_id, state.content_version, CASE, "in-progress",
                 state.model_dump_json())
    return services


def facts_of(store: Store) -> CaseFacts:
    states, unreadable = case_states(store, CASE)
    assert unreadable == 0
    return case_facts(CASE, states)


@pytest.fixture
def full_case(store: Store, county: Library) -> tuple[Store, list[Any]]:
    """A sexual-assault case: both California notices, three referrals, paper safe to keep."""
    save_scene(store, county, "all-safe")
    save_rights(store, county, "ca-marsy-en", "ca-sexual-assault-en")
    return store, save_referrals(store, county)


# --------------------------------------------------------------------------- content


def test_the_handout_holds_rights_referrals_case_lines_and_next_steps(
        full_case: tuple[Store, list[Any]], county: Library) -> None:
    store, services = full_case
    facts = facts_of(store)
    assert facts.notices == ("ca-marsy-en", "ca-sexual-assault-en") and facts.paper == "all-safe"
    sheet = handout(county, facts, today=dt.date(2026, 12, 7))
    text = plain_text(sheet)
    assert sheet.language == "en" and sheet.printable and sheet.officer_notes == ()
    assert CASE in text and "Sample County Sheriff's Office" in text
    assert county.agency is not None
    assert county.agency.on_call.phone in text and county.agency.hotline.phone in text
    for service in services:
        assert service.name in text and service.hours in text and service.contact.phone in text
    for notice_id in ("ca-marsy-en", "ca-sexual-assault-en"):
        notice = county.notice(notice_id)
        assert notice.title in text
        assert all(right.title in text for right in notice.rights)
    assert WORDS["en"]["next-business-day"] in text and WORDS["en"]["not_secret"] in text
    assert "911" in text


def test_no_name_or_note_reaches_the_handout(full_case: tuple[Store, list[Any]], county: Library) -> None:
    store, _services = full_case
    facts = facts_of(store)
    assert any(NAME in record.state for aid in ("scene-response", "rights-notification")
               for record in store.find(aid, CASE)), "the test must plant the name in the saved runs"
    for language in ("en", "es", "vi"):
        sheet = handout(county, facts, language)
        for shown in (sheet.document(), " ".join(sheet.script), " ".join(sheet.officer_notes)):
            assert "Maria" not in shown and "Lopez" not in shown


def test_spanish_where_the_content_has_it(full_case: tuple[Store, list[Any]], county: Library) -> None:
    store, _services = full_case
    sheet = handout(county, facts_of(store), "es")
    text = plain_text(sheet)
    assert sheet.language == "es" and 'lang="es"' in sheet.document()
    spanish = county.notice("ca-marsy-es")
    assert spanish.title in text and all(r.title in text for r in spanish.rights)
    assert county.notice("ca-marsy-en").title not in text
    assert WORDS["es"]["title"] in text and WORDS["es"]["not_secret"] in text
    # The sexual-assault notice has no Spanish version: listed as given, and the officer is told.
    assert county.notice("ca-sexual-assault-en").title in text
    assert any("no Spanish" in note for note in sheet.officer_notes)
    assert any("qualified translator" in note for note in sheet.officer_notes)


def test_the_victims_language_is_suggested_from_the_notice_given(store: Store, county: Library) -> None:
    save_rights(store, county, "ca-marsy-es")
    facts = facts_of(store)
    assert facts.languages == ("es",)
    assert handout(county, facts).language == "es"


def test_a_language_the_content_lacks_falls_back_to_english_and_says_so(
        full_case: tuple[Store, list[Any]], county: Library) -> None:
    store, _services = full_case
    sheet = handout(county, facts_of(store), "vi")
    assert sheet.language == "en" and sheet.asked == "vi"
    assert WORDS["en"]["fallback"] in plain_text(sheet) and "Vietnamese" in plain_text(sheet)
    assert any("not ready in Vietnamese" in note for note in sheet.officer_notes)


def test_the_handouts_own_words_are_at_grade_6_or_below(full_case: tuple[Store, list[Any]],
                                                         county: Library) -> None:
    own = [text.format(case=CASE, what="advocate line", phone="555-0142", name="Emergency shelter",
                       organization="Harbor House", hours="Open all day", titles="protection, fair treatment")
           for text in WORDS["en"].values() if text]
    passage = " ".join(own)
    score = measure("handout", "handout.en", "victim", passage)
    assert score.flesch_kincaid <= 6, score
    assert textstat.coleman_liau_index(score.text) <= 6
    store, _services = full_case
    steps = handout(county, facts_of(store)).script[-4:]  # what happens next, as read aloud
    assert measure("handout", "steps", "victim", " ".join(steps)).flesch_kincaid <= 6


# --------------------------------------------------------------------------- paper safety


def test_paper_not_safe_means_a_script_to_read_aloud_and_no_print(store: Store, county: Library) -> None:
    save_scene(store, county, "none-safe", follow_up="within-24-hours")
    save_rights(store, county, "ca-marsy-en")
    services = save_referrals(store, county, 1)
    sheet = handout(county, facts_of(store))
    assert not sheet.printable
    assert "not safe to keep" in sheet.officer_notes[0] and "read it aloud" in sheet.officer_notes[0]
    script = " ".join(sheet.script)
    assert CASE in script and services[0].contact.phone in script
    assert WORDS["en"]["within-24-hours"] in script
    panel = HandoutPanel(county, store, CASE)
    click(panel.widget, "Make the victim's handout")
    assert panel.printer.printable is False
    assert "Read this aloud" in panel.sheet.value and "hc-handout-script" in panel.sheet.value
    assert 'class="hc-handout"' not in panel.sheet.value
    assert panel.paper_safe.layout.display == "none"  # the answer is on record: nothing to confirm


def test_no_safe_way_to_reach_the_victim_means_no_planned_call(store: Store, county: Library) -> None:
    save_scene(store, county, "all-safe", follow_up="within-24-hours", contact="no-safe-way")
    facts = facts_of(store)
    assert facts.contact == "no-safe-way"
    for language in ("en", "es"):
        text = plain_text(handout(county, facts, language))
        assert WORDS[language]["no-safe-way"] in text and WORDS[language]["within-24-hours"] not in text


def test_digital_only_is_paper_not_safe(store: Store, county: Library) -> None:
    save_scene(store, county, "digital-only")
    sheet = handout(county, facts_of(store))
    assert not sheet.printable and "paper is not safe to keep" in sheet.officer_notes[0]


def test_paper_not_asked_yet_needs_the_officers_word_before_printing(store: Store, county: Library) -> None:
    save_rights(store, county, "ca-marsy-en")
    facts = facts_of(store)
    assert facts.paper is None
    sheet = handout(county, facts)
    assert not sheet.printable and sheet.officer_notes[0].startswith("Ask first")
    panel = HandoutPanel(county, store, CASE)
    click(panel.widget, "Make the victim's handout")
    assert panel.paper_safe.layout.display == "" and panel.printer.printable is False
    assert "Ask first" in panel.notes.value
    panel.paper_safe.value = True
    assert panel.printer.printable is True and 'class="hc-handout"' in panel.sheet.value
    assert "<h1" not in panel.sheet.value and "<h3>" in panel.sheet.value  # under the panel's h2
    assert "Ask first" not in panel.notes.value


def test_the_rights_aid_opens_the_handout_from_the_saved_notice(store: Store, county: Library) -> None:
    aid = rights_notification_aid(library=county, store=store)
    start_case(aid, CASE)
    save_rights(store, county, "ca-marsy-es")  # saved after the aid opened: read when the button is pressed
    click(aid, "Make the victim's handout")
    shown = page_text(aid)
    assert WORDS["es"]["title"] in shown and CASE in shown
    assert "Ask first" in shown  # no scene-response answer about paper yet


def test_the_scene_and_referral_aids_offer_the_handout_and_other_checklists_do_not(
        store: Store, county: Library) -> None:
    def offers(aid: widgets.Widget) -> bool:
        start_case(aid, CASE)
        return bool(find(aid, widgets.Button, description="Make the victim's handout"))

    assert offers(checklist_aid("scene-response", aid="scene-response", library=county, store=store))
    assert offers(needs_and_referrals_aid(library=county, store=store))
    assert not offers(checklist_aid("death-notification", aid="death-notification", library=county, store=store))


# --------------------------------------------------------------------------- printed and shown


@pytest.fixture
def chromium_page(tmp_path: Path) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed", "install the project with its test extras")
    from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo") is None:
        unavailable("pdfinfo is not installed", "install the Debian package poppler-utils")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_handout_prints_on_one_page_passes_axe_and_reads_at_375_px(
        full_case: tuple[Store, list[Any]], county: Library, chromium_page: ModuleType, tmp_path: Path,
        language: str) -> None:
    store, services = full_case
    sheet = handout(county, facts_of(store), language)
    page: Any = chromium_page
    page.set_content(sheet.document(), wait_until="load")
    pdf = tmp_path / "handout.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf_pages(pdf) == 1
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert CASE in printed and services[-1].contact.phone in printed
    checks = load_module(ROOT / "tests" / "a11y" / "a11y_checks.py", "_handout_a11y_checks")
    assert checks.axe_violations(page, axe_core(tmp_path / "axe")) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"handout-{language}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the sheet scrolls sideways at 375 px"
    page.screenshot(path=str(SHOTS / f"handout-{language}-375.png"), full_page=True)
    page.emulate_media(media="print")
    sizes = page.evaluate("""() => [...document.querySelectorAll('.hc-handout *')]
        .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 16 - 0.05, "printed text under 12 pt"


def test_every_paper_answer_the_content_offers_is_one_the_handout_knows() -> None:
    """An answer the handout does not know would be treated as "ask first": keep the sets in step."""
    from protocols.library.loader import load_library
    from protocols.render.handout import PAPER_ITEM, PAPER_SAFE, PAPER_UNSAFE

    library = load_library()
    items = [item for protocol in library.protocols.values() for item in protocol.items() if item.id == PAPER_ITEM]
    assert items, f"no checklist asks {PAPER_ITEM}"
    for item in items:
        assert item.value.type == "choice"
        assert {choice.id for choice in item.value.choices} <= PAPER_SAFE | PAPER_UNSAFE


def test_a_paper_answer_the_handout_does_not_know_means_ask_first(store: Store, county: Library) -> None:
    """An agency's own option (here "ask-later") is neither safe nor unsafe: ask, never assume."""
    import dataclasses

    save_scene(store, county, None)
    save_rights(store, county, "ca-marsy-en")
    facts = dataclasses.replace(facts_of(store), paper="ask-later")
    sheet = handout(county, facts)
    assert not sheet.printable and sheet.officer_notes[0].startswith("Ask first")
    assert handout(county, facts, paper_confirmed_safe=True).printable


def test_a_regional_notice_language_starts_the_handout_in_its_language(
        store: Store, county: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """A notice given in es-MX, where the handout offers es: it starts in Spanish, and opens."""
    import dataclasses

    import protocols.ui.handout_action as action

    save_scene(store, county, "all-safe")
    save_rights(store, county, "ca-marsy-es")
    facts = dataclasses.replace(facts_of(store), languages=("es-MX",))
    monkeypatch.setattr(action, "case_facts", lambda *_args: facts)
    panel = HandoutPanel(county, store, CASE)
    click(panel.widget, "Make the victim's handout")
    assert panel.language.value == "es"
    assert panel.sheet.value, "the handout was not drawn"
