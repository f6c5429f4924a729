"""A rights notice in the book says when each right was checked, and flags an unreviewed translation."""

from __future__ import annotations

import pytest

from protocols import render
from protocols.library.loader import Library, load_library


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library()


def test_an_unreviewed_translation_says_so_under_its_title(shipped: Library) -> None:
    spanish = render.rights_notice_html(shipped.notice("ca-marsy-es"), shipped)
    title_end = spanish.index("</h3>")
    note = spanish.index('<p class="hc-translation-status" role="note"><strong>Needs translator review.</strong>')
    assert title_end < note < spanish.index('<dl class="hc-facts">')
    english = render.rights_notice_html(shipped.notice("ca-marsy-en"), shipped)
    assert "hc-translation-status" not in english
    assert "</span> <span class=\"hc-note\">(needs translator review)</span>" in english, \
        "the link to the Spanish version says it is not reviewed yet"


def test_each_right_shows_its_pinpoint_and_the_day_it_was_checked(shipped: Library) -> None:
    notice = shipped.notice("us-federal-cvra-en")
    out = render.rights_notice_html(notice, shipped)
    for right in notice.rights:
        day = right.verified_on.isoformat()
        assert (f'<p class="hc-citation">{render.esc(right.citation)} <span class="hc-checked" lang="en">'
                f'(checked against the law on <time datetime="{day}">{day}</time>)</span></p>') in out
