"""How a supervisor walks each job aid in the browser: finish it, then reopen the saved record.

Each :class:`Walk` drives one aid's page through Playwright the way a person would (labels,
button names, what the page says), and says what it entered, so the export can be checked
for it. ``finish`` starts on the aid's page with its case (or session label) form showing and
ends when the page says the finished record was saved; ``reopen`` starts on the reloaded page
and checks that the saved record, not a blank one, comes back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, ViewportSize, expect

LOAD_TIMEOUT = 60_000
"""Milliseconds to wait for an aid to draw or a case to open (a kernel may still be starting)."""
SAVE_TIMEOUT = 20_000
"""Milliseconds to wait for the page to say an answer was saved."""
VIEWPORTS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 667}}


@dataclass
class Entered:
    """What a walk entered, as the export of its run must show it."""

    aid: str
    """The records' aid name (a run's ``aid`` in ``handbook runs`` and the export)."""
    answers: list[tuple[str, str]] = field(default_factory=list)
    """``(question, answer)``: a row of the run's export whose label holds the question must hold
    the answer in its value."""
    pressed: list[tuple[str, str]] = field(default_factory=list)
    """``(question, button)``: a yes/no answer and the label of the button pressed for it."""


def status_line(page: Page) -> Locator:
    return page.locator(".hb-aid-status").first


def open_case(page: Page, case_number: str) -> None:
    """Type the case number and press Enter, then wait until the aid says it opened the case."""
    box = page.get_by_label("Case or incident number")
    box.wait_for(timeout=LOAD_TIMEOUT)
    box.fill(case_number)
    box.press("Enter")
    expect(status_line(page)).to_contain_text(f"Case {case_number}:", timeout=LOAD_TIMEOUT)


def said(page: Page, words: str, timeout: int = SAVE_TIMEOUT) -> None:
    """Wait until the status line says ``words`` (a save the store confirmed)."""
    expect(status_line(page)).to_contain_text(words, timeout=timeout)


# --------------------------------------------------------------------------- scene response


YES_NO = {"yes", "no"}


def answer_item(page: Page, item: Locator) -> tuple[str, str]:
    """Answer one checklist item as an officer would: the answer as shown and as sent ("" for a time)."""
    options = item.locator(".hb-option[data-value]")
    if options.count():
        chosen = options.first
        shown, sent = chosen.inner_text().strip(), str(chosen.get_attribute("data-value"))
        chosen.click()
    elif item.get_by_role("button", name="Now").count():
        item.get_by_role("button", name="Now").click()
        shown = sent = ""
    else:
        shown = sent = "2" if item.locator("input[type=number]").count() else "Noted at the scene."
        item.locator("input.hb-input:not(.hb-reason)").fill(shown)
        item.get_by_role("button", name="Record").click()
    expect(item.locator(".hb-status")).to_contain_text("saved", timeout=SAVE_TIMEOUT)
    return shown, sent


def finish_checklist(page: Page, case_number: str) -> Entered:
    """Answer every critical item, then complete the checklist."""
    open_case(page, case_number)
    page.locator(".hb-checklist").wait_for(timeout=LOAD_TIMEOUT)
    critical = page.locator(".hb-checklist li.hb-item.hb-critical")
    assert critical.count() > 0, "the scene checklist shows no critical item"
    entered = Entered("scene-response")
    for index in range(critical.count()):
        item = critical.nth(index)
        shown, sent = answer_item(page, item)
        prompt = item.locator(".hb-prompt").inner_text().strip()
        if sent in YES_NO:
            entered.pressed = entered.pressed or [(prompt, shown)]
        elif shown:
            entered.answers = entered.answers or [(prompt, shown)]
    page.get_by_role("button", name="Complete checklist").click()
    expect(page.locator(".hb-checklist .hb-alert")).to_have_text("Checklist complete and saved.",
                                                                 timeout=SAVE_TIMEOUT)
    return entered


def reopen_checklist(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "This checklist was finished.")
    record = page.locator(".hb-result")
    expect(record.locator(".hb-headline")).to_contain_text("Finished on")
    expect(record).to_contain_text("This record cannot be changed.")
    question, answer = entered.answers[0]
    expect(page.locator(".hb-facts li").filter(has_text=question)).to_contain_text(answer)
    assert page.locator(".hb-checklist").count() == 0, "a finished checklist reopens as a live one"


# --------------------------------------------------------------------------- screening


def finish_screening(page: Page, case_number: str) -> Entered:
    """A yes to question 1 (the sample instrument screens in on it), then finish."""
    open_case(page, case_number)
    first = page.locator(".hb-q-1")
    first.get_by_role("button", name="Yes", exact=True).click()
    expect(first).to_contain_text("Answer: Yes", timeout=SAVE_TIMEOUT)
    second = page.locator(".hb-q-2")
    second.get_by_role("button", name="No", exact=True).click()
    expect(second).to_contain_text("Answer: No", timeout=SAVE_TIMEOUT)
    page.get_by_role("button", name="Finish screening and see the result").click()
    said(page, "Screening finished and saved.")
    expect(page.locator(".hb-result .hb-headline")).to_have_text("Screened in by the protocol")
    page.locator(".hb-checklist").wait_for(timeout=LOAD_TIMEOUT)  # the screen-in steps open
    return Entered("screening", [(first.locator("p").first.inner_text().strip(), "Yes"),
                                 (second.locator("p").first.inner_text().strip(), "No")])


def reopen_screening(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "This case was screened at")
    expect(page.locator(".hb-result .hb-headline")).to_have_text("Screened in by the protocol")
    expect(page.locator(".hb-q-1")).to_contain_text("Answer: Yes")
    expect(page.locator(".hb-q-2")).to_contain_text("Answer: No")
    expect(page.locator(".hb-q-1").get_by_role("button", name="Yes", exact=True)).to_be_disabled()
    assert page.get_by_role("button", name="Finish screening and see the result").is_hidden()


# --------------------------------------------------------------------------- rights notification

NOTICE_ID = re.compile(r"notice ([a-z0-9-]+), version")


def finish_rights(page: Page, case_number: str) -> Entered:
    """Record that the notice shown first was given, the first way offered."""
    open_case(page, case_number)
    shown = page.locator(".hb-card[lang] .hb-muted").last.inner_text()
    match = NOTICE_ID.search(shown)
    assert match, f"the notice shows no id and version: {shown!r}"
    method = page.get_by_label("How you gave it")
    # ipywidgets writes an option's spaces as no-break spaces
    labels = [text.replace("\xa0", " ").strip() for text in method.locator("option").all_inner_texts()]
    assert len(labels) > 1, f"no way to give the notice is offered: {labels}"
    method.select_option(index=1)
    page.get_by_role("button", name="Record that the notice was given").click()
    said(page, "Recorded and saved:")
    return Entered("rights-notification", [("Notice", f"{match.group(1)} version"), ("How it was given", labels[1])])


def reopen_rights(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "1 notice already recorded for this case (listed below).")
    expect(page.locator(".hb-progress").first).to_contain_text(f"Case {case_number} · 1 notice recorded")


# --------------------------------------------------------------------------- needs and referrals


def finish_needs(page: Page, case_number: str) -> Entered:
    """Tick the first need, refer to the first service offered for it, then finish."""
    open_case(page, case_number)
    need = page.locator(".hb-card[class*='hb-need-']").first.get_by_role("checkbox")
    label = need.locator("xpath=..").inner_text().strip()
    need.check()
    said(page, "selected. Saved.")
    refer = page.get_by_role("button", name="Refer to this service").first
    refer.wait_for(timeout=SAVE_TIMEOUT)
    service = (refer.get_attribute("title") or "").removeprefix("Refer to ").strip()
    assert service, "the referral button does not name its service"
    refer.click()
    said(page, "Referral saved.")
    page.get_by_role("button", name="Finish and save the assessment").click()
    said(page, "Assessment finished and saved.")
    need_label = label.removesuffix(" (urgent)")
    return Entered("needs-and-referrals", [(need_label, "Selected"), (service, f"for {need_label}")])


def reopen_needs(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "needs assessment was finished on")
    record = page.locator(".hb-result")
    expect(record).to_contain_text("This assessment cannot be changed.")
    (need, _), (service, _) = entered.answers
    expect(record).to_contain_text(need)
    expect(page.locator(".hb-aid")).to_contain_text(service)
    assert page.get_by_role("button", name="Finish and save the assessment").is_hidden()


# --------------------------------------------------------------------------- confidentiality

MOST_QUESTIONS = 20


def finish_confidentiality(page: Page, case_number: str) -> Entered:
    """Answer "No" to each question until the guide gives its answer."""
    open_case(page, case_number)
    outcome = page.locator(".hb-result")
    entered = Entered("confidentiality")
    for asked in range(1, MOST_QUESTIONS + 1):
        question = page.locator(".hb-card p strong").first.inner_text().strip()
        entered.answers.append((question, "No"))
        page.get_by_role("button", name="No", exact=True).click()
        # the next question, or the guide's answer (the progress line redraws before either)
        expect(outcome.or_(page.get_by_role("heading", name=f"Question {asked + 1}", exact=True))).to_be_visible(
            timeout=SAVE_TIMEOUT)
        if outcome.count():
            break
    else:
        raise AssertionError(f"no answer after {MOST_QUESTIONS} questions")
    expect(page.locator(".hb-progress").first).to_contain_text("Finished")
    entered.answers.append(("Outcome", outcome.locator("h2").inner_text().strip()))
    return entered


def reopen_confidentiality(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "This case already has an answer, reached on")
    expect(page.locator(".hb-result h2")).to_have_text(entered.answers[-1][1])
    expect(page.get_by_role("button", name="Start new questions for this case")).to_be_visible()
    assert page.get_by_role("button", name="Yes", exact=True).is_hidden()


# --------------------------------------------------------------------------- follow-up


def check_in_cards(page: Page) -> Locator:
    return page.locator(".hb-card[class*='hb-check-in-']")


def finish_follow_up(page: Page, case_number: str) -> Entered:
    """Make a plan (phone, no message) and record the first check-in as reached."""
    open_case(page, case_number)
    page.get_by_text("Make a follow-up plan").wait_for(timeout=LOAD_TIMEOUT)
    page.get_by_label("Safe way to contact the victim").select_option(label="Phone call")
    page.get_by_label("May we leave a message?").select_option(label="No, leave no message")
    page.get_by_role("button", name="Make the follow-up plan").click()
    said(page, "Follow-up plan made and saved:")
    first = check_in_cards(page).first
    check_in = first.locator(".hb-badge + strong").inner_text().strip()
    first.get_by_role("button", name="Record this check-in").click()
    said(page, "Check-in recorded and saved: Reached the victim.")
    expect(first.locator(".hb-badge")).to_have_text("Done")
    return Entered("follow-up", [("Safe contact", "by phone; leave no message"),
                                 (f"{check_in}: attempt", "Reached the victim")])


def reopen_follow_up(page: Page, case_number: str, entered: Entered) -> None:
    open_case(page, case_number)
    said(page, "Resumed the open follow-up plan.")
    expect(page.locator(".hb-progress").first).to_contain_text(f"Case {case_number}")
    expect(page.locator(".hb-aid")).to_contain_text("Safe contact: by phone; leave no message")
    first = check_in_cards(page).first
    expect(first.locator(".hb-badge")).to_have_text("Done")
    expect(first).to_contain_text(entered.answers[1][1])


# --------------------------------------------------------------------------- scenario player

MOST_DECISIONS = 20


def label_field(page: Page) -> Locator:
    return page.get_by_label("Session label (optional; no names)")


def finish_scenario(page: Page, label: str) -> Entered:
    """Play the scenario chosen first under the session label, taking the first option each time."""
    field_ = label_field(page)
    field_.wait_for(timeout=LOAD_TIMEOUT)
    field_.fill(label)
    field_.press("Tab")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="I am ready: start the scenario").click()
    said(page, "started.")
    entered = Entered("scenario-player")
    for _ in range(MOST_DECISIONS):
        option = page.locator(".hb-options button").first
        option.wait_for(timeout=SAVE_TIMEOUT)
        if not entered.answers:
            entered.answers.append((page.locator(".hb-aid h3").first.inner_text().strip(),
                                    option.inner_text().strip()))
        option.click()
        said(page, ". Saved.")
        more = page.get_by_role("button", name="Next decision")
        last = page.get_by_role("button", name="See the debrief")
        expect(more.or_(last)).to_be_visible(timeout=SAVE_TIMEOUT)
        if last.count():
            last.click()
            break
        more.click()
    else:
        raise AssertionError(f"no debrief after {MOST_DECISIONS} decisions")
    expect(page.locator(".hb-result .hb-headline")).to_contain_text("Debrief:", timeout=SAVE_TIMEOUT)
    return entered


def reopen_scenario(page: Page, label: str, entered: Entered) -> None:
    """A play-through is not resumed: the trainer's summary for the label shows it was saved."""
    field_ = label_field(page)
    field_.wait_for(timeout=LOAD_TIMEOUT)
    field_.fill(label)
    field_.press("Tab")
    page.get_by_role("button", name="Trainer's summary for this session label").click()
    said(page, "Trainer's summary: 1 play-through")
    expect(page.locator(".hb-aid")).to_contain_text("1 finished")


# --------------------------------------------------------------------------- the walks


@dataclass(frozen=True)
class Walk:
    aid: str
    """The notebook's name (its address on the index)."""
    view: str
    finish: Callable[[Page, str], Entered]
    reopen: Callable[[Page, str, Entered], None]


WALKS = {walk.aid: walk for walk in (
    Walk("scene-response", "phone", finish_checklist, reopen_checklist),
    Walk("screening", "desktop", finish_screening, reopen_screening),
    Walk("rights-notification", "desktop", finish_rights, reopen_rights),
    Walk("needs-and-referrals", "desktop", finish_needs, reopen_needs),
    Walk("confidentiality", "desktop", finish_confidentiality, reopen_confidentiality),
    Walk("follow-up", "desktop", finish_follow_up, reopen_follow_up),
    Walk("scenario-player", "desktop", finish_scenario, reopen_scenario),
)}
"""Every job aid with a run of its own (the tracker has none), in the order a case meets them."""


def next_frame(page: Page) -> None:
    """Wait until the page has been laid out and drawn at its current size."""
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def screenshot(page: Page, folder: Path, name: str, view: str) -> Path:
    """The whole aid at the width of ``view`` in one picture; the page's own size is put back after.

    Voila scrolls inside its cell area, so the viewport grows to the aid's height for the picture.
    """
    folder.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    width = VIEWPORTS[view]["width"]
    page.set_viewport_size(VIEWPORTS[view])
    next_frame(page)
    height = page.evaluate("document.querySelector('#rendered_cells').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 16, 12000)})
    next_frame(page)
    path = folder / f"{name}-{view}.png"
    page.screenshot(path=str(path))
    if before is not None:
        page.set_viewport_size(before)
    return path
