"""Values from the browser are checked by the engine; nothing a user typed becomes HTML.

A job aid's front end sends plain JSON to ``ChecklistSession.handle``; an attacker
can send anything JSON can hold. Every message gets a reply dict (never an
exception), bad values are rejected without changing the saved run, and text that
is accepted (free text is stored as typed) is escaped wherever it is shown again:
status lines, the aid header, exports and printable pages.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile import BIG, PROTOCOL, REJECTED, REPLY_TYPES, SCRIPT, XSS, answer_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exported import signed_export
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.frame import StatusLine, header
from protocols.ui.markup import bullet_list, facts


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'r.sqlite3'}")
    yield store
    store.engine.dispose()


def _session(store: Store, case: str) -> ChecklistSession:
    protocol = default_library().protocol(PROTOCOL)
    session, _note = ChecklistSession.start_or_resume(protocol, store, PROTOCOL, case)
    return session


@pytest.mark.parametrize(("name", "message"), REJECTED, ids=[n for n, _ in REJECTED])
def test_hostile_messages_are_rejected_and_change_nothing(store: Store, name: str, message: dict[str, Any]) -> None:
    session = _session(store, "HOSTILE-1")
    before = (session.run.state.model_dump_json(), session.revision)
    reply = session.handle(message)
    assert isinstance(reply, dict) and reply["type"] in ("rejected", "refused"), (name, reply)
    assert (session.run.state.model_dump_json(), session.revision) == before
    text = reply.get("message", "")
    assert isinstance(text, str) and 0 < len(text) < 400, (name, len(text))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
    quoted = "“<img src=x onerror=\"alert(1)\">”"  # a short value, named as text in quotes
    assert BIG[:1000] not in text and "alert(1)" not in text.replace(quoted, "")
    json.dumps({k: v for k, v in reply.items() if k != "item"})


def test_a_rejected_reply_does_not_echo_a_huge_item(store: Store) -> None:
    reply = _session(store, "HOSTILE-2").handle(answer_message(BIG, "yes"))
    assert len(json.dumps(reply)) < 10_000


def test_markup_is_accepted_as_text_and_escaped_everywhere_it_is_shown(store: Store, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    session = _session(store, "HOSTILE-3")
    assert session.handle(answer_message("lesson-learned", f"{XSS} {SCRIPT} & done"))["type"] == "saved"
    assert session.handle(answer_message("outcome", na=True, reason=XSS))["type"] == "saved"
    stored = session.run.state.model_dump_json()
    assert "onerror" in stored, "free text is stored as typed; escaping is the renderer's job"

    record = store.get(session.run_id)
    assert record is not None
    for notes in (True, False):
        document, page = signed_export(record, store, keys, include_notes=notes)
        assert "<img" not in page and "<script>alert" not in page, "typed markup in the printable page"
        assert page.count("<script") == 1  # only the embedded record, as JSON
        embedded = re.search(r'<script type="application/json" id="handbook-export">(.*?)</script>', page, re.S)
        assert embedded and "<" not in embedded.group(1)
        if notes:
            assert html.escape(XSS) in page
        assert document["payload"]["case_number"] == "HOSTILE-3"
        assert json.loads(embedded.group(1)) == document


def test_status_line_header_and_fact_lists_escape_text() -> None:
    status = StatusLine()
    status.show(f"Case {XSS}: {SCRIPT}", bad=True)
    assert "<img" not in status.text.value and "<script>" not in status.text.value
    assert html.escape(XSS) in status.text.value
    top = header(XSS, chapter='x"><script>alert(1)</script>', chapter_title=SCRIPT)
    assert "<img" not in top.value and "<script>" not in top.value
    for markup in (facts([(XSS, SCRIPT)]), bullet_list([XSS, SCRIPT]), bullet_list([XSS], ordered=True)):
        assert "<img" not in markup and "<script>" not in markup


# --- fuzzing ------------------------------------------------------------------------------------

ITEMS = [item.id for item in default_library().protocol(PROTOCOL).items()]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                      st.text(max_size=80))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
item_ids = st.one_of(st.sampled_from(ITEMS), json_value)
answers = st.one_of(
    st.fixed_dictionaries({"value": json_value}),
    st.fixed_dictionaries({"na": st.one_of(st.booleans(), json_value), "reason": json_value}),
    st.dictionaries(st.sampled_from(["value", "na", "reason", "at"]), json_value, max_size=3),
    json_value,
)
messages = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["answer", "clear", "hold", "resume", "complete"]),
                           "item": item_ids, "answer": answers}),
    st.fixed_dictionaries({"type": st.sampled_from(["answer", "clear", "hold"]), "item": item_ids},
                          optional={"answer": answers}),
    st.dictionaries(st.sampled_from(["type", "item", "answer", "value", "na"]), json_value, max_size=4),
    st.dictionaries(st.text(max_size=10), json_value, max_size=5),
)


@pytest.fixture(scope="module")
def fuzz_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChecklistSession]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'r.sqlite3'}")
    yield _session(store, "FUZZ-1")
    store.engine.dispose()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(batch=st.lists(messages, min_size=1, max_size=3))
def test_any_message_gets_a_reply_never_an_exception(fuzz_session: ChecklistSession,
                                                     batch: list[dict[str, Any]]) -> None:
    for message in batch:
        reply = fuzz_session.handle(message)
        assert isinstance(reply, dict)
        assert reply.get("type") in REPLY_TYPES, reply
        json.dumps(reply)  # it goes back over the websocket
        if reply["type"] in ("rejected", "refused"):
            assert isinstance(reply.get("message"), str) and len(reply["message"]) < 2000


def test_the_fuzzed_run_is_still_a_valid_saved_record(fuzz_session: ChecklistSession, tmp_path: Path) -> None:
    record = fuzz_session.store.get(fuzz_session.run_id)
    assert record is not None and record.revision == fuzz_session.revision
    document, page = signed_export(record, fuzz_session.store, tmp_path / "keys", include_notes=True)
    assert document["payload"]["runs"][0]["run_id"] == record.id and "<html" in page


def test_cases_of_this_module() -> None:
    assert len(REJECTED) >= 40


# --- the follow-up tracker: its cards, its figures, the CLI tables -----------------------------

HOSTILE_CASES = [SCRIPT, XSS, 'W-1"><b>x</b>', "W-1' onmouseover='alert(1)", "W-1\x1b[2J\x1b]0;owned\x07",
                 "W-1\nforged row", "W-1\r\x00\x08", "W-1 & co", "W-1\u202eevil"]
"""Case numbers a browser might send, and (below) that a tampered database might hold."""


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_a_follow_up_plan_refuses_a_hostile_case_number(case: str) -> None:
    import datetime as dt

    from protocols.engine import FollowUpPlan
    from protocols.engine.errors import AnswerError

    with pytest.raises(AnswerError, match="Use only letters, digits"):
        FollowUpPlan.create(default_library().template("standard-follow-up"), case, dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    """Overdue plans whose case numbers went around the engine, straight into the database."""
    import datetime as dt

    from protocols.engine import FollowUpPlan

    url = f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'r.sqlite3'}"
    store = Store.open(url)
    plan = FollowUpPlan.create(default_library().template("standard-follow-up"), "W-1",
                               dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    for case in HOSTILE_CASES:
        store.create("follow-up", plan.state.content_id, plan.state.content_version, case, "in-progress",
                     plan.state.model_dump_json())
    yield store, url
    store.engine.dispose()


def _tags(markup: str) -> set[str]:
    from html.parser import HTMLParser

    found: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.add(tag)
            assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)

    Tags().feed(markup)
    return found


def test_the_tracker_shows_planted_case_numbers_as_text(planted: tuple[Store, str]) -> None:
    from protocols.ui.tracker_aid import Tracker

    store, _url = planted
    tracker = Tracker(default_library(), store)
    tracker.refresh()
    cards = [c for c in tracker.due_box.children if "case" in c.children[0].value]
    assert len(cards) >= len(HOSTILE_CASES), "not every planted plan is on the list"
    shown = "".join(c.children[0].value for c in cards)
    assert _tags(shown) <= {"p", "strong"}, _tags(shown)
    for case in HOSTILE_CASES:
        assert html.escape(case) in shown, case
    for card in cards:  # the buttons' tooltips are plain text (ipywidgets sets them as text)
        assert all(b.tooltip.startswith("Record: ") for b in card.children[1].children)
    assert _tags(tracker.figures.value) <= {"style", "div", "table", "caption", "thead", "tbody", "tr", "th",
                                             "td", "figure", "figcaption", "svg", "title", "desc", "g", "rect",
                                             "text", "line", "span", "p", "ul", "li", "h3", "dl", "dt", "dd"}


def test_the_cli_tables_print_planted_case_numbers_without_control_characters(planted: tuple[Store, str]) -> None:
    """A terminal obeys escape sequences (clear the screen, retitle the window); a line break would
    forge a row. ``color=True`` keeps the output as a terminal would get it (Click strips escape
    sequences only when the output is not a terminal)."""
    from typer.testing import CliRunner

    from protocols.cli.app import app

    _store, url = planted
    for command in (["followups", "--database", url], ["runs", "--aid", "follow-up", "--database", url]):
        result = CliRunner().invoke(app, command, color=True)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        if command[0] == "runs":  # a heading row, then one row per run with the aid in its own column
            assert lines.pop(0).split()[:4] == ["Run", "id", "Job", "aid"], lines
        assert len(lines) == (len(HOSTILE_CASES) * 2 if command[0] == "followups" else len(HOSTILE_CASES)), lines
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", result.output), repr(result.output)
        marker = "case " if command[0] == "followups" else "  follow-up  "
        assert all(line.count(marker) == 1 for line in lines), lines
        assert SCRIPT in result.output  # markup is harmless in a terminal: shown as typed
