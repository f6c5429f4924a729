"""The victim's handout: one page to take away, built from the content and the case's saved runs.

It holds the rights notice given, the referrals chosen (with phone and hours), the case number,
the agency's advocate and crisis lines, and what happens next, in the victim's language where
the content has it (English otherwise, and the sheet says so). It never holds a name or a note:
only the case number, content and the choices recorded.

Paper comes last: if the victim said paper is not safe to keep (the scene checklist's
``safe-to-keep-checked``), the handout is not printable and the same words come as a script to
read aloud. Until that answer is known, the officer must ask first.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from protocols.engine.base import RunState
from protocols.engine.checklist_state import ChecklistState
from protocols.engine.languages import language_name
from protocols.engine.referrals import ReferralState
from protocols.engine.rights import RightsDeliveryState
from protocols.library.container import Library
from protocols.models import RightsNotice

HANDOUT_CSS = Path(__file__).parents[1] / "ui" / "static" / "handout.css"
SCENE_PROTOCOL = "scene-response"
PAPER_ITEM = "safe-to-keep-checked"
FOLLOW_UP_ITEM = "follow-up-set"
CONTACT_ITEM = "safe-contact-agreed"
NO_SAFE_WAY = "no-safe-way"
PAPER_UNSAFE = frozenset({"digital-only", "none-safe"})
"""Answers to ``safe-to-keep-checked`` that mean paper is not safe to keep."""
PAPER_SAFE = frozenset({"all-safe", "paper-only"})

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Information for you",
        "case": "Your case number",
        "case_use": "Use this number when you call about your case.",
        "calls": "Who you can call",
        "emergency": "In an emergency, call 911.",
        "advocate": "Advocate line",
        "crisis": "Crisis line",
        "help": "Help we talked about",
        "no_help": "We did not pick a service today. The advocate line can help you find one.",
        "phone": "Phone",
        "hours": "Hours",
        "rights": "Your rights",
        "rights_given": "You got this notice today:",
        "rights_more": "The full notice tells you more about each right.",
        "next": "What happens next",
        "report": "An officer writes a report about what happened. Your case number is on it.",
        "not_secret": ("What you tell the police goes in the report. The report may go to the prosecutor and "
                       "the court. Police cannot keep it secret. An advocate can tell you what they can keep "
                       "private."),
        "within-24-hours": "We plan to get in touch within one day, in the way you chose.",
        "next-business-day": "We plan to get in touch by the next work day, in the way you chose.",
        "victim-declined": "You asked us not to get in touch. That is your choice.",
        "no-safe-way": "We do not have a safe way to reach you yet. Call the advocate line when it is safe for you.",
        "questions": "If you have questions, or you remember more, call the advocate line.",
        "fallback": "This sheet is in English. It is not ready in your language yet. You can ask for an interpreter.",
        "english_parts": "",
        "say_case": "Your case number is {case}.",
        "say_line": "You can call the {what} at {phone}.",
        "say_service": "{name}, from {organization}, can help. Their number is {phone}. Hours: {hours}.",
        "say_service_no_phone": "{name}, from {organization}, can help. Hours: {hours}.",
        "say_rights": "Your rights include: {titles}.",
    },
    "es": {
        "title": "Información para usted",
        "case": "Su número de caso",
        "case_use": "Use este número cuando llame sobre su caso.",
        "calls": "A quién puede llamar",
        "emergency": "En una emergencia, llame al 911.",
        "advocate": "Línea de apoyo a víctimas",
        "crisis": "Línea de crisis",
        "help": "La ayuda de la que hablamos",
        "no_help": "Hoy no elegimos un servicio. La línea de apoyo a víctimas le puede ayudar a encontrar uno.",
        "phone": "Teléfono",
        "hours": "Horario",
        "rights": "Sus derechos",
        "rights_given": "Hoy usted recibió este aviso:",
        "rights_more": "El aviso completo le explica más sobre cada derecho.",
        "next": "Lo que pasa ahora",
        "report": "Un agente escribe un informe sobre lo que pasó. Su número de caso está en el informe.",
        "not_secret": ("Lo que usted le dice a la policía va en el informe. El informe puede ir al fiscal y al "
                       "tribunal. La policía no lo puede mantener en secreto. Un defensor de víctimas le puede "
                       "decir qué puede mantener en privado."),
        "within-24-hours": "Pensamos comunicarnos con usted dentro de un día, de la forma que eligió.",
        "next-business-day": "Pensamos comunicarnos con usted el siguiente día hábil, de la forma que eligió.",
        "victim-declined": "Usted pidió que no nos comuniquemos con usted. Es su decisión.",
        "no-safe-way": ("Todavía no tenemos una forma segura de comunicarnos con usted. Llame a la línea de apoyo "
                        "a víctimas cuando sea seguro para usted."),
        "questions": "Si tiene preguntas o recuerda algo más, llame a la línea de apoyo a víctimas.",
        "fallback": "",
        "english_parts": "Los nombres y los horarios de los servicios están en inglés.",
        "say_case": "Su número de caso es {case}.",
        "say_line": "Puede llamar a la {what} al {phone}.",
        "say_service": "{name}, de {organization}, le puede ayudar. Su número es {phone}. Horario: {hours}.",
        "say_service_no_phone": "{name}, de {organization}, le puede ayudar. Horario: {hours}.",
        "say_rights": "Sus derechos incluyen: {titles}.",
    },
}
"""The handout's own words, per language. English is the original; the others await review."""
REVIEWED_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class Referral:
    """A service chosen for the victim, as the directory listed it when chosen."""

    name: str
    organization: str
    phone: str | None
    hours: str


@dataclass(frozen=True)
class CaseFacts:
    """What the handout may use from a case's runs: no names, no notes, no free text."""

    case_number: str
    notices: tuple[str, ...] = ()
    """The notices given (ids), oldest first, one per notice family (the latest of each)."""
    referrals: tuple[Referral, ...] = ()
    paper: str | None = None
    """The answer to ``safe-to-keep-checked``; None when not asked yet."""
    follow_up: str | None = None
    contact: str | None = None
    """The answer to ``safe-contact-agreed``: how we may reach the victim safely."""
    languages: tuple[str, ...] = ()
    """The languages of the notices given: the victim's language is likely among them."""


def case_facts(case_number: str, states: Iterable[RunState]) -> CaseFacts:
    """The facts of one case from its runs (newest first within each aid, as the store lists them)."""
    notices: dict[str, str] = {}
    languages: list[str] = []
    referrals: tuple[Referral, ...] | None = None
    answers: dict[str, str] = {}
    deliveries = []
    for state in states:
        if isinstance(state, RightsDeliveryState):
            deliveries.extend(state.deliveries)
        elif isinstance(state, ReferralState) and referrals is None:
            referrals = tuple(Referral(r.service_name, r.organization_name, r.phone, r.hours)
                              for r in state.referrals)
        elif isinstance(state, ChecklistState) and state.content_id == SCENE_PROTOCOL:
            for answer in state.answers:
                if answer.item_id in (PAPER_ITEM, FOLLOW_UP_ITEM, CONTACT_ITEM) and isinstance(answer.value, str):
                    answers.setdefault(answer.item_id, answer.value)
    for given in sorted(deliveries, key=lambda d: d.given_at):
        notices.pop(given.family, None)
        notices[given.family] = given.notice_id
        if given.language not in languages:
            languages.append(given.language)
    return CaseFacts(case_number, tuple(notices.values()), referrals or (), answers.get(PAPER_ITEM),
                     answers.get(FOLLOW_UP_ITEM), answers.get(CONTACT_ITEM), tuple(languages))


def suggested_language(facts: CaseFacts) -> str:
    """The language to start with: the first notice language that is not English, else English."""
    return next((code for code in facts.languages if code.split("-")[0] != "en"), "en")


@dataclass(frozen=True)
class Handout:
    """The handout for one case in one language, ready to show, print or read aloud."""

    language: str
    """The language of the sheet (English when the one asked for is not ready)."""
    asked: str
    printable: bool
    """False when paper is not safe to keep, or nobody has asked yet."""
    body: str
    """The sheet's HTML (escaped), for showing and printing."""
    script: tuple[str, ...]
    """The same facts as sentences to read aloud."""
    officer_notes: tuple[str, ...] = field(default=())
    """What the officer must know before giving it (in English)."""

    def shown_under(self, level: int) -> str:
        """The sheet for showing inside a page whose heading above it is at ``level`` (h1 → h<level+1>)."""
        return (self.body.replace("<h2", f"<h{level + 2}").replace("</h2>", f"</h{level + 2}>")
                .replace("<h1", f"<h{level + 1}").replace("</h1>", f"</h{level + 1}>"))

    def document(self) -> str:
        """A whole HTML page with the handout's print stylesheet: what the officer prints."""
        css = HANDOUT_CSS.read_text(encoding="utf-8")
        return (f'<!DOCTYPE html><html lang="{self.language}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(WORDS[self.language]['title'])}</title><style>{css}</style></head>"
                f"<body>{self.body}</body></html>")


def handout(library: Library, facts: CaseFacts, language: str | None = None,
            paper_confirmed_safe: bool = False, today: dt.date | None = None) -> Handout:
    """The handout for ``facts`` in ``language`` (default: :func:`suggested_language`).

    ``paper_confirmed_safe`` is the officer's word, given in the aid, that the victim said paper
    is safe to keep, for a case whose scene checklist has no answer yet.
    """
    asked = (language or suggested_language(facts)).split("-")[0]
    lang = asked if asked in WORDS else "en"
    words = WORDS[lang]
    notes: list[str] = []
    if lang != asked:
        notes.append(f"The handout is not ready in {language_name(asked)}, so it is in English and says so. "
                     "Go over it with the victim through a qualified interpreter.")
    if lang not in REVIEWED_LANGUAGES:
        notes.append(f"The {language_name(lang)} wording has not been checked by a qualified translator yet. "
                     "Go over it with the victim through a qualified interpreter.")
    if library.agency is None:
        notes.append("No agency profile is in use, so the sheet has no advocate or crisis line. Open the "
                     "aid with your agency's profile.")
    notices = [_in_language(library, library.rights[n], lang, notes) for n in facts.notices if n in library.rights]
    printable = facts.paper in PAPER_SAFE or (facts.paper not in PAPER_UNSAFE and paper_confirmed_safe)
    if facts.paper in PAPER_UNSAFE:
        notes.insert(0, "The victim said paper is not safe to keep. Do not print or hand over this sheet: "
                        "read it aloud instead, and give only what the victim can hide.")
    elif facts.paper not in PAPER_SAFE and not paper_confirmed_safe:
        # No answer, or one this handout does not know (an agency's own option): ask, never assume.
        notes.insert(0, "Ask first: is it safe for the victim to keep paper? Record the answer in the scene "
                        "checklist (Before you leave), or confirm it here, before you print.")
    body = _body(library, facts, words, lang, asked, notices, today or dt.date.today())
    return Handout(lang, asked, printable, body, _script(library, facts, words, notices), tuple(notes))


def _in_language(library: Library, given: RightsNotice, lang: str, notes: list[str]) -> RightsNotice:
    """The same notice in ``lang`` when the content has it; else the one given, with a note."""
    for notice in library.notices_in_family(given.family):
        if notice.language.split("-")[0] == lang:
            return notice
    notes.append(f"“{given.title}” has no {language_name(lang)} version, so the sheet lists it as it was "
                 "given.")
    return given


def _lines(library: Library, words: dict[str, str]) -> list[tuple[str, str, str]]:
    """(what, label, phone) of the agency's advocate and crisis lines."""
    agency = library.agency
    if agency is None:
        return []
    return [(words["advocate"], agency.on_call.label, agency.on_call.phone),
            (words["crisis"], agency.hotline.label, agency.hotline.phone)]


def _body(library: Library, facts: CaseFacts, words: dict[str, str], lang: str, asked: str,
          notices: list[RightsNotice], today: dt.date) -> str:
    e = html.escape
    agency = library.agency
    fallback = (f'<p class="hc-handout-fallback" lang="en">{e(words["fallback"])} '
                f"({e(language_name(asked))})</p>") if lang != asked else ""
    lines = "".join(
        f'<li><strong>{e(what)}</strong> <span lang="en">({e(label)})</span>: '
        f'<a class="hc-handout-tel" href="tel:{e(phone)}">{e(phone)}</a></li>'
        for what, label, phone in _lines(library, words))
    help_items = "".join(
        f'<li lang="en"><strong>{e(r.name)}</strong> ({e(r.organization)})<br>'
        + (f'{e(words["phone"])}: <a class="hc-handout-tel" href="tel:{e(r.phone)}">{e(r.phone)}</a> · '
           if r.phone else "")
        + f'{e(words["hours"])}: {e(r.hours)}</li>' for r in facts.referrals)
    english_parts = (f'<p class="hc-handout-small">{e(words["english_parts"])}</p>'
                     if facts.referrals and words["english_parts"] else "")
    helps = (f'<ul class="hc-handout-help">{help_items}</ul>{english_parts}' if facts.referrals
             else f"<p>{e(words['no_help'])}</p>")
    rights = "".join(
        f'<div class="hc-handout-notice" lang="{e(n.language)}"><p>{e(words["rights_given"])} '
        f'<strong>{e(n.title)}</strong> <span class="hc-handout-small" lang="en">({e(n.citation)})</span></p>'
        f'<ul class="hc-handout-rights">{"".join(f"<li>{e(r.title)}</li>" for r in n.rights)}</ul>'
        "</div>" for n in notices)
    rights_part = (f'<section aria-labelledby="hc-h-rights"><h2 id="hc-h-rights">{e(words["rights"])}</h2>'
                   f'{rights}<p>{e(words["rights_more"])}</p></section>') if notices else ""
    follow = _follow_up(facts, words)
    steps = [words["report"], words["not_secret"], *([follow] if follow else []), words["questions"]]
    versions = "".join(f" · {e(n.id)} v{e(n.version)}" for n in notices)
    return (f'<article class="hc-handout" lang="{lang}">'
            f'<header><h1>{e(words["title"])}</h1>'
            f'<p class="hc-handout-agency" lang="en">{e(agency.name) if agency else ""}</p>{fallback}'
            f'<p><span class="hc-handout-case">{e(words["case"])}: <strong>{e(facts.case_number)}'
            f'</strong></span> {e(words["case_use"])}</p></header>'
            f'<section aria-labelledby="hc-h-calls"><h2 id="hc-h-calls">{e(words["calls"])}</h2>'
            f'<p><strong>{e(words["emergency"])}</strong></p><ul class="hc-handout-lines">{lines}</ul></section>'
            f'<section aria-labelledby="hc-h-help"><h2 id="hc-h-help">{e(words["help"])}</h2>{helps}</section>'
            f"{rights_part}"
            f'<section aria-labelledby="hc-h-next"><h2 id="hc-h-next">{e(words["next"])}</h2>'
            f'<ul class="hc-handout-steps">{"".join(f"<li>{e(s)}</li>" for s in steps)}</ul></section>'
            f'<footer class="hc-handout-small" lang="en">Case {e(facts.case_number)} · {today.isoformat()}'
            f"{versions}</footer></article>")


def _follow_up(facts: CaseFacts, words: dict[str, str]) -> str:
    """The follow-up sentence: planned contact only when there is a safe way to make it."""
    if facts.follow_up in ("within-24-hours", "next-business-day") and facts.contact == NO_SAFE_WAY:
        return words[NO_SAFE_WAY]
    return words.get(facts.follow_up or "", "")


def _script(library: Library, facts: CaseFacts, words: dict[str, str], notices: list[RightsNotice]) -> tuple[str, ...]:
    """The handout as sentences to read aloud, in the sheet's language."""
    said = [words["say_case"].format(case=facts.case_number), words["emergency"]]
    said += [words["say_line"].format(what=what[:1].lower() + what[1:], phone=phone)
             for what, _label, phone in _lines(library, words)]
    for r in facts.referrals:
        key = "say_service" if r.phone else "say_service_no_phone"
        said.append(words[key].format(name=r.name, organization=r.organization, phone=r.phone,
                                      hours=r.hours.rstrip(".")))
    if not facts.referrals:
        said.append(words["no_help"])
    for notice in notices:
        said.append(f"{words['rights_given']} {notice.title}.")
        said.append(words["say_rights"].format(titles=", ".join(r.title.lower() for r in notice.rights)))
    follow = _follow_up(facts, words)
    said += [words["report"], words["not_secret"], *([follow] if follow else []), words["questions"]]
    return tuple(said)


def plain_text(item: Handout) -> str:
    """The words a victim reads on the sheet, without markup (for the reading-level check)."""
    text = re.sub(r"<[^>]+>", " ", item.body)
    return " ".join(html.unescape(text).split())
