"""Guidance an officer can trust, in the book's chapters.

Officer pages speak plain American English without checklist jargon, and the chapters state
the law and the research as the sources do: the Marsy's card is the Attorney General's, the
limits of every kind of confidentiality are named, and the danger after a screen-in is tied to
separation, not to the police call.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
TRAINERS = BOOK / "maintaining"
GLOSSARY = BOOK / "reference" / "glossary.md"
OFFICER_PAGES = sorted(p for p in BOOK.rglob("*.md") if TRAINERS not in p.parents and p != GLOSSARY)
JARGON = re.compile(r"killer item|READ-DO|DO-CONFIRM", re.I)
BRITISH = re.compile(
    r"\b(?:colour|behaviour|favour|neighbour|centre|programme|whilst|amongst|judgement|labelled"
    r"|practised|practise|licence|licences|dependant|catalogue|organis\w+|recognis\w+|realis\w+"
    r"|prioritis\w+|minimis\w+|stabilis\w+|summaris\w+|counselling|ticks?|ticked)\b", re.I)
"""British spellings; "counselling" is allowed as part of a file name or an id (see _prose)."""


def _prose(page: Path) -> str:
    """The page without code blocks, directive arguments, link targets and label lines."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    text = re.sub(r"\{[a-z-]+\}`[^`]*`", "", text)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"^\(.*\)=$", "", text, flags=re.M)
    return re.sub(r"[\w/-]*counselling[\w.-]*", "", text)


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


@pytest.mark.parametrize("page", OFFICER_PAGES, ids=lambda p: str(p.relative_to(BOOK)))
def test_officer_pages_use_plain_words_not_checklist_jargon(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not JARGON.search(re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)), page


@pytest.mark.parametrize("page", sorted(BOOK.rglob("*.md")), ids=lambda p: str(p.relative_to(BOOK)))
def test_pages_use_american_spelling(page: Path) -> None:
    found = BRITISH.findall(_prose(page))
    assert not found, found


def test_the_glossary_keeps_trainer_terms_for_trainers_and_defines_the_plain_one() -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    for term in ("killer item", "READ-DO", "DO-CONFIRM"):
        entry = _between(text, f"\n{term}\n", "\n\n")
        assert "A term for trainers" in entry, term
    assert "\nmust-check item\n" in text


def test_the_handbooks_marsy_notice_is_a_companion_to_the_official_card() -> None:
    rights = (BOOK / "rights" / "victims-rights.md").read_text(encoding="utf-8")
    section = _between(rights, "(rights-ca)=", "(rights-ca-sa)=")
    assert "Attorney General" in section and "toll-free" in section and "web page" in section
    assert "companion" in section and "does not replace" in section
    assert "## The Marsy's Law notice\n" not in rights
    marsy = _between(GLOSSARY.read_text(encoding="utf-8"), "\nMarsy's Law\n", "\n\n")
    assert "official" in marsy and "companion" in marsy


def test_the_confidentiality_chapters_name_every_limit_and_privilege() -> None:
    chapter = (BOOK / "rights" / "confidentiality.md").read_text(encoding="utf-8")
    limits = _between(chapter, "(conf-limits)=", "(conf-vawa)=")
    for law in ("§11166", "§43.92", "Tarasoff", "§11160", "§1035.8", "§1037.5"):
        assert law in limits, law
    assert "third person" in limits.lower() and "legal advisor" in limits
    police = _between(chapter, "(conf-police-records)=", "(conf-consent)=")
    assert "child protective services" in police and "records unit" in police
    plans = (BOOK / "follow-up" / "plans.md").read_text(encoding="utf-8")
    assert "Shares nothing without the victim's consent" not in plans
    for law in ("§43.92", "§11160", "§1035.8", "§1037.5"):
        assert law in plans, law


def test_the_interview_chapter_states_the_advocate_rules_and_the_research_limits() -> None:
    chapter = (BOOK / "techniques" / "trauma-informed-interviewing.md").read_text(encoding="utf-8")
    advocates = _between(chapter, "(tii-advocates)=", "(tii-open)=")
    for law in ("§679.04(a)", "§679.05(a)", "§236.21(a)(1)", "§236.21(b)(1)"):
        assert law in advocates, law
    assert "in writing" in advocates and "lawyer" in advocates and "no such power" in advocates
    memory = _between(chapter, "(tii-memory)=", "(tii-setting)=")
    assert "Fisher and Geiselman" in memory and "Memon" in memory and "Less settled" in memory


def test_danger_after_a_screen_in_is_tied_to_separation() -> None:
    check_ins = (BOOK / "follow-up" / "check-ins.md").read_text(encoding="utf-8")
    assert "danger is highest in the weeks after a screen-in" not in check_ins
    assert "separation" in check_ins and "Campbell" in check_ins


def test_the_peer_support_case_study_acts_on_the_gun() -> None:
    case = (BOOK / "case-studies" / "peer-support-after-dv.md").read_text(encoding="utf-8")
    response = _between(case, "(peer-response)=", "(peer-follow-up)=")
    assert "gun" in response and "temporary custody" in response
    assert "emergency protective order" in response and "§18250" in response and "§6250" in response


def test_scripts_in_the_chapters_name_no_gendered_suspect() -> None:
    boxes = []
    for page in BOOK.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        boxes += re.findall(r"\{admonition\} What to say\n(.*?)```", text, re.S)
    quoted = [q for box in boxes for q in re.findall(r'"([^"]+)"', box)]
    assert quoted
    assert not [q for q in quoted if re.search(r"\bhe (?:can't|cannot|won't|will)\b", q, re.I)]
