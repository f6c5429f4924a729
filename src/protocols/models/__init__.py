"""The content model: the contract trainers write YAML to.

Every model forbids unknown keys, so a misspelt field is an error rather than
a silent no-op. Cross-file rules (dangling references, duplicate ids) live in
``protocols.library.checks``; rules that concern one object live here as validators.

One module per kind of content; this package's namespace is their public surface
(``from protocols.models import Protocol``).
"""

from __future__ import annotations

from pydantic import BaseModel

from protocols.models.checklist import Choice, Item, PausePoint, Protocol, ValueSpec, ValueType
from protocols.models.common import (
    MAX_ITEMS_PER_PAUSE_POINT,
    ROLL_CALL_MINUTES,
    Audience,
    ChangeLogEntry,
    ChecklistKind,
    LanguageCode,
    Need,
    Reviewed,
    ShortText,
    Slug,
    Source,
    SourceList,
    Strict,
    Text,
    UnknownContent,
    Version,
    lookup,
    rule_broken,
)
from protocols.models.referrals import (
    CATEGORY_LABELS,
    CheckIn,
    Contact,
    ContactMethod,
    FollowUpTemplate,
    NeedDomain,
    NeedsCatalogue,
    Organization,
    ReferralCategory,
    ResourceDirectory,
    Service,
    VictimNeed,
)
from protocols.models.rights import (
    ConfidentialityGuide,
    DeliveryMethod,
    Outcome,
    Question,
    Right,
    RightsNotice,
)
from protocols.models.scenarios import OPTION_LETTERS, ItemRef, Node, Option, Rating, Scenario
from protocols.models.screening import ScreeningAnswer, ScreeningInstrument, ScreeningQuestion, ScreenInRule

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

__all__ = [
    "CATEGORY_LABELS", "CONTENT_KINDS", "MAX_ITEMS_PER_PAUSE_POINT", "OPTION_LETTERS", "ROLL_CALL_MINUTES",
    "Audience",
    "ChangeLogEntry", "CheckIn", "ChecklistKind", "Choice", "ConfidentialityGuide", "Contact", "ContactMethod",
    "DeliveryMethod", "FollowUpTemplate", "Item", "ItemRef", "LanguageCode", "Need", "NeedDomain",
    "NeedsCatalogue", "Node", "Option", "Organization", "Outcome", "PausePoint", "Protocol", "Question",
    "Rating", "ReferralCategory", "ResourceDirectory", "Reviewed", "Right", "RightsNotice", "Scenario", "ScreenInRule",
    "ScreeningAnswer", "ScreeningInstrument", "ScreeningQuestion", "Service", "ShortText", "Slug", "Source",
    "SourceList", "Strict", "Text", "UnknownContent", "ValueSpec", "ValueType", "Version", "VictimNeed",
    "lookup", "rule_broken",
]
