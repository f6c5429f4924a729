"""The files the extension publishes with the site: its CSS and JS, and the logo.

Nothing loads from another host: the checklists are drawn by the handbook's own
``widgets_static.js`` (:mod:`protocols.book.static_widgets`), and the theme's icon-font script is
left out (``handbook.css`` draws its few icons).
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from protocols.book.state import build_state

logger = logging.getLogger(__name__)

ASSETS = ("handbook.css", "handbook.js", "widgets_static.js", "offline.js")
FAVICON = Path(__file__).parent / "assets" / "favicon.svg"


def drop_icon_font_script(app: Sphinx, config: Config) -> None:
    """Leave out the theme's 1.5 MB icon script; ``handbook.css`` draws its few icons instead.

    The theme includes the script from one macro file. A copy of that file without the
    script line goes in a templates folder searched before the theme's own, so the rest
    of the theme (whatever its version) is untouched.
    """
    try:
        import pydata_sphinx_theme  # type: ignore[import-untyped]
    except ImportError:
        return
    source = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
              / "webpack-macros.html")
    if not source.is_file():
        logger.info("handbook: the theme's macro file moved; the icon script stays in")
        return
    kept = [line for line in source.read_text(encoding="utf-8").splitlines(keepends=True)
            if "fontawesome.js" not in line]
    folder = Path(app.doctreedir).parent / "handbook-templates"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    target = folder / "static" / "webpack-macros.html"
    text = "".join(kept)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    drop_search_scripts_from_pages(Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
                                   / "layout.html", folder / "layout.html", config)
    if str(folder) not in config.templates_path:
        config.templates_path = [str(folder), *config.templates_path]


_EXTRAHEAD = re.compile(r"\{%-? block extrahead -?%\}(.*?)\{%-? endblock extrahead -?%\}", re.S)
_SEARCH_SCRIPT = re.compile(r"<script\b[^>]*(?:searchtools|language_data|searchindex)\.js[^>]*>\s*</script>")


def drop_search_scripts_from_pages(source: Path, target: Path, config: Config) -> None:
    """Load the search scripts and index on the search page only, not in every page's head.

    The theme puts Sphinx's search scripts and the whole search index (``searchindex.js``, some
    130 KB) in the head of every page for its search-as-you-type box, which this handbook leaves
    off: every page waited for them. ``target`` overrides the theme's ``extrahead`` block with the
    same block without those script elements (the search page has its own). The override is left
    out, and the build says why, when the box is turned on, when the theme's layout has no such
    block, or when sphinx-book-theme (whose layout extends the one read) defines the block itself.
    """
    target.unlink(missing_ok=True)
    options = config.html_theme_options if isinstance(config.html_theme_options, dict) else {}
    if str(options.get("search_as_you_type", "")).lower() in {"true", "1"}:
        return  # the box needs the scripts on every page
    block = _EXTRAHEAD.search(source.read_text(encoding="utf-8")) if source.is_file() else None
    book_layout = _book_theme_layout()
    if block is None or (book_layout is not None and _EXTRAHEAD.search(book_layout)):
        logger.info("handbook: the theme's layout changed; its search scripts stay on every page")
        return
    target.write_text('{%- extends "!layout.html" %}\n'
                      "{#- protocols.book.assets.drop_search_scripts_from_pages: the theme's block, less "
                      "its search scripts. -#}\n"
                      "{%- block extrahead %}" + _SEARCH_SCRIPT.sub("", block.group(1))
                      + "{%- endblock extrahead %}\n", encoding="utf-8")


def _book_theme_layout() -> str | None:
    try:
        import sphinx_book_theme  # type: ignore[import-untyped]
    except ImportError:
        return None
    layout = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme" / "layout.html"
    return layout.read_text(encoding="utf-8") if layout.is_file() else None


def publish_favicon(app: Sphinx, config: Config) -> None:
    """A local favicon: without one, browsers ask the server for /favicon.ico (a 404 offline)."""
    if not config.html_favicon:
        config.html_favicon = str(FAVICON)


def publish_logo(app: Sphinx, source: Path, name: str | None) -> Path | None:
    """Copy the agency's logo to a build folder as ``name`` (``_static/<name>`` on the site).

    Pages, pocket cards and the job aids then all find it at one address on this site.
    A missing file is reported with the profile's line when the content is loaded.
    """
    if name is None or not source.is_file():
        return None
    folder = Path(app.doctreedir).parent / "handbook-logo"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    data = source.read_bytes()
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)
    build_state(app).logo = name
    return target


def publish_assets(app: Sphinx) -> None:
    """``builder-inited``: the CSS and JS into ``_static``."""
    if app.builder.format != "html":
        return
    copy_assets(app)


def recopy_assets(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: copy again, so a theme's copy step leaves no older file behind."""
    if exception is None and app.builder.format == "html":
        copy_assets(app)


def copy_assets(app: Sphinx) -> None:
    """The extension's ``ASSETS`` into the site's ``_static``."""
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        source = resources.files("protocols").joinpath("book", "assets", name)
        with resources.as_file(source) as path:
            shutil.copyfile(path, static / name)
