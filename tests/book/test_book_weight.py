"""Pages stay light: no icon-font script, and widget code only where a widget is."""

from __future__ import annotations

import re


def test_no_page_loads_the_icon_font_script(book) -> None:  # type: ignore[no-untyped-def]
    pages = [p for p in book.html.rglob("*.html") if "_static" not in p.parts]
    assert pages
    offenders = [p.name for p in pages if "fontawesome" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_a_typical_chapter_links_less_than_one_megabyte(book) -> None:  # type: ignore[no-untyped-def]
    """A chapter's HTML plus the scripts and styles it links: under 1 MB before compression.

    Each file counts once: the theme both preloads and loads its scripts, and the browser
    fetches them once.
    """
    page = book.html / "book" / "techniques" / "active-listening.html"
    html = page.read_text(encoding="utf-8")
    total = len(html.encode())
    refs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"?#]+\.(?:js|css))', html)
    for asset in {(page.parent / ref).resolve() for ref in refs}:
        if asset.is_file():
            total += asset.stat().st_size
    assert total < 1_000_000, f"{total:,} bytes before compression"
