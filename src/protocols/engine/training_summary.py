"""A trainer's summary of one training session: every play-through saved under one label.

A session (a roll call, a class) plays one scenario: the group together on a projector,
each trainee on a phone, or both, all saved under the same session label. :func:`summarise`
reads those saved play-throughs and says how the session went, decision by decision, and
which checklist items to teach again. It holds no names, no case numbers and nothing a user
typed: only counts and the scenario's own text.

How people are counted at a decision:

- an individual play-through counts as one person, for the option chosen;
- a group play-through with a show of hands counts every hand, for the option it was up for;
- a group play-through without a show of hands counts as one (the group's choice).

Play-throughs of another scenario, or of another version of this one, are not mixed in: each
kind is counted in :attr:`TrainingSummary.skipped`, with the reason, and so are saved runs that
cannot be read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from protocols.engine.answers import plural, quote
from protocols.engine.base import Frozen, load
from protocols.engine.errors import EngineError
from protocols.engine.scenario import (
    POINTS,
    ExercisedItem,
    ItemLookup,
    ScenarioPlayer,
    ScenarioState,
    exercised,
)
from protocols.models import ItemRef, Node, Rating, Scenario

RETEACH_BELOW = 0.75
"""A decision needs teaching again when fewer than this share of people chose the best option."""
RETEACH_MOST = 3
"""At most this many decisions are listed to teach again (the weakest first)."""


class OptionCount(Frozen):
    option_id: str
    letter: str
    """The letter the group saw for it (A for the first option)."""
    text: str
    rating: Rating
    best: bool
    """One of the node's best options (rated correct; if none is, the highest rating there)."""
    count: int
    """People who chose it: individual choices plus hands up."""


class NodeSummary(Frozen):
    node_id: str
    number: int
    """The node's place in the scenario (1 for the first node in the file)."""
    name: str
    """What the summary calls the decision: its title, else its question; a name two decisions
    share is followed by the decision's number, so no two rows read the same."""
    situation: str
    question: str
    reached: int
    """People who decided here (individual choices plus hands up)."""
    options: tuple[OptionCount, ...]
    best_count: int
    best_share: float
    """``best_count / reached`` (0 to 1)."""
    best_percent: int
    """:attr:`best_share` as a whole percentage."""
    best_exercises: tuple[ExercisedItem, ...]
    """The checklist items the best option(s) exercise: what to teach again if the share is low."""


class SkippedRuns(Frozen):
    reason: str
    """Why these play-throughs are not in the summary, in plain words."""
    count: int


class TrainingSummary(Frozen):
    scenario_id: str
    title: str
    content_version: str
    minutes: int
    """How long the scenario is meant to take."""
    play_throughs: int
    """Play-throughs of this scenario and version (individual and group)."""
    group_play_throughs: int
    finished: int
    mean_score_percent: int | None
    """The mean of each play-through's score (points of the maximum), over those with a decision;
    ``None`` when nobody has decided anything yet."""
    nodes: tuple[NodeSummary, ...]
    """Each node someone reached, in scenario order."""
    reteach: tuple[NodeSummary, ...]
    """The weakest decisions (fewer than :data:`RETEACH_BELOW` chose the best option), worst first."""
    skipped: tuple[SkippedRuns, ...]
    text: str
    """One line, e.g. ``"5 play-throughs (1 roll-call group), 4 finished, mean score 80%"``."""


def best_options(node: Node) -> set[str]:
    """The ids of a node's best options: those rated correct, else those with the top rating."""
    top = max(POINTS[o.rating] for o in node.options)
    return {o.id for o in node.options if POINTS[o.rating] == top}


def _unique(refs: Iterable[ItemRef]) -> list[ItemRef]:
    seen: dict[tuple[str, str], ItemRef] = {}
    for ref in refs:
        seen.setdefault((ref.protocol, ref.item), ref)
    return list(seen.values())


@dataclass
class _SortedRuns:
    """The saved runs handed to :func:`summarise`, sorted into what it counts and what it skips."""

    players: list[ScenarioPlayer] = field(default_factory=list)
    other_scenarios: Counter[str] = field(default_factory=Counter)
    other_versions: Counter[str] = field(default_factory=Counter)
    unreadable: int = 0


def _sort_runs(scenario: Scenario, states: Iterable[object]) -> _SortedRuns:
    runs = _SortedRuns()
    for saved in states:
        try:
            state = load(ScenarioState, saved)
        except EngineError:
            runs.unreadable += 1
            continue
        if state.content_id != scenario.id:
            runs.other_scenarios[state.content_id] += 1
            continue
        if state.content_version != scenario.version:
            runs.other_versions[state.content_version] += 1
            continue
        try:
            runs.players.append(ScenarioPlayer(scenario, state))
        except EngineError:
            runs.unreadable += 1
    return runs


def _votes(scenario: Scenario, players: list[ScenarioPlayer]) -> dict[str, Counter[str]]:
    """People per option at each node: every hand of a show of hands, else one per decision."""
    votes: dict[str, Counter[str]] = {n.id: Counter() for n in scenario.nodes}
    for player in players:
        for d in player.state.decisions:
            if d.hands and sum(d.hands.values()) > 0:
                votes[d.node_id].update(d.hands)
            else:
                votes[d.node_id][d.option_id] += 1
    return votes


def _mean_percent(players: list[ScenarioPlayer]) -> int | None:
    percents: list[float] = []
    for player in players:
        score = player.score()
        if score.max_points:
            percents.append(100 * score.points / score.max_points)
    return round(sum(percents) / len(percents)) if percents else None


def decision_names(scenario: Scenario) -> dict[str, str]:
    """Node id → the name the summary gives it (see :attr:`NodeSummary.name`)."""
    names = [node.name for node in scenario.nodes]
    shared = {name.casefold() for name in names if sum(n.casefold() == name.casefold() for n in names) > 1}
    return {node.id: f"{name} (decision {number})" if name.casefold() in shared else name
            for number, (node, name) in enumerate(zip(scenario.nodes, names, strict=True), start=1)}


def _node_summary(number: int, node: Node, name: str, counted: Counter[str],
                  items: ItemLookup | None) -> NodeSummary:
    reached = sum(counted.values())
    best = best_options(node)
    best_count = sum(counted[i] for i in best)
    share = best_count / reached
    return NodeSummary(
        node_id=node.id,
        number=number,
        name=name,
        situation=node.situation,
        question=node.question,
        reached=reached,
        options=tuple(
            OptionCount(option_id=o.id, letter=node.letter(o.id), text=o.text, rating=o.rating,
                        best=o.id in best, count=counted[o.id])
            for o in node.options
        ),
        best_count=best_count,
        best_share=share,
        best_percent=round(100 * share),
        best_exercises=exercised(items, _unique(
            ref for o in node.options if o.id in best for ref in o.exercises)),
    )


def _skipped(scenario: Scenario, runs: _SortedRuns) -> tuple[SkippedRuns, ...]:
    skipped: list[SkippedRuns] = []
    for content_id, count in sorted(runs.other_scenarios.items()):
        skipped.append(SkippedRuns(
            reason=f"{plural(count, 'play-through')} of another scenario ({quote(content_id, 64)})", count=count))
    for version, count in sorted(runs.other_versions.items()):
        skipped.append(SkippedRuns(
            reason=f"{plural(count, 'play-through')} of version {quote(version, 20)} of this scenario "
                   f"(this summary is for version {scenario.version})", count=count))
    if runs.unreadable:
        skipped.append(SkippedRuns(
            reason=f"{plural(runs.unreadable, 'saved run')} that could not be read", count=runs.unreadable))
    return tuple(skipped)


def summarise(
    scenario: Scenario, states: Iterable[object], items: ItemLookup | None = None
) -> TrainingSummary:
    """Summarise the saved play-throughs (states, or their JSON) of one session for ``scenario``.

    ``items`` (protocols by id, or a lookup function) gives the prompts of the checklist items
    to teach again; without it, items are named ``protocol / item``.
    """
    runs = _sort_runs(scenario, states)
    players = runs.players
    votes = _votes(scenario, players)
    names = decision_names(scenario)
    nodes = [_node_summary(number, node, names[node.id], votes[node.id], items)
             for number, node in enumerate(scenario.nodes, start=1) if votes[node.id].total()]
    weak = sorted((n for n in nodes if n.best_share < RETEACH_BELOW), key=lambda n: (n.best_share, n.number))
    groups = sum(1 for p in players if p.state.group)
    finished = sum(1 for p in players if p.finished)
    mean = _mean_percent(players)
    text = plural(len(players), "play-through")
    if groups:
        text += f" ({plural(groups, 'roll-call group')})"
    text += f", {finished} finished, " + (f"mean score {mean}%" if mean is not None else "no decisions yet")
    return TrainingSummary(
        scenario_id=scenario.id,
        title=scenario.title,
        content_version=scenario.version,
        minutes=scenario.minutes,
        play_throughs=len(players),
        group_play_throughs=groups,
        finished=finished,
        mean_score_percent=mean,
        nodes=tuple(nodes),
        reteach=tuple(weak[:RETEACH_MOST]),
        skipped=_skipped(scenario, runs),
        text=text,
    )
