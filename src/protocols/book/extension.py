"""Sphinx extension: render protocol content into the handbook BY ID, never retyped.

Registered from ``_config.yml`` (``sphinx: extra_extensions``, as ``protocols.sphinx_ext``).
In MyST Markdown::

    ```{protocol} scene-response
    ```

This module only wires the parts together; each part lives in its own module:

* :mod:`protocols.book.config`: the ``handbook_*`` values, the content and agency a build
  uses, and loading that content (one error per problem, with file and line; never a traceback).
* :mod:`protocols.book.directives`: the directives (the list is there). The HTML comes from
  :mod:`protocols.render` (every string escaped). An unknown id is a warning that names the
  directive, the page, the line and the known ids (``-W`` makes it fatal).
* :mod:`protocols.book.state`: what a build remembers. Each page notes the YAML files it
  rendered (``env.note_dependency``), so a trainer's edit rebuilds exactly those pages.
* :mod:`protocols.book.xref`: links between pages, resolved once every page is read.
* :mod:`protocols.book.fingerprint`: notebook pages that embed a checklist get a content
  fingerprint in their code, so jupyter-cache runs them again when the protocol changes.
* :mod:`protocols.book.assets` and :mod:`protocols.book.maths`: nothing loads from another
  host, and maths is shown as text.
* :mod:`protocols.book.offline`: the service worker, manifest and offline page that keep the
  whole book on a phone after one visit.
* :mod:`protocols.book.static_widgets`: notebook pages draw their checklists with the handbook's
  own ``widgets_static.js``, from the state the page embeds (no widget manager).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from protocols.book import assets, config, fingerprint, history, maths, offline, state, static_widgets, xref
from protocols.book.directives import DIRECTIVES

EVENTS: tuple[tuple[str, Any], ...] = (
    ("config-inited", config.config_inited),
    ("builder-inited", config.load_content),
    ("builder-inited", assets.publish_assets),
    ("source-read", fingerprint.tag_notebook),
    ("env-purge-doc", state.purge_doc),
    ("env-get-outdated", state.outdated),
    ("env-merge-info", state.merge_info),
    ("env-updated", xref.env_updated),
    ("doctree-resolved", xref.doctree_resolved),
    ("build-finished", assets.recopy_assets),
    ("html-page-context", offline.link_offline_parts),
    ("html-page-context", history.add_last_updated),
    ("build-finished", config.fail_on_content_problems),
)
"""Each event and its handler, in the order they are connected (and called, for one event)."""


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension's config values, directives, maths renderer, assets and events."""
    config.add_config_values(app)
    offline.add_config_values(app)
    app.add_html_math_renderer(maths.RENDERER, (maths.visit_math, None),
                               (maths.visit_displaymath, None))
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
    app.add_css_file("handbook.css", priority=600)
    app.add_js_file("handbook.js", priority=600, loading_method="defer")
    for event, handler in EVENTS:
        app.connect(event, handler)
    # After myst-nb's own handler, which puts the widget state among the page's scripts.
    app.connect("html-page-context", static_widgets.draw_widgets_statically, priority=900)
    # Last of all: the theme, myst-nb and the table of contents still write files at this event,
    # and the offline copy must list (and measure) what they wrote.
    app.connect("build-finished", offline.write_offline_handbook, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": fingerprint.code_version()}
