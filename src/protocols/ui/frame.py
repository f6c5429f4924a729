"""The frame every job aid shares: a header with the way back, a case-number form, a status line.

Only drawing and forwarding lives here; case-number rules come from the engine.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets as widgets
import traitlets

from protocols.engine.answers import (
    DEFAULT_CASE_NUMBER_FORMAT,
    MAX_CASE_NUMBER_LENGTH,
    CaseNumberFormat,
    check_entered_case_number,
)
from protocols.engine.errors import EngineError
from protocols.models import Reviewed
from protocols.records import StoreError
from protocols.render.html import agency_logo_html, agency_logo_name
from protocols.render.summary import content_summary
from protocols.ui.first_screen import FIRST_SCREEN_KEY, first_screen_html
from protocols.ui.plain import STATIC, joined_static, plain_message, static_style
from protocols.ui.widget_kit import styles

if TYPE_CHECKING:
    from protocols.library.agency import AgencyProfile
    from protocols.library.loader import Library

BOOK_TITLE = "Crisis Intervention Field Handbook"
FRAME_CSS = static_style("frame.css")
"""The frame's styles: the header, the way back, the status line."""


def header(title: str, chapter: str | None = None, chapter_title: str = "Read the chapter",
           library: Library | None = None) -> widgets.HTML:
    """The aid's title, the handbook and agency name, and links back to the handbook.

    The agency is the ``library``'s; without one, the default library's (the agency setting,
    :data:`protocols.settings.AGENCY`).
    """
    agency = library.agency if library is not None else _default_agency()
    brand = f"{agency.name} · {BOOK_TITLE}" if agency is not None else BOOK_TITLE
    name = agency_logo_name(agency)
    # The book's own copy (`handbook build` publishes it), served by the same server.
    logo = agency_logo_html(agency, f"/_static/{name}" if name else None, "hb-aid-logo", 48)
    links = ['<li><a href="/">Handbook home</a></li>',
             '<li><a href="/voila/render/index.ipynb">All job aids</a></li>']
    if chapter:
        links.insert(0, f'<li><a href="/{html.escape(chapter)}.html">{html.escape(chapter_title)}</a></li>')
    return widgets.HTML(
        FRAME_CSS
        + f'<header class="hb-aid-header{" hb-aid-has-logo" if logo else ""}">{logo}<div>'
        + f'<p class="hb-aid-brand">{html.escape(brand)} · job aid</p>'
        + f'<h1 class="hb-aid-title">{html.escape(title)}</h1>'
        + f'<nav aria-label="Handbook"><ul class="hb-aid-nav">{"".join(links)}</ul></nav>'
        + "</div></header>"
    )


def _default_agency() -> AgencyProfile | None:
    from protocols.library.errors import ContentError
    from protocols.library.loader import default_library

    try:
        return default_library().agency
    except ContentError:
        return None  # the aid itself reports bad content


class AidLink(anywidget.AnyWidget):
    """The status line's part in the browser: the kernel link, the open case, where a message shows.

    It shows nothing until the connection is lost (a bar at the bottom of the screen then says
    so, and asks to reopen the case once the kernel is gone). It remembers the open case in the
    tab's session storage; after "Reopen the case" reloads the page it sets :attr:`reopen` to
    that case number. Each :attr:`shown` change is a new status message: a refusal out of sight,
    or a message after the pressed button went away (the focus was lost), sticks to the top of
    the screen, and in the second case takes the focus.
    """

    _esm = joined_static("dom.js", "kernel_link.js", "aid_link.js")
    _css = STATIC / "aid_link.css"

    case_number = traitlets.Unicode("").tag(sync=True)
    """The case this aid has open (Python sets it)."""
    reopen = traitlets.Unicode("").tag(sync=True)
    """The case to open again after a reload (the browser sets it)."""
    shown = traitlets.Int(0).tag(sync=True)
    case_number_length = traitlets.Int(MAX_CASE_NUMBER_LENGTH).tag(sync=True)
    """The most characters the case-number field takes (the engine refuses longer ones)."""


class StatusLine:
    """A line announced to screen readers, for progress, confirmations and refusals.

    Messages read as sentences (see :func:`plain_message`); a refusal is marked with an icon, not
    colour alone. When the store could not save, it also offers "Retry saving" (see :meth:`report`).
    """

    def __init__(self) -> None:
        self.text = widgets.HTML(value="")
        self.retry_button = widgets.Button(description="Retry saving",
                                           tooltip="Save the kept answers again",
                                           layout=widgets.Layout(display="none"))
        self.retry_button.add_class("hb-retry")
        self.retry_button.on_click(lambda _b: self._retry())
        self.link = AidLink()
        self.widget = widgets.VBox([self.text, self.retry_button, self.link])
        self.widget.add_class("hb-status-box")
        self._pending: tuple[Callable[[], Any], Callable[[Any], object]] | None = None

    def show(self, text: str, bad: bool = False) -> None:
        css = "hb-aid-status hb-bad" if bad else "hb-aid-status"
        role = "alert" if bad else "status"
        icon = '<span class="hb-icon" aria-hidden="true">⚠ </span>' if bad else ""
        self.text.value = (f'<p class="{css}" role="{role}" aria-live="polite">{icon}'
                           f"{html.escape(plain_message(text))}</p>")
        self._offer(None)
        self.link.shown += 1

    def report(self, step: Any, settle: Callable[[Any], object]) -> None:
        """Show what became of a step; if it was kept unsaved, offer to retry.

        ``step`` is a :class:`~protocols.ui.session.Step`; ``settle`` is the view's own
        handler for a step, called again with the retry's result (so a retry that saves
        draws exactly what the first try would have drawn).
        """
        self.show(step.message, bad=not step.saved)
        self._offer((step.retry, settle) if step.retry is not None else None)

    def _offer(self, pending: tuple[Callable[[], Any], Callable[[Any], object]] | None) -> None:
        self._pending = pending
        self.retry_button.layout.display = None if pending is not None else "none"

    def _retry(self) -> None:
        if self._pending is not None:
            retry, settle = self._pending
            settle(retry())


class CaseForm:
    """Asks for the incident or case number (never a name) and hands it on.

    If the records store cannot be used, the officer is told so and can press start again.
    After "Reopen the case" (the kernel was lost) the page reloads and the form starts the
    same case again by itself.
    """

    def __init__(self, on_start: Callable[[str], None], status: StatusLine,
                 case_format: CaseNumberFormat = DEFAULT_CASE_NUMBER_FORMAT,
                 button_label: str = "Start or resume") -> None:
        self._on_start = on_start
        self._status = status
        self._case_format = case_format
        self.text = widgets.Text(
            description="Case or incident number",
            placeholder=f"e.g. {case_format.example}",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", max_width="28rem"),
        )
        self.text.add_class("hb-case-number")  # aid_link.js limits its length
        self.button = widgets.Button(description=button_label, button_style="primary",
                                     tooltip=button_label)
        self.button.on_click(lambda _b: self.submit())
        self.text.continuous_update = False
        self.text.observe(lambda change: self.submit() if change["name"] == "value" and change["new"] else None,
                          names="value")
        status.link.observe(self._reopen, names="reopen")
        self.widget = widgets.VBox(
            [
                widgets.HTML("<p>Use the case or incident number only. Do not type the victim's name.</p>"),
                self.text,
                self.button,
            ],
        )
        self._started = False

    def _reopen(self, change: dict[str, Any]) -> None:
        number = change["new"]
        if isinstance(number, str) and number and not self._started:
            self.text.value = number[:200]  # the field's own observer starts the case

    def submit(self) -> None:
        if self._started:
            return
        try:
            number = check_entered_case_number(self.text.value, self._case_format)
        except EngineError as exc:
            self._status.show(str(exc), bad=True)
            return
        self._started = True
        try:
            self._on_start(number)
        except StoreError as exc:  # every aid's start opens the store: one place says so
            self._started = False
            self._status.show(f"The records store cannot be used: {exc}", bad=True)
            return
        self._status.link.case_number = number


class AidBox(widgets.VBox):  # type: ignore[misc]
    """A job aid's outer box; its text form says what content the aid shows.

    That text is what a notebook stores as the cell's plain-text output, so nbval notices when
    the content an aid shows changes (see ``protocols.render.summary``).
    """

    def __init__(self, children: list[widgets.Widget], summary: str) -> None:
        super().__init__(children, layout=widgets.Layout(width="100%"))
        self.summary = summary

    def __repr__(self) -> str:
        return self.summary

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The widget view and its text form, with the first screen for the page to paint
        before the widgets arrive (in the metadata: never compared, never stored)."""
        bundle: dict[str, Any] = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.summary  # whole: ipywidgets cuts the text at 110 characters
        try:
            first_screen = first_screen_html(self)
        except Exception:  # the page then waits for the live aid, as it always did
            logging.getLogger(__name__).exception("the job aid's first screen could not be drawn")
            first_screen = ""
        return bundle, ({FIRST_SCREEN_KEY: first_screen} if first_screen else {})


def aid_box(children: list[widgets.Widget], title: str = "", shows: Iterable[Reviewed] = ()) -> AidBox:
    """The outer box of a job aid, with the idle lock that hides it on an unattended screen.

    ``title`` and ``shows`` (the content documents the aid presents) make its text summary.
    """
    from protocols.ui.idle_lock import IdleLock

    summary = content_summary(f"Job aid: {title}" if title else "Job aid", shows)
    box = AidBox([*children, IdleLock.from_environment()], summary)
    box.add_class("hb-aid")
    return box


class CaseAid:
    """A case aid's frame: its status line, and the body under it (first the case-number form)."""

    def __init__(self) -> None:
        self.status = StatusLine()
        self.body = widgets.VBox(layout=widgets.Layout(width="100%"))

    def show(self, case_number: str, note: str, *children: widgets.Widget, bad: bool = False) -> None:
        """Put ``children`` in the body (when given) and say ``note`` about the case."""
        if children:
            self.body.children = list(children)
        self.status.show(f"Case {case_number}: {note}", bad=bad)


def case_aid(title: str, library: Library, start: Callable[[str, CaseAid], None], *, chapter: str | None,
             chapter_title: str = "Read the chapter", banners: Iterable[widgets.Widget] = (),
             shows: Iterable[Reviewed] = (), button_label: str = "Start or resume") -> AidBox:
    """A whole case-number job aid: header, styles, ``banners``, status line, and the case form.

    Once a case number is entered, ``start(case_number, frame)`` opens the case: it fills
    ``frame.body`` and says what it found (:meth:`CaseAid.show`). A ``StoreError`` it raises is
    reported by the form, which can then be used again.
    """
    frame = CaseAid()
    form = CaseForm(lambda number: start(number, frame), frame.status, library.case_number_format,
                    button_label)
    frame.body.children = [form.widget]
    return aid_box([header(title, chapter, chapter_title, library), styles(), *banners, frame.status.widget,
                    frame.body], title, shows)
