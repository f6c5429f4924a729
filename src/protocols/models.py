"""The content model: the contract trainers write YAML to.

Every model forbids unknown keys, so a misspelt field is an error rather than
a silent no-op. Cross-file rules (dangling references, duplicate ids) live in
``protocols.library.checks``; rules that concern one object live here as validators.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_ITEMS_PER_PAUSE_POINT = 9
ROLL_CALL_MINUTES = (10, 15)
"""A roll-call session's length in minutes, inclusive (a scenario marked ``roll_call``)."""

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64),
]
"""Lower-case words joined by single hyphens, e.g. ``scene-response``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
"""A version such as ``1.2`` or ``1.2.0``."""
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]
"""An IETF language tag such as ``en`` or ``es-MX``."""


def rule_broken(model: str, loc: tuple[str | int, ...], message: str, fix: str,
                value: object = None) -> ValidationError:
    """A content-rule error pinned to the field at ``loc`` (so the loader can give its line)."""
    error = PydanticCustomError("content_rule", message.replace("{", "(").replace("}", ")"),
                                {"fix": fix})
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=error, loc=loc, input=value)]
    )


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Need(StrEnum):
    """The seven victim needs of the IACP ELERV strategy."""

    SAFETY = "safety"
    SUPPORT = "support"
    INFORMATION = "information"
    ACCESS = "access"
    CONTINUITY = "continuity"
    VOICE = "voice"
    JUSTICE = "justice"


class Audience(StrEnum):
    """Who reads a piece of content; it sets the reading-level target."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    VICTIM = "victim"


class ChecklistKind(StrEnum):
    """READ-DO for rare or branching lists; DO-CONFIRM for routine ones."""

    READ_DO = "READ-DO"
    DO_CONFIRM = "DO-CONFIRM"


# --------------------------------------------------------------------------- sources


class Source(Strict):
    """A citation that content items point to by id."""

    id: Slug
    title: ShortText
    publisher: ShortText
    year: int = Field(ge=1900, le=2100)
    url: str | None = None
    note: Text | None = None


class SourceList(Strict):
    """``content/sources.yaml``: every citation the content may use."""

    sources: list[Source] = Field(min_length=1)


class ChangeLogEntry(Strict):
    """One line of a protocol's changelog: what changed, when and why."""

    version: Version
    date: dt.date
    change: Text
    why: Text


class Reviewed(Strict):
    """Fields shared by every reviewed document: ownership and review discipline."""

    version: Version
    revised: dt.date
    owner: ShortText
    review_every_days: int = Field(default=365, ge=30, le=1095)
    sources: list[Slug] = Field(min_length=1)
    changelog: list[ChangeLogEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _changelog_matches_version(self) -> Reviewed:
        if self.changelog and self.changelog[0].version != self.version:
            raise rule_broken(
                type(self).__name__, ("changelog", 0, "version"),
                f"the newest changelog entry is for version {self.changelog[0].version} but the "
                f"document says version {self.version}",
                "put the newest entry first and make the versions agree",
            )
        return self


# --------------------------------------------------------------------------- checklists


class ValueType(StrEnum):
    """What an item records: a value, not a tick."""

    YES_NO = "yes-no"
    CHOICE = "choice"
    TIME = "time"
    NUMBER = "number"
    TEXT = "text"


class Choice(Strict):
    id: Slug
    label: ShortText


class ValueSpec(Strict):
    """The value an item records, with the constraints the engine enforces."""

    type: ValueType
    choices: list[Choice] | None = None
    multiple: bool = False
    unit: ShortText | None = None
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=200, ge=1, le=2000)

    @model_validator(mode="after")
    def _choices_fit_type(self) -> ValueSpec:
        if self.type is ValueType.CHOICE:
            if not self.choices or len(self.choices) < 2:
                raise ValueError("a `choice` value needs at least two `choices`")
            ids = [c.id for c in self.choices]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"choice ids must be unique; repeated: {', '.join(dupes)}")
        elif self.choices is not None:
            raise ValueError(
                f"`choices` only belong to `type: choice`; remove them or change the type "
                f"(this value is `{self.type.value}`)"
            )
        if self.multiple and self.type is not ValueType.CHOICE:
            raise ValueError("`multiple: true` only applies to `type: choice`")
        if self.type is not ValueType.NUMBER and (self.min is not None or self.max is not None):
            raise ValueError("`min` and `max` only apply to `type: number`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min}) is larger than `max` ({self.max})")
        return self


class Item(Strict):
    """One checklist item: a prompt that records a value."""

    id: Slug
    prompt: Text
    value: ValueSpec
    critical: bool = False
    na_allowed: bool = True
    optional: bool = False
    rationale: Text
    help: Text | None = None
    script: Text | None = None
    needs: list[Need] = Field(min_length=1)
    sources: list[Slug] = Field(min_length=1)
    repeats: Slug | None = None
    """The id of an earlier critical item this one re-checks at a later pause point."""

    @model_validator(mode="after")
    def _critical_not_optional(self) -> Item:
        if self.critical and self.optional:
            raise ValueError("a critical item cannot be `optional`; an agency may not hide it")
        return self


class PausePoint(Strict):
    """A natural break in the work where the checklist is run."""

    id: Slug
    title: ShortText
    when: Text
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _checklist_rules(self) -> PausePoint:
        if len(self.items) > MAX_ITEMS_PER_PAUSE_POINT:
            raise ValueError(
                f"pause point `{self.id}` has {len(self.items)} items; a pause point holds at most "
                f"{MAX_ITEMS_PER_PAUSE_POINT} (5-7 is better): split it or drop items that are not "
                "killer items"
            )
        seen_plain: str | None = None
        for index, item in enumerate(self.items):
            if not item.critical:
                seen_plain = seen_plain or item.id
            elif seen_plain is not None:
                raise rule_broken(
                    "PausePoint", ("items", index, "critical"),
                    f"critical item `{item.id}` comes after non-critical item `{seen_plain}` in "
                    f"pause point `{self.id}`",
                    "move critical items to the top of the pause point",
                )
        return self


class Protocol(Reviewed):
    """A checklist protocol: pause points in order, each a short list of items."""

    id: Slug
    title: ShortText
    objective: Text
    audience: Audience
    kind: ChecklistKind
    needs: list[Need] = Field(min_length=1)
    chapter: str | None = None
    """The book page (docname, e.g. ``book/arrive/index``) that explains this protocol."""
    summary: Text
    pause_points: list[PausePoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> Protocol:
        seen: set[str] = set()
        for p_index, pp in enumerate(self.pause_points):
            for i_index, item in enumerate(pp.items):
                here = ("pause_points", p_index, "items", i_index)
                if item.id in seen:
                    raise rule_broken(
                        "Protocol", (*here, "id"),
                        f"item id `{item.id}` is used twice in protocol `{self.id}`",
                        "give each item its own id; to re-check a killer item later, give the "
                        "new item its own id and `repeats: <first id>`",
                    )
                if item.repeats is not None and item.repeats not in seen:
                    raise rule_broken(
                        "Protocol", (*here, "repeats"),
                        f"item `{item.id}` repeats `{item.repeats}`, which is not an earlier item "
                        f"of protocol `{self.id}`",
                        "name an item that comes before this one",
                    )
                seen.add(item.id)
        pp_ids: list[str] = []
        for p_index, pp in enumerate(self.pause_points):
            if pp.id in pp_ids:
                raise rule_broken("Protocol", ("pause_points", p_index, "id"),
                                  f"pause point id `{pp.id}` is used twice",
                                  "give each pause point its own id")
            pp_ids.append(pp.id)
        return self

    def items(self) -> list[Item]:
        """All items in order across pause points."""
        return [item for pp in self.pause_points for item in pp.items]

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` if there is none."""
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)


# --------------------------------------------------------------------------- screening


class ScreeningAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ANSWERED = "not-answered"


class ScreeningQuestion(Strict):
    id: Slug
    number: int = Field(ge=1)
    text: Text


class ScreenInRule(Strict):
    """Screens in when at least ``at_least`` of ``questions`` are answered yes."""

    description: Text
    questions: list[int] = Field(min_length=1)
    at_least: int = Field(ge=1)

    @model_validator(mode="after")
    def _threshold_reachable(self) -> ScreenInRule:
        if self.at_least > len(self.questions):
            raise ValueError(
                f"`at_least: {self.at_least}` can never be met with {len(self.questions)} "
                "question(s) listed; lower it or list more questions"
            )
        return self


class ScreeningInstrument(Reviewed):
    """A standardised screening instrument. Its wording and rules are locked."""

    id: Slug
    title: ShortText
    sample: bool
    """True for the project's own illustrative instrument; false for a licensed one."""
    licence: Text
    attribution: Text
    locked: Literal[True] = True
    applies_to: Text
    introduction: Text
    """What the officer says before the questions."""
    questions: list[ScreeningQuestion] = Field(min_length=1)
    rules: list[ScreenInRule] = Field(min_length=1)
    officer_belief_override: bool = True
    follow_on_protocol: Slug
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _questions_consistent(self) -> ScreeningInstrument:
        numbers = [q.number for q in self.questions]
        for index, question in enumerate(self.questions):
            if question.number != index + 1:
                raise rule_broken(
                    "ScreeningInstrument", ("questions", index, "number"),
                    f"question {index + 1} is numbered {question.number}; questions must be "
                    "numbered 1, 2, 3 … in order",
                    f"set `number: {index + 1}` or reorder the questions",
                )
        ids: list[str] = []
        for index, question in enumerate(self.questions):
            if question.id in ids:
                raise rule_broken("ScreeningInstrument", ("questions", index, "id"),
                                  f"question id `{question.id}` is used twice",
                                  "give each question its own id")
            ids.append(question.id)
        for index, rule in enumerate(self.rules):
            missing = [n for n in rule.questions if n not in numbers]
            if missing:
                raise rule_broken(
                    "ScreeningInstrument", ("rules", index, "questions"),
                    f"rule {index + 1} (`{rule.description}`) names question(s) {missing}, which "
                    f"do not exist",
                    f"use question numbers between 1 and {len(numbers)}",
                )
        return self


# --------------------------------------------------------------------------- rights


class DeliveryMethod(StrEnum):
    HANDED = "handed"
    READ_ALOUD = "read-aloud"
    SENT_EMAIL = "sent-email"
    SENT_TEXT = "sent-text"
    SENT_MAIL = "sent-mail"


class Right(Strict):
    """One right in a notice: plain words, the law they restate, and when that was last checked."""

    id: Slug
    title: ShortText
    text: Text
    citation: ShortText
    """The pinpoint: section and subdivision, e.g. ``18 U.S.C. § 3771(a)(1)``."""
    verified_on: dt.date = Field(description=(
        "The date this right's wording was last checked against the current text of the law "
        "in `citation`. `handbook review-due` lists it once the notice's `review_every_days` "
        "have passed."))

    @model_validator(mode="before")
    @classmethod
    def _verified_on_is_written(cls, data: object) -> object:
        if isinstance(data, dict) and "verified_on" not in data:
            raise PydanticCustomError(
                "content_rule", "this right has no `verified_on` date",
                {"fix": "add `verified_on: YYYY-MM-DD` to this right: the date you last checked its "
                        "wording against the current text of the law in its `citation`"})
        return data

    @model_validator(mode="after")
    def _verified_on_not_ahead(self) -> Right:
        if self.verified_on > dt.date.today() + dt.timedelta(days=1):
            raise rule_broken("Right", ("verified_on",),
                              f"`verified_on` ({self.verified_on.isoformat()}) is a date in the future",
                              "write the date the wording was actually checked against the law",
                              self.verified_on.isoformat())
        return self


class RightsNotice(Reviewed):
    """A jurisdiction's victims'-rights notice in one language.

    Each right carries its own pinpoint ``citation`` and ``verified_on`` date; the notice's law
    check is as old as its oldest right's (:attr:`verified_on`).
    """

    id: Slug
    family: Slug
    """Shared by every language version of the same notice."""
    title: ShortText
    jurisdiction: ShortText
    citation: ShortText
    language: LanguageCode
    translation_review: Literal["original", "needs-review", "reviewed"] = "original"
    effective: dt.date
    when_to_give: Text
    introduction: Text
    rights: list[Right] = Field(min_length=1)
    delivery_methods: list[DeliveryMethod] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @property
    def verified_on(self) -> dt.date:
        """When the notice's wording was last checked against the law: its oldest right's date."""
        return min(right.verified_on for right in self.rights)


# --------------------------------------------------------------------------- confidentiality


class Question(Strict):
    """A yes/no decision question; each answer leads to a question or an outcome."""

    id: Slug
    text: Text
    help: Text | None = None
    yes: Slug
    no: Slug


class Outcome(Strict):
    id: Slug
    title: ShortText
    decision: Literal["keep-private", "share-with-consent", "must-disclose", "ask-supervisor"]
    rule: Text
    citation: ShortText
    script: Text
    """What the officer says to the victim."""
    next_steps: list[Text] = Field(default_factory=list)


class ConfidentialityGuide(Reviewed):
    """A decision tree: what an officer can keep private and what must be shared."""

    id: Slug
    title: ShortText
    audience: Audience
    introduction: Text
    opening_script: Text
    """What to tell every victim at the start about the limits of confidentiality."""
    start: Slug
    questions: list[Question] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _tree_is_sound(self) -> ConfidentialityGuide:
        question_ids = [q.id for q in self.questions]
        outcome_ids = [o.id for o in self.outcomes]
        every = question_ids + outcome_ids
        dupes = sorted({i for i in every if every.count(i) > 1})
        if dupes:
            raise ValueError(f"question and outcome ids must be unique; repeated: {', '.join(dupes)}")
        if self.start not in question_ids:
            raise ValueError(f"`start: {self.start}` names no question; questions are: {', '.join(question_ids)}")
        by_id = {q.id: q for q in self.questions}
        for index, q in enumerate(self.questions):
            for answer, target in (("yes", q.yes), ("no", q.no)):
                if target not in every:
                    raise rule_broken(
                        "ConfidentialityGuide", ("questions", index, answer),
                        f"question `{q.id}` answers `{answer}` with `{target}`, which is neither a "
                        "question nor an outcome",
                        f"use one of: {', '.join(every)}",
                    )

        def walk(qid: str, path: tuple[str, ...]) -> None:
            if qid in path:
                raise ValueError(f"the questions loop: {' → '.join((*path, qid))}; every path must end at an outcome")
            question = by_id.get(qid)
            if question is not None:
                walk(question.yes, (*path, qid))
                walk(question.no, (*path, qid))

        walk(self.start, ())
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        raise KeyError(outcome_id)


# --------------------------------------------------------------------------- resources


class ReferralCategory(StrEnum):
    HOTLINE = "hotline"
    COUNSELLING_INDIVIDUAL = "counselling-individual"
    COUNSELLING_GROUP = "counselling-group"
    COUNSELLING_FAMILY = "counselling-family"
    SUPPORT_GROUP = "support-group"
    SHELTER = "shelter"
    TRANSPORT = "transport"
    ADVOCACY = "advocacy"
    LEGAL = "legal"
    MEDICAL = "medical"
    MENTAL_HEALTH_CRISIS = "mental-health-crisis"
    FINANCIAL = "financial"
    LANGUAGE = "language"


CATEGORY_LABELS: dict[ReferralCategory, str] = {
    ReferralCategory.HOTLINE: "Hotline",
    ReferralCategory.COUNSELLING_INDIVIDUAL: "Individual counselling",
    ReferralCategory.COUNSELLING_GROUP: "Group counselling",
    ReferralCategory.COUNSELLING_FAMILY: "Family counselling",
    ReferralCategory.SUPPORT_GROUP: "Support group",
    ReferralCategory.SHELTER: "Shelter",
    ReferralCategory.TRANSPORT: "Transport",
    ReferralCategory.ADVOCACY: "Advocacy",
    ReferralCategory.LEGAL: "Legal help",
    ReferralCategory.MEDICAL: "Medical care",
    ReferralCategory.MENTAL_HEALTH_CRISIS: "Mental-health crisis team",
    ReferralCategory.FINANCIAL: "Financial help",
    ReferralCategory.LANGUAGE: "Language help",
}
"""What officers and victims read for each category (the ids stay in the data)."""


class Contact(Strict):
    phone: ShortText | None = None
    text: ShortText | None = None
    web: ShortText | None = None
    address: ShortText | None = None


class Service(Strict):
    """One service an organisation offers (Open Referral HSDS shape)."""

    id: Slug
    name: ShortText
    description: Text
    categories: list[ReferralCategory] = Field(min_length=1)
    contact: Contact
    hours: ShortText
    open_24_7: bool
    languages: list[LanguageCode] = Field(min_length=1)
    eligibility: Text
    warm_handoff: bool
    confidential_location: bool
    cost: ShortText = "Free"
    verified_on: dt.date

    @model_validator(mode="after")
    def _confidential_has_no_address(self) -> Service:
        if self.confidential_location and self.contact.address:
            raise ValueError(
                f"service `{self.id}` has a confidential location but lists an address; remove "
                "the address (give a phone number instead)"
            )
        return self


class Organization(Strict):
    id: Slug
    name: ShortText
    description: Text
    services: list[Service] = Field(min_length=1)


class ResourceDirectory(Strict):
    """A referral directory. The shipped one is sample data for an agency to replace."""

    id: Slug
    title: ShortText
    sample: bool
    notice: Text
    area: ShortText
    organizations: list[Organization] = Field(min_length=1)


class NeedDomain(StrEnum):
    EMOTIONAL = "emotional"
    SAFETY = "safety"
    LOGISTICS = "logistics"


class VictimNeed(Strict):
    """A need an officer can spot, and the referral categories that meet it."""

    id: Slug
    domain: NeedDomain
    label: ShortText
    ask: Text
    """A plain question the officer can ask to check for this need."""
    signs: list[ShortText] = Field(default_factory=list)
    referrals: list[ReferralCategory] = Field(min_length=1)
    urgent: bool = False


class NeedsCatalogue(Reviewed):
    """The needs assessment: what to look and ask for, and where each need leads."""

    id: Slug
    title: ShortText
    introduction: Text
    needs: list[VictimNeed] = Field(min_length=1)


# --------------------------------------------------------------------------- follow-up


class ContactMethod(StrEnum):
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    IN_PERSON = "in-person"
    THROUGH_ADVOCATE = "through-advocate"


class CheckIn(Strict):
    id: Slug
    label: ShortText
    offset_hours: int = Field(ge=1, le=24 * 365)
    business_day: bool = False
    """Move the check-in to the next business day if it falls on a weekend."""
    tasks: list[Text] = Field(min_length=1)


class FollowUpTemplate(Reviewed):
    """A follow-up plan template: dated check-ins, tasks and closure criteria."""

    id: Slug
    title: ShortText
    applies_to: Text
    check_ins: list[CheckIn] = Field(min_length=1)
    contact_methods: list[ContactMethod] = Field(min_length=1)
    safe_contact_questions: list[Text] = Field(min_length=1)
    closure_criteria: list[Text] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_ins_in_order(self) -> FollowUpTemplate:
        offsets = [c.offset_hours for c in self.check_ins]
        if offsets != sorted(offsets):
            raise ValueError(f"check-ins must be in time order; offsets (hours) are {offsets}")
        return self


# --------------------------------------------------------------------------- scenarios


class Rating(StrEnum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"


class ItemRef(Strict):
    """A checklist item a decision exercises: ``protocol`` + ``item``."""

    protocol: Slug
    item: Slug


class Option(Strict):
    id: Slug
    text: Text
    rating: Rating
    feedback: Text
    next: Slug | None = None
    """The next node; omit on the last decision."""
    exercises: list[ItemRef] = Field(default_factory=list)


class Node(Strict):
    id: Slug
    situation: Text
    question: Text
    options: list[Option] = Field(min_length=2, max_length=5)


class Scenario(Reviewed):
    """A branching training scenario."""

    id: Slug
    title: ShortText
    content_warning: Text
    based_on: Text
    summary: Text
    minutes: int = Field(ge=3, le=60)
    roll_call: bool = False
    """Made for a roll-call session: then ``minutes`` must fit ``ROLL_CALL_MINUTES``."""
    start: Slug
    nodes: list[Node] = Field(min_length=1)
    debrief_points: list[Text] = Field(min_length=1)
    needs: list[Need] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_roll_call(self) -> Scenario:
        low, high = ROLL_CALL_MINUTES
        if self.roll_call and not low <= self.minutes <= high:
            raise rule_broken(
                "Scenario", ("minutes",), f"a roll-call scenario takes {low} to {high} minutes; "
                f"this one says {self.minutes}",
                f"shorten it (fewer decisions or debrief points) and set `minutes` to {low}-{high}, "
                "or set `roll_call: false`", self.minutes)
        return self

    @model_validator(mode="after")
    def _graph_is_closed(self) -> Scenario:
        ids = [n.id for n in self.nodes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"node ids must be unique; repeated: {', '.join(dupes)}")
        if self.start not in ids:
            raise rule_broken("Scenario", ("start",), f"`start: {self.start}` names no node",
                              f"use one of: {', '.join(ids)}")
        for n_index, node in enumerate(self.nodes):
            for o_index, option in enumerate(node.options):
                if option.next is not None and option.next not in ids:
                    raise rule_broken(
                        "Scenario", ("nodes", n_index, "options", o_index, "next"),
                        f"option `{option.id}` of node `{node.id}` goes to `{option.next}`, which "
                        "is not a node",
                        f"use one of: {', '.join(ids)}, or remove `next` to end the scenario",
                    )
        return self

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


CONTENT_KINDS: dict[str, type[BaseModel]] = {
    "protocols": Protocol,
    "instruments": ScreeningInstrument,
    "rights": RightsNotice,
    "confidentiality": ConfidentialityGuide,
    "resources": ResourceDirectory,
    "needs": NeedsCatalogue,
    "followup": FollowUpTemplate,
    "scenarios": Scenario,
}
"""Content folder name → the model each YAML file in it must follow."""
