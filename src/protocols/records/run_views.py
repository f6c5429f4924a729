"""Any saved run, of any job aid, as the sections of an export: titled tables of rows.

A row is ``{"id", "label", "value", "at"}`` (``at`` an ISO time or ``None``), with
``"critical": true`` or ``"skipped": true`` where they apply. Each kind of run has a builder
that reads the run with its content (question texts, prompts, outcomes); a run whose content
this handbook no longer has, or no longer fits, is shown as it was saved, field by field.

Free text a user typed (text answers, notes) is redacted unless notes are asked for; a
follow-up plan's code word is never shown. Reasons (why an item was skipped, why a case
was screened in on belief, why a plan closed early) are part of the record and shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from protocols.engine import (
    ChecklistRun,
    ChecklistState,
    ConfidentialityAdvisor,
    FollowUpPlan,
    ReferralRun,
    ScenarioPlayer,
    ScreeningRun,
    load_state,
)
from protocols.engine.base import RunState, restore_older
from protocols.engine.errors import EngineError
from protocols.engine.followup import RESULT_LABELS, FollowUpState
from protocols.engine.languages import language_name
from protocols.engine.rights import METHOD_LABELS, REVIEW_LABELS, NoticeGiven, RightsDeliveryState, delivery_text
from protocols.library.loader import Library, UnknownContent
from protocols.models import ScreeningAnswer, ValueType
from protocols.records.store import RunRecord

REDACTED = "[redacted: free text; export with --include-notes to show]"
HIDDEN = "[not exported: the victim's code word]"
ANSWER_WORDS = {ScreeningAnswer.YES: "Yes", ScreeningAnswer.NO: "No",
                ScreeningAnswer.NOT_ANSWERED: "Not answered"}
FREE_TEXT_KEYS = frozenset({"notes", "note", "value"})
"""In a run shown as saved: fields that may hold typed text (redacted unless notes are asked for)."""
SECRET_KEYS = frozenset({"code_word"})
"""In a run shown as saved: fields never exported."""


def iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def row(row_id: str, label: str, value: str, at: dt.datetime | None = None, **flags: bool) -> dict[str, Any]:
    return {"id": row_id, "label": label, "value": value, "at": iso(at), **{k: v for k, v in flags.items() if v}}


def section(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "rows": rows}


@dataclass
class View:
    """What an export shows of one run, besides the record's own fields."""

    title: str
    content: dict[str, Any]
    summary: str
    completed_at: dt.datetime | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


def content_info(kind: str, content_id: str, title: str, saved_version: str,
                 current: Any | None) -> dict[str, Any]:
    """Which content a run was made with, and the version this handbook has now."""
    info: dict[str, Any] = {"kind": kind, "id": content_id, "title": title, "version": saved_version}
    if current is not None:
        info["current_version"] = current.version
        info["revised"] = current.revised.isoformat()
    return info


def older_note(made_under: str | None, current: str) -> str | None:
    if made_under is None:
        return None
    return (f"Made under version {made_under} of its content; shown with version {current}, which it "
            "still fits.")


# --------------------------------------------------------------------------- each kind


def aware(when: dt.datetime) -> dt.datetime:
    """A time read back from the store; SQLite gives it back without its zone, which is UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def checklist_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    """A checklist run per pause point; one made under an older version is read under the current
    one, and its answers to items that version no longer has are listed on their own."""
    protocol = library.protocol(state.content_id)
    older = state.content_version != protocol.version
    run = ChecklistRun.upgrade(protocol, record.state, aware(record.updated_at)) if older \
        else ChecklistRun.restore(protocol, record.state)
    summary = run.summary()
    text_items = {item.id for item in protocol.items() if item.value.type is ValueType.TEXT}
    sections = []
    for pp in summary.pause_points:
        rows = []
        for done in pp.done:
            shown = REDACTED if done.item_id in text_items and not notes else done.display
            if done.changes:
                shown += f" (changed {done.changes} time{'s' if done.changes != 1 else ''} before)"
            rows.append(row(done.item_id, done.prompt, shown, done.answered_at, critical=done.critical))
        for skipped in pp.skipped:
            rows.append(row(skipped.item_id, skipped.prompt, f"Skipped ({skipped.why}): {skipped.reason}",
                            skipped.at, critical=skipped.critical, skipped=True))
        sections.append(section(pp.title, rows))
    removed = [p.answer for p in run.state.history if p.change == "item-removed"]
    if removed:
        sections.append(section(f"Answers to items version {protocol.version} no longer has", [
            row(a.item_id, a.item_id, (f"Not applicable: {a.reason}" if a.value is None
                                       else str(a.value) if notes else REDACTED), a.answered_at)
            for a in removed]))
    events = state.events if isinstance(state, ChecklistState) else ()  # as saved: not the read's upgrade
    if events:
        sections.append(section("Run history", [
            row(e.item_id or e.event, e.event.capitalize(), e.note or (f"at item {e.item_id}" if e.item_id else ""),
                e.at) for e in events]))
    note = older_note(state.content_version if older else None, protocol.version)
    return View(protocol.title, content_info("protocol", protocol.id, protocol.title, state.content_version, protocol),
                summary.progress_text, summary.completed_at, sections, note)


def screening_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    instrument = library.instrument(state.content_id)
    run, made_under = restore_older(lambda saved: ScreeningRun.restore(instrument, saved), record.state)
    saved = run.state
    result = run.evaluate()
    given = {a.question: a for a in saved.answers}
    questions = []
    for q in instrument.questions:
        answer = given.get(q.number)
        questions.append(row(q.id, f"{q.number}. {q.text}",
                             ANSWER_WORDS[answer.answer] if answer else "Not answered",
                             answer.answered_at if answer else None))
    finished = saved.finished_at is not None
    outcome = [row("outcome", "Result", result.headline if finished else f"{result.headline} so far (not finished)",
                   saved.finished_at)]
    outcome += [row(f"rule-{n}", c.description, f"{c.yes_count} yes (needs {c.at_least}): "
                    f"{'screens in' if c.fired else 'not met'}") for n, c in enumerate(result.rules, 1)]
    if saved.officer_belief is not None:
        outcome.append(row("officer-belief", "Screened in on officer belief: the reason",
                           saved.officer_belief.reason, saved.officer_belief.at))
    outcome += [row("withdrawn-belief", "Officer belief screen-in, later withdrawn: the reason", b.reason, b.at)
                for b in saved.withdrawn_beliefs]
    if result.follow_on_protocol:
        outcome.append(row("follow-on", "Protocol to follow next", result.follow_on_protocol))
    sections = [section("Questions", questions), section("Result", outcome)]
    if saved.history:
        sections.append(section("Answers changed before the screening was finished", [
            row(p.answer.question_id, f"Question {p.answer.question}: earlier answer",
                f"{ANSWER_WORDS[p.answer.answer]} (replaced at {iso(p.replaced_at)})", p.answer.answered_at)
            for p in saved.history]))
    sample = " (sample instrument, not for real cases)" if instrument.sample else ""
    return View(instrument.title, content_info("instrument", instrument.id, instrument.title,
                                               state.content_version, instrument),
                f"{outcome[0]['value']}{sample}", saved.finished_at, sections,
                older_note(made_under, instrument.version))


def confidentiality_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    guide = library.guide(state.content_id)
    advisor, made_under = restore_older(lambda saved: ConfidentialityAdvisor.restore(guide, saved), record.state)
    summary = advisor.summary()
    path = advisor.state.path
    steps = [row(view.question_id, view.question, view.answer.capitalize(), step.answered_at)
             for view, step in zip(summary.steps, path, strict=True)]
    decided: list[dict[str, Any]] = []
    if summary.outcome is not None:
        o = summary.outcome
        at = path[-1].answered_at if path else None
        decided = [row("decision", "Decision", o.decision_text, at), row("outcome", "Outcome", o.title),
                   row("rule", "Rule", o.rule), row("citation", "Citation", o.citation),
                   row("script", "What to say", o.script)]
        decided += [row(f"next-{n}", f"Next step {n}", text) for n, text in enumerate(o.next_steps, 1)]
        text = f"{o.decision_text} ({o.title})"
    else:
        question = advisor.current_question
        decided = [row("next-question", "Not finished: the next question", question.text if question else "")]
        text = "Not finished"
    completed = path[-1].answered_at if summary.finished and path else None
    return View(guide.title, content_info("confidentiality guide", guide.id, guide.title, state.content_version, guide),
                text, completed, [section("Questions and answers", steps), section("Outcome", decided)],
                older_note(made_under, guide.version))


def followup_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    template = library.followup.get(state.content_id)
    if template is None:  # the plan's own record holds everything but the title and criteria
        view = saved_followup_view(FollowUpState.model_validate(state.model_dump()), notes, state.content_id, None)
        view.content = content_info("follow-up template", state.content_id, state.content_id,
                                    state.content_version, None)
        view.note = f"This handbook no longer has the follow-up template {state.content_id}."
        return view
    plan, made_under = FollowUpPlan.carry_over(template, record.state)
    view = saved_followup_view(plan.state, notes, template.title, list(template.closure_criteria))
    view.content = content_info("follow-up template", template.id, template.title, state.content_version, template)
    view.note = older_note(made_under, template.version)
    return view


def saved_followup_view(state: FollowUpState, notes: bool, title: str, criteria: list[str] | None) -> View:
    """A follow-up plan from its saved state alone (the template gives only its title and criteria)."""
    check_ins = []
    for c in state.check_ins:
        check_ins.append(row(c.id, c.label, "Done" if c.done else "Not done", c.due_at))
        for a in c.attempts:
            said = RESULT_LABELS[a.result]
            if a.notes:
                said += f". Note: {a.notes if notes else REDACTED}"
            check_ins.append(row(c.id, f"{c.label}: attempt", said, a.at))
    closure: list[dict[str, Any]] = []
    if state.closure is not None:
        early = state.closure.reason is not None
        closure.append(row("closed", "Plan closed", "Closed early" if early else "Every closure criterion confirmed",
                           state.closure.at))
        if early:
            closure.append(row("reason", "Why it closed early", state.closure.reason or ""))
        for text in criteria if criteria is not None else list(state.closure.confirmed):
            closure.append(row("criterion", text, "Confirmed" if text in state.closure.confirmed else "Not confirmed"))
    contact = [row("contact", "Safe contact", state.contact.text())]
    finished = sum(1 for c in state.check_ins if c.done)
    summary = "Closed" if state.closure is not None else f"{finished} of {len(state.check_ins)} check-ins done"
    sections = [section("Safe contact", contact), section("Check-ins", check_ins)]
    if closure:
        sections.append(section("Closure", closure))
    return View(title, {}, summary, state.closure.at if state.closure else None, sections)


def referrals_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    catalogue = library.catalogue(state.content_id)
    directory = library.directory(getattr(state, "directory_id", ""))
    run, made_under = restore_older(lambda saved: ReferralRun.restore(catalogue, directory, saved), record.state)
    saved = run.state
    labels = {n.id: n.label for n in catalogue.needs}
    needs = [row(n.need_id, labels.get(n.need_id, n.need_id), "Selected", n.selected_at) for n in saved.needs]
    referrals = []
    for r in saved.referrals:
        facts = [f"phone {r.phone}" if r.phone else "no phone listed", f"hours: {r.hours}"]
        if r.warm_handoff:
            facts.append("warm handoff offered")
        facts.append("for " + ", ".join(labels.get(n, n) for n in r.need_ids))
        referrals.append(row(r.service_id, f"{r.service_name} ({r.organization_name})", "; ".join(facts), r.chosen_at))
    sections = [section("Needs", needs), section("Referrals", referrals),
                section("Search", [row("filters", "Filters used", saved.filters.describe()),
                                   row("directory", "Directory", f"{directory.title} ({directory.id})")])]
    if saved.history:
        words = {"need-deselected": "Need taken off", "referral-removed": "Referral removed"}
        sections.append(section("Changes", [row(h.target, words[h.change], labels.get(h.target, h.target), h.at)
                                            for h in saved.history]))
    finished = "finished" if saved.finished_at else "not finished"
    return View(catalogue.title, content_info("needs assessment", catalogue.id, catalogue.title,
                                              state.content_version, catalogue),
                f"{len(saved.needs)} need(s), {len(saved.referrals)} referral(s); {finished}", saved.finished_at,
                sections, older_note(made_under, catalogue.version))


def rights_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    """The notices given in one run, from its saved state: each keeps the notice's title, version,
    language and citation as they were when it was given (the library is not needed)."""
    saved = RightsDeliveryState.model_validate(state.model_dump())

    def titled(given: NoticeGiven) -> str:  # runs saved before titles were kept: the notice's title now
        known = library.rights.get(given.notice_id)
        return given.title or (known.title if known is not None else given.notice_id)

    sections = []
    for n, given in enumerate(saved.deliveries, 1):
        rows = [row("notice", "Notice", f"{given.notice_id} version {given.notice_version}"),
                row("language", "Language", f"{language_name(given.language)} ({given.language})"),
                row("translation", "Translation", REVIEW_LABELS[given.translation_review]),
                row("citation", "Law", given.citation),
                row("method", "How it was given", METHOD_LABELS[given.method], given.given_at),
                row("recorded", "Recorded in the job aid", "Saved", given.recorded_at)]
        if given.notes:
            rows.append(row("notes", "Note", given.notes if notes else REDACTED))
        sections.append(section(f"Notice {n}: {titled(given)}", rows))
    current = library.rights.get(saved.content_id)
    title = titled(saved.deliveries[0])
    count = len(saved.deliveries)
    return View(title if count == 1 else f"Rights notices given ({count})",
                content_info("rights notice", saved.content_id, title, saved.content_version, current),
                "; ".join(delivery_text(g) for g in saved.deliveries), saved.deliveries[-1].recorded_at, sections)


def scenario_view(record: RunRecord, state: RunState, library: Library, notes: bool) -> View:
    scenario = library.scenario(state.content_id)
    player, made_under = restore_older(lambda saved: ScenarioPlayer.restore(scenario, saved), record.state)
    debrief = player.debrief()
    decisions = player.state.decisions
    rows = []
    for entry, decision in zip(debrief.entries, decisions, strict=True):
        value = f"{entry.option_text}: {entry.verdict} ({entry.points} point{'s' if entry.points != 1 else ''})"
        if entry.hands:
            value += ". Hands up: " + ", ".join(f"{k} {v}" for k, v in entry.hands.items())
        rows.append(row(entry.node_id, entry.question, value, decision.answered_at))
    finished = debrief.finished
    return View(scenario.title, content_info("scenario", scenario.id, scenario.title, state.content_version, scenario),
                f"{debrief.score.text}; {'finished' if finished else 'not finished'}",
                decisions[-1].answered_at if finished and decisions else None, [section("Decisions", rows)],
                older_note(made_under, scenario.version))


BUILDERS: dict[str, Callable[[RunRecord, RunState, Library, bool], View]] = {
    "checklist": checklist_view,
    "screening": screening_view,
    "confidentiality": confidentiality_view,
    "followup": followup_view,
    "referrals": referrals_view,
    "rights": rights_view,
    "scenario": scenario_view,
}
"""The builder for each ``kind`` of saved state (see ``protocols.engine.persist``)."""


# --------------------------------------------------------------------------- as saved


def redacted(data: Any, notes: bool) -> Any:
    """Saved JSON with typed text redacted (unless ``notes``) and secrets left out."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in SECRET_KEYS and value is not None:
                out[key] = HIDDEN
            elif key in FREE_TEXT_KEYS and isinstance(value, str) and not notes:
                out[key] = REDACTED
            else:
                out[key] = redacted(value, notes)
        return out
    if isinstance(data, list):
        return [redacted(item, notes) for item in data]
    return data


def saved_view(record: RunRecord, why: str, notes: bool) -> View:
    """A run shown field by field as it was saved, when its content cannot show it."""
    try:
        data = json.loads(record.state)
    except json.JSONDecodeError:
        data = None
    content = {"kind": "unknown", "id": record.content_id, "title": record.content_id,
               "version": record.content_version}
    if not isinstance(data, dict):
        return View(record.content_id, content, "The saved record cannot be read", None, [],
                    f"The saved record cannot be read ({why}); nothing of it is shown.")
    skip = {"kind", "content_id", "content_version", "case_number", "started_at"}
    rows = [row(key, key.replace("_", " ").capitalize(),
                json.dumps(redacted(value, notes), ensure_ascii=False, sort_keys=True))
            for key, value in data.items() if key not in skip]
    return View(record.content_id, content, "Shown as saved", None, [section("Saved record", rows)],
                f"Shown as it was saved, field by field: {why}. Typed text is redacted unless notes are "
                "included.")


def run_view(record: RunRecord, library: Library, notes: bool) -> tuple[View, RunState | None]:
    """One run as an export shows it, and its saved state (``None`` if it cannot be read)."""
    try:
        state = load_state(record.state)
    except EngineError as exc:
        return saved_view(record, str(exc), notes), None
    builder = BUILDERS.get(getattr(state, "kind", ""))
    if builder is None:  # pragma: no cover - every kind has a builder
        return saved_view(record, "this handbook cannot show this kind of record", notes), state
    try:
        return builder(record, state, library, notes), state
    except UnknownContent:
        why = f"this handbook no longer has its content ({record.content_id})"
    except EngineError as exc:
        why = f"it no longer fits this handbook's content ({exc})"
    return saved_view(record, why, notes), state
