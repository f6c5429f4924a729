"""The printed manual: the whole built handbook as one PDF for academy binders.

The built site is the source: each chapter's article is taken from its page in ``_toc.yml``
order, behind a title page and a table of contents, with the pocket cards as an appendix. The
site's own stylesheets (``handbook.css`` holds the print rules the pocket cards already use)
style it; ``assets/manual.css`` adds only the title page, the contents and the page breaks.

Chromium prints it (:mod:`protocols.book.manual_print`). It cannot compute page numbers for a
table of contents from CSS, so the manual is printed twice: the first print shows on which page
each chapter starts (read back with ``pdftotext``), the second prints those numbers. The
contents keep their length between the prints, so the numbers hold; a third print runs if not.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup, Tag

MANUAL_CSS = Path(__file__).parent / "assets" / "manual.css"
APPENDIX_DOCS = ("book/reference/cards",)
"""Pages printed last, as appendices, whatever their place in ``_toc.yml``."""
WIDGET_NOTE = ("This list is interactive in the online handbook. Its printed form is in the "
               "pocket cards appendix.")


class ManualError(Exception):
    """The manual cannot be made: the message says what, where and how to fix it."""


@dataclass(frozen=True)
class ManualFacts:
    """What the title page and every footer say."""

    title: str
    agency: str | None
    version: str
    revised: dt.date
    printed: dt.date

    def footer_text(self) -> str:
        """``Crisis Intervention Field Handbook · Version 0.1.0 · Revised 2026-12-07``."""
        return f"{self.title} · Version {self.version} · Revised {self.revised.isoformat()}"


@dataclass(frozen=True)
class Chapter:
    """One page of the book, ready to print."""

    docname: str
    part: str | None
    title: str
    body: str
    """The article's HTML, ids and links rewritten for the one document."""
    appendix: bool = False

    @property
    def anchor(self) -> str:
        return anchor_of(self.docname)


def anchor_of(docname: str, fragment: str = "") -> str:
    """The id a page (or an id inside it) gets in the one document: ``m-book-arrive-scene-safety``."""
    base = "m-" + re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")
    return f"{base}--{fragment}" if fragment else base


# --------------------------------------------------------------------------- _toc.yml


def toc_entries(book_root: Path) -> list[tuple[str | None, str]]:
    """(part caption, docname) for every page of ``_toc.yml``, in reading order, sections included."""
    toc_file = book_root / "_toc.yml"
    try:
        data = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ManualError(f"cannot read {toc_file}: {exc}; run from the project folder (it holds "
                          "_toc.yml) or pass the book folder") from None
    if not isinstance(data, dict) or not data.get("root"):
        raise ManualError(f"{toc_file} has no 'root:' page; it must be a Jupyter Book table of contents")
    entries: list[tuple[str | None, str]] = [(None, str(data["root"]))]

    def walk(part: str | None, nodes: Iterable[Any]) -> None:
        for node in nodes or []:
            if isinstance(node, dict) and node.get("file"):
                entries.append((part, str(node["file"])))
            if isinstance(node, dict):
                walk(part, node.get("sections") or [])

    for part in data.get("parts") or []:
        walk(part.get("caption"), part.get("chapters") or [])
    walk(None, data.get("chapters") or [])
    return [(part, re.sub(r"\.(md|ipynb|rst)$", "", doc)) for part, doc in entries]


# --------------------------------------------------------------------------- reading the site


def read_chapters(site: Path, book_root: Path) -> list[Chapter]:
    """Every page of ``_toc.yml`` from the built ``site``, appendices last.

    Raises :class:`ManualError` naming the chapter when its page is missing or has no article.
    """
    check_site(site)
    entries = toc_entries(book_root)
    in_manual = {doc for _part, doc in entries}
    chapters = [read_chapter(site, doc, part, in_manual) for part, doc in entries]
    body = [c for c in chapters if c.docname not in APPENDIX_DOCS]
    appendices = [Chapter(c.docname, "Appendix", c.title, c.body, appendix=True)
                  for c in chapters if c.docname in APPENDIX_DOCS]
    return body + appendices


def check_site(site: Path) -> None:
    """Raise :class:`ManualError` unless ``site`` holds a built handbook."""
    if not (site / "index.html").is_file():
        raise ManualError(f"{site} holds no built handbook (no index.html); build it first with "
                          "'handbook build', or pass the folder a build wrote")


def read_chapter(site: Path, docname: str, part: str | None, in_manual: set[str]) -> Chapter:
    """One built page's article, made part of the one document."""
    page = site / f"{docname}.html"
    if not page.is_file():
        raise ManualError(f"the chapter {docname} (in _toc.yml) is not in the built book: {page} is "
                          "missing. Build the book again and check the build's messages for that page")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article", class_="bd-article")
    heading = article.find("h1") if isinstance(article, Tag) else None
    if not isinstance(article, Tag) or not isinstance(heading, Tag):
        raise ManualError(f"the chapter {docname} has no article with a title in {page}; the page "
                          "did not build properly: build the book again and fix what it reports there")
    for link in heading.find_all("a", class_="headerlink"):
        link.decompose()
    title = " ".join(heading.get_text(" ").split())
    heading.decompose()  # the manual prints its own, numbered
    _clean(article, soup)
    _rewrite_ids(article, docname)
    _rewrite_links(article, site, page, docname, in_manual)
    body = "".join(str(child) for child in article.children)
    return Chapter(docname, part, title, body)


def _clean(article: Tag, soup: BeautifulSoup) -> None:
    """Screen-only parts out: widgets (replaced by a note), scripts, buttons, heading links."""
    for script in article.find_all("script", attrs={"type": re.compile("widget-view")}):
        note = soup.new_tag("p", attrs={"class": "hc-manual-note"})
        note.string = WIDGET_NOTE
        output = script.find_parent("div", class_="cell")
        (output if isinstance(output, Tag) else script).replace_with(note)
    for tag in article.find_all(["script", "button", "noscript", "template"]):
        tag.decompose()
    for link in article.find_all("a", class_="headerlink"):
        link.decompose()
    for details in article.find_all("details", class_="sd-dropdown"):
        details["open"] = ""  # a dropdown's text belongs on paper; answers to questions stay folded


def _rewrite_ids(article: Tag, docname: str) -> None:
    for tag in article.find_all(id=True):
        tag["id"] = anchor_of(docname, str(tag["id"]))


def _rewrite_links(article: Tag, site: Path, page: Path, docname: str, in_manual: set[str]) -> None:
    """Links between chapters go to the chapter in the manual; images load from the site."""
    for img in article.find_all(["img", "source"]):
        src = str(img.get("src") or "")
        if src and not re.match(r"^[a-z]+:", src):
            img["src"] = (page.parent / src.split("?")[0]).resolve().as_uri()
        if img.has_attr("srcset"):
            del img["srcset"]
    for link in article.find_all("a", href=True):
        href = str(link["href"])
        if re.match(r"^(https?|mailto|tel):", href):
            continue
        path, _, fragment = href.partition("#")
        if not path:
            link["href"] = "#" + anchor_of(docname, fragment)
            continue
        target = (page.parent / path.split("?")[0]).resolve()
        try:
            target_doc = target.relative_to(site.resolve()).with_suffix("").as_posix()
        except ValueError:
            target_doc = ""
        if target_doc in in_manual:
            link["href"] = "#" + anchor_of(target_doc, fragment)
        else:
            del link["href"]  # a job aid or a file: nothing to follow on paper


# --------------------------------------------------------------------------- the one document


def stylesheets(page: Path) -> list[str]:
    """The stylesheets a built page loads (as file URLs), in its order."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = []
    for link in soup.find_all("link", rel="stylesheet"):
        href = str(link.get("href") or "").split("?")[0]
        if href and not re.match(r"^[a-z]+:", href) and (page.parent / href).is_file():
            found.append((page.parent / href).resolve().as_uri())
    return found


def compose(site: Path, chapters: list[Chapter], facts: ManualFacts,
            pages: dict[str, int] | None = None) -> str:
    """The manual as one HTML document; ``pages`` gives each chapter's page for the contents."""
    styles = stylesheets(site / f"{chapters[0].docname}.html") if chapters else []
    links = "\n".join(f'<link rel="stylesheet" href="{html.escape(url)}">' for url in styles)
    return f"""<!DOCTYPE html>
<html lang="en" data-theme="light" data-mode="light">
<head>
<meta charset="utf-8">
<title>{html.escape(facts.title)}: printed manual</title>
{links}
<link rel="stylesheet" href="{MANUAL_CSS.resolve().as_uri()}">
</head>
<body class="hc-manual">
<main class="bd-article">
{title_page(facts)}
{contents(chapters, pages or {})}
{"".join(_chapter_html(n, c, chapters) for n, c in enumerate(chapters, 1))}
</main>
</body>
</html>
"""


def title_page(facts: ManualFacts) -> str:
    agency = f'<p class="hc-manual-agency">{html.escape(facts.agency)}</p>' if facts.agency else ""
    return f"""<section class="hc-manual-title">
{agency}
<h1 class="hc-manual-name">{html.escape(facts.title)}</h1>
<p class="hc-manual-kind">Printed manual</p>
<dl class="hc-manual-facts">
<dt>Version</dt><dd>{html.escape(facts.version)}</dd>
<dt>Content revised</dt><dd>{facts.revised.isoformat()}</dd>
<dt>Printed</dt><dd>{facts.printed.isoformat()}</dd>
</dl>
<p class="hc-manual-warning">A printed page can be out of date. Check the version and revision date
in the footer against the online handbook before you rely on it.</p>
</section>"""


def _number(n: int, chapter: Chapter, chapters: list[Chapter]) -> str:
    """``3`` for a chapter; ``Appendix A`` for the first appendix."""
    if not chapter.appendix:
        return str(n)
    first = next(i for i, c in enumerate(chapters, 1) if c.appendix)
    return f"Appendix {chr(ord('A') + n - first)}"


def contents(chapters: list[Chapter], pages: dict[str, int]) -> str:
    """The table of contents: parts as headings, each chapter with its page (``?`` before the first print)."""
    rows = []
    part: str | None = None
    for n, chapter in enumerate(chapters, 1):
        if chapter.part and chapter.part != part:
            rows.append(f'<li class="hc-manual-toc-part">{html.escape(chapter.part)}</li>')
        part = chapter.part
        page = pages.get(chapter.docname)
        shown = str(page) if page else "?"
        rows.append(
            f'<li class="hc-manual-toc-entry"><a href="#{chapter.anchor}">'
            f'<span class="hc-manual-toc-title">{html.escape(chapter_heading(n, chapter, chapters))}</span>'
            f'<span class="hc-manual-toc-page" aria-label="page {shown}">{shown}</span></a></li>')
    return (f'<nav class="hc-manual-toc" aria-labelledby="hc-manual-toc-title">'
            f'<h2 id="hc-manual-toc-title">Contents</h2><ol>{"".join(rows)}</ol></nav>')


def chapter_heading(n: int, chapter: Chapter, chapters: list[Chapter]) -> str:
    """The words a chapter's first page starts with: ``3. Scene safety``, ``Appendix A. Pocket cards``."""
    return f"{_number(n, chapter, chapters)}. {chapter.title}"


def _chapter_html(n: int, chapter: Chapter, chapters: list[Chapter]) -> str:
    return (f'<section class="hc-manual-chapter" id="{chapter.anchor}">'
            f"<h1>{html.escape(chapter_heading(n, chapter, chapters))}</h1>"
            f"{chapter.body}</section>")


# --------------------------------------------------------------------------- title-page facts


def book_title(book_root: Path) -> str:
    """The ``title:`` of ``_config.yml`` (the handbook's name when it has none)."""
    try:
        config = yaml.safe_load((book_root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        config = {}
    title = config.get("title") if isinstance(config, dict) else None
    return str(title) if title else "Crisis Intervention Field Handbook"


def newest_revision(documents: Iterable[object]) -> dt.date | None:
    """The latest ``revised`` date among the content's reviewed documents."""
    dates = [revised for d in documents if isinstance(revised := getattr(d, "revised", None), dt.date)]
    return max(dates) if dates else None
