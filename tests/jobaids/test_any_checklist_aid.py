"""The checklist job aid for any checklist, and the job-aid index that links each such checklist to it.

A checklist with no job aid of its own (shipped, or added by an agency's overlay) is listed on
the index under "More checklists", linked to ``checklist.ipynb?protocol=<id>``. That aid opens
the checklist named in the page's query and saves each answer under the checklist's id. No id,
an unknown id, or one that has its own job aid gets a plain message and the list to choose from.
"""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as widgets
from aid_helpers import Clock, find, page_text, start_case, status_text

from protocols.library.loader import Library, load_library
from protocols.records import Store
from protocols.render.labels import JOB_AIDS, aid_running_checklist
from protocols.trainer.authoring import write_new
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_aid import ChecklistQuery, any_checklist_aid
from protocols.ui.index_aid import available_aids, index_html, job_aid_index, without_own_aid

ROOT = Path(__file__).resolve().parents[2]
WIDGETS = ROOT / "widgets"
SAMPLE = ROOT / "agencies" / "sample-county" / "agency.yaml"
NO_OWN_AID = sorted([
    "active-listening", "de-escalation", "death-notification", "follow-up-check-in", "referral-handoff",
    "rights-notification", "supervisor-review", "trauma-informed-interview",
    # The crime-type and victim modules: each runs in the checklist aid.
    "domestic-violence-response", "sexual-assault-response", "child-victim-response",
    "elder-dependent-adult-response", "homicide-survivor-support", "human-trafficking-response",
    "hate-crime-response", "stalking-response", "disability-access-response",
    "language-access-response", "teen-victim-response",
])
"""The shipped checklists whose items no job aid of its own records (the rights, follow-up and
tracker aids do the work those checklists cover, but do not record their items)."""


def opened(aid: widgets.Widget, query: dict[str, str]) -> widgets.Widget:
    """The aid after the page's query reached it (as the browser sends it: the query, then read)."""
    (page_query,) = find(aid, ChecklistQuery)
    page_query.params = query
    page_query.read = True
    return aid


def test_the_index_links_every_checklist_without_its_own_aid_to_the_checklist_aid(library: Library) -> None:
    checklists = without_own_aid(library)
    assert sorted(p.id for p in checklists) == NO_OWN_AID
    html = index_html(JOB_AIDS.values(), available_aids(WIDGETS), checklists)
    for protocol_id in NO_OWN_AID:
        assert f'href="/voila/render/checklist.ipynb?protocol={protocol_id}"' in html
    for protocol_id in library.protocols:
        if protocol_id not in NO_OWN_AID:
            assert f"protocol={protocol_id}\"" not in html, f"{protocol_id} has its own job aid"
    assert html.count('<li id="aid-') == len(JOB_AIDS)  # the job aids are listed as before
    assert html.count('<li id="checklist-') == len(NO_OWN_AID)
    assert "More checklists" in html
    aids = html[html.index('<ul class="hb-aid-list">'):]
    assert "checklist.ipynb" not in aids[:aids.index("</ul>")], "the list of job aids holds job aids only"


def test_a_checklist_named_like_a_job_aid_is_not_taken_for_it() -> None:
    """An agency checklist called `tracker` is its own checklist, not the supervisor tracker."""
    from protocols.render.labels import job_aid_for_protocol, job_aid_links_for_protocol

    assert job_aid_for_protocol("tracker") is None and aid_running_checklist("tracker") is None
    (only,) = job_aid_links_for_protocol("tracker")
    assert only[0].name == "checklist" and only[1] == "protocol=tracker"


def test_without_the_checklist_notebook_the_index_lists_no_checklists(library: Library) -> None:
    html = index_html(JOB_AIDS.values(), {"scene-response"}, without_own_aid(library))
    assert "checklist.ipynb" not in html and "More checklists" not in html


def test_the_index_lists_a_checklist_an_agency_added(tmp_path: Path) -> None:
    profile = tmp_path / "agency.yaml"
    profile.write_text(SAMPLE.read_text(encoding="utf-8") + "\noverlay: overlay\n", encoding="utf-8")
    write_new("protocol", "night-visit", agency=profile)
    agency = load_library(agency=profile)
    assert aid_running_checklist("night-visit") is None
    page = job_aid_index(WIDGETS, agency)
    assert 'href="/voila/render/checklist.ipynb?protocol=night-visit"' in page_text(page)
    assert repr(page).startswith("Job aid: list of job aids (")


def test_the_notebook_text_lists_the_checklists_it_opens(library: Library, store: Store) -> None:
    aid = any_checklist_aid(library, store)
    assert "hb-aid" in aid._dom_classes
    lines = repr(aid).splitlines()
    assert lines[0] == "Job aid: Checklist"
    assert sorted(line.split(",")[0].removeprefix("- protocol ") for line in lines[1:]) == NO_OWN_AID


def test_it_opens_the_named_checklist_and_saves_under_its_id(library: Library, store: Store,
                                                             clock: Clock) -> None:
    aid = opened(any_checklist_aid(library, store, clock), {"protocol": "de-escalation"})
    assert 'href="/book/techniques/de-escalation.html">Read the chapter' in page_text(aid)
    start_case(aid, "26-ANY-1")
    assert "Case 26-ANY-1" in status_text(aid)
    (checklist,) = find(aid, ChecklistWidget)
    first = library.protocol("de-escalation").pause_points[0].items[0]
    assert first.value.choices, "the test answers the first item with its first choice"
    choice = first.value.choices[0].id
    reply = checklist._handler({"type": "answer", "item": first.id, "answer": {"value": choice}})
    assert reply["type"] == "saved", reply
    (run,) = store.find("de-escalation", "26-ANY-1")
    saved = {answer["item_id"]: answer["value"] for answer in json.loads(run.state)["answers"]}
    assert saved[first.id] == choice


def test_an_unknown_id_is_named_and_the_known_ones_are_listed(library: Library, store: Store) -> None:
    aid = opened(any_checklist_aid(library, store), {"protocol": "no-such<check>"})
    text = page_text(aid)
    assert "There is no checklist called “no-such&lt;check&gt;” here" in text
    assert 'role="alert"' in text and "Traceback" not in text
    for protocol_id in NO_OWN_AID:
        assert f"checklist.ipynb?protocol={protocol_id}" in text
    assert not find(aid, ChecklistWidget) and not find(aid, widgets.Text)


def test_no_id_asks_to_choose(library: Library, store: Store) -> None:
    aid = opened(any_checklist_aid(library, store), {})
    text = page_text(aid)
    assert "No checklist was named in the link. Choose one below." in text
    assert "checklist.ipynb?protocol=death-notification" in text


def test_a_checklist_with_its_own_aid_points_to_that_aid(library: Library, store: Store) -> None:
    aid = opened(any_checklist_aid(library, store), {"protocol": "screen-in-response"})
    text = page_text(aid)
    assert "has its own job aid" in text
    assert 'href="/voila/render/screening.ipynb"' in text
    assert not find(aid, ChecklistWidget)
