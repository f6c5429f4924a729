"""Book pages draw their checklists with ``widgets_static.js``: no widget manager, no RequireJS.

myst-nb embeds a notebook's widget state in its page as one JSON script. On each page that has
one (``html-page-context``), this module

* writes every anywidget model's ES module and CSS to ``_static/widgets/`` under a name made
  from its content (so each is stored once, cached for good, and precached offline), and puts
  the file's address in the state in place of the source;
* drops the models no view draws (the layout models ipywidgets adds to every widget);
* adds ``widgets_static.js`` as a module script, which draws each view from that state.

The state stays the notebook's own: a page drawn this way shows what the notebook stored.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
LOADER = "widgets_static.js"
MODULE_FOLDER = "widgets"
"""Under ``_static``: the widgets' modules and styles, named by content."""

_URL_LIKE = re.compile(r"^(\.{1,2}/|/(?!/)|https?:|blob:)[^\n]*$")
"""A module or style given by address, as ``widgets_static.js`` reads it (else it is source)."""
_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)


def stored_file(static: Path, text: str, suffix: str) -> str:
    """Write ``text`` under ``static/widgets`` named by its digest; its path below ``_static``."""
    data = text.encode("utf-8")
    name = f"{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    target = static / MODULE_FOLDER / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Parallel writers may race for the same name: each writes a whole file, then renames.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # readable by the web server, like every other file of the site
        os.replace(temporary, target)
    return f"{MODULE_FOLDER}/{name}"


def prune_modules(site: Path) -> list[str]:
    """Remove the module and style files under ``_static/widgets`` that no page names any more
    (an older build's, or a half-written one); the names removed."""
    folder = site / "_static" / MODULE_FOLDER
    if not folder.is_dir():
        return []
    named = "\n".join(page.read_text(encoding="utf-8", errors="replace") for page in site.rglob("*.html"))
    removed = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.name.startswith(".") or f"{MODULE_FOLDER}/{path.name}" not in named):
            path.unlink()
            removed.append(path.name)
    return removed


def viewed_models(body: str) -> set[str]:
    """The model ids the page's view scripts name."""
    found: set[str] = set()
    for match in _VIEW.finditer(body):
        try:
            found.add(str(json.loads(match.group(1))["model_id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def static_state(state: dict[str, Any], viewed: set[str], static: Path, to_static: str) -> dict[str, Any]:
    """The widget state with module sources moved to files and unseen models dropped.

    ``to_static`` is the page's relative address of ``_static/`` (``../../_static/``).
    """
    kept: dict[str, Any] = {}
    for model_id, model in state.get("state", {}).items():
        if model_id not in viewed:
            continue
        model = {**model, "state": dict(model.get("state", {}))}
        fields = model["state"]
        if model.get("model_module") == "anywidget":
            for name, suffix in (("_esm", ".js"), ("_css", ".css")):
                source = fields.get(name)
                if isinstance(source, str) and source and not _URL_LIKE.match(source):
                    fields[name] = to_static + stored_file(static, source, suffix)
            fields.pop("layout", None)
        kept[model_id] = model
    return {**state, "state": kept}


def early_fetches(state: dict[str, Any]) -> str:
    """Head links that fetch the widgets' modules and styles with the page, not after it.

    ``widgets_static.js`` runs once the page is parsed, then imports each module, then links its
    style sheet: round trips in a row before the first answer button shows. A ``modulepreload``
    and a style ``preload`` fetch both with the page's own files; the loader still links the
    style sheet last, after the theme's, as before (from the browser's cache by then).
    """
    links: list[str] = []
    for model in state.get("state", {}).values():
        fields = model.get("state", {})
        for name, link in (("_esm", '<link rel="modulepreload" href="{}">'),
                           ("_css", '<link rel="preload" as="style" href="{}">')):
            address = fields.get(name)
            if isinstance(address, str) and _URL_LIKE.match(address):
                tag = link.format(html.escape(address, quote=True))
                if tag not in links:
                    links.append(tag)
    return "".join(f"\n{tag}" for tag in links)


def script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def draw_widgets_statically(app: Sphinx, pagename: str, _template: str,
                            context: dict[str, Any], _doctree: Any) -> None:
    """``html-page-context``: a page with widget state gets file-backed modules and the loader."""
    if app.builder.format != "html":
        return
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    for script in list(scripts):
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") != STATE_TYPE:
            continue
        state = json.loads(str(attributes.get("body", "{}")).replace("<\\/", "</"))
        to_static = context["pathto"]("_static/", 1)
        if not to_static.startswith((".", "/")):
            to_static = f"./{to_static}"  # a page at the site root: "_static/" alone reads as source
        static = Path(app.outdir) / "_static"
        rewritten = static_state(state, viewed_models(str(context.get("body", ""))), static, to_static)
        scripts.remove(script)
        app.add_js_file(None, priority=getattr(script, "priority", 500), type=STATE_TYPE,
                        body=script_json(rewritten))
        app.add_js_file(LOADER, priority=600, type="module")
        context["metatags"] = str(context.get("metatags", "")) + early_fetches(rewritten)
