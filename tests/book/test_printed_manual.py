"""The printed manual (``handbook build --pdf``): one PDF of the whole handbook for binders.

The real book is printed once per module from the run's shared build: every chapter of
``_toc.yml`` is in it, each opening a page, in order, the pocket cards last; the contents give
the page each chapter opens on; every page carries the footer with its own page number. A tiny
two-chapter site checks the same on a book small enough to count by hand, and the faults (no
built book, no Chromium, a chapter missing from the build) give a message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from typer.testing import CliRunner

from bookbuild import SharedBuild
from browser import require_printing_chromium
from protocols.book.manual_pdf import ManualError, ManualFacts, toc_entries
from protocols.book.manual_print import PrintedManual, page_texts, print_manual
from protocols.cli.app import app
from required import unavailable

ROOT = Path(__file__).resolve().parents[2]
FACTS = ManualFacts(title="Crisis Intervention Field Handbook", agency="Sample County Sheriff's Office",
                    version="9.8.7", revised=dt.date(2026, 11, 30), printed=dt.date(2026, 12, 7))
FOOTER = "Crisis Intervention Field Handbook · Version 9.8.7 · Revised 2026-11-30"
PAGE_X_OF_Y = re.compile(r"\bPage (\d+) of (\d+)\b")


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def built_title(site: Path, docname: str) -> str:
    """A page's title as the build wrote it (its h1, without the heading link)."""
    page = (site / f"{docname}.html").read_text(encoding="utf-8")
    found = re.search(r'<article class="bd-article">.*?<h1[^>]*>(.*?)<a class="headerlink"', page, re.S)
    assert found, f"no h1 in {docname}"
    return plain(re.sub(r"<[^>]+>", "", found.group(1)).replace("&#8217;", "’").replace("&amp;", "&"))


def layout_text(pdf: Path, first: int, last: int) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def opening_pages(texts: list[str], headings: list[str]) -> list[int]:
    """The page (from 1) each heading opens, searched in order after the previous one."""
    pages, at = [], 0
    for heading in headings:
        at = next(i for i in range(at, len(texts)) if plain(texts[i]).startswith(heading)) + 1
        pages.append(at)
    return pages


# --------------------------------------------------------------------------- the real handbook


@pytest.fixture(scope="module")
def manual(book: SharedBuild, sync_api: ModuleType, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[PrintedManual, list[str]]:
    require_printing_chromium()
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is not installed", "install the Debian package poppler-utils")
    out = tmp_path_factory.mktemp("manual") / "manual.pdf"
    printed = print_manual(book.html, ROOT, out, FACTS)
    return printed, page_texts(out)


@pytest.mark.browser
@pytest.mark.slow
def test_every_chapter_opens_a_page_in_toc_order_with_the_cards_last(
        manual: tuple[PrintedManual, list[str]], book: SharedBuild) -> None:
    printed, texts = manual
    docs = [doc for _part, doc in toc_entries(ROOT)]
    assert "book/reference/cards" in docs and len(docs) > 20
    ordered = [d for d in docs if d != "book/reference/cards"] + ["book/reference/cards"]
    headings = [f"{n}. {built_title(book.html, d)}" for n, d in enumerate(ordered[:-1], 1)]
    headings.append(f"Appendix A. {built_title(book.html, 'book/reference/cards')}")
    pages = opening_pages(texts, headings)
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    assert printed.chapter_pages == dict(zip(ordered, pages, strict=True))
    cards = "\n".join(texts[pages[-1] - 1:])
    assert cards.count("Version 1.") >= 5 and "critical" in cards.lower()


@pytest.mark.browser
@pytest.mark.slow
def test_contents_give_the_page_each_chapter_opens_on(manual: tuple[PrintedManual, list[str]]) -> None:
    printed, texts = manual
    contents = layout_text(printed.path, 2, min(printed.chapter_pages.values()) - 1)
    listed = {}
    for line in contents.splitlines():
        found = re.match(r"^\s*((?:\d+|Appendix [A-Z])\. .+?)\s+(\d+)\s*$", line)
        if found:
            listed[plain(found.group(1))] = int(found.group(2))
    assert len(listed) == len(printed.chapter_pages), contents[:2000]
    for heading, page in listed.items():
        assert plain(texts[page - 1]).startswith(heading), f"{heading!r} is not on page {page}"


@pytest.mark.browser
@pytest.mark.slow
def test_title_page_and_a_running_footer_on_every_page(manual: tuple[PrintedManual, list[str]]) -> None:
    printed, texts = manual
    assert 100 <= printed.pages <= 1000, printed.pages
    assert printed.pages == len(texts)
    title = plain(texts[0])
    for words in ("Sample County Sheriff's Office", "Crisis Intervention Field Handbook", "Printed manual",
                  "9.8.7", "2026-11-30", "2026-12-07"):
        assert words in title, words
    for number, text in enumerate(texts, 1):
        assert FOOTER in plain(text), f"page {number} has no footer"
        assert (str(number), str(printed.pages)) in PAGE_X_OF_Y.findall(text), f"page {number}"
    extracted = sum(len(t.split()) for t in texts)
    assert extracted > 30_000, f"only {extracted} words extracted"
    assert not any("widget-view" in t for t in texts)


@pytest.mark.browser
@pytest.mark.slow
def test_the_kept_print_is_tagged_with_an_outline(manual: tuple[PrintedManual, list[str]]) -> None:
    """A screen reader reads the manual's structure, and a PDF viewer lists its chapters: the
    print that is kept has both (only the first print, read for its page numbers, goes without)."""
    printed, _ = manual
    assert printed.prints >= 2
    info = subprocess.run(["pdfinfo", str(printed.path)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert b"/Outlines" in printed.path.read_bytes()


# --------------------------------------------------------------------------- a tiny site


def tiny_book(folder: Path, chapters: dict[str, str | None]) -> tuple[Path, Path]:
    """A book folder (``_toc.yml``) and a built site of its pages; a None page is left unbuilt."""
    book, site = folder / "book-root", folder / "site"
    names = list(chapters)
    book.mkdir()
    (book / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": names[0], "parts": [{"caption": "The part",
                                                           "chapters": [{"file": n} for n in names[1:]]}]}))
    site.mkdir()
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=index.html">')
    for name, body in chapters.items():
        if body is not None:
            (site / f"{name}.html").write_text(
                f'<html><body><article class="bd-article"><section id="s"><h1>{name.title()}'
                f'<a class="headerlink" href="#s">#</a></h1>{body}</section></article></body></html>')
    return book, site


@pytest.mark.browser
def test_a_tiny_book_prints_with_numbered_contents(tmp_path: Path, sync_api: ModuleType) -> None:
    require_printing_chromium()
    long_text = "".join(f"<p>Paragraph {n} of the long chapter.</p>" for n in range(120))
    book, site = tiny_book(tmp_path, {"start": "<p>Hello.</p>", "long": long_text,
                                      "last": '<p>See <a href="start.html#s">the start</a>.</p>'})
    printed = print_manual(site, book, tmp_path / "out" / "tiny.pdf", FACTS)
    texts = page_texts(printed.path)
    assert printed.pages == len(texts) >= 6
    pages = opening_pages(texts, ["1. Start", "2. Long", "3. Last"])
    assert pages[0] == 3 and pages[2] - pages[1] >= 2  # title, contents, then the chapters
    assert printed.chapter_pages == {"start": pages[0], "long": pages[1], "last": pages[2]}
    assert re.search(rf"3\. Last\s+{pages[2]}\b", layout_text(printed.path, 2, 2))


def test_no_built_book_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManualError, match=r"holds no built handbook.*handbook build"):
        print_manual(tmp_path, ROOT, tmp_path / "m.pdf", FACTS)


def test_missing_chromium_is_a_clear_error(tmp_path: Path) -> None:
    book, site = tiny_book(tmp_path, {"start": "<p>Hi.</p>"})
    with pytest.raises(ManualError, match=r"Chromium is not installed .*install the Debian package chromium"):
        print_manual(site, book, tmp_path / "m.pdf", FACTS, chromium=tmp_path / "no-chromium")


def test_a_chapter_the_build_left_out_is_named(tmp_path: Path) -> None:
    book, site = tiny_book(tmp_path, {"start": "<p>Hi.</p>", "broken": None})
    with pytest.raises(ManualError, match=r"the chapter broken .*is not in the built book"):
        print_manual(site, book, tmp_path / "m.pdf", FACTS)
    (site / "broken.html").write_text("<html><body><p>The build stopped here.</p></body></html>")
    with pytest.raises(ManualError, match="the chapter broken has no article"):
        print_manual(site, book, tmp_path / "m.pdf", FACTS)


def test_the_command_reports_a_missing_site_without_a_traceback(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["build", str(ROOT), "--pdf", "--from-site", str(tmp_path / "none")])
    assert done.exit_code == 1, done.output
    assert "holds no built handbook" in done.output and "Traceback" not in done.output
    done = CliRunner().invoke(app, ["build", str(ROOT), "--from-site", str(tmp_path)])
    assert done.exit_code == 2 and "--from-site is for --pdf" in done.output
