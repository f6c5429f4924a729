"""The live checklist's Python side when answers come late, from another tab, or after a reopen.

An answer the page could not get saved (no reply: the connection or the kernel was lost) is sent
again with how long ago it was given; it is recorded at that time, unless the item changed since.
A tab coming back into view, or a save refused for a conflict, reloads what another tab saved.
Messages reach the officer in plain words: sentences, item names instead of ids, no code marks.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from aid_helpers import Clock

from protocols.library.loader import Library
from protocols.records import Store
from protocols.ui.checklist import ChecklistWidget
from protocols.ui.checklist_session import ChecklistSession
from protocols.ui.frame import CaseForm, StatusLine
from protocols.ui.plain import joined_static, plain_message
from required import unavailable

AID = "scene-response"


def tab(library: Library, store: Store, clock: Clock, case: str = "26-SAVE-1") -> ChecklistSession:
    session, _note = ChecklistSession.start_or_resume(library.protocol(AID), store, AID, case, clock)
    return session


def answer(item: str, value: str) -> dict[str, Any]:
    """An answer as the page sends it when it is given."""
    return {"type": "answer", "item": item, "answer": {"value": value}}


def resent(item: str, value: str, given: dt.datetime, sent: dt.datetime) -> dict[str, Any]:
    """An answer as the page sends it again: its own clock's times, given and sent."""
    return {"type": "answer", "item": item, "answer": {"value": value},
            "given_at": given.isoformat(), "sent_at": sent.isoformat()}


def saved_answer(store: Store, session: ChecklistSession, item: str) -> tuple[Any, dt.datetime] | None:
    record = store.get(session.run_id)
    assert record is not None
    again = ChecklistSession.start_or_resume(session.run.protocol, store, AID, session.run.state.case_number)[0]
    answer = again.run.answer_for(item)
    assert record.revision == again.revision
    return None if answer is None else (answer.value, answer.answered_at)


def test_an_answer_sent_again_is_recorded_at_the_time_it_was_given(library: Library, store: Store,
                                                                      clock: Clock) -> None:
    session = tab(library, store, clock)
    clock.advance(minutes=10)
    # The browser's clock is an hour fast: only the gap between giving and sending counts.
    browser_now = clock.now + dt.timedelta(hours=1)
    reply = session.handle(resent("weapons-status", "secured", browser_now - dt.timedelta(minutes=4), browser_now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", clock.now - dt.timedelta(minutes=4))


def test_an_answer_given_as_it_is_sent_takes_the_time_now(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    clock.advance(minutes=3)
    browser_now = clock.now - dt.timedelta(minutes=7)  # a slow clock changes nothing either
    assert session.handle(resent("weapons-status", "secured", browser_now, browser_now))["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", clock.now)


def test_a_late_answer_never_goes_before_the_run_started(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    started = session.run.state.started_at
    clock.advance(minutes=1)
    reply = session.handle(resent("weapons-status", "secured", clock.now - dt.timedelta(hours=3), clock.now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", started)


def test_an_old_answer_does_not_undo_a_newer_one(library: Library, store: Store, clock: Clock) -> None:
    first = tab(library, store, clock)
    given = clock.advance(minutes=1)
    clock.advance(minutes=5)
    other = tab(library, store, clock)
    assert other.handle(answer("weapons-status", "secured"))["type"] == "saved"
    clock.advance(minutes=5)
    reopened = tab(library, store, clock)
    reply = reopened.handle(resent("weapons-status", "none-reported", given, clock.now))
    assert reply["type"] == "stale" and reply["item"] == "weapons-status"
    assert reply["message"].startswith("Not sent again: this item was changed after you gave that answer")
    assert saved_answer(store, first, "weapons-status") == ("secured", given + dt.timedelta(minutes=5))


def test_the_same_answer_sent_twice_is_saved_not_refused(library: Library, store: Store, clock: Clock) -> None:
    """The kernel saved it but its reply was lost with the connection: sending it again is harmless."""
    session = tab(library, store, clock)
    given = clock.advance(minutes=1)
    assert session.handle(answer("weapons-status", "secured"))["type"] == "saved"
    clock.advance(seconds=30)
    reopened = tab(library, store, clock)
    reply = reopened.handle(resent("weapons-status", "secured", given - dt.timedelta(seconds=1), clock.now))
    assert reply["type"] == "saved"
    assert saved_answer(store, session, "weapons-status") == ("secured", given)


def test_times_that_make_no_sense_are_refused_in_plain_words(library: Library, store: Store,
                                                            clock: Clock) -> None:
    session = tab(library, store, clock)
    now = clock.now
    bad = [
        {"type": "answer", "item": "weapons-status", "answer": {"value": "secured"}, "given_at": "yesterday",
         "sent_at": now.isoformat()},
        resent("weapons-status", "secured", now + dt.timedelta(minutes=5), now),  # given after it was sent
        resent("weapons-status", "secured", now - dt.timedelta(days=30), now),
        {"type": "answer", "item": "weapons-status", "answer": {"value": "secured"},
         "given_at": now.replace(tzinfo=None).isoformat(), "sent_at": now.isoformat()},
    ]
    for message in bad:
        reply = session.handle(message)
        assert reply["type"] == "rejected", message
        assert reply["message"][0].isupper() and "`" not in reply["message"], reply["message"]
    assert session.revision == 1


def test_a_conflict_reloads_the_other_tabs_answers_and_says_so_plainly(library: Library, store: Store,
                                                                      clock: Clock) -> None:
    one, two = tab(library, store, clock), tab(library, store, clock)
    assert one.handle(answer("suspect-status", "in-custody"))["type"] == "saved"
    reply = two.handle(answer("suspect-status", "left-scene"))
    assert reply["type"] == "rejected" and reply["conflict"] is True
    assert reply["answers"]["suspect-status"]["value"] == "in-custody", "tab two now shows what tab one saved"
    assert reply["message"].startswith("Not saved: this checklist was changed in another tab")
    assert "run" not in reply["message"] and "`" not in reply["message"]


def test_a_tab_coming_back_into_view_reloads_what_another_tab_saved(library: Library, store: Store,
                                                                    clock: Clock) -> None:
    one, two = tab(library, store, clock), tab(library, store, clock)
    assert two.handle({"type": "check"}) == {"type": "checked", "item": None}
    assert one.handle(answer("suspect-status", "in-custody"))["type"] == "saved"
    reply = two.handle({"type": "check"})
    assert reply["type"] == "refreshed"
    assert reply["answers"]["suspect-status"]["value"] == "in-custody"
    assert reply["message"].startswith("This checklist was changed in another tab or by another officer.")
    assert two.handle(answer("weapons-status", "secured"))["type"] == "saved"


def test_a_refusal_names_items_by_their_prompts(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    reply = session.handle({"type": "complete"})
    assert reply["type"] == "refused"
    assert "(danger-screen-result)" not in reply["message"] and "(suspect-status)" not in reply["message"]
    prompt = library.protocol(AID).pause_points[0].items[0].prompt
    assert f"“{prompt[:30]}" in reply["message"]
    assert session.handle({"type": "bogus"})["message"] == "That action was not understood."


def test_plain_message() -> None:
    names = {"danger-screen-result": "Danger screen result"}
    assert plain_message("this checklist is on hold at item `danger-screen-result` since 21:04", names) == \
        "This checklist is on hold at item “Danger screen result” since 21:04."
    assert plain_message("1 critical item is unanswered: “Danger screen result” (danger-screen-result). "
                         "Answer it.", names) == "1 critical item is unanswered: “Danger screen result”. Answer it."
    assert plain_message("this record was changed; run `handbook validate`") == \
        "This record was changed; run handbook validate."
    assert plain_message("see (not-an-item)") == "See (not-an-item)."


def test_the_page_learns_which_message_a_reply_answers(library: Library, store: Store, clock: Clock) -> None:
    session = tab(library, store, clock)
    widget = ChecklistWidget.for_protocol(AID, library=library, handler=session.handle)
    sent: list[dict[str, Any]] = []
    widget.send = lambda reply: sent.append(reply)
    message = answer("weapons-status", "secured")
    widget._on_front_end_message(widget, {**message, "seq": 7}, [])
    widget._on_front_end_message(widget, {**message, "seq": True}, [])
    assert sent[0]["seq"] == 7 and sent[0]["type"] == "saved"
    assert "seq" not in sent[1], "only a message number is echoed"
    assert widget.answers["weapons-status"]["value"] == "secured"


def test_the_status_line_writes_sentences_and_marks_a_refusal_with_an_icon() -> None:
    status = StatusLine()
    status.show("the case number is empty; type it `again`", bad=True)
    assert ">⚠ </span>The case number is empty; type it again.</p>" in status.text.value
    assert 'role="alert"' in status.text.value
    before = status.link.shown
    status.show("Saved.")
    assert "⚠" not in status.text.value and status.link.shown == before + 1


def test_reopening_the_case_after_a_reload_starts_it_again() -> None:
    """The browser hands back the case this tab had open; the form starts it as if typed."""
    status = StatusLine()
    started: list[str] = []
    form = CaseForm(started.append, status)
    status.link.reopen = "26-REOPEN-1"
    assert started == ["26-REOPEN-1"]
    assert form.text.value == "26-REOPEN-1"
    assert status.link.case_number == "26-REOPEN-1", "the case is remembered for the next reopen"
    status.link.reopen = "26-OTHER"
    assert started == ["26-REOPEN-1"], "a started form does not start another case"
    assert isinstance(status.widget, widgets.VBox) and status.link in status.widget.children


# --- the page's side: kernel_link.js and checklist_live.js, run by Node ---------------------------

FAKE_PAGE_JS = r"""
// A fake job-aid page for kernel_link.js and checklist_live.js: timers on a virtual clock, a
// kernel connection, browser storage, the idle lock's class and event, and a server whose
// answer to "does the kernel still exist?" the scenario sets (`server.status`, 0: no answer).
const flush = () => new Promise((resolve) => setImmediate(resolve));
let now = 1_000_000;
Date.now = () => now;
const timers = new Map();
let nextTimer = 1;
function setTimeout(fn, ms) { timers.set(nextTimer, { at: now + ms, fn }); return nextTimer++; }
function setInterval(fn, ms) { timers.set(nextTimer, { at: now + ms, fn, every: ms }); return nextTimer++; }
function clearTimeout(id) { timers.delete(id); }
const clearInterval = clearTimeout;
async function advance(ms) {
  const end = now + ms;
  for (;;) {
    await flush();
    const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
    if (!due) break;
    const [id, timer] = due;
    now = timer.at;
    if (timer.every) timer.at += timer.every; else timers.delete(id);
    timer.fn();
  }
  now = end;
  await flush();
}
function memoryStorage() {
  const data = new Map();
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)),
           removeItem: (k) => data.delete(k), get length() { return data.size; } };
}
const window = { localStorage: memoryStorage(), sessionStorage: memoryStorage(),
                 location: { pathname: "/voila/render/scene-response.ipynb", reload() {} } };
const listeners = {};
const document = {
  visibilityState: "visible",
  locked: false,
  querySelector(selector) { return selector === ".hb-idle-locked" && this.locked ? {} : null; },
  addEventListener(name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
  removeEventListener(name, fn) { listeners[name] = (listeners[name] || []).filter((f) => f !== fn); },
};
function idleLock(locked) {  // what idle_lock.js does: the class, then the event
  document.locked = locked;
  for (const fn of listeners["handbook:idle-lock"] || []) fn({ detail: { locked } });
}
const server = { status: 200, asked: 0 };
async function fetch() {
  server.asked += 1;
  if (server.status === 0) throw new TypeError("Failed to fetch");
  return { status: server.status, ok: server.status >= 200 && server.status < 300 };
}
function signal() {
  const slots = [];
  return { connect: (fn) => slots.push(fn), disconnect: (fn) => slots.splice(slots.indexOf(fn), 1),
           emit: (value) => slots.slice().forEach((fn) => fn(null, value)) };
}
const kernel = { id: "k-1", connectionStatus: "connected", serverSettings: { baseUrl: "/" }, reconnects: 0,
                 connectionStatusChanged: signal(), statusChanged: signal(),
                 reconnect() { this.reconnects += 1; return Promise.resolve(); } };
function connection(status) { kernel.connectionStatus = status; kernel.connectionStatusChanged.emit(status); }
const sent = [];
const model = { widget_manager: { kernel }, send: (m) => sent.push(JSON.parse(JSON.stringify(m))),
                on() {}, off() {} };
const reply = (message, extra) => ({ seq: message.seq, item: message.item || null, ...extra });
const kinds = (messages) => messages.map((m) => `${m.type}${m.item ? ":" + m.item : ""}`);
"""


def run_page(tmp_path: Path, scenario: str) -> dict[str, Any]:
    """Run ``scenario`` (the body of an async function returning JSON) in Node, after the fake
    page and the checklist's own front-end files joined as the job aid joins them."""
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed", "install Debian's nodejs package (`apt-get install nodejs`)")
    script = tmp_path / "page.js"
    script.write_text("\n".join([FAKE_PAGE_JS, joined_static("kernel_link.js", "checklist_live.js"),
                                 f"(async () => {{ {scenario} }})().then((r) => console.log(JSON.stringify(r)));"]),
                      encoding="utf-8")
    done = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


LIVE = "const live = liveAnswers(model, 'handbook-unsaved:t', { onChange() {}, at: () => '10:00' });"


def test_a_sign_in_refusal_is_not_a_gone_kernel(tmp_path: Path) -> None:
    """403/401 while asking about the kernel means 'sign in again' (an idle lock cleared the
    cookie); only 404 means the kernel is gone and the case must be reopened."""
    seen = run_page(tmp_path, """
        const states = [];
        const link = kernelLink(model, (state) => states.push(state));
        server.status = 403;
        link.check(); await advance(0);
        const whileConnected = link.state;
        connection("disconnected"); await advance(3000);
        const whileLost403 = link.state;
        connection("connecting"); connection("disconnected"); await advance(3000);
        const afterItsOwnTries = link.state;
        server.status = 200; await advance(3000);
        const signedInAgain = [link.state, kernel.reconnects];
        connection("connected");
        server.status = 401; connection("disconnected"); await advance(3000);
        const whileLost401 = link.state;
        server.status = 404; await advance(3000);
        return { whileConnected, whileLost403, afterItsOwnTries, signedInAgain, whileLost401,
                 gone: link.state, states };
    """)
    assert seen["whileConnected"] == "connected", "a working link is not declared gone on a 403"
    assert seen["whileLost403"] == "signin" and seen["afterItsOwnTries"] == "signin"
    assert seen["signedInAgain"][0] in ("lost", "connected") and seen["signedInAgain"][1] >= 1
    assert seen["whileLost401"] == "signin"
    assert seen["gone"] == "gone"
    assert "gone" not in seen["states"][:-1], seen["states"]


def test_an_answer_dropped_before_a_later_reply_is_sent_again_at_once(tmp_path: Path) -> None:
    """Python answers in order: a reply to a later message means the earlier one was dropped
    (the server had locked the page), so its answer goes again without waiting for anything."""
    seen = run_page(tmp_path, LIVE + """
        live.give("weapons-status", { value: "secured" });      // dropped by the server
        await advance(5000);
        const unsaved = live.entry("weapons-status").state;
        live.give("suspect-status", { value: "in-custody" });
        live.settle(reply(sent[1], { type: "saved" }));
        const resent = kinds(sent.slice(2));
        if (sent[2]) live.settle(reply(sent[2], { type: "saved" }));
        await advance(60000);
        return { unsaved, resent, left: live.waitingCount(), after: kinds(sent.slice(3)),
                 stored: window.localStorage.getItem("handbook-unsaved:t") };
    """)
    assert seen["unsaved"] == "unsaved"
    assert seen["resent"] == ["answer:weapons-status"]
    assert seen["left"] == 0 and seen["stored"] is None and seen["after"] == []


def test_a_late_message_is_asked_about_before_its_answer_is_sent_again(tmp_path: Path) -> None:
    """A message unanswered on a working link may be dropped or only slow: the periodic resend
    asks first ("check", answered in order) instead of leaving the answer unsent for ever."""
    dropped = run_page(tmp_path, LIVE + """
        live.give("weapons-status", { value: "secured" });
        await advance(10000);
        const asked = kinds(sent.slice(1));
        if (sent[1]) live.settle(reply(sent[1], { type: "checked" }));
        return { asked, resent: kinds(sent.slice(2)) };
    """)
    assert dropped["asked"] == ["check"], "the page asked before sending the answer again"
    assert dropped["resent"] == ["answer:weapons-status"], "the dropped answer was never sent again"

    slow = run_page(tmp_path, LIVE + """
        live.give("weapons-status", { value: "secured" });
        await advance(10000);
        live.settle(reply(sent[0], { type: "saved" }));   // the slow save answers at last
        if (sent[1]) live.settle(reply(sent[1], { type: "checked" }));
        await advance(30000);
        return { sent: kinds(sent), left: live.waitingCount() };
    """)
    assert slow["sent"] == ["answer:weapons-status", "check"], "a slow save is not queued twice"
    assert slow["left"] == 0


def test_a_locked_page_sends_nothing_and_sends_what_waits_once_unlocked(tmp_path: Path) -> None:
    seen = run_page(tmp_path, LIVE + """
        live.give("weapons-status", { value: "secured" });
        await advance(5000);                                // no reply: unsaved
        idleLock(true);
        if (live.checkBack) live.checkBack();              // the officer comes back to the tab
        connection("disconnected"); connection("connected");  // and the connection blinks
        live.retryAll();
        await advance(60000);
        const whileLocked = kinds(sent.slice(1));
        idleLock(false);
        await advance(0);
        const afterUnlock = kinds(sent.slice(1));
        live.settle(reply(sent[sent.length - 1], { type: "saved" }));
        await advance(3000);
        if (live.checkBack) live.checkBack();
        return { whileLocked, afterUnlock, last: kinds(sent.slice(-1)), left: live.waitingCount() };
    """)
    assert seen["whileLocked"] == [], "the server drops what a locked page sends"
    assert seen["afterUnlock"] == ["answer:weapons-status"], "the unlock sends what waits at once"
    assert seen["left"] == 0
    assert seen["last"] == ["check"], "back in view and unlocked, the page checks again"
