"""Content → HTML fragments, for the book and for printable exports (the names callers import).

Pure functions: each takes a validated content object (and the library, for citations) and
returns a string of HTML; every content string is escaped. The fragments live in one module
per kind of content (``checklist``, ``screening``, ``rights``, ``referrals``, ``scenarios``),
with what they share in ``common`` and the agency's part in ``agency``; this module gathers
their public names so that ``from protocols.render.html import …`` keeps working.
"""

from __future__ import annotations

from protocols.render.agency import agency_contacts_html, agency_logo_html, agency_logo_name, not_used_html
from protocols.render.checklist import pocket_card_html, protocol_html
from protocols.render.common import NO_LINKS, Links, citation_html, date, esc, paragraphs
from protocols.render.referrals import follow_up_html, needs_catalogue_html, resource_directory_html
from protocols.render.rights import confidentiality_html, rights_notice_html
from protocols.render.scenarios import job_aid_links_html, job_aid_list_html, scenario_html
from protocols.render.screening import instrument_html

__all__ = [
    "NO_LINKS", "Links", "agency_contacts_html", "agency_logo_html", "agency_logo_name", "citation_html",
    "confidentiality_html", "date", "esc", "follow_up_html", "instrument_html", "job_aid_links_html",
    "job_aid_list_html", "needs_catalogue_html", "not_used_html", "paragraphs", "pocket_card_html",
    "protocol_html", "resource_directory_html", "rights_notice_html", "scenario_html",
]
