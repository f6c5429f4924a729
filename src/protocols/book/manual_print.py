"""Printing the manual with Chromium, twice, so the table of contents carries page numbers.

The first print puts ``?`` for every page; ``pdftotext`` then reads on which page each chapter's
numbered title opens (every chapter starts a page). The second print shows those numbers. The
contents take the same room either way, so the numbers hold; the pages are read once more to
check, and a third print runs if a chapter moved. The first print is only read for its page
numbers, so it is made without the tags and outline (a fifth faster); every later print, the one
kept among them, has both.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from protocols.book.manual_pdf import (
    Chapter,
    ManualError,
    ManualFacts,
    chapter_heading,
    compose,
    read_chapters,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOST_PRINTS = 3


@dataclass(frozen=True)
class PrintedManual:
    """What ``handbook build --pdf`` reports: where the PDF is, its pages, size and time."""

    path: Path
    pages: int
    chapter_pages: dict[str, int]
    seconds: float
    prints: int

    @property
    def megabytes(self) -> float:
        return self.path.stat().st_size / 1_000_000


def footer_template(facts: ManualFacts) -> str:
    """Chromium's running footer: version, revision date, and page x of y on every page."""
    return ('<div style="width:100%;margin:0 16mm;font-size:10pt;font-family:sans-serif;color:#000;'
            'display:flex;justify-content:space-between">'
            f"<span>{html.escape(facts.footer_text())}</span>"
            '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def print_manual(site: Path, book_root: Path, out: Path, facts: ManualFacts,
                 chromium: Path = CHROMIUM) -> PrintedManual:
    """Print the built ``site`` (chapters in ``book_root``'s ``_toc.yml`` order) to ``out``."""
    started = time.monotonic()
    chapters = read_chapters(site, book_root)
    pdftotext = _tools(chromium)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ManualError("Playwright (its Python package) is not installed; install the handbook "
                          "with its locked requirements (bash scripts/dev.sh setup)") from None
    with tempfile.TemporaryDirectory(prefix="handbook-manual-") as work:
        document = Path(work) / "manual.html"
        draft = Path(work) / "manual.pdf"
        pages: dict[str, int] = {}
        prints = 0
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page()
                    for _attempt in range(MOST_PRINTS):
                        prints += 1
                        document.write_text(compose(site, chapters, facts, pages), encoding="utf-8")
                        page.goto(document.as_uri(), wait_until="load")
                        page.emulate_media(media="print")
                        kept = prints > 1  # the first print is never kept: its contents have no numbers
                        page.pdf(path=str(draft), format="Letter", display_header_footer=True,
                                 header_template="<span></span>", footer_template=footer_template(facts),
                                 margin={"top": "16mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
                                 outline=kept, tagged=kept)
                        texts = page_texts(draft, pdftotext)
                        found = chapter_start_pages(texts, chapters)
                        if found == pages:
                            break
                        pages = found
                    else:
                        raise ManualError(f"the table of contents kept moving chapters after {MOST_PRINTS} "
                                          "prints; report this with the book that was printed")
                finally:
                    browser.close()
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ManualError(f"Chromium could not print the manual ({first}); check that {chromium} "
                              "starts (chromium --headless --version)") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(draft), out)
    return PrintedManual(out, len(texts), pages, time.monotonic() - started, prints)


def _tools(chromium: Path) -> Path:
    """pdftotext's path, after checking that Chromium is there too."""
    if not chromium.is_file():
        raise ManualError(f"Chromium is not installed ({chromium} is missing), so the manual cannot be "
                          "printed; install the Debian package chromium (bash scripts/dev.sh setup does)")
    found = shutil.which("pdftotext")
    if found is None:
        raise ManualError("pdftotext is not installed, so the contents cannot be given page numbers; "
                          "install the Debian package poppler-utils (bash scripts/dev.sh setup does)")
    return Path(found)


def page_texts(pdf: Path, pdftotext: Path | str = "pdftotext") -> list[str]:
    """The text of each page of ``pdf``, in order."""
    try:
        done = subprocess.run([str(pdftotext), "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        raise ManualError("pdftotext took more than 5 minutes to read the printed manual; "
                          "try again on a less busy machine") from None
    except OSError as exc:
        raise ManualError(f"pdftotext could not be run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise ManualError(f"pdftotext could not read the printed manual: {done.stderr.strip()}")
    pages = done.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def chapter_start_pages(texts: list[str], chapters: list[Chapter]) -> dict[str, int]:
    """The page (from 1) on which each chapter's numbered title opens a page, in order."""
    found: dict[str, int] = {}
    at = 0
    for n, chapter in enumerate(chapters, 1):
        heading = _plain(chapter_heading(n, chapter, chapters))
        for index in range(at, len(texts)):
            if _plain(texts[index]).startswith(heading):
                found[chapter.docname] = index + 1
                at = index + 1
                break
        else:
            raise ManualError(f"the chapter {chapter.docname} ({chapter.title!r}) is not in the printed "
                              "manual where it should start a page; check that its page built "
                              "and prints (open it in a browser and print it)")
    return found
