"""Where a victim is sent next: resource directories, the needs assessment and follow-up plans."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from protocols.models.common import LanguageCode, Need, Reviewed, ShortText, Slug, Strict, Text


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
    FORENSIC_EXAM = "forensic-exam"
    CHILD_ADVOCACY_CENTER = "child-advocacy-center"
    PROTECTIVE_SERVICES = "protective-services"
    VICTIM_COMPENSATION = "victim-compensation"
    IMMIGRATION_LEGAL = "immigration-legal"
    DISABILITY_ACCESS = "disability-access"
    TECHNOLOGY_SAFETY = "technology-safety"
    BEREAVEMENT = "bereavement"


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
    ReferralCategory.FORENSIC_EXAM: "Medical forensic exam",
    ReferralCategory.CHILD_ADVOCACY_CENTER: "Child advocacy center",
    ReferralCategory.PROTECTIVE_SERVICES: "Child or adult protective services",
    ReferralCategory.VICTIM_COMPENSATION: "Victim compensation",
    ReferralCategory.IMMIGRATION_LEGAL: "Immigration legal help",
    ReferralCategory.DISABILITY_ACCESS: "Disability access and communication",
    ReferralCategory.TECHNOLOGY_SAFETY: "Phone and account safety",
    ReferralCategory.BEREAVEMENT: "Grief and bereavement support",
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
