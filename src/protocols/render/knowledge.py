"""Knowledge checks: a few multiple-choice questions built from a protocol's critical items.

Pure functions. ``knowledge_questions`` picks the questions; ``knowledge_check_html`` draws
them as a plain HTML form that works without JavaScript (each answer sits in a "Show the
answer" box) and that ``handbook.js`` turns into a self-check: pick an option, press
"Check my answer", and the result is announced (``aria-live``). Nothing is sent or saved.

The questions are the same on every build of the same content: the random choices are
seeded by the protocol id, never by the clock.

Four kinds of question, each about a critical item:

* which item at a pause point is critical (the others are non-critical items);
* which answer the checklist offers for an item that records a choice;
* at which pause point an item is checked;
* why an item matters (its rationale, against the rationales of other items).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from protocols.models import Item, PausePoint, Protocol, ValueType
from protocols.render.common import esc

MIN_QUESTIONS = 3
MAX_QUESTIONS = 5
DEFAULT_QUESTIONS = 4
OPTIONS = 4
"""At most this many options per question (fewer when the protocol has fewer to draw on)."""


@dataclass(frozen=True)
class KnowledgeQuestion:
    """One multiple-choice question; ``options[answer]`` is the right one."""

    kind: str
    text: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    item: str
    """The id of the critical item the question is about."""


def seeded(key: str) -> random.Random:
    """A random generator that gives the same choices for the same key on every build."""
    return random.Random(int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:16], 16))


def shuffled_options(rng: random.Random, right: str, wrong: list[str]) -> tuple[tuple[str, ...], int]:
    """The right option among up to OPTIONS - 1 wrong ones, in a seeded order."""
    seen = {right.casefold()}
    picked: list[str] = []
    for text in wrong:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            picked.append(text)
    picked = rng.sample(picked, min(len(picked), OPTIONS - 1))
    options = [right, *picked]
    rng.shuffle(options)
    return tuple(options), options.index(right)


def _twins(protocol: Protocol, item: Item) -> set[str]:
    """The ids of items that re-check the same thing as ``item`` (``repeats``), and itself."""
    root = item.repeats or item.id
    return {i.id for i in protocol.items() if i.id == root or i.repeats == root}


def make_question(rng: random.Random, kind: str, text: str, right: str, wrong: Sequence[str],
                  explanation: str, item: str, *, fewest_wrong: int = 0) -> KnowledgeQuestion | None:
    """A question whose answer is ``right`` among some of ``wrong``, in a seeded order.

    None when fewer than ``fewest_wrong`` wrong answers are offered, or when none of them
    differs from the right one.
    """
    if len(wrong) < fewest_wrong:
        return None
    options, answer = shuffled_options(rng, right, list(wrong))
    return KnowledgeQuestion(kind, text, options, answer, explanation, item) if len(options) > 1 else None


def _critical_at(protocol: Protocol, pp: PausePoint, item: Item,
                 rng: random.Random) -> KnowledgeQuestion | None:
    return make_question(
        rng, "critical", f"Which of these is a critical item at the pause point “{pp.title}”?", item.prompt,
        [i.prompt for i in protocol.items() if not i.critical], f"Why it is critical: {item.rationale}", item.id,
        fewest_wrong=2)


def _choice_answer(protocol: Protocol, pp: PausePoint, item: Item,
                   rng: random.Random) -> KnowledgeQuestion | None:
    if item.value.type is not ValueType.CHOICE or not item.value.choices:
        return None
    own = {c.label.casefold() for c in item.value.choices}
    twins = _twins(protocol, item)
    wrong = [c.label for other in protocol.items() if other.id not in twins and other.value.choices
             for c in other.value.choices if c.label.casefold() not in own]
    if len(wrong) < 2:
        return None  # before the right answer is drawn, so the seeded choices stay the same
    labels = "; ".join(c.label for c in item.value.choices)
    return make_question(
        rng, "record", f"Which of these answers can you record for this item? “{item.prompt}”",
        rng.choice(item.value.choices).label, wrong, f"The checklist offers: {labels}.", item.id)


def _pause_point_of(protocol: Protocol, pp: PausePoint, item: Item,
                    rng: random.Random) -> KnowledgeQuestion | None:
    if len(protocol.pause_points) < 2 or len(_twins(protocol, item)) > 1:
        return None
    return make_question(
        rng, "pause-point", f"Which pause point lists this item? “{item.prompt}”", pp.title,
        [other.title for other in protocol.pause_points if other.id != pp.id],
        f"When to run “{pp.title}”: {pp.when}", item.id)


def _why(protocol: Protocol, pp: PausePoint, item: Item,
         rng: random.Random) -> KnowledgeQuestion | None:
    twins = _twins(protocol, item)
    return make_question(
        rng, "why", f"Why does this item matter? “{item.prompt}”", item.rationale,
        [i.rationale for i in protocol.items() if i.id not in twins], "This is the reason the checklist gives.",
        item.id, fewest_wrong=2)


Maker = Callable[[Protocol, PausePoint, Item, random.Random], KnowledgeQuestion | None]
MAKERS: tuple[Maker, ...] = (_critical_at, _choice_answer, _pause_point_of, _why)


def knowledge_questions(protocol: Protocol, count: int = DEFAULT_QUESTIONS,
                        pause_point: str | None = None) -> list[KnowledgeQuestion]:
    """Up to ``count`` questions (3-5) about the protocol's critical items; the same every build.

    The kinds of question take turns, and no item is asked about twice while another
    critical item is left. With ``pause_point`` (an id), only that pause point's items.
    """
    rng = seeded(protocol.id if pause_point is None else f"{protocol.id}:{pause_point}")
    critical = [(pp, item) for pp in protocol.pause_points for item in pp.items
                if item.critical and pause_point in (None, pp.id)]
    by_kind: list[list[KnowledgeQuestion]] = []
    for maker in MAKERS if pause_point is None else [m for m in MAKERS if m is not _pause_point_of]:
        order = list(critical)
        rng.shuffle(order)
        made = [q for pp, item in order if (q := maker(protocol, pp, item, rng)) is not None]
        by_kind.append(made)
    return take_turns(by_kind, count)


def take_turns(by_kind: list[list[KnowledgeQuestion]], count: int) -> list[KnowledgeQuestion]:
    """Up to ``count`` (3-5) questions, one kind after another, each key item once if possible."""
    count = min(max(count, MIN_QUESTIONS), MAX_QUESTIONS)
    chosen: list[KnowledgeQuestion] = []
    asked: set[str] = set()
    for repeat_items in (False, True):
        progress = True
        while len(chosen) < count and progress:
            progress = False
            for made in by_kind:
                if len(chosen) >= count:
                    break
                pick = next((q for q in made if q not in chosen
                             and (repeat_items or q.item not in asked)), None)
                if pick is not None:
                    chosen.append(pick)
                    asked.add(pick.item)
                    progress = True
    return chosen


def knowledge_check_html(protocol: Protocol, count: int = DEFAULT_QUESTIONS,
                         pause_point: str | None = None) -> str:
    """The questions as a form per question; ``handbook.js`` adds the answer check."""
    questions = knowledge_questions(protocol, count, pause_point)
    if not questions:
        return ('<p class="hc-missing">This checklist has too few items for a knowledge '
                "check.</p>")
    where = protocol.title
    key = protocol.id
    if pause_point is not None:
        where = f"{protocol.title}: {next(p.title for p in protocol.pause_points if p.id == pause_point)}"
        key = f"{protocol.id}-{pause_point}"
    intro = (f"{len(questions)} questions on the critical items of “{esc(where)}” "
             f"(version {esc(protocol.version)}).")
    return questions_html(questions, key, intro,
                          {"protocol": protocol.id, "version": protocol.version})


def questions_html(questions: list[KnowledgeQuestion], key: str, intro_html: str,
                   data: dict[str, str]) -> str:
    """Knowledge-check markup: one form per question, keyed ``kc-<key>-<n>``.

    ``intro_html`` (already escaped) opens the section; ``data`` becomes ``data-*`` attributes.
    """
    forms = []
    for number, q in enumerate(questions, start=1):
        qid = f"kc-{key}-{number}"
        letters = "abcdefgh"
        options = "".join(
            f'<div class="hc-kc-option"><input type="radio" name="{esc(qid)}" '
            f'id="{esc(qid)}-{letters[i]}" value="{letters[i]}">'
            f'<label for="{esc(qid)}-{letters[i]}">{esc(text)}</label></div>'
            for i, text in enumerate(q.options))
        right = letters[q.answer]
        forms.append(
            f'<form class="hc-kc-question" id="{esc(qid)}" data-answer="{right}" '
            f'data-kind="{esc(q.kind)}" novalidate>'
            f'<fieldset><legend><span class="hc-kc-number">Question {number} of '
            f"{len(questions)}.</span> {esc(q.text)}</legend>{options}</fieldset>"
            '<p class="hc-kc-actions"><button type="submit" class="hc-kc-check" hidden>'
            "Check my answer</button></p>"
            '<p class="hc-kc-feedback" aria-live="polite"></p>'
            '<details class="hc-kc-answer"><summary>Show the answer</summary>'
            f'<p><span class="hc-label">Answer:</span> <span class="hc-kc-right">'
            f"{esc(q.options[q.answer])}</span></p>"
            f'<p class="hc-kc-why">{esc(q.explanation)}</p></details></form>')
    attributes = "".join(f' data-{esc(name)}="{esc(value)}"' for name, value in data.items())
    return (
        f'<section class="hc-knowledge-check" id="knowledge-check-{esc(key)}"{attributes}>'
        f'<p class="hc-kc-intro">{intro_html} Pick an answer, then check it. Nothing is sent '
        "or saved.</p>"
        f'{"".join(forms)}</section>')
