"""Content → HTML for the book and for printable exports (pure functions, no Sphinx).

Every content string is HTML-escaped; callers pass a ``Links`` to say where cross-links go.
"""

from protocols.render.agency import agency_contacts_html, not_used_html
from protocols.render.checklist import pocket_card_html, protocol_html
from protocols.render.common import NO_LINKS, Links, citation_html, esc
from protocols.render.knowledge import KnowledgeQuestion, knowledge_check_html, knowledge_questions
from protocols.render.labels import JOB_AIDS, PROTOCOL_JOB_AIDS, JobAid, job_aid_for_protocol
from protocols.render.referrals import follow_up_html, needs_catalogue_html, resource_directory_html
from protocols.render.rights import confidentiality_html, rights_notice_html
from protocols.render.scenarios import job_aid_links_html, job_aid_list_html, scenario_html
from protocols.render.screening import instrument_html

__all__ = [
    "JOB_AIDS",
    "NO_LINKS",
    "PROTOCOL_JOB_AIDS",
    "JobAid",
    "KnowledgeQuestion",
    "Links",
    "agency_contacts_html",
    "citation_html",
    "confidentiality_html",
    "esc",
    "follow_up_html",
    "instrument_html",
    "job_aid_for_protocol",
    "job_aid_links_html",
    "job_aid_list_html",
    "knowledge_check_html",
    "knowledge_questions",
    "needs_catalogue_html",
    "not_used_html",
    "pocket_card_html",
    "protocol_html",
    "resource_directory_html",
    "rights_notice_html",
    "scenario_html",
]
