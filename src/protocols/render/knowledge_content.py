"""Knowledge checks built from content other than checklists (pure functions).

Each chapter ends with a few questions drawn from the content it teaches, never typed by hand:

* ``confidentiality``  which outcome follows a set of answers; which outcome asks for a step
* ``needs``            which referral a need leads to; which need is urgent; its area; its signs
* ``followup``         when the check-in with a task is due; which check-in holds a task
* ``rights``           which right a sentence describes; when a notice is given; how it is given
* ``scenario``         at a decision, which option is rated correct (with its feedback)
* ``reviews``          who owns a checklist; how often it is reviewed; why it last changed

The question order is seeded by a key (the content id and the chapter), never by the clock,
so every build of the same content asks the same questions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from protocols.models import (
    CATEGORY_LABELS,
    ConfidentialityGuide,
    FollowUpTemplate,
    NeedsCatalogue,
    Outcome,
    Protocol,
    Rating,
    ReferralCategory,
    RightsNotice,
    Scenario,
)
from protocols.render.common import esc
from protocols.render.knowledge import (
    DEFAULT_QUESTIONS,
    KnowledgeQuestion,
    make_question,
    questions_html,
    seeded,
    take_turns,
)
from protocols.render.labels import DELIVERY_LABELS, DOMAIN_LABELS
from protocols.render.referrals import offset_words

MAX_PATH = 5
"""A confidentiality question lists at most this many answers (longer paths are not asked)."""


def _shuffled(rng: random.Random, values: Sequence[Any]) -> list[Any]:
    order = list(values)
    rng.shuffle(order)
    return order


# --------------------------------------------------------------------------- confidentiality


def answer_paths(guide: ConfidentialityGuide) -> dict[str, list[tuple[str, bool]]]:
    """outcome id → the shortest list of (question id, answer) from the start that reaches it."""
    by_id = {q.id: q for q in guide.questions}
    paths: dict[str, list[tuple[str, bool]]] = {}
    frontier: list[tuple[str, list[tuple[str, bool]]]] = [(guide.start, [])]
    seen: set[str] = set()
    while frontier:
        following: list[tuple[str, list[tuple[str, bool]]]] = []
        for node, path in frontier:
            if node in seen:
                continue
            seen.add(node)
            question = by_id.get(node)
            if question is None:
                paths.setdefault(node, path)
                continue
            following.append((question.yes, [*path, (question.id, True)]))
            following.append((question.no, [*path, (question.id, False)]))
        frontier = following
    return paths


def confidentiality_questions(guide: ConfidentialityGuide, rng: random.Random) -> list[list[KnowledgeQuestion]]:
    by_id = {q.id: q for q in guide.questions}
    titles = [o.title for o in guide.outcomes]
    paths = answer_paths(guide)
    follows: list[KnowledgeQuestion] = []
    steps: list[KnowledgeQuestion] = []
    for outcome in _shuffled(rng, guide.outcomes):
        path = paths.get(outcome.id)
        if path and len(path) <= MAX_PATH:
            answers = " ".join(f"{by_id[q].text.strip()} {'Yes' if yes else 'No'}." for q, yes in path)
            q = make_question(rng, "outcome", f"You answer the guide like this: {answers} Which outcome "
                          "follows?", outcome.title, titles, _rule(outcome), outcome.id)
            if q:
                follows.append(q)
        if outcome.next_steps:
            step = rng.choice(outcome.next_steps)
            q = make_question(rng, "next-step", f"Which outcome asks you to do this? “{step}”",
                          outcome.title, [o.title for o in guide.outcomes
                                          if step not in o.next_steps], _rule(outcome), outcome.id)
            if q:
                steps.append(q)
    return [follows, steps]


def _rule(outcome: Outcome) -> str:
    return f"{outcome.title}: {outcome.rule.strip()} ({outcome.citation})"


# --------------------------------------------------------------------------- needs


def needs_questions(catalogue: NeedsCatalogue, rng: random.Random,
                    referrals: Sequence[ReferralCategory] = ()) -> list[list[KnowledgeQuestion]]:
    """Questions on the needs; with ``referrals``, only on needs that lead to one of them."""
    wanted = set(referrals)
    key_needs = [n for n in catalogue.needs if not wanted or wanted & set(n.referrals)]
    refer, urgent, domain, signs, leads = [], [], [], [], []
    for need in _shuffled(rng, key_needs):
        offered = [c for c in need.referrals if not wanted or c in wanted] or list(need.referrals)
        right = rng.choice(offered)
        lead_to = ", ".join(CATEGORY_LABELS[c] for c in need.referrals)
        q = make_question(rng, "referral", f"A victim names this need: “{need.label}”. Which of these "
                      "does it lead to?", CATEGORY_LABELS[right],
                      [label for c, label in CATEGORY_LABELS.items() if c not in need.referrals],
                      f"The needs assessment refers it to: {lead_to}.", need.id)
        refer.append(q)
        if need.urgent:
            urgent.append(make_question(
                rng, "urgent", "Which of these needs is urgent: it must be met before you leave?",
                need.label, [n.label for n in catalogue.needs if not n.urgent],
                f"“{need.label}” is marked urgent in the needs assessment.", need.id))
        domain.append(make_question(
            rng, "domain", f"Which area of need does this belong to? “{need.label}”",
            DOMAIN_LABELS[need.domain], [v for d, v in DOMAIN_LABELS.items() if d != need.domain],
            f"The catalogue lists it under {DOMAIN_LABELS[need.domain]}.", need.id))
        if need.signs:
            signs.append(make_question(
                rng, "signs", f"Which need do these signs point to? {'; '.join(need.signs)}.",
                need.label, [n.label for n in catalogue.needs if n.id != need.id],
                f"The catalogue lists these signs for “{need.label}”.", need.id))
        for category in sorted(wanted & set(need.referrals)):
            leads.append(make_question(
                rng, "leads-to", f"Which of these needs leads to this referral: "
                f"{CATEGORY_LABELS[category]}?", need.label,
                [n.label for n in catalogue.needs if category not in n.referrals],
                f"“{need.label}” leads to: {lead_to}.", need.id))
    return [[q for q in made if q] for made in (leads, refer, urgent, signs, domain)]


# --------------------------------------------------------------------------- follow-up


def follow_up_questions(template: FollowUpTemplate, rng: random.Random) -> list[list[KnowledgeQuestion]]:
    counts: dict[str, int] = {}
    for check_in in template.check_ins:
        for task in set(check_in.tasks):
            counts[task] = counts.get(task, 0) + 1
    due = [_due(c.offset_hours, c.business_day) for c in template.check_ins]
    labels = [c.label for c in template.check_ins]
    when, which = [], []
    for check_in in _shuffled(rng, template.check_ins):
        tasks = [t for t in check_in.tasks if counts[t] == 1]
        if not tasks:
            continue
        task = rng.choice(tasks)
        right = _due(check_in.offset_hours, check_in.business_day)
        when.append(make_question(
            rng, "due", f"In “{template.title}”, when is the check-in with this task due? “{task}”",
            right, due, f"{check_in.label}: {right}.", check_in.id))
        task = rng.choice(tasks)
        which.append(make_question(
            rng, "check-in", f"In “{template.title}”, at which check-in do you do this? “{task}”",
            check_in.label, labels, f"It is one of the tasks of the {check_in.label}.", check_in.id))
    return [[q for q in made if q] for made in (when, which)]


def _due(hours: int, business_day: bool) -> str:
    words = f"{offset_words(hours)} after the first contact"
    return words + (", on a business day" if business_day else "")


# --------------------------------------------------------------------------- rights


def rights_questions(notice: RightsNotice, others: Sequence[RightsNotice],
                     rng: random.Random) -> list[list[KnowledgeQuestion]]:
    """Questions on one notice; ``others`` (other notice families) give the wrong "when" answers."""
    titles = [r.title for r in notice.rights]
    match, when, how = [], [], []
    for right in _shuffled(rng, notice.rights):
        match.append(make_question(
            rng, "right", f"In “{notice.title}”, which right says this? “{right.text.strip()}”",
            right.title, titles, f"{right.title} ({right.citation}).", right.id))
    other_when = [o.when_to_give.strip() for o in others if o.family != notice.family]
    when.append(make_question(rng, "when", f"When do you give “{notice.title}”?",
                          notice.when_to_give.strip(), other_when,
                          f"The notice says when to give it ({notice.citation}).", "when"))
    given = set(notice.delivery_methods)
    for method in _shuffled(rng, notice.delivery_methods):
        how.append(make_question(
            rng, "delivery", f"Which of these is a way to give “{notice.title}”?",
            DELIVERY_LABELS[method], [v for m, v in DELIVERY_LABELS.items() if m not in given],
            "Ways to give it: " + ", ".join(DELIVERY_LABELS[m] for m in notice.delivery_methods)
            + ".", f"delivery-{method.value}"))
    return [[q for q in made if q] for made in (match, when, how)]


# --------------------------------------------------------------------------- scenarios


def scenario_questions(scenario: Scenario, rng: random.Random) -> list[list[KnowledgeQuestion]]:
    """At each decision with one option rated correct: which option is it?"""
    made = []
    for node in _shuffled(rng, scenario.nodes):
        correct = [o for o in node.options if o.rating is Rating.CORRECT]
        if len(correct) != 1:
            continue
        q = make_question(rng, "decision", f"{node.situation.strip()} {node.question.strip()}",
                      correct[0].text.strip(), [o.text.strip() for o in node.options
                                                if o is not correct[0]],
                      correct[0].feedback.strip(), node.id)
        if q:
            made.append(q)
    return [made]


# --------------------------------------------------------------------------- reviews


def review_questions(protocols: Sequence[Protocol], rng: random.Random) -> list[list[KnowledgeQuestion]]:
    """Who owns each checklist, how often it is reviewed and why it last changed."""
    owners = [p.owner for p in protocols]
    intervals = [f"Every {p.review_every_days} days" for p in protocols]
    whys = [e.why.strip() for p in protocols for e in p.changelog]
    own, every, why = [], [], []
    for protocol in _shuffled(rng, protocols):
        own.append(make_question(rng, "owner", f"Who owns the checklist “{protocol.title}”?",
                             protocol.owner, owners, "The owner is named on the checklist page.",
                             protocol.id))
        every.append(make_question(
            rng, "interval", f"How often is the checklist “{protocol.title}” reviewed?",
            f"Every {protocol.review_every_days} days", intervals,
            f"Version {protocol.version} sets a review every {protocol.review_every_days} days.",
            protocol.id))
        if protocol.changelog:
            latest = protocol.changelog[-1]
            why.append(make_question(
                rng, "why-changed", f"Why did “{protocol.title}” change in version "
                f"{latest.version}?", latest.why.strip(), whys, f"The change: {latest.change.strip()}",
                protocol.id))
    return [[q for q in made if q] for made in (why, own, every)]


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class ContentCheck:
    """What a knowledge check is about: its questions, the page key and the intro line."""

    key: str
    subject: str
    version: str | None
    questions: list[KnowledgeQuestion]

    def html(self) -> str:
        if not self.questions:
            return f'<p class="hc-missing">{esc(self.subject)} has too little content for a knowledge check.</p>'
        version = f" (version {esc(self.version)})" if self.version else ""
        intro = f"{len(self.questions)} questions on “{esc(self.subject)}”{version}."
        data = {"content": self.key, **({"version": self.version} if self.version else {})}
        return questions_html(self.questions, self.key, intro, data)


Maker = Callable[[random.Random], list[list[KnowledgeQuestion]]]


def content_check(key: str, subject: str, version: str | None, maker: Maker,
                  count: int = DEFAULT_QUESTIONS, kinds: Sequence[str] = (), seed: str = "") -> ContentCheck:
    """Pick ``count`` (3-5) questions from ``maker``'s kinds (only ``kinds``, when given)."""
    by_kind = maker(seeded(f"{key}|{seed}"))
    if kinds:
        by_kind = [[q for q in made if q.kind in kinds] for made in by_kind]
    return ContentCheck(key, subject, version, take_turns([m for m in by_kind if m], count))


KINDS: dict[str, tuple[str, ...]] = {
    "confidentiality": ("outcome", "next-step"),
    "needs": ("leads-to", "referral", "urgent", "signs", "domain"),
    "followup": ("due", "check-in"),
    "rights": ("right", "when", "delivery"),
    "scenario": ("decision",),
    "reviews": ("why-changed", "owner", "interval"),
}
"""The kinds of question each content source can ask (the directive's ``:ask:`` option)."""

CHECK_SOURCES: dict[str, tuple[str, str]] = {
    "confidentiality": ("confidentiality", "confidentiality guide"),
    "needs": ("needs", "needs assessment"),
    "followup": ("followup", "follow-up template"),
    "rights": ("rights", "rights notice"),
    "scenario": ("scenarios", "scenario"),
    "reviews": ("protocols", "protocol"),
}
"""``<source>:<id>`` → (library table, noun): what ``{knowledge-check}`` can name."""


def build_check(library: Any, source: str, obj_id: str, referrals: Sequence[ReferralCategory] = (),
                count: int = DEFAULT_QUESTIONS, kinds: Sequence[str] = (), seed: str = "") -> ContentCheck:
    """The knowledge check on one piece of content in a loaded ``Library``."""
    key = f"{source}-{obj_id}"
    if source == "reviews":
        protocols = [library.protocols[p] for p in sorted(library.protocols)]
        return content_check(key, "Checklist owners, reviews and changes", None,
                             lambda rng: review_questions(protocols, rng), count, kinds, seed)
    obj = getattr(library, CHECK_SOURCES[source][0])[obj_id]
    makers: dict[str, Maker] = {
        "confidentiality": lambda rng: confidentiality_questions(obj, rng),
        "needs": lambda rng: needs_questions(obj, rng, referrals),
        "followup": lambda rng: follow_up_questions(obj, rng),
        "rights": lambda rng: rights_questions(obj, list(library.rights.values()), rng),
        "scenario": lambda rng: scenario_questions(obj, rng),
    }
    return content_check(key, obj.title, obj.version, makers[source], count, kinds, seed)
