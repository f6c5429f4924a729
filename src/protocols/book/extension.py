"""Sphinx extension: render protocol content into the handbook BY ID, never retyped.

Registered from ``_config.yml`` (``sphinx: extra_extensions``). In MyST Markdown::

    ```{protocol} scene-response
    ```

Directives (each takes one content id, except the two lists):

``protocol``               the full checklist: objective, kind, version, pause points, items
``pocket-card``            the compact printable card of one protocol
``pocket-cards``           every protocol's card, in reading order (the cards page)
``screening-instrument``   a screening instrument with its rules in words
``rights-notice``          a victims'-rights notice, linked to its other language versions
``confidentiality-guide``  the decision questions and outcomes, with scripts
``resource-directory``     a referral directory
``needs-catalogue``        the needs assessment
``follow-up-template``     a follow-up plan template
``scenario``               a training scenario's summary with a link to the scenario player
``job-aid-list``           the index of job aids
``agency-contacts``        the agency this build is for, with its hotline and on-call numbers
``knowledge-check``        3-5 self-check questions on a protocol's critical items, or on
                           other content (``confidentiality:<id>``, ``needs:<id>``, ...)

``resource-directory agency`` shows the directory the agency profile names. A rights notice
the profile does not list is shown as a short "not used by <agency>" note (no warning).

How it keeps the book honest:

* The HTML comes from ``protocols.render`` (every string escaped).
* Each page notes the YAML files it rendered (``env.note_dependency``), so a trainer's edit
  rebuilds exactly those pages on the next incremental build. Notebook pages that embed a
  checklist also get a content fingerprint added to their code (see ``_tag_notebook``), so
  jupyter-cache runs them again when the protocol changes.
* An unknown id is a warning that names the directive, the page, the line and the known ids
  (``-W`` makes it fatal). Content that does not validate gives one error per problem, with
  file and line, and fails the build; never a traceback.
* The content folder is ``handbook_content`` in the Sphinx config, else the environment
  variable ``HANDBOOK_CONTENT``, else the content shipped with the package. An agency
  profile (``handbook_agency`` or ``HANDBOOK_AGENCY``, else ``handbook_default_agency``)
  applies its overlay on top, as the job aids do; its files are dependencies of every page
  that renders content. The agency's short name is added to the site title.
* Nothing loads from another host: the widget runtime is vendored (``protocols.book.vendor``) and
  published at the site root with ``html_extra_path``; maths is shown as text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from protocols import render
from protocols.library.agency import read_profile
from protocols.library.errors import ContentError
from protocols.library.loader import DEFAULT_CONTENT, Library, load_library
from protocols.models import ReferralCategory
from protocols.render.html import agency_logo_name
from protocols.render.job_aid_links import DEFAULT_JOB_AID_BASE, job_aid_url
from protocols.render.knowledge import DEFAULT_QUESTIONS, knowledge_check_html
from protocols.render.knowledge_content import CHECK_SOURCES, KINDS, build_check
from protocols.render.labels import JOB_AIDS, JobAid

logger = logging.getLogger(__name__)

ASSETS = ("handbook.css", "handbook.js")
XREF = "hc-xref:"
_XREF_RE = re.compile(r"hc-xref:(protocol|card|rights|aid):([a-z0-9-]+)(\?[A-Za-z0-9=&;_-]*)?")
_LINK_RE = re.compile(r'<a href="(hc-xref:[^"]*)"(?: class="[^"]*")?>(.*?)</a>', re.S)
_FOR_PROTOCOL_RE = re.compile(r"""for_protocol\(\s*\\?["']([a-z0-9-]+)\\?["']""")


# --------------------------------------------------------------------------- state


@dataclass
class _State:
    """Per-build state kept on the Sphinx app (not pickled with the environment)."""

    library: Library | None = None
    content_dir: Path | None = None
    agency_files: tuple[Path, ...] = ()
    """The agency profile and its overlay files: every content page depends on them."""
    failed: int = 0
    logo: str | None = None
    """The agency logo's file name in ``_static``, when the profile names one."""


def _state(app: Sphinx) -> _State:
    state = getattr(app, "_handbook_state", None)
    if state is None:
        state = _State()
        app._handbook_state = state  # type: ignore[attr-defined]
    return state


def _targets(env: BuildEnvironment) -> dict[str, dict[str, list[str]]]:
    """``"kind:id"`` → {docname: [anchor]}: where each object is rendered."""
    if not hasattr(env, "handbook_targets"):
        env.handbook_targets = {}  # type: ignore[attr-defined]
    return env.handbook_targets  # type: ignore[attr-defined,no-any-return]


def _xref_docs(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, "handbook_xref_docs"):
        env.handbook_xref_docs = set()  # type: ignore[attr-defined]
    return env.handbook_xref_docs  # type: ignore[attr-defined,no-any-return]


def _listings(env: BuildEnvironment) -> dict[str, dict[str, list[str]]]:
    """docname → {content folder: file names}: pages that show every file of a folder."""
    if not hasattr(env, "handbook_listings"):
        env.handbook_listings = {}  # type: ignore[attr-defined]
    return env.handbook_listings  # type: ignore[attr-defined,no-any-return]


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        return []


def _note_listing(env: BuildEnvironment, folder: Path) -> None:
    """Re-read this page when a file is added to or removed from ``folder``."""
    _listings(env).setdefault(env.docname, {})[str(folder)] = _listing(folder)


def content_dir(config: Config, srcdir: str | os.PathLike[str]) -> Path:
    """The content folder this build renders."""
    value = str(config.handbook_content or "").strip()
    if not value:
        return DEFAULT_CONTENT
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path(srcdir) / path).resolve()


def agency_profile(config: Config, srcdir: str | os.PathLike[str]) -> Path | None:
    """The agency profile (``agency.yaml``) whose overlay this build applies, if any.

    ``handbook_agency`` (or ``$HANDBOOK_AGENCY``) names it; without one, the book's
    ``handbook_default_agency`` is used.
    """
    value = str(config.handbook_agency or "").strip() or str(config.handbook_default_agency or "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path(srcdir) / path).resolve()


# --------------------------------------------------------------------------- events


def _drop_icon_font_script(app: Sphinx, config: Config) -> None:
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
    if str(folder) not in config.templates_path:
        config.templates_path = [str(folder), *config.templates_path]


def _config_inited(app: Sphinx, config: Config) -> None:
    _drop_icon_font_script(app, config)
    _agency_title(app, config)
    if not config.html_favicon:
        # A local icon: without one, browsers ask the server for /favicon.ico (a 404 offline).
        config.html_favicon = str(Path(__file__).parent / "assets" / "favicon.svg")
    if config.handbook_vendor:
        vendor = Path(app.srcdir) / config.handbook_vendor_dir
        # Sphinx checks html_extra_path entries before the builder starts (and warns on a
        # missing one); the folder is filled at builder-inited, so make sure it exists now.
        vendor.mkdir(parents=True, exist_ok=True)
        extra = [str(p) for p in config.html_extra_path]
        if str(vendor) not in extra:
            config.html_extra_path = [*extra, str(vendor)]


def _agency_title(app: Sphinx, config: Config) -> None:
    """Put the agency's short name into the site title and the logo text."""
    file = agency_profile(config, app.srcdir)
    if file is None or not file.is_file():
        return
    profile, _problems = read_profile(file)
    if profile is None:
        return  # reported with file and line when the content is loaded
    suffix = f" · {profile.short_name}"
    title = str(config.html_title or config.project or "Handbook")
    if not title.endswith(suffix):
        config.html_title = title + suffix
    options = dict(config.html_theme_options or {})
    logo = dict(options.get("logo") or {})
    text = str(logo.get("text") or title)
    if not text.endswith(suffix):
        logo["text"] = text + suffix
    image = _publish_logo(app, file.parent / profile.logo, agency_logo_name(profile)) \
        if profile.logo else None
    if image is not None:
        # The theme draws html_logo in the sidebar header; Sphinx copies it into _static.
        config.html_logo = str(image)
        logo["alt_text"] = f"{profile.name} logo"
    options["logo"] = logo
    config.html_theme_options = options


def _publish_logo(app: Sphinx, source: Path, name: str | None) -> Path | None:
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
    _state(app).logo = name
    return target


def _builder_inited(app: Sphinx) -> None:
    state = _state(app)
    folder = content_dir(app.config, app.srcdir)
    agency = agency_profile(app.config, app.srcdir)
    state.content_dir = folder
    # Notebook kernels started by the build (embedded checklists) read the same content.
    if app.config.handbook_content:
        os.environ["HANDBOOK_CONTENT"] = str(folder)
    if agency is not None:
        os.environ["HANDBOOK_AGENCY"] = str(agency)
        state.agency_files = (agency, *sorted(agency.parent.rglob("*.yaml")))
    try:
        state.library = (load_library(folder, agency=agency) if agency is not None
                         else load_library(folder))
    except ContentError as exc:
        state.library = None
        state.failed = len(exc.problems)
        for problem in exc.problems:
            where = problem.location()
            text = f"{problem.path}: {problem.message}" if problem.path else problem.message
            if problem.fix:
                text += f" (fix: {problem.fix})"
            logger.error(text, location=where, type="handbook", subtype="content")
    if app.builder.format == "html":
        _copy_assets(app)
        if app.config.handbook_vendor:
            _vendor(app)


def _vendor(app: Sphinx) -> None:
    from protocols.book.vendor import VendorError, ensure_vendored

    vendor = Path(app.srcdir) / app.config.handbook_vendor_dir
    try:
        ensure_vendored(vendor, log=lambda message: logger.info(message))
    except VendorError as exc:
        raise ExtensionError(
            f"the offline widget files could not be prepared: {exc}", modname=__name__
        ) from None


def _copy_assets(app: Sphinx) -> None:
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        source = resources.files("protocols").joinpath("book", "assets", name)
        with resources.as_file(source) as path:
            shutil.copyfile(path, static / name)


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        _copy_assets(app)  # again: a theme copy step must not leave an older file behind
    failed = _state(app).failed
    if exception is None and failed:
        # Fail the build (also without -W) with one summary line and no traceback.
        logger.error(
            f"the protocol content has {failed} problem{'s' if failed != 1 else ''} (listed "
            "above with file and line); the pages that show it are incomplete. Fix them and "
            "build again; `handbook validate` lists them too.", type="handbook",
            subtype="content")
        app.statuscode = 1


def _purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    for places in _targets(env).values():
        places.pop(docname, None)
    _xref_docs(env).discard(docname)
    _listings(env).pop(docname, None)


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    """Pages listing a whole content folder are outdated when a file came or went."""
    return [docname for docname, folders in _listings(env).items()
            if docname not in removed
            and any(_listing(Path(folder)) != names for folder, names in folders.items())]


def _merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str],
                other: BuildEnvironment) -> None:
    targets = _targets(env)
    for key, places in _targets(other).items():
        for docname, anchors in places.items():
            if docname in docnames:
                targets.setdefault(key, {})[docname] = anchors
    _xref_docs(env).update(d for d in _xref_docs(other) if d in docnames)
    _listings(env).update({d: v for d, v in _listings(other).items() if d in docnames})


def _env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages with cross-links are rewritten when a link target moved to another page."""
    snapshot = json.dumps(
        {key: sorted(places) for key, places in sorted(_targets(env).items())}, sort_keys=True)
    previous = getattr(env, "handbook_targets_snapshot", None)
    env.handbook_targets_snapshot = snapshot  # type: ignore[attr-defined]
    if previous is not None and previous != snapshot:
        return sorted(_xref_docs(env))
    return []


def _tag_notebook(app: Sphinx, docname: str, source: list[str]) -> None:
    """Make a notebook that embeds a checklist depend on that protocol's content.

    jupyter-cache re-executes a notebook only when its code changes, so a fingerprint of the
    protocol's YAML (and of ``handbook_job_aid_base``, which the widget's link uses) is
    appended (as a comment) to each cell that builds a checklist, and the YAML file becomes a
    dependency of the page.
    """
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    library = _state(app).library
    if library is None or "for_protocol" not in source[0]:
        return
    try:
        notebook = json.loads(source[0])
    except ValueError:
        return
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else text
        found = _FOR_PROTOCOL_RE.findall(text)
        if not found:
            continue
        prints = []
        for protocol_id in found:
            files = [*_files_for(library, "protocols", protocol_id),
                     *_state(app).agency_files]
            for file in files:
                app.env.note_dependency(str(file))
            digest = hashlib.sha256(b"".join(f.read_bytes() for f in files if f.is_file()))
            # The widget links to its job aid under this base: a changed base re-runs the cell too.
            digest.update(str(app.config.handbook_job_aid_base).encode())
            prints.append(f"{protocol_id}@{digest.hexdigest()[:12]}")
        cell["source"] = text.rstrip("\n") + "\n# handbook content: " + " ".join(prints)
        changed = True
    if changed:
        source[0] = json.dumps(notebook, ensure_ascii=False)


def _files_for(library: Library, kind: str, obj_id: str) -> list[Path]:
    """The YAML files an object's rendering depends on: its own file and the citations."""
    files = []
    file = library.files.get((kind, obj_id))
    if file is not None:
        files.append(file)
    sources = library.content_dir / "sources.yaml"
    if sources.is_file():
        files.append(sources)
    return files


# --------------------------------------------------------------------------- links


class _BookLinks(render.Links):
    """Placeholder links, resolved into page-relative URLs once every page has been read."""

    def protocol(self, protocol_id: str) -> str | None:
        return f"{XREF}protocol:{protocol_id}"

    def card(self, protocol_id: str) -> str | None:
        return f"{XREF}card:{protocol_id}"

    def rights_notice(self, notice_id: str) -> str | None:
        return f"{XREF}rights:{notice_id}"

    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        return f"{XREF}aid:{aid.name}" + (f"?{query}" if query else "")


BOOK_LINKS = _BookLinks()


def _doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if XREF not in text:
            continue
        resolved = _resolve_links(app, docname, text)
        node.replace(node.children[0], nodes.Text(resolved))


def _resolve_links(app: Sphinx, docname: str, text: str) -> str:
    def href(token: str) -> str | None:
        match = _XREF_RE.fullmatch(token)
        if match is None:
            return None
        kind, obj_id, query = match.group(1), match.group(2), (match.group(3) or "")
        if kind == "aid":
            aid = JOB_AIDS.get(obj_id)
            return _job_aid_url(app, docname, aid, query.replace("&amp;", "&")) if aid else None
        order = {"protocol": ("protocol", "card"), "card": ("card",), "rights": ("rights",)}[kind]
        for target_kind in order:
            place = _place(app, f"{target_kind}:{obj_id}", docname)
            if place is not None:
                target_doc, anchor = place
                if target_doc == docname:
                    # A protocol shown only as a card: no link from the card to itself.
                    return None if target_kind != kind else f"#{anchor}"
                uri = app.builder.get_relative_uri(docname, target_doc)
                return f"{uri}#{anchor}"
        return None

    def replace(match: re.Match[str]) -> str:
        url = href(match.group(1).replace("&amp;", "&"))
        if url is None:
            return match.group(2)
        return match.group(0).replace(match.group(1), render.esc(url), 1)

    return _LINK_RE.sub(replace, text)


def _place(app: Sphinx, key: str, from_doc: str) -> tuple[str, str] | None:
    places = _targets(app.env).get(key) or {}
    if not places:
        return None
    if from_doc in places:
        return from_doc, places[from_doc][0]
    library = _state(app).library
    kind, _, obj_id = key.partition(":")
    if kind == "protocol" and library is not None:
        preferred = getattr(library.protocols.get(obj_id), "chapter", None)
        if preferred in places:
            return preferred, places[preferred][0]
    docname = sorted(places)[0]
    return docname, places[docname][0]


def _job_aid_url(app: Sphinx, docname: str, aid: JobAid, query: str) -> str:
    return job_aid_url(str(app.config.handbook_job_aid_base or ""), f"{aid.name}.ipynb{query}",
                       lambda site_path: relative_uri(app.builder.get_target_uri(docname), site_path))


# --------------------------------------------------------------------------- directives


class _ContentDirective(SphinxDirective):
    """Base: look an id up in one table of the library, note dependencies, emit raw HTML."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "heading-level": lambda value: directives.choice(value, ("2", "3", "4")),
    }
    table: ClassVar[str] = ""
    noun: ClassVar[str] = ""
    target_kind: ClassVar[str | None] = None
    default_level: ClassVar[int] = 3

    @property
    def level(self) -> int:
        return int(self.options.get("heading-level", self.default_level))

    def run(self) -> list[nodes.Node]:
        state = _state(self.env.app)
        library = state.library
        if library is None:
            return [self._placeholder("The handbook content could not be loaded; see the "
                                      "build errors.")]
        obj_id = self.resolve_id(library, self.arguments[0].strip())
        if obj_id is None:
            return [self._placeholder(f"Missing {self.noun}: {self.arguments[0].strip()}")]
        table: dict[str, Any] = getattr(library, self.table)
        obj = table.get(obj_id)
        if obj is None:
            self._unknown(obj_id, sorted(table))
            return [self._placeholder(f"Missing {self.noun}: {obj_id}")]
        self._depend_on(self.dependencies(library, obj))
        instead = self.instead(library, obj)
        if instead is not None:
            return [nodes.raw("", instead, format="html")]
        if self.target_kind:
            places = _targets(self.env).setdefault(f"{self.target_kind}:{obj_id}", {})
            places.setdefault(self.env.docname, []).append(f"{self.target_kind}-{obj_id}")
        return [self._content_node(self.render(library, obj))]

    def _depend_on(self, files: list[Path]) -> None:
        """Re-read this page when one of ``files`` or of the agency's files changes."""
        for file in (*files, *_state(self.env.app).agency_files):
            self.env.note_dependency(str(file))

    def _content_node(self, markup: str) -> nodes.Node:
        """The rendered content as the page's raw HTML (its links resolved once all is read)."""
        if XREF in markup:
            _xref_docs(self.env).add(self.env.docname)
        node = nodes.raw("", markup, format="html")
        node["classes"].append("hc-content")
        self.set_source_info(node)
        return node

    def _unknown(self, obj_id: str, known: list[str]) -> None:
        shown = ", ".join(known) if known else "none: the content folder has no " + self.table
        logger.warning(
            f"{{{self.name}}} on page {self.env.docname!r}, line {self.lineno}: there is no "
            f"{self.noun} {obj_id!r}. Known {self.noun} ids: {shown}",
            location=(self.env.docname, self.lineno), type="handbook", subtype="unknown-id")

    def _placeholder(self, text: str) -> nodes.Node:
        return nodes.raw("", f'<p class="hc-missing">{render.esc(text)}</p>', format="html")

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        return _files_for(library, self.table, obj.id)

    def resolve_id(self, library: Library, argument: str) -> str | None:
        """The content id the argument names (``None``: already reported)."""
        return argument

    def instead(self, library: Library, obj: Any) -> str | None:
        """Markup to show in place of the object (e.g. "not used by this agency"), or None."""
        return None

    def render(self, library: Library, obj: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class ProtocolDirective(_ContentDirective):
    """The full protocol, with links to its pocket card and job aid."""

    table, noun, target_kind = "protocols", "protocol", "protocol"
    option_spec: ClassVar[dict[str, Any]] = {
        **_ContentDirective.option_spec,
        "job-aid": directives.unchanged,
    }

    def render(self, library: Library, obj: Any) -> str:
        aid: JobAid | None = None
        name = self.options.get("job-aid")
        if name:
            if name != "none" and name not in JOB_AIDS:
                logger.warning(
                    f"{{protocol}} on page {self.env.docname!r}, line {self.lineno}: unknown "
                    f"job aid {name!r}; known: {', '.join(JOB_AIDS)} (or 'none')",
                    location=(self.env.docname, self.lineno), type="handbook",
                    subtype="unknown-id")
            aid = JOB_AIDS.get(name)
            if aid is None:
                return render.protocol_html(obj, library, _NoAidLinks(), level=self.level)
        return render.protocol_html(obj, library, BOOK_LINKS, level=self.level, job_aid=aid)


class _NoAidLinks(_BookLinks):
    def job_aid(self, aid: JobAid, query: str = "") -> str | None:
        return None


class PocketCardDirective(_ContentDirective):
    """One protocol's compact printable card."""

    table, noun, target_kind, default_level = "protocols", "protocol", "card", 2

    def render(self, library: Library, obj: Any) -> str:
        return render.pocket_card_html(obj, BOOK_LINKS, level=self.level,
                                       book_title=self.config.html_title or self.config.project,
                                       agency=library.agency,
                                       added_by=_added_by(self.env.app, library, obj.id),
                                       logo_url=_logo_url(self.env))


class PocketCardsDirective(SphinxDirective):
    """Every protocol's pocket card, in the order the book presents them."""

    required_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        library = _state(self.env.app).library
        if library is None:
            return [nodes.raw("", '<p class="hc-missing">The handbook content could not be '
                              "loaded; see the build errors.</p>", format="html")]
        # A new or removed protocol file: the cards page is read again.
        _note_listing(self.env, library.content_dir / "protocols")
        for file in _state(self.env.app).agency_files:
            self.env.note_dependency(str(file))
        parts = []
        for protocol in _reading_order(self.env, library):
            for file in _files_for(library, "protocols", protocol.id):
                self.env.note_dependency(str(file))
            places = _targets(self.env).setdefault(f"card:{protocol.id}", {})
            places.setdefault(self.env.docname, []).append(f"card-{protocol.id}")
            parts.append(render.pocket_card_html(
                protocol, BOOK_LINKS, level=2,
                book_title=self.config.html_title or self.config.project,
                agency=library.agency, added_by=_added_by(self.env.app, library, protocol.id),
                logo_url=_logo_url(self.env)))
        _xref_docs(self.env).add(self.env.docname)
        if not parts:
            parts.append('<p class="hc-missing">There are no protocols in the content yet.</p>')
        return [nodes.raw("", f'<div class="hc-cards">{"".join(parts)}</div>', format="html")]


def _logo_url(env: BuildEnvironment) -> str | None:
    """The agency logo's address relative to the page being read (None: no logo)."""
    name = _state(env.app).logo
    if name is None:
        return None
    return relative_uri(env.app.builder.get_target_uri(env.docname), f"_static/{name}")


def _added_by(app: Sphinx, library: Library, protocol_id: str) -> str | None:
    """The agency's short name when the protocol comes from its overlay, else None."""
    file = library.files.get(("protocols", protocol_id))
    if library.agency is None or file is None:
        return None
    overlay = {f.resolve() for f in _state(app).agency_files}
    return library.agency.short_name if file.resolve() in overlay else None


def _reading_order(env: BuildEnvironment, library: Library) -> list[Any]:
    """Protocols sorted by where their chapter sits in the table of contents, then by id."""
    order: dict[str, int] = {}
    site_map = getattr(env.app.config, "external_site_map", None)
    if site_map is not None:
        try:
            for index, name in enumerate(site_map):
                order.setdefault(str(name), index)
        except TypeError:  # pragma: no cover - a different sphinx-external-toc
            order = {}
    positions: dict[str, int] = {}
    for chapter in {p.chapter for p in library.protocols.values() if p.chapter in order}:
        try:
            text = Path(env.doc2path(str(chapter))).read_text(encoding="utf-8")
        except OSError:
            continue
        for match in re.finditer(r"\{protocol\}\s+([a-z0-9-]+)", text):
            positions.setdefault(match.group(1), match.start())
    return sorted(library.protocols.values(),
                  key=lambda p: (order.get(p.chapter or "", len(order) + 1),
                                 positions.get(p.id, 1 << 30), p.id))


class InstrumentDirective(_ContentDirective):
    table, noun, target_kind = "instruments", "screening instrument", "instrument"

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        files = _files_for(library, "instruments", obj.id)
        follow = library.files.get(("protocols", obj.follow_on_protocol))
        return [*files, follow] if follow else files

    def render(self, library: Library, obj: Any) -> str:
        return render.instrument_html(obj, library, BOOK_LINKS, level=self.level)


class RightsNoticeDirective(_ContentDirective):
    table, noun, target_kind = "rights", "rights notice", "rights"

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        files = _files_for(library, "rights", obj.id)
        files += [library.files[("rights", n.id)] for n in library.notices_in_family(obj.family)
                  if n.id != obj.id and ("rights", n.id) in library.files]
        # A new language version: this page is read again to link to it.
        _note_listing(self.env, library.content_dir / "rights")
        return files

    def instead(self, library: Library, obj: Any) -> str | None:
        agency = library.agency
        if agency is None or obj.id in agency.rights_notices:
            return None
        return render.not_used_html(obj.title, agency)

    def render(self, library: Library, obj: Any) -> str:
        used = library.agency.rights_notices if library.agency is not None else None
        return render.rights_notice_html(obj, library, BOOK_LINKS, level=self.level, used=used)


class ConfidentialityDirective(_ContentDirective):
    table, noun, target_kind = "confidentiality", "confidentiality guide", "guide"

    def render(self, library: Library, obj: Any) -> str:
        return render.confidentiality_html(obj, library, BOOK_LINKS, level=self.level)


class ResourceDirectoryDirective(_ContentDirective):
    """A directory by id; ``agency`` means the directory the agency profile names."""

    table, noun, target_kind = "resources", "resource directory", "directory"

    def resolve_id(self, library: Library, argument: str) -> str | None:
        if argument != "agency":
            return argument
        if library.agency is None:
            logger.warning(
                f"{{{self.name}}} on page {self.env.docname!r}, line {self.lineno}: `agency` "
                "needs an agency profile, and this build has none. Build with --agency, set "
                "handbook_default_agency, or name a directory id",
                location=(self.env.docname, self.lineno), type="handbook", subtype="unknown-id")
            return None
        return library.agency.resource_directory

    def dependencies(self, library: Library, obj: Any) -> list[Path]:
        file = library.files.get(("resources", obj.id))
        return [file] if file else []

    def render(self, library: Library, obj: Any) -> str:
        return render.resource_directory_html(obj, BOOK_LINKS, level=self.level)


class NeedsCatalogueDirective(_ContentDirective):
    table, noun, target_kind = "needs", "needs assessment", "needs"

    def render(self, library: Library, obj: Any) -> str:
        return render.needs_catalogue_html(obj, library, BOOK_LINKS, level=self.level)


class FollowUpDirective(_ContentDirective):
    table, noun, target_kind = "followup", "follow-up template", "follow-up"

    def render(self, library: Library, obj: Any) -> str:
        return render.follow_up_html(obj, library, BOOK_LINKS, level=self.level)


class ScenarioDirective(_ContentDirective):
    table, noun, target_kind = "scenarios", "scenario", "scenario"

    def render(self, library: Library, obj: Any) -> str:
        return render.scenario_html(obj, library, BOOK_LINKS, level=self.level,
                                    player=JOB_AIDS["scenario-player"])


class KnowledgeCheckDirective(_ContentDirective):
    """Self-check questions at the end of a chapter (answers checked in the page).

    ``{knowledge-check} <protocol-id>`` asks about a protocol's critical items;
    ``{knowledge-check} <source>:<id>`` about other content (``confidentiality``, ``needs``,
    ``followup``, ``rights``, ``scenario``; ``rights:agency`` is the agency's first notice;
    ``reviews:all`` asks about every checklist's owner, review interval and last change).
    ``:ask:`` keeps some kinds of question; ``:referrals:`` keeps the needs that lead there;
    ``:pause-point:`` keeps one pause point of a protocol.

    A protocol goes through the base class's ``run``. Other sources keep their own lookup:
    the table depends on the source, ``reviews:all`` names no single object, and their
    warnings and placeholders are worded for a knowledge check; they share the base's
    dependency notes and output node.
    """

    table, noun = "protocols", "protocol"
    option_spec: ClassVar[dict[str, Any]] = {
        "questions": lambda value: directives.choice(value, ("3", "4", "5")),
        "ask": directives.unchanged,
        "referrals": directives.unchanged,
        "pause-point": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        source, _, obj_id = self.arguments[0].strip().rpartition(":")
        if source in ("", "protocol"):
            return super().run()
        source_spec = CHECK_SOURCES.get(source)
        library = _state(self.env.app).library
        if source_spec is None:
            return self._bad(f"unknown content kind {source!r}; use one of: protocol, "
                             + ", ".join(CHECK_SOURCES), obj_id)
        if library is None:
            return [self._placeholder("The handbook content could not be loaded; see the "
                                      "build errors.")]
        table_name, noun = source_spec
        table: dict[str, Any] = getattr(library, table_name)
        obj_id = self._alias(library, source, obj_id)
        if obj_id is None:
            return [self._placeholder(f"Missing {noun}: {self.arguments[0].strip()}")]
        if obj_id not in table and not (source == "reviews" and obj_id == "all"):
            shown = ", ".join(sorted(table)) or "none"
            return self._bad(f"there is no {noun} {obj_id!r}. Known {noun} ids: {shown}", obj_id)
        kinds = [k for k in re.split(r"[\s,]+", self.options.get("ask", "")) if k]
        unknown = [k for k in kinds if k not in KINDS[source]]
        if unknown:
            return self._bad(f":ask: {', '.join(unknown)} is not a kind of {source} question; "
                             f"use: {', '.join(KINDS[source])}", obj_id)
        try:
            check = build_check(library, source, obj_id, self._referrals(),
                                int(self.options.get("questions", DEFAULT_QUESTIONS)), kinds,
                                seed=self.env.docname)
        except ValueError as exc:
            return self._bad(str(exc), obj_id)
        files = ([library.files[("protocols", p)] for p in sorted(library.protocols)
                  if ("protocols", p) in library.files] if source == "reviews"
                 else _files_for(library, table_name, obj_id))
        self._depend_on(files)
        return [self._content_node(check.html())]

    def _alias(self, library: Library, source: str, obj_id: str) -> str | None:
        if source != "rights" or obj_id != "agency":
            return obj_id
        if library.agency is None or not library.agency.rights_notices:
            self._bad("`rights:agency` needs an agency profile that lists rights notices; build "
                      "with --agency or name a notice id", obj_id)
            return None
        return library.agency.rights_notices[0]

    def _referrals(self) -> list[ReferralCategory]:
        words = [w for w in re.split(r"[\s,]+", self.options.get("referrals", "")) if w]
        known = {c.value: c for c in ReferralCategory}
        wrong = [w for w in words if w not in known]
        if wrong:
            raise ValueError(f":referrals: {', '.join(wrong)} is not a referral category; use: "
                             + ", ".join(known))
        return [known[w] for w in words]

    def _bad(self, text: str, obj_id: str) -> list[nodes.Node]:
        logger.warning(f"{{{self.name}}} on page {self.env.docname!r}, line {self.lineno}: {text}",
                       location=(self.env.docname, self.lineno), type="handbook",
                       subtype="unknown-id")
        return [self._placeholder(f"Missing knowledge check: {self.arguments[0].strip()}")]

    def render(self, library: Library, obj: Any) -> str:
        count = int(self.options.get("questions", DEFAULT_QUESTIONS))
        pause_point = self.options.get("pause-point") or None
        known = [pp.id for pp in obj.pause_points]
        if pause_point is not None and pause_point not in known:
            self._bad(f":pause-point: {obj.id} has no pause point {pause_point!r}; known: "
                      + ", ".join(known), obj.id)
            return f'<p class="hc-missing">Missing pause point: {render.esc(pause_point)}</p>'
        return knowledge_check_html(obj, count, pause_point)


class AgencyContactsDirective(SphinxDirective):
    """The agency this build is for, with its hotline and on-call numbers."""

    required_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        state = _state(self.env.app)
        if state.library is None:
            return [nodes.raw("", '<p class="hc-missing">The handbook content could not be '
                              "loaded; see the build errors.</p>", format="html")]
        if state.agency_files:
            self.env.note_dependency(str(state.agency_files[0]))  # the profile itself
        return [nodes.raw("", render.agency_contacts_html(state.library.agency), format="html")]


class JobAidListDirective(SphinxDirective):
    """The job-aid index; links are relative to the site root (served by ``handbook serve``).

    With arguments (job-aid names), only those aids, as one short line of links (the home page's
    first screen).
    """

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        _xref_docs(self.env).add(self.env.docname)
        names = self.arguments[0].split() if self.arguments else []
        for name in names:
            if name not in JOB_AIDS:
                logger.warning(
                    f"{{job-aid-list}} on page {self.env.docname!r}, line {self.lineno}: unknown "
                    f"job aid {name!r}; known: {', '.join(JOB_AIDS)}",
                    location=(self.env.docname, self.lineno), type="handbook", subtype="unknown-id")
        chosen = [JOB_AIDS[name] for name in names if name in JOB_AIDS]
        markup = (render.job_aid_links_html(chosen, BOOK_LINKS) if names
                  else render.job_aid_list_html(JOB_AIDS.values(), BOOK_LINKS))
        return [nodes.raw("", markup, format="html")]


DIRECTIVES: dict[str, type[SphinxDirective]] = {
    "protocol": ProtocolDirective,
    "pocket-card": PocketCardDirective,
    "pocket-cards": PocketCardsDirective,
    "screening-instrument": InstrumentDirective,
    "rights-notice": RightsNoticeDirective,
    "confidentiality-guide": ConfidentialityDirective,
    "resource-directory": ResourceDirectoryDirective,
    "needs-catalogue": NeedsCatalogueDirective,
    "follow-up-template": FollowUpDirective,
    "scenario": ScenarioDirective,
    "job-aid-list": JobAidListDirective,
    "knowledge-check": KnowledgeCheckDirective,
    "agency-contacts": AgencyContactsDirective,
}


# --------------------------------------------------------------------------- maths as text


def _visit_math(self: Any, node: nodes.Element) -> None:
    self.body.append(f'<span class="math notranslate">{self.encode(node.astext())}</span>')
    raise nodes.SkipNode


def _visit_displaymath(self: Any, node: nodes.Element) -> None:
    self.body.append(f'<div class="math notranslate"><pre>{self.encode(node.astext())}</pre>'
                     "</div>")
    raise nodes.SkipNode


# --------------------------------------------------------------------------- setup


def setup(app: Sphinx) -> dict[str, Any]:
    env_content = os.environ.get("HANDBOOK_CONTENT", "").strip()
    app.add_config_value("handbook_content", os.path.abspath(env_content) if env_content else "",
                         "env", [str])
    env_agency = os.environ.get("HANDBOOK_AGENCY", "").strip()
    app.add_config_value("handbook_agency", os.path.abspath(env_agency) if env_agency else "",
                         "env", [str])
    # The profile used when no agency is named: `handbook build` with no --agency.
    app.add_config_value("handbook_default_agency", "", "env", [str])
    app.add_config_value("handbook_vendor", True, "env", [bool])
    app.add_config_value("handbook_vendor_dir", "vendor", "env", [str])
    app.add_config_value("handbook_job_aid_base", DEFAULT_JOB_AID_BASE, "html", [str])
    if "comments_config" not in app.config.values:
        # Jupyter Book always passes `comments_config` (from `html.comments`), but the book
        # does not load sphinx_comments (it would fetch Hypothesis/utterances from the
        # internet); accept the value so the build stays free of warnings.
        app.add_config_value("comments_config", {}, "html", [dict])
    app.add_html_math_renderer("handbook-text", (_visit_math, None), (_visit_displaymath, None))
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
    app.add_css_file("handbook.css", priority=600)
    app.add_js_file("handbook.js", priority=600, loading_method="defer")
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("source-read", _tag_notebook)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-merge-info", _merge_info)
    app.connect("env-updated", _env_updated)
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": _code_version()}


def _code_version() -> int:
    """A number that changes whenever the rendering code changes.

    Sphinx re-reads every page when an extension's ``env_version`` changes, so an edit to
    ``protocols.render`` (the job-aid links included) or to this module shows up on the next
    build without ``--all``.
    """
    digest = hashlib.sha256()
    here = Path(__file__).parents[1]  # the package: this extension and render/
    for path in sorted([Path(__file__), *(here / "render").glob("*.py")]):
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:8], 16)
