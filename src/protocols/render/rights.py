"""What an officer tells a victim, as HTML: the rights notice and the confidentiality guide."""

from __future__ import annotations

from collections.abc import Collection

from protocols.library.container import Library
from protocols.models import ConfidentialityGuide, Outcome, Question, RightsNotice
from protocols.render.common import (
    NO_LINKS,
    Links,
    changelog_html,
    date,
    esc,
    heading,
    link_or_text,
    needs_html,
    paragraphs,
    revision_html,
    source_list_html,
)
from protocols.render.labels import DECISION_LABELS, DELIVERY_LABELS, TRANSLATION_LABELS, language_name


def rights_notice_html(notice: RightsNotice, library: Library, links: Links = NO_LINKS, *,
                       level: int = 3, used: Collection[str] | None = None) -> str:
    """A rights notice: jurisdiction, citation, version, language, rights, delivery.

    ``used``: the notice ids the agency gives; other language versions are listed only
    when the agency uses them (``None``: list them all).
    """
    nid = notice.id
    parts = [heading(level, esc(notice.title), f"rights-{nid}", "hc-title")]
    if notice.translation_review == "needs-review":
        parts.append('<p class="hc-translation-status" role="note"><strong>Needs translator review.</strong> '
                     "A qualified translator has not checked this translation yet. Use the English "
                     "version as the reference, read by a qualified interpreter.</p>")
    review = TRANSLATION_LABELS.get(notice.translation_review, "")
    parts.append(
        '<dl class="hc-facts">'
        f"<dt>Jurisdiction</dt><dd>{esc(notice.jurisdiction)}</dd>"
        f"<dt>Law</dt><dd>{esc(notice.citation)}</dd>"
        f"<dt>Language</dt><dd>{esc(language_name(notice.language))}"
        + (f' <span class="hc-note">{esc(review)}</span>' if review and
           notice.translation_review != "reviewed" else "")
        + "</dd>"
        f"<dt>In effect from</dt><dd>{date(notice.effective)}</dd>"
        f"<dt>Version</dt><dd>{esc(notice.version)}, revised {date(notice.revised)}, owner: "
        f"{esc(notice.owner)}</dd>"
        f"<dt>When to give it</dt><dd>{esc(notice.when_to_give)}</dd>"
        "<dt>How it can be given</dt><dd>"
        + esc(", ".join(DELIVERY_LABELS[m] for m in notice.delivery_methods)) + "</dd></dl>")
    others = [n for n in library.notices_in_family(notice.family)
              if n.id != nid and (used is None or n.id in used)]
    if others:
        versions = ", ".join(
            f'<span lang="{esc(n.language)}">'
            f"{link_or_text(links.rights_notice(n.id), esc(language_name(n.language)))}</span>"
            + (' <span class="hc-note">(needs translator review)</span>'
               if n.translation_review == "needs-review" else "")
            for n in others)
        parts.append(f'<p class="hc-languages"><span class="hc-label">Also in:</span> '
                     f"{versions}</p>")
    rights = "".join(
        f'<li id="{esc(nid)}-{esc(r.id)}"><p class="hc-right-title"><strong>{esc(r.title)}'
        f'</strong></p>{paragraphs(r.text)}<p class="hc-citation">{esc(r.citation)} '
        f'<span class="hc-checked" lang="en">(checked against the law on {date(r.verified_on)})</span></p></li>'
        for r in notice.rights)
    parts.append(f'<div class="hc-notice" lang="{esc(notice.language)}">'
                 f"{paragraphs(notice.introduction, 'hc-intro')}"
                 f'<ol class="hc-rights">{rights}</ol></div>')
    parts.append(needs_html(notice.needs))
    parts.append(source_list_html(library, notice.sources, nid, level + 1))
    parts.append(changelog_html(notice.changelog))
    return (f'<section class="hc-rights-notice" id="rights-{esc(nid)}" '
            f'data-family="{esc(notice.family)}">{"".join(parts)}</section>')


def confidentiality_html(guide: ConfidentialityGuide, library: Library,
                         links: Links = NO_LINKS, *, level: int = 3) -> str:
    """A confidentiality decision guide: opening script, question flow, outcomes."""
    gid = guide.id
    parts = [heading(level, esc(guide.title), f"guide-{gid}", "hc-title"),
             revision_html(guide.version, guide.revised, guide.owner),
             paragraphs(guide.introduction, "hc-intro"),
             '<div class="hc-script hc-opening"><p class="hc-label">Say this at the start, to '
             f"every victim:</p><blockquote>{paragraphs(guide.opening_script)}</blockquote></div>",
             heading(level + 1, "Decide: start at question 1"),
             f'<ol class="hc-flow">{_flow(guide)}</ol>',
             heading(level + 1, "Outcomes"),
             '<ol class="hc-outcomes">'
             + "".join(_outcome_html(gid, o) for o in guide.outcomes) + "</ol>",
             needs_html(guide.needs),
             source_list_html(library, guide.sources, gid, level + 1),
             changelog_html(guide.changelog)]
    return f'<section class="hc-guide" id="guide-{esc(gid)}">{"".join(parts)}</section>'


def _question_order(guide: ConfidentialityGuide) -> list[Question]:
    """Questions in the order an officer meets them: from the start, "yes" branch first."""
    by_id = {q.id: q for q in guide.questions}
    order: list[Question] = []

    def visit(node_id: str) -> None:
        question = by_id.get(node_id)
        if question is None or question in order:
            return
        order.append(question)
        visit(question.yes)
        visit(question.no)

    visit(guide.start)
    return order + [q for q in guide.questions if q not in order]


def _flow(guide: ConfidentialityGuide) -> str:
    """The decision questions as a numbered flow: each answer goes to a question or an outcome."""
    order = _question_order(guide)
    number = {q.id: n for n, q in enumerate(order, start=1)}

    def target_html(target: str) -> str:
        if target in number:
            return (f'go to <a href="#{esc(guide.id)}-q-{esc(target)}">question '
                    f"{number[target]}</a>")
        outcome = guide.outcome(target)
        return (f'<a class="hc-outcome-link" href="#{esc(guide.id)}-{esc(outcome.id)}">'
                f'{esc(outcome.title)}</a> <span class="hc-decision">'
                f"({esc(DECISION_LABELS[outcome.decision])})</span>")

    items = []
    for question in order:
        help_html = f'<p class="hc-help">{esc(question.help)}</p>' if question.help else ""
        items.append(
            f'<li class="hc-question" id="{esc(guide.id)}-q-{esc(question.id)}">'
            f'<p class="hc-q-text">{esc(question.text)}</p>{help_html}'
            '<ul class="hc-branches">'
            f'<li><span class="hc-answer">Yes:</span> {target_html(question.yes)}</li>'
            f'<li><span class="hc-answer">No:</span> {target_html(question.no)}</li>'
            "</ul></li>")
    return "".join(items)


def _outcome_html(gid: str, outcome: Outcome) -> str:
    steps = ("<p class=\"hc-label\">Next steps:</p><ul>"
             + "".join(f"<li>{esc(s)}</li>" for s in outcome.next_steps) + "</ul>"
             if outcome.next_steps else "")
    return (
        f'<li class="hc-outcome hc-decision-{esc(outcome.decision)}" id="{esc(gid)}-{esc(outcome.id)}">'
        f'<p class="hc-outcome-title"><strong>{esc(outcome.title)}</strong></p>'
        f'<p><span class="hc-label">Decision:</span> {esc(DECISION_LABELS[outcome.decision])}</p>'
        f'<p><span class="hc-label">Rule:</span> {esc(outcome.rule)}</p>'
        f'<p><span class="hc-label">Law or policy:</span> {esc(outcome.citation)}</p>'
        '<div class="hc-script"><p class="hc-label">What to say:</p>'
        f"<blockquote>{paragraphs(outcome.script)}</blockquote></div>{steps}</li>")
