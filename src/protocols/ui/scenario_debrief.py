"""What the scenario player shows after decisions, as HTML: feedback, debriefs, shows of hands,
and the trainer's summary. No widgets; every value is escaped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from protocols.engine import Debrief, Feedback, TrainingSummary
from protocols.engine.training_summary import best_options
from protocols.models import OPTION_LETTERS, Node, Option, Rating, Scenario
from protocols.ui.markup import bullet_list, esc

VERDICT_CSS = {Rating.CORRECT: "hb-out", Rating.PARTIAL: "", Rating.WRONG: "hb-in"}
SUMMARY_BUTTON = "Trainer's summary for this session label"


def short(text: str, width: int) -> str:
    """``text`` cut at a word to at most ``width`` characters, with … when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _hand_counts(node: Node, hands: Mapping[str, int]) -> Iterator[tuple[str, Option, int, int]]:
    """Each option with its letter, its hands and its share of them (in %); nothing when none counted."""
    total = sum(hands.values())
    if not total:
        return
    for letter, option in zip(OPTION_LETTERS, node.options, strict=False):
        count = hands.get(option.id, 0)
        yield letter, option, count, round(100 * count / total)


def hands_html(node: Node, hands: Mapping[str, int], best: set[str] | None = None) -> str:
    """A show of hands as a list: each option (by letter) with its hands and share."""
    lines = [f'<li><span class="hb-letter">{letter}</span> '
             f"<strong>{count} hand{'s' if count != 1 else ''}</strong> "
             f"({share}%){esc(' (best option)' if best is not None and option.id in best else '')}: "
             f"{esc(short(option.text, 60))}</li>"
             for letter, option, count, share in _hand_counts(node, hands)]
    if not lines:
        return '<p class="hb-muted">No hands counted.</p>'
    return f'<ul class="hb-list hb-hands-split" style="list-style:none;padding:0">{"".join(lines)}</ul>'


def hands_line(node: Node, hands: Mapping[str, int], best: set[str]) -> str:
    """A show of hands on one line: ``A 9 (75%, best) · B 3 (25%) · C 0``."""
    parts = [f"{letter}: {count} ({share}%{', best' if option.id in best else ''})"
             for letter, option, count, share in _hand_counts(node, hands)]
    return " · ".join(parts) if parts else "No hands counted."


def summary_html(summary: TrainingSummary) -> str:
    """The trainer's summary: one line, what was left out, a table by decision, what to teach again."""
    parts = [f"<p><strong>{esc(summary.title)}</strong> (version {esc(summary.content_version)}): "
             f"{esc(summary.text)}.</p>"]
    if summary.skipped:
        parts.append('<div class="hb-note"><p><strong>Not counted here:</strong></p>'
                     + bullet_list(s.reason for s in summary.skipped) + "</div>")
    if not summary.nodes:
        parts.append("<p>Nobody has made a decision in this scenario under this session label yet.</p>")
        return "".join(parts)
    rows = []
    for n in summary.nodes:
        choices = "".join(
            f'<li><span class="hb-letter">{o.letter}</span> <strong>{o.count}</strong>'
            f"{' <strong>(best)</strong>' if o.best else ''}: {esc(short(o.text, 70))}</li>"
            for o in n.options)
        rows.append(f'<tr><th scope="row">{n.number}. {esc(n.name)}</th>'
                    f"<td>{n.reached}</td><td>{n.best_percent}%</td></tr>"
                    f'<tr class="hb-choices-row"><td colspan="3"><ul class="hb-choices">{choices}</ul></td></tr>')
    parts.append(
        '<div class="hb-table-wrap" role="region" tabindex="0" aria-label="Trainer\'s summary by decision">'
        '<table class="hb-summary"><caption>Each decision: how many decided, how many chose the best option, '
        'and what each option got</caption><thead><tr><th scope="col">Decision</th><th scope="col">People</th>'
        '<th scope="col">Chose the best</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>")
    if summary.reteach:
        items = []
        for n in summary.reteach:
            practise = bullet_list(x.text for x in n.best_exercises) if n.best_exercises else ""
            items.append(f"<li><strong>Decision {n.number}: {esc(n.name)}</strong> "
                         f"{n.best_percent}% of {_people(n.reached)} chose the best option."
                         + (f" Practice these checklist items:{practise}" if practise else "") + "</li>")
        parts.append(f'<h3>Teach again</h3><ul class="hb-list">{"".join(items)}</ul>')
    else:
        parts.append("<p>At every decision, most people chose the best option.</p>")
    return "".join(parts)


def _points(points: int) -> str:
    return f"{points} point{'s' if points != 1 else ''}"


def feedback_html(feedback: Feedback) -> str:
    """One player's feedback on a decision: the verdict, the choice, why, and the score so far."""
    return (f'<div class="hb-result {VERDICT_CSS[feedback.rating]}" role="status">'
            f'<p class="hb-headline">{esc(feedback.verdict)} ({esc(_points(feedback.points))})</p>'
            f"<p><strong>You chose:</strong> {esc(feedback.option_text)}</p>"
            f"<p>{esc(feedback.feedback)}</p>"
            f"<p><strong>Score so far:</strong> {esc(feedback.score.text)}</p></div>")


def group_feedback_html(feedback: Feedback, node: Node, time_text: str) -> str:
    """A group's feedback: the time used, the verdict, the best option if missed, the show of hands."""
    best = best_options(node)
    letter = node.letter(feedback.option_id)
    better = ""
    if feedback.option_id not in best:
        named = " or ".join(f"{OPTION_LETTERS[i]}: {o.text}" for i, o in enumerate(node.options) if o.id in best)
        better = f"<p><strong>The best option:</strong> {esc(named)}</p>"
    return (f'<p class="hb-progress">Time: {esc(time_text)}</p>'
            f'<div class="hb-result {VERDICT_CSS[feedback.rating]}" role="status">'
            f'<p class="hb-headline">{esc(feedback.verdict)} ({esc(_points(feedback.points))})</p>'
            f"<p><strong>The group chose {letter}:</strong> {esc(feedback.option_text)}</p>"
            f"<p>{esc(feedback.feedback)}</p></div>{better}"
            f"<h3>Show of hands</h3>{hands_html(node, feedback.hands, best)}")


def _practised(exercises: list[str]) -> str:
    return bullet_list(exercises) if exercises else "<p>None listed.</p>"


def _entries(entries: list[str]) -> str:
    return f'<h2>Each decision</h2><ol class="hb-list" style="list-style:none;padding:0">{"".join(entries)}</ol>'


def debrief_html(debrief: Debrief) -> str:
    """One player's debrief: the final score, each decision with its feedback, points to discuss."""
    entries = [f'<li class="hb-card"><p><strong>Decision {number}: {esc(e.question)}</strong></p>'
               f"<p>You chose: {esc(e.option_text)}</p>"
               f"<p><strong>{esc(e.verdict)}</strong> ({e.points} of 2 points). {esc(e.feedback)}</p>"
               f"<p><strong>Checklist items this practises:</strong></p>"
               f"{_practised([x.text for x in e.exercises])}</li>"
               for number, e in enumerate(debrief.entries, start=1)]
    return (f'<div class="hb-result" role="status"><p class="hb-headline">Debrief: '
            f"{esc(debrief.title)}</p><p>Final score: {esc(debrief.score.text)} over "
            f"{debrief.score.decisions} decisions.</p></div>" + _entries(entries)
            + f"<h2>Points to discuss</h2>{bullet_list(debrief.debrief_points)}")


def group_debrief_html(debrief: Debrief, scenario: Scenario, minutes: int, summary: str) -> str:
    """A group's debrief: score and time, each decision with its show of hands, points to discuss,
    then ``summary`` (the trainer's summary for the session label, already HTML)."""
    entries = []
    for number, e in enumerate(debrief.entries, start=1):
        node = scenario.node(e.node_id)
        letter = node.letter(e.option_id)
        hands = (f"<p><strong>Show of hands:</strong> {esc(hands_line(node, e.hands, best_options(node)))}</p>"
                 if e.hands else "")
        entries.append(f'<li class="hb-card"><h3>Decision {number}: {esc(e.question)}</h3>'
                       f"<p><strong>The group chose {letter}:</strong> {esc(e.option_text)}</p>"
                       f"<p><strong>{esc(e.verdict)}</strong> ({e.points} of 2 points). {esc(e.feedback)}</p>"
                       f"{hands}<p><strong>Checklist items practised:</strong></p>"
                       f"{_practised([x.text for x in e.exercises])}</li>")
    return (f'<div class="hb-result" role="status"><p class="hb-headline">Group debrief: '
            f"{esc(debrief.title)}</p><p>Group score: {esc(debrief.score.text)} over "
            f"{debrief.score.decisions} decisions. Time: {minutes} minute{'s' if minutes != 1 else ''} "
            f"(planned about {scenario.minutes}).</p></div>" + _entries(entries)
            + f"<h2>Discuss as a group</h2><p>For each point, ask: when did this come up for you, "
            f"and what did you do?</p>{bullet_list(debrief.debrief_points)}"
            f"<h2>{esc(SUMMARY_BUTTON)}</h2>"
            '<p class="hb-muted">Every play-through saved under this session label: this group '
            "and anyone who played on a phone. No names.</p>" + summary)
