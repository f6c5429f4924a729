"""The read-and-acknowledge job aid: what changed since you last acknowledged, then the report.

An officer signed in to the handbook (the server's sign-in names them; see
``records.actor``) sees each protocol, rights notice and chapter whose current version they
have not acknowledged, with what changed since the version they did: items added, removed and
reworded, each with its reason, and the change notes. They acknowledge it, and may take a
3-question check drawn from the changed items. Supervisors read the report below: who
acknowledged which version, who is due or overdue, and the check results.

:class:`AcknowledgementController` does the work without widgets (the tests drive it);
:func:`acknowledgements_aid` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import ipywidgets as widgets

from protocols.engine.answers import sentence
from protocols.library.loader import Library, default_library
from protocols.library.project import project_folder
from protocols.records import Store, StoreError
from protocols.records.acknowledgement_report import ReportRow, counts, report
from protocols.records.acknowledgements import (
    DEFAULT_GRACE_DAYS,
    AcknowledgementError,
    acknowledge,
    all_acknowledgements,
    current,
    known_officers,
    pending_changes,
    personal_officer,
    record_check,
)
from protocols.records.actor import ActorError, aid_user
from protocols.records.content_changes import Changes, Document, changes, check_questions, documents, score
from protocols.render.knowledge import KnowledgeQuestion
from protocols.ui.frame import StatusLine, aid_box, header
from protocols.ui.markup import esc, when
from protocols.ui.plain import static_style
from protocols.ui.session import Clock, local_now, open_store
from protocols.ui.tracker_aid import OnOpen
from protocols.ui.widget_kit import ScreenTop, button, column, html_box, row, styles

TITLE = "Read and acknowledge"
ACK_CSS = static_style("acknowledgements.css")


class AcknowledgementController:
    """One signed-in officer's acknowledgements, and the report; no widgets."""

    def __init__(self, library: Library, store: Store, docs: Sequence[Document], clock: Clock = local_now,
                 grace_days: int = DEFAULT_GRACE_DAYS) -> None:
        self.library = library
        self.store = store
        self.documents = list(docs)
        self.clock = clock
        self.grace_days = grace_days

    @property
    def officer(self) -> str:
        """Who is signed in, read at each use (a warm kernel learns it late); refused if shared."""
        try:
            return personal_officer(aid_user())
        except ActorError as exc:
            raise AcknowledgementError(sentence(str(exc))) from None

    def pending(self) -> list[Changes]:
        """What this officer has still to acknowledge, each with what changed."""
        return pending_changes(self.store, self.officer, self.documents)

    def acknowledge(self, key: str, version: str) -> str:
        """Acknowledge the version the officer read; what to tell them (raises ``AcknowledgementError``)."""
        document = current(self.documents, key, version)
        record, created = acknowledge(self.store, self.officer, document, self.clock())
        if not created:
            return (f"You had already acknowledged {version_words(document)} of “{document.title}” on "
                    f"{when(record.acknowledged_at)} (perhaps on another device). That record stands.")
        return f"Acknowledged: “{document.title}”, {version_words(document)}, at {when(record.acknowledged_at)}."

    def questions(self, key: str, version: str) -> list[KnowledgeQuestion]:
        """The check for the version the officer read (none for a chapter)."""
        document = current(self.documents, key, version)
        found = next((c for c in pending_changes(self.store, self.officer, [document])), None)
        changed = found if found is not None else self._changes_of_acknowledged(document)
        return check_questions(changed, self.library)

    def _changes_of_acknowledged(self, document: Document) -> Changes:
        """What changed in a version already acknowledged, against the one acknowledged before it."""
        mine = [r for r in all_acknowledgements(self.store, self.officer) if r.document == document.key]
        earlier = [r for r in mine if r.version != document.version]
        if not earlier:
            return Changes(document, None)
        return changes(document, earlier[-1].version, earlier[-1].snapshot)

    def check(self, key: str, version: str, picked: Sequence[int | None]) -> str:
        """Mark the check and keep its result with the acknowledgement; what to tell the officer."""
        document = current(self.documents, key, version)
        asked = self.questions(key, version)
        if not asked:
            return "This document has no check."
        right = score(asked, list(picked))
        record_check(self.store, self.officer, document, right, len(asked), self.clock())
        wrong = [f"Question {n}: the right answer is “{q.options[q.answer]}”."
                 for n, (q, p) in enumerate(zip(asked, picked, strict=False), 1) if p != q.answer]
        said = f"You got {right} of {len(asked)} right. Your result is saved with your acknowledgement."
        return said + (" Look again at: " + " ".join(wrong) if wrong else "")

    def report(self) -> list[ReportRow]:
        """Every known officer against every document; only for someone signed in as themselves
        (the report names officers and their check results)."""
        _ = self.officer  # refuses no sign-in or a shared one, with the reason
        return report(all_acknowledgements(self.store), self.documents, known_officers(self.store),
                      self.clock().date(), self.grace_days)


# --------------------------------------------------------------------------- drawing


def version_words(document: Document) -> str:
    """``version 1.2``; a chapter, whose version is a fingerprint, by the day its file last changed."""
    if document.kind == "chapter":
        day = document.revised.isoformat() if document.revised else "an unknown day"
        return f"revision of {day}"
    return f"version {document.version}"


def changes_html(found: Changes) -> str:
    """What changed in one document, in plain words, each change with its reason."""
    d = found.document
    link = f' <a href="/{esc(d.link)}">Read it in the handbook</a>.' if d.link else ""
    if found.first_time:
        lines = [f"<p>You have not acknowledged any version of this {esc(d.kind)} yet. Read it whole.{link}</p>"]
        if d.changelog:
            version, what, why = d.changelog[0]
            lines.append(f'<p class="hb-ack-note">Latest change note (version {esc(version)}): {esc(what)} '
                         f"<em>Why:</em> {esc(why)}</p>")
        return "".join(lines)
    items = []
    for change in found.items:
        why = f'<br><span class="hb-ack-why">Why: {esc(change.rationale)}</span>' if change.rationale else ""
        items.append(f"<li><strong>{esc(change.heading)}.</strong> {esc(change.text)}{why}</li>")
    body = f'<ul class="hb-ack-changes">{"".join(items)}</ul>' if items else "<p>No change to the wording.</p>"
    return (f"<p>Since version {esc(found.acknowledged_version or '')}, which you acknowledged: "
            f"{esc(found.summary())}.{link}</p>{body}")


def acknowledged_words(row: ReportRow) -> str:
    """The version an officer acknowledged; for a chapter, whether it is this revision or an earlier one."""
    if not row.acknowledged_version:
        return "none"
    if row.document.startswith("chapter:"):
        return "this revision" if row.acknowledged_version == row.current_version else "an earlier revision"
    return row.acknowledged_version


def report_html(rows: Sequence[ReportRow], docs: Sequence[Document] = ()) -> str:
    """The report as a table: the overdue first, then the due, then the acknowledged.

    A chapter's version (a fingerprint) is shown as the day its file last changed (``docs``).
    """
    words = {d.key: version_words(d).removeprefix("version ") for d in docs}
    if not rows:
        return "<p>No officers yet: nobody has signed in to a job aid or acknowledged anything.</p>"
    order = {"overdue": 0, "due": 1, "acknowledged": 2}
    ranked = sorted(rows, key=lambda r: (order[r.state], r.officer, r.title))
    tally = counts(rows)
    cells = "".join(
        f"<tr><td>{esc(r.officer)}</td><td>{esc(r.title)}</td><td>{esc(words.get(r.document, r.current_version))}</td>"
        f'<td><span class="hb-ack-{esc(r.state)}">{esc(r.state.capitalize())}</span></td>'
        f"<td>{esc(acknowledged_words(r))}</td><td>{esc(r.due or '-')}</td><td>{esc(r.check or '-')}</td>"
        "</tr>" for r in ranked)
    return (f'<p role="status">{tally["overdue"]} overdue, {tally["due"]} due, {tally["acknowledged"]} '
            'acknowledged.</p><div class="hb-ack-report" tabindex="0" role="region" '
            'aria-label="Acknowledgement report">'
            '<table class="hb-table"><thead><tr><th scope="col">Officer</th><th scope="col">Document</th>'
            '<th scope="col">Current version</th><th scope="col">State</th><th scope="col">Acknowledged</th>'
            f'<th scope="col">Due</th><th scope="col">Check</th></tr></thead><tbody>{cells}</tbody></table></div>')


class AcknowledgementView:
    """The officer's list of what to acknowledge, one document open at a time, and the report."""

    def __init__(self, controller: AcknowledgementController, status: StatusLine) -> None:
        self.c = controller
        self.status = status
        self.list_box = column([], "hb-ack-list")
        self.detail = column([], "hb-ack-detail")
        self.report_box = html_box()
        self.report_button = button("Show the supervisor report", self.show_report,
                                    tooltip="Who acknowledged which version, who is overdue, and check results")
        self.new_toggle = widgets.ToggleButton(value=False, description="Show the new to you",
                                               tooltip="Show or hide what you have never acknowledged")
        self.new_toggle.add_class("hb-ack-new-toggle")
        self.new_toggle.observe(lambda _change: self.draw_list(), names="value")
        self.top = ScreenTop()
        self.widget = column([self.top, self.detail, html_box("<h2>What changed for you</h2>"), self.list_box,
                              html_box("<h2>Supervisor report</h2>"), row([self.report_button]), self.report_box])
        self.draw_list()

    def draw_list(self) -> None:
        try:
            pending = self.c.pending()
        except (AcknowledgementError, StoreError) as exc:
            self.list_box.children = [html_box(f"<p>{esc(sentence(str(exc)))}</p>")]
            return
        if not pending:
            self.list_box.children = [html_box("<p>You are up to date: you have acknowledged the current version "
                                               "of every protocol, rights notice and chapter.</p>")]
            return
        changed = [p for p in pending if not p.first_time]
        new = [p for p in pending if p.first_time]
        parts: list[widgets.Widget] = [html_box(
            f"<p>{len(changed)} changed since you last acknowledged them; {len(new)} new to you.</p>")]
        parts += [self._opener(found) for found in changed]
        if new:
            shown = self.new_toggle.value
            self.new_toggle.description = f"{'Hide' if shown else 'Show'} the {len(new)} new to you"
            parts.append(self.new_toggle)
            if shown:
                parts += [self._opener(found) for found in new]
        self.list_box.children = parts

    def _opener(self, found: Changes) -> widgets.Button:
        d = found.document
        return button(f"{d.title} · {version_words(d)} · {found.summary()}", partial(self.open, found), wide=True,
                      tooltip=f"Read what changed in the {d.kind} {d.title}")

    def open(self, found: Changes) -> None:
        d = found.document
        ack = button(f"I have read {version_words(d)}", partial(self.acknowledge, found), style="primary",
                     tooltip=f"Acknowledge {version_words(d)} of {d.title}")
        self.detail.children = [html_box(f"<h3>{esc(d.title)} <span class=\"hb-ack-kind\">({esc(d.kind)}, "
                                         f"{esc(version_words(d))})</span></h3>" + changes_html(found)), row([ack])]
        self.top.new_screen()

    def acknowledge(self, found: Changes) -> None:
        d = found.document
        try:
            said = self.c.acknowledge(d.key, d.version)
        except (AcknowledgementError, StoreError) as exc:
            self.status.show(str(exc), bad=True)
            return
        self.status.show(said)
        self.draw_list()
        self.offer_check(d)

    def offer_check(self, d: Document) -> None:
        try:
            asked = self.c.questions(d.key, d.version)
        except (AcknowledgementError, StoreError):
            asked = []
        if not asked:
            self.detail.children = []
            return
        choices = [widgets.RadioButtons(options=[(text, n) for n, text in enumerate(q.options)], value=None,
                                        description="", layout=widgets.Layout(width="100%")) for q in asked]
        parts: list[widgets.Widget] = [html_box(f"<h3>Check: {len(asked)} questions on “{esc(d.title)}” "
                                                "(you may skip it)</h3>")]
        for n, (q, choice) in enumerate(zip(asked, choices, strict=True), 1):
            choice.add_class("hb-ack-options")
            parts += [html_box(f'<p class="hb-ack-question" id="hb-ack-q{n}">{n}. {esc(q.text)}</p>'), choice]
        parts.append(row([button("Check my answers", lambda: self.check(d, choices), style="primary"),
                          button("Skip the check", lambda: setattr(self.detail, "children", []))]))
        self.detail.children = parts
        self.top.new_screen()

    def check(self, d: Document, choices: Sequence[widgets.RadioButtons]) -> None:
        try:
            said = self.c.check(d.key, d.version, [c.value for c in choices])
        except (AcknowledgementError, StoreError) as exc:
            self.status.show(str(exc), bad=True)
            return
        self.status.show(said)
        self.detail.children = [html_box(f'<p class="hb-ack-note">{esc(said)}</p>')]

    def show_report(self) -> None:
        try:
            self.report_box.value = report_html(self.c.report(), self.c.documents)
        except (AcknowledgementError, StoreError) as exc:
            self.status.show(str(exc), bad=True)


def book_folder() -> Path | None:
    """The book's chapters, when the aid runs inside the project (else protocols and notices only)."""
    found = project_folder(with_book=True)
    return found / "book" if found is not None else None


def acknowledgements_aid(library: Library | None = None, store: Store | None = None, clock: Clock = local_now,
                         book: Path | None = None) -> widgets.VBox:
    """The whole job aid."""
    lib = library or default_library()
    docs = documents(lib, book if book is not None else book_folder())
    status = StatusLine()
    parts: list[widgets.Widget] = [header(TITLE, "book/maintaining/reviewing", "Versions and reviews", lib),
                                   styles(), html_box(ACK_CSS), status.widget]
    try:
        controller = AcknowledgementController(lib, open_store(store), docs, clock)
        view = AcknowledgementView(controller, status)
        # A kernel kept ready drew the list before anyone signed in: draw it again when the page opens.
        on_open = OnOpen()
        on_open.observe(lambda _change: view.draw_list(), names="opened")
        parts += [view.widget, on_open]
    except StoreError as exc:
        status.show(f"The records store cannot be used: {exc}", bad=True)
    return aid_box(parts, TITLE)
