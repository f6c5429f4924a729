"""Plain-language labels for the codes used in content (enums, language tags, job aids)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from protocols.models import Audience, ChecklistKind, ContactMethod, DeliveryMethod, Item, Need, NeedDomain, ValueType

NEED_LABELS: dict[Need, str] = {
    Need.SAFETY: "Safety",
    Need.SUPPORT: "Support",
    Need.INFORMATION: "Information",
    Need.ACCESS: "Access",
    Need.CONTINUITY: "Continuity",
    Need.VOICE: "Voice",
    Need.JUSTICE: "Justice",
}

AUDIENCE_LABELS: dict[Audience, str] = {
    Audience.OFFICER: "Officers",
    Audience.SUPERVISOR: "Supervisors",
    Audience.VICTIM: "Victims",
}

KIND_LABELS: dict[ChecklistKind, str] = {
    ChecklistKind.READ_DO: "Read, then do",
    ChecklistKind.DO_CONFIRM: "Do, then check",
}
"""What officers read for a list's kind; READ-DO and DO-CONFIRM are trainers' terms."""

KIND_HELP: dict[ChecklistKind, str] = {
    ChecklistKind.READ_DO: "Read each item aloud, then do it, one at a time.",
    ChecklistKind.DO_CONFIRM: "Do the work from memory, then stop and confirm every item.",
}

DELIVERY_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.HANDED: "Handed to the victim",
    DeliveryMethod.READ_ALOUD: "Read aloud",
    DeliveryMethod.SENT_EMAIL: "Sent by email",
    DeliveryMethod.SENT_TEXT: "Sent by text message",
    DeliveryMethod.SENT_MAIL: "Sent by mail",
}


DOMAIN_LABELS: dict[NeedDomain, str] = {
    NeedDomain.EMOTIONAL: "Emotional distress and mental health",
    NeedDomain.SAFETY: "Physical safety and protection",
    NeedDomain.LOGISTICS: "Practical needs: transport, shelter and more",
}

CONTACT_LABELS: dict[ContactMethod, str] = {
    ContactMethod.PHONE: "Phone call",
    ContactMethod.TEXT: "Text message",
    ContactMethod.EMAIL: "Email",
    ContactMethod.IN_PERSON: "In person",
    ContactMethod.THROUGH_ADVOCATE: "Through an advocate",
}

DECISION_LABELS: dict[str, str] = {
    "keep-private": "Keep private",
    "share-with-consent": "Share only with the victim's written consent",
    "must-disclose": "Must disclose",
    "ask-supervisor": "Ask a supervisor before you decide",
}

TRANSLATION_LABELS: dict[str, str] = {
    "original": "",
    "needs-review": "This translation has not been reviewed yet. Use the English version as "
    "the reference.",
    "reviewed": "Reviewed translation.",
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Spanish (Español)",
    "zh": "Chinese (中文)",
    "vi": "Vietnamese (Tiếng Việt)",
    "ko": "Korean (한국어)",
    "tl": "Tagalog",
    "ar": "Arabic (العربية)",
    "ru": "Russian (Русский)",
    "fr": "French (Français)",
    "ht": "Haitian Creole (Kreyòl)",
    "pt": "Portuguese (Português)",
    "hy": "Armenian (Հայերեն)",
    "fa": "Persian (فارسی)",
    "pa": "Punjabi (ਪੰਜਾਬੀ)",
    "hi": "Hindi (हिन्दी)",
    "ja": "Japanese (日本語)",
    "km": "Khmer (ខ្មែរ)",
    "hmn": "Hmong",
    "so": "Somali (Soomaali)",
    "pl": "Polish (Polski)",
    "de": "German (Deutsch)",
    "it": "Italian (Italiano)",
    "asl": "American Sign Language",
}


def language_name(code: str) -> str:
    """``es-MX`` → ``Spanish (Español) (es-MX)``; unknown codes are shown as given."""
    base = code.split("-", 1)[0]
    name = LANGUAGE_NAMES.get(base)
    return f"{name} ({code})" if name else code


def need_label(need: Need) -> str:
    return NEED_LABELS.get(need, need.value)


def value_description(item: Item) -> str:
    """What an item records, in words: ``Yes or no``, ``One of: EMS called, Declined``…"""
    spec = item.value
    if spec.type is ValueType.YES_NO:
        text = "Yes or no"
    elif spec.type is ValueType.CHOICE:
        labels = ", ".join(c.label for c in spec.choices or [])
        text = ("Any of: " if spec.multiple else "One of: ") + labels
    elif spec.type is ValueType.TIME:
        text = "Time (hh:mm)"
    elif spec.type is ValueType.NUMBER:
        parts = []
        if spec.unit:
            parts.append(spec.unit)
        if spec.min is not None and spec.max is not None:
            parts.append(f"{_num(spec.min)} to {_num(spec.max)}")
        elif spec.min is not None:
            parts.append(f"at least {_num(spec.min)}")
        elif spec.max is not None:
            parts.append(f"at most {_num(spec.max)}")
        text = "Number" + (f" ({', '.join(parts)})" if parts else "")
    else:
        text = f"Short note (up to {spec.max_length} characters; no names or personal details)"
    return text


def short_value(item: Item) -> str:
    """A compact form for pocket cards: ``yes/no``, ``time``, ``choice``…"""
    spec = item.value
    if spec.type is ValueType.YES_NO:
        return "yes / no"
    if spec.type is ValueType.CHOICE:
        return " / ".join(c.label for c in spec.choices or [])
    if spec.type is ValueType.NUMBER:
        return f"number{f' ({spec.unit})' if spec.unit else ''}"
    if spec.type is ValueType.TIME:
        return "time"
    return "note"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class JobAid:
    """A Voila job aid: an interactive notebook served by ``handbook serve``."""

    name: str
    title: str
    summary: str

    @property
    def path(self) -> str:
        """Site-relative address on the job-aid server."""
        return f"voila/render/{self.name}.ipynb"


JOB_AIDS: dict[str, JobAid] = {
    aid.name: aid
    for aid in (
        JobAid("scene-response", "Scene response",
               "Run the scene checklist from arrival to before you leave; each answer is saved "
               "as you go."),
        JobAid("needs-and-referrals", "Needs and referrals",
               "Check the victim's needs and find matching services, with a warm handoff where "
               "one is offered."),
        JobAid("screening", "Danger screening",
               "Ask the screening questions, see whether the case screens in, and run the "
               "screen-in steps."),
        JobAid("rights-notification", "Rights notification",
               "Give the victims' rights notice in the right language and record which version, "
               "when and how."),
        JobAid("confidentiality", "Confidentiality decisions",
               "Answer a few questions to learn what you can keep private and what you must "
               "share, with words to say."),
        JobAid("follow-up", "Follow-up plan",
               "Create a follow-up plan with dated check-ins and record each contact."),
        JobAid("scenario-player", "Scenario player",
               "Practise a branching training scenario and get feedback on each decision."),
        JobAid("tracker", "Supervisor tracker",
               "See open cases: check-ins due, referrals made and rights given."),
        JobAid("acknowledgements", "Read and acknowledge",
               "See what changed in the handbook since you last read it, acknowledge it and take a "
               "short check; supervisors see who is due or overdue."),
    )
}
"""The job aids, in the order the officer meets them."""

PROTOCOL_JOB_AIDS: dict[str, str] = {
    "scene-response": "scene-response",
    "before-you-leave": "scene-response",
    "screen-in-response": "screening",
    "danger-screening": "screening",
    "rights-notification": "rights-notification",
    "needs-assessment": "needs-and-referrals",
    "referral": "needs-and-referrals",
    "referral-handoff": "needs-and-referrals",
    "warm-handoff": "needs-and-referrals",
    "supervisor-review": "tracker",
    "follow-up": "follow-up",
    "follow-up-check-in": "follow-up",
}
"""Protocol id → the job aid for the work the protocol covers (the book links a checklist to it)."""

CHECKLISTS_AIDS_RUN: dict[str, str] = {
    "scene-response": "scene-response",
    "screen-in-response": "screening",
}
"""Protocol id → the job aid that records that checklist's own items (the others' items are
recorded by :data:`ANY_CHECKLIST_AID`)."""


ANY_CHECKLIST_AID = JobAid("checklist", "Checklist",
                           "Run any checklist that has no job aid of its own, and save its answers.")
"""The job aid (``widgets/checklist.ipynb?protocol=ID``) that runs the other checklists. It is not
one of :data:`JOB_AIDS`: the index lists the checklists it opens, not the aid itself."""


def job_aid_for_protocol(protocol_id: str) -> JobAid | None:
    """The job aid for the work this protocol covers, if there is one."""
    name = PROTOCOL_JOB_AIDS.get(protocol_id)
    return JOB_AIDS.get(name) if name is not None else None


def aid_running_checklist(protocol_id: str) -> JobAid | None:
    """The job aid that records this checklist's items, if one does (else :data:`ANY_CHECKLIST_AID`)."""
    name = CHECKLISTS_AIDS_RUN.get(protocol_id)
    return JOB_AIDS.get(name) if name is not None else None


def checklist_query(protocol_id: str) -> str:
    """The query that opens :data:`ANY_CHECKLIST_AID` on one checklist."""
    return f"protocol={quote(protocol_id, safe='')}"


def checklist_aid_path(protocol_id: str) -> str:
    """The site path of :data:`ANY_CHECKLIST_AID` opened on one checklist."""
    return f"{ANY_CHECKLIST_AID.path}?{checklist_query(protocol_id)}"


def job_aid_links_for_protocol(protocol_id: str) -> list[tuple[JobAid, str]]:
    """The job aids a protocol links to, each with the query that opens it there: the aid for its
    work, if any, and the aid that records its items (:data:`ANY_CHECKLIST_AID` when no aid does)."""
    links: list[tuple[JobAid, str]] = []
    related = job_aid_for_protocol(protocol_id)
    if related is not None:
        links.append((related, ""))
    if aid_running_checklist(protocol_id) is None:
        links.append((ANY_CHECKLIST_AID, checklist_query(protocol_id)))
    return links
