"""Helpers shared by the book tests and the screenshot script: serve a built site on loopback."""

from __future__ import annotations

import contextlib
import functools
import html.parser
import http.server
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for scripts run directly
from browser import CHROMIUM_ARGS as CHROMIUM_ARGS  # re-exported for the book tests
from browser import CHROMIUM_PATH as CHROMIUM_PATH


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- reading the site


BANNED_HOSTS = ("cdnjs", "jsdelivr", "unpkg", "googleapis", "gstatic", "mathjax.org",
                "use.fontawesome.com", "kit.fontawesome.com", "hypothes.is", "utteranc.es")
"""Host names that must appear nowhere in the published site."""

ASSET_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
    "input": ("src",),
}
ASSET_LINK_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch",
                   "manifest", "apple-touch-icon", "mask-icon", "dns-prefetch", "preconnect"}


@dataclass
class PageInfo:
    """What a test needs from one HTML page."""

    assets: list[tuple[str, str]] = field(default_factory=list)
    """(tag, url) of everything the page loads."""
    links: list[str] = field(default_factory=list)
    """Every ``<a href>``."""
    ids: set[str] = field(default_factory=set)
    scripts: list[str] = field(default_factory=list)
    """``<script src>`` in order."""


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.info.ids.add(values["id"])
        if "name" in values and tag == "a":
            self.info.ids.add(values["name"])
        for attr in ASSET_ATTRIBUTES.get(tag, ()):
            if values.get(attr):
                for url in re.split(r",\s*", values[attr]) if attr == "srcset" else [values[attr]]:
                    self.info.assets.append((tag, url.strip().split(" ")[0]))
        if tag == "script" and values.get("src"):
            self.info.scripts.append(values["src"])
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & ASSET_LINK_RELS and values.get("href"):
                self.info.assets.append(("link", values["href"]))
        if tag == "a" and "href" in values:
            self.info.links.append(values["href"])


def read_page(path: Path) -> PageInfo:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector.info


def is_external(url: str) -> bool:
    """True for an absolute or protocol-relative address (another host)."""
    scheme = urlsplit(url).scheme.lower()
    return url.startswith("//") or scheme in ("http", "https", "ftp", "ws", "wss")


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def css_urls(text: str) -> list[str]:
    """Every ``url(...)`` and ``@import "..."`` outside comments."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [a or b for a, b in CSS_URL.findall(text)]


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment a site-relative link points to; None for other schemes."""
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    base = site if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path.lstrip("/"))).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)
