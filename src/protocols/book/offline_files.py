"""Which files of a built site the offline handbook keeps: found by reading the pages and styles.

Every HTML page is kept, with what it loads (scripts, stylesheets, icons, images) and, through
the stylesheets, the fonts and images they use. For a font given in several formats, only the
first (woff2 in every theme here) is kept: the browsers that run service workers read it. The
checklists' modules (``_static/widgets/``) are kept too. Source maps, notebook sources and
anything no page uses stay out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED_FOLDERS = ("_static/", "_sources/", ".doctrees/", "reports/")
"""Not pages: theme templates under ``_static``, sources, the build's own files, trainer reports."""
PAGE_SUFFIXES = (".html",)
URL_IN_CSS = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.S)
FONT_SRC = re.compile(r"\bsrc\s*:\s*([^;}]*)")
LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "manifest", "preload",
                "modulepreload"}


class _Assets(HTMLParser):
    """The local addresses a page loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("src"):
            self.found.append(values["src"])
        elif tag == "link" and set(values.get("rel", "").lower().split()) & LOADING_RELS:
            self.found.append(values.get("href", ""))
        elif tag in ("img", "source", "video", "audio") and values.get("src"):
            self.found.append(values["src"])


def _local(site: Path, base: Path, address: str) -> str | None:
    """``address`` (relative to ``base``) as a path inside ``site``, or None if it leaves it."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path or address.startswith("data:"):
        return None
    target = (base / unquote(parts.path)).resolve()
    try:
        name = target.relative_to(site.resolve()).as_posix()
    except ValueError:
        return None
    return name if target.is_file() else None


def _css_addresses(text: str) -> list[str]:
    """The addresses a stylesheet uses, keeping only the first format of each font."""
    addresses: list[str] = []
    for face in FONT_FACE.finditer(text):
        for src in FONT_SRC.finditer(face.group(1)):
            first = URL_IN_CSS.search(src.group(1))
            if first:
                addresses.append(first.group(2))
    outside = FONT_FACE.sub("", text)
    addresses += [match.group(2) for match in URL_IN_CSS.finditer(outside)]
    return addresses


def precached_files(site: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """Every file of ``site`` the offline handbook needs, sorted, as paths below the site root."""
    site = site.resolve()
    pages = sorted(p for p in site.rglob("*") if p.suffix in PAGE_SUFFIXES and p.is_file()
                   and not p.relative_to(site).as_posix().startswith(SKIPPED_FOLDERS))
    keep: set[str] = {p.relative_to(site).as_posix() for p in pages}
    keep |= {name for name in extra if (site / name).is_file()}
    stylesheets: list[str] = []
    for page in pages:
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for address in parser.found:
            name = _local(site, page.parent, address)
            if name is not None and name not in keep:
                keep.add(name)
                if name.endswith(".css"):
                    stylesheets.append(name)
    while stylesheets:
        sheet = stylesheets.pop()
        text = (site / sheet).read_text(encoding="utf-8", errors="replace")
        for address in _css_addresses(text):
            name = _local(site, (site / sheet).parent, address)
            if name is not None and name not in keep:
                keep.add(name)
                if name.endswith(".css"):
                    stylesheets.append(name)
    widgets = site / "_static" / "widgets"
    if widgets.is_dir():
        keep |= {p.relative_to(site).as_posix() for p in widgets.iterdir() if p.is_file()}
    # Hidden files (a half-written module, an editor's backup) are never served: one on the list
    # would make the worker's all-or-nothing install fail for every reader.
    return sorted(name for name in keep if not name.endswith(".map")
                  and not any(part.startswith(".") for part in name.split("/")))
