"""Play a branching training scenario: choose options, get feedback, score, debrief.

Scoring: correct = 2 points, partial = 1, wrong = 0; the maximum is 2 points per
decision made. The scenario is finished when the chosen option has no ``next``.
A *group* play-through (roll call: a room decides together) may record a show of hands
with each decision: how many people wanted each option (see :data:`MAX_HANDS`).
Like every run here, each change replaces ``player.state`` with a new frozen
:class:`ScenarioState`; :meth:`ScenarioPlayer.choose` returns the feedback to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from protocols.engine.answers import CaseNumber, check_case_number, check_id, quote
from protocols.engine.base import Frozen, RunState, check_content, first_state, load
from protocols.engine.clock import require_aware
from protocols.engine.errors import AnswerError, RunClosed, StateError
from protocols.models import Item, ItemRef, Node, Option, Protocol, Rating, Scenario

POINTS: dict[Rating, int] = {Rating.CORRECT: 2, Rating.PARTIAL: 1, Rating.WRONG: 0}
VERDICTS: dict[Rating, str] = {
    Rating.CORRECT: "Good choice",
    Rating.PARTIAL: "Partly right",
    Rating.WRONG: "Not the best choice",
}
"""Each rating in plain words, for feedback and the debrief."""
MAX_HANDS = 500
"""The most hands one option can get in a show of hands (a large roll call, with room to spare)."""

ItemLookup = Mapping[str, Protocol] | Callable[[str, str], Item | None]
"""Protocols by id, or a function ``(protocol_id, item_id) -> Item | None``."""


class Decision(Frozen):
    node_id: str
    option_id: str
    rating: Rating
    answered_at: AwareDatetime
    content_version: str
    hands: dict[str, Annotated[int, Field(ge=0, le=MAX_HANDS)]] = Field(default_factory=dict)
    """A group's show of hands: option id → how many people wanted it (empty: not counted)."""


class ScenarioState(RunState):
    kind: Literal["scenario"] = "scenario"
    case_number: CaseNumber | None = None
    """Usually empty: scenarios are training."""
    current: str | None
    """The node to decide at; ``None`` once finished."""
    decisions: tuple[Decision, ...] = ()
    group: bool = False
    """Played by a group together (roll call): the trainer records the group's choice."""


class Score(Frozen):
    points: int
    max_points: int
    decisions: int
    text: str
    """E.g. ``"5 of 6 points"``."""


class Judged(Frozen):
    """An option chosen at a node, as the scenario judges it (what feedback and the debrief share)."""

    node_id: str
    option_id: str
    option_text: str
    rating: Rating
    verdict: str
    """The rating in plain words (see :data:`VERDICTS`)."""
    points: int
    feedback: str


class Feedback(Judged):
    next_node: str | None
    finished: bool
    score: Score
    hands: dict[str, int] = Field(default_factory=dict)
    """The show of hands recorded with this decision (option id → people); empty if none."""


class ExercisedItem(Frozen):
    protocol_id: str
    item_id: str
    prompt: str | None
    """The item's prompt, or ``None`` if the lookup does not know it."""
    text: str


class DebriefEntry(Judged):
    situation: str
    question: str
    exercises: tuple[ExercisedItem, ...]
    hands: dict[str, int] = Field(default_factory=dict)
    """The group's show of hands at this decision (option id → people); empty if none."""


class Debrief(Frozen):
    scenario_id: str
    title: str
    content_version: str
    finished: bool
    score: Score
    entries: tuple[DebriefEntry, ...]
    debrief_points: tuple[str, ...]


def _resolve(lookup: ItemLookup | None, ref: ItemRef) -> Item | None:
    if lookup is None:
        return None
    if isinstance(lookup, Mapping):
        protocol = lookup.get(ref.protocol)
        if protocol is None:
            return None
        try:
            return protocol.item(ref.item)
        except KeyError:
            return None
    try:
        return lookup(ref.protocol, ref.item)
    except (KeyError, LookupError):
        return None


def exercised(items: ItemLookup | None, refs: Iterable[ItemRef]) -> tuple[ExercisedItem, ...]:
    """The checklist items an option exercises, with their prompts where ``items`` knows them."""
    found: list[ExercisedItem] = []
    for ref in refs:
        item = _resolve(items, ref)
        prompt = item.prompt if item is not None else None
        found.append(
            ExercisedItem(
                protocol_id=ref.protocol,
                item_id=ref.item,
                prompt=prompt,
                text=prompt or f"{ref.protocol} / {ref.item}",
            )
        )
    return tuple(found)


class ScenarioPlayer:
    """One play-through of a scenario."""

    def __init__(self, scenario: Scenario, state: ScenarioState) -> None:
        check_content(state, scenario.id, scenario.version, "scenario")
        self.scenario = scenario
        self._nodes = {n.id: n for n in scenario.nodes}
        self._check_path(state)
        self.state = state

    @classmethod
    def start(
        cls, scenario: Scenario, now: dt.datetime, case_number: object = None, *, group: bool = False
    ) -> ScenarioPlayer:
        """A new play-through; ``group=True`` for a roll call, where a room decides together."""
        now = require_aware(now)
        number = None if case_number is None else check_case_number(case_number)
        return cls(
            scenario,
            first_state(ScenarioState, scenario, now, case_number=number, current=scenario.start,
                        group=bool(group)),
        )

    @classmethod
    def restore(cls, scenario: Scenario, saved: object) -> ScenarioPlayer:
        return cls(scenario, load(ScenarioState, saved))

    def _check_path(self, state: ScenarioState) -> None:
        node_id: str | None = self.scenario.start
        for d in state.decisions:
            node = self._nodes.get(node_id) if node_id else None
            option = _option(node, d.option_id) if node and node.id == d.node_id else None
            if node is None or option is None or option.rating is not d.rating:
                raise StateError(
                    "the saved decisions do not follow this scenario; start the scenario again"
                )
            if d.hands and (not state.group or not set(d.hands) <= {o.id for o in node.options}):
                raise StateError(
                    "the saved show of hands does not fit this scenario; start the scenario again"
                )
            node_id = option.next
        if node_id != state.current:
            raise StateError("the saved scenario position is inconsistent; start it again")

    @property
    def current_node(self) -> Node | None:
        """The node to decide at; ``None`` once finished."""
        return self._nodes[self.state.current] if self.state.current else None

    @property
    def finished(self) -> bool:
        return self.state.current is None

    def score(self) -> Score:
        points = sum(POINTS[d.rating] for d in self.state.decisions)
        made = len(self.state.decisions)
        return Score(
            points=points,
            max_points=2 * made,
            decisions=made,
            text=f"{points} of {2 * made} points",
        )

    def choose(
        self, option_id: object, now: dt.datetime, hands: Mapping[str, object] | None = None
    ) -> Feedback:
        """Choose an option at the current node; returns the feedback and where it leads.

        ``hands`` (group play-throughs only): option id → how many people wanted it, each a
        whole number from 0 to :data:`MAX_HANDS`. Options left out were not counted.
        """
        now = require_aware(now)
        node = self.current_node
        if node is None:
            raise RunClosed("this scenario is finished; see the debrief, or start it again")
        key = check_id(option_id, "the option id")
        option = _option(node, key)
        if option is None:
            raise AnswerError(
                f"{quote(key)} is not an option here; choose one of: "
                + ", ".join(o.id for o in node.options)
            )
        counted = self._check_hands(node, hands)
        decision = Decision(
            node_id=node.id,
            option_id=option.id,
            rating=option.rating,
            answered_at=now,
            content_version=self.scenario.version,
            hands=counted,
        )
        self.state = self.state.model_copy(
            update={"current": option.next, "decisions": (*self.state.decisions, decision)}
        )
        return Feedback(
            **_judged(node, option),
            next_node=option.next,
            finished=option.next is None,
            score=self.score(),
            hands=counted,
        )

    def _check_hands(self, node: Node, hands: Mapping[str, object] | None) -> dict[str, int]:
        """A show of hands as option id → count, in the node's option order; refuses bad counts."""
        if hands is None:
            return {}
        if not isinstance(hands, Mapping):
            raise AnswerError("the show of hands must map each option id to a number of people")
        if not hands:
            return {}
        if not self.state.group:
            raise AnswerError(
                "a show of hands is for group play-throughs only; start the scenario in roll-call mode"
            )
        ids = [o.id for o in node.options]
        checked: dict[str, int] = {}
        for key, count in hands.items():
            if key not in ids:
                raise AnswerError(
                    f"the show of hands names {quote(key)}, which is not an option here; use: "
                    + ", ".join(ids)
                )
            if isinstance(count, bool) or not isinstance(count, int):
                raise AnswerError(
                    f"the hands up for option {quote(key)} must be a whole number from 0 to {MAX_HANDS}"
                )
            if not 0 <= count <= MAX_HANDS:
                raise AnswerError(
                    f"the hands up for option {quote(key)} must be from 0 to {MAX_HANDS}, not {count}"
                )
            checked[key] = count
        return {i: checked[i] for i in ids if i in checked}

    def debrief(self, items: ItemLookup | None = None) -> Debrief:
        """Each decision with its rating, feedback and the checklist items it exercises."""
        entries: list[DebriefEntry] = []
        for d in self.state.decisions:
            node = self._nodes[d.node_id]
            option = _option(node, d.option_id)
            if option is None:  # pragma: no cover - checked on restore
                continue
            entries.append(
                DebriefEntry(
                    **_judged(node, option),
                    situation=node.situation,
                    question=node.question,
                    exercises=exercised(items, option.exercises),
                    hands=dict(d.hands),
                )
            )
        return Debrief(
            scenario_id=self.scenario.id,
            title=self.scenario.title,
            content_version=self.scenario.version,
            finished=self.finished,
            score=self.score(),
            entries=tuple(entries),
            debrief_points=tuple(self.scenario.debrief_points),
        )


def _judged(node: Node, option: Option) -> dict[str, Any]:
    """What feedback and the debrief both say of ``option`` chosen at ``node``."""
    return {"node_id": node.id, "option_id": option.id, "option_text": option.text, "rating": option.rating,
            "verdict": VERDICTS[option.rating], "points": POINTS[option.rating], "feedback": option.feedback}


def _option(node: Node | None, option_id: str) -> Option | None:
    if node is None:
        return None
    return next((o for o in node.options if o.id == option_id), None)
