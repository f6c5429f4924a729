"""The handbook's directives, by the name a page uses; each takes one content id, except the lists.

``protocol``               the full checklist: objective, kind, version, pause points, items
``pocket-card``            the compact printable card of one protocol
``pocket-cards``           every protocol's card, in reading order (the cards page)
``screening-instrument``   a screening instrument with its rules in words
``rights-notice``          a victims'-rights notice, linked to its other language versions
``confidentiality-guide``  the decision questions and outcomes, with scripts
``resource-directory``     a referral directory
``needs-catalogue``        the needs assessment
``follow-up-template``     a follow-up plan template
``scenario``               a training scenario's summary with a link to the scenario player
``job-aid-list``           the index of job aids
``agency-contacts``        the agency this build is for, with its hotline and on-call numbers
``change-history``         every chapter's commits and every checklist's and notice's change notes
``knowledge-check``        3-5 self-check questions on a protocol's critical items, or on
                           other content (``confidentiality:<id>``, ``needs:<id>``, ...)

``resource-directory agency`` shows the directory the agency profile names. A rights notice
the profile does not list is shown as a short "not used by <agency>" note (no warning).
"""

from __future__ import annotations

from sphinx.util.docutils import SphinxDirective

from protocols.book.directives.content import (
    ConfidentialityDirective,
    FollowUpDirective,
    InstrumentDirective,
    NeedsCatalogueDirective,
    ResourceDirectoryDirective,
    RightsNoticeDirective,
    ScenarioDirective,
)
from protocols.book.directives.history import ChangeHistoryDirective
from protocols.book.directives.knowledge import KnowledgeCheckDirective
from protocols.book.directives.protocols import PocketCardDirective, PocketCardsDirective, ProtocolDirective
from protocols.book.directives.site import AgencyContactsDirective, JobAidListDirective

DIRECTIVES: dict[str, type[SphinxDirective]] = {
    "protocol": ProtocolDirective,
    "pocket-card": PocketCardDirective,
    "pocket-cards": PocketCardsDirective,
    "screening-instrument": InstrumentDirective,
    "rights-notice": RightsNoticeDirective,
    "confidentiality-guide": ConfidentialityDirective,
    "resource-directory": ResourceDirectoryDirective,
    "needs-catalogue": NeedsCatalogueDirective,
    "follow-up-template": FollowUpDirective,
    "scenario": ScenarioDirective,
    "job-aid-list": JobAidListDirective,
    "change-history": ChangeHistoryDirective,
    "knowledge-check": KnowledgeCheckDirective,
    "agency-contacts": AgencyContactsDirective,
}
