"""The engine: plain logic that runs the content. No widgets, no kernel, no browser.

How it works, everywhere in this package:

- A *run* object (``ChecklistRun``, ``ScreeningRun``, ``ConfidentialityAdvisor``,
  ``FollowUpPlan``, ``ScenarioPlayer``, ``ReferralRun``, ``RightsDelivery``) pairs a
  piece of content with a *state*. :func:`summarise` reads many saved scenario
  play-throughs at once: a trainer's summary of one training session.
- States are frozen pydantic models that serialise to JSON losslessly
  (``state.model_dump(mode="json")``; read back with ``Run.restore(content, data)``
  or :func:`load_state`). Each records the content id and version, the case number
  (never a name), when it started, and every answer with its time and content version.
- An operation checks its input, builds a **new** state and points ``run.state`` at
  it; the old state object is never changed. Operations that change a checklist,
  screening or follow-up plan return the new state (save it); ``ScreeningRun.finish``,
  ``ScenarioPlayer.choose`` and the advisor's ``answer``/``back`` return what to show
  next instead (the new state is on ``.state``).
- Operations take ``now`` (a timezone-aware ``datetime``); the engine never reads the
  clock itself. See :mod:`protocols.engine.clock`.
- Bad input raises an :class:`EngineError` subclass whose message says what is wrong
  and how to fix it; free text a user typed is never repeated in a message.
- Everything a UI shows (labels, progress text, messages) comes from these objects.
"""

from protocols.engine.answers import (
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TEXT_LENGTH,
    CaseNumber,
    StoredValue,
    check_case_number,
    check_reason,
    check_text,
    check_value,
    display_value,
)
from protocols.engine.checklist import (
    AnswerKind,
    ChecklistProgress,
    ChecklistRun,
    ChecklistState,
    ChecklistSummary,
    ItemAnswer,
    PastAnswer,
)
from protocols.engine.clock import Clock, FixedClock, SystemClock, require_aware
from protocols.engine.confidentiality import (
    AdvisorState,
    AdvisorSummary,
    ConfidentialityAdvisor,
)
from protocols.engine.errors import (
    AnswerError,
    CompletionRefused,
    ContentMismatch,
    EngineError,
    RunClosed,
    StateError,
)
from protocols.engine.followup import (
    CheckInResult,
    CheckInStatus,
    FollowUpOverview,
    FollowUpPlan,
    FollowUpState,
    SafeContact,
)
from protocols.engine.languages import language_name, language_options
from protocols.engine.persist import dump_state, load_state
from protocols.engine.referrals import (
    ChosenReferral,
    Recommendation,
    ReferralResult,
    ReferralRun,
    ReferralState,
    recommend,
)
from protocols.engine.rights import RightsDelivery, RightsDeliveryState, delivery_text
from protocols.engine.scenario import MAX_HANDS, Debrief, Feedback, ScenarioPlayer, ScenarioState, Score
from protocols.engine.screening import ScreeningResult, ScreeningRun, ScreeningState
from protocols.engine.training_summary import (
    NodeSummary,
    OptionCount,
    SkippedRuns,
    TrainingSummary,
    summarise,
)

__all__ = [
    "MAX_HANDS",
    "MAX_NOTE_LENGTH",
    "MAX_REASON_LENGTH",
    "MAX_TEXT_LENGTH",
    "AdvisorState",
    "AdvisorSummary",
    "AnswerError",
    "AnswerKind",
    "CaseNumber",
    "CheckInResult",
    "CheckInStatus",
    "ChecklistProgress",
    "ChecklistRun",
    "ChecklistState",
    "ChecklistSummary",
    "ChosenReferral",
    "Clock",
    "CompletionRefused",
    "ConfidentialityAdvisor",
    "ContentMismatch",
    "Debrief",
    "EngineError",
    "Feedback",
    "FixedClock",
    "FollowUpOverview",
    "FollowUpPlan",
    "FollowUpState",
    "ItemAnswer",
    "NodeSummary",
    "OptionCount",
    "PastAnswer",
    "Recommendation",
    "ReferralResult",
    "ReferralRun",
    "ReferralState",
    "RightsDelivery",
    "RightsDeliveryState",
    "RunClosed",
    "SafeContact",
    "ScenarioPlayer",
    "ScenarioState",
    "Score",
    "ScreeningResult",
    "ScreeningRun",
    "ScreeningState",
    "SkippedRuns",
    "StateError",
    "StoredValue",
    "SystemClock",
    "TrainingSummary",
    "check_case_number",
    "check_reason",
    "check_text",
    "check_value",
    "delivery_text",
    "display_value",
    "dump_state",
    "language_name",
    "language_options",
    "load_state",
    "recommend",
    "require_aware",
    "summarise",
]
