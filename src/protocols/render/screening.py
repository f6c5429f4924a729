"""A screening instrument as HTML: its label, licence, numbered questions and rules in words."""

from __future__ import annotations

from collections.abc import Sequence

from protocols.library.container import Library
from protocols.models import ScreeningInstrument
from protocols.render.common import (
    NO_LINKS,
    Links,
    changelog_html,
    esc,
    heading,
    link_or_text,
    needs_html,
    paragraphs,
    revision_html,
    source_list_html,
)


def instrument_html(instrument: ScreeningInstrument, library: Library,
                    links: Links = NO_LINKS, *, level: int = 3) -> str:
    """A screening instrument: SAMPLE label, licence, numbered questions, rules in words."""
    iid = instrument.id
    parts = [heading(level, esc(instrument.title), f"instrument-{iid}", "hc-title")]
    if instrument.sample:
        parts.append(
            '<div class="hc-sample" role="note"><p><strong class="hc-sample-label">SAMPLE'
            "</strong> This is an illustrative instrument written for this handbook. It is not a "
            "validated risk assessment. Your agency replaces it with the licensed instrument it "
            "has adopted.</p></div>")
    parts.append(revision_html(instrument.version, instrument.revised, instrument.owner))
    parts.append(
        '<dl class="hc-facts">'
        f"<dt>Use it for</dt><dd>{esc(instrument.applies_to)}</dd>"
        f"<dt>Licence</dt><dd>{esc(instrument.licence)}</dd>"
        f"<dt>Attribution</dt><dd>{esc(instrument.attribution)}</dd>"
        "<dt>Wording</dt><dd>Locked: ask each question exactly as written. Do not add, drop or "
        "reword questions.</dd></dl>")
    parts.append('<div class="hc-script"><p class="hc-label">What to say first:</p>'
                 f"<blockquote>{paragraphs(instrument.introduction)}</blockquote></div>")
    questions = "".join(
        f'<li value="{q.number}" id="{esc(iid)}-q{q.number}"><span class="hc-q-text">'
        f"{esc(q.text)}</span> "
        '<span class="hc-answers">Answer: Yes / No / Not answered</span></li>'
        for q in instrument.questions)
    parts.append(heading(level + 1, "Questions"))
    parts.append(f'<ol class="hc-questions">{questions}</ol>')
    rules = []
    for rule in instrument.rules:
        numbers = _join_numbers(rule.questions)
        times = "answer is" if rule.at_least == 1 else "answers are"
        rules.append(
            f"<li><p>{esc(rule.description)}</p><p class=\"hc-rule-words\">In other words: the "
            f"case screens in when {_count_words(rule.at_least)} {times} “yes” among questions "
            f"{esc(numbers)}.</p></li>")
    parts.append(heading(level + 1, "When the case screens in"))
    parts.append('<p>The case screens in if <strong>any</strong> of these rules is met. '
                 "“Not answered” never counts as “yes”.</p>")
    parts.append(f'<ol class="hc-rules">{"".join(rules)}</ol>')
    if instrument.officer_belief_override:
        parts.append(
            '<p class="hc-override"><span class="hc-label">Officer belief:</span> even when no '
            "rule is met, you may screen the case in because you believe the victim is in "
            "danger. Record your reason.</p>")
    else:
        parts.append('<p class="hc-override"><span class="hc-label">Officer belief:</span> '
                     "this instrument does not allow a screen-in on officer belief.</p>")
    follow = library.protocols.get(instrument.follow_on_protocol)
    name = esc(follow.title) if follow else esc(instrument.follow_on_protocol)
    parts.append(
        f'<p class="hc-follow-on"><span class="hc-label">After a screen-in:</span> run the '
        f"protocol {link_or_text(links.protocol(instrument.follow_on_protocol), '“' + name + '”')}.</p>")
    parts.append(needs_html(instrument.needs))
    parts.append(source_list_html(library, instrument.sources, iid, level + 1))
    parts.append(changelog_html(instrument.changelog))
    return f'<section class="hc-instrument" id="instrument-{esc(iid)}">{"".join(parts)}</section>'


def _join_numbers(numbers: Sequence[int]) -> str:
    ordered = sorted(numbers)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]} to {ordered[-1]}"
    if len(ordered) == 1:
        return str(ordered[0])
    return ", ".join(map(str, ordered[:-1])) + f" and {ordered[-1]}"


def _count_words(n: int) -> str:
    words = {1: "at least one", 2: "at least two", 3: "at least three", 4: "at least four",
             5: "at least five"}
    return words.get(n, f"at least {n}")
