"""The extension's configuration: its ``handbook_*`` values, the content and agency a build uses.

The content folder is ``handbook_content`` in the Sphinx config, else the content setting
(:data:`protocols.settings.CONTENT`), else the content shipped with the package. An agency
profile (``handbook_agency`` or the agency setting, :data:`protocols.settings.AGENCY`, else
``handbook_default_agency``) applies its overlay on top, as the job aids do; its files are
dependencies of every page that renders content. The agency's short name is added to the
site title.
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from protocols import settings
from protocols.book.assets import drop_icon_font_script, publish_favicon, publish_logo
from protocols.book.state import build_state
from protocols.library.agency import read_profile
from protocols.library.errors import ContentError
from protocols.library.loader import DEFAULT_CONTENT, load_library
from protocols.render.html import agency_logo_name
from protocols.render.job_aid_links import DEFAULT_JOB_AID_BASE

logger = logging.getLogger(__name__)


def add_config_values(app: Sphinx) -> None:
    """Declare the ``handbook_*`` values; content and agency default to the run-time settings."""
    current = settings.Settings.from_env()
    content = os.path.abspath(current.content) if current.content else ""
    agency = os.path.abspath(current.agency) if current.agency else ""
    app.add_config_value("handbook_content", content, "env", [str])
    app.add_config_value("handbook_agency", agency, "env", [str])
    # The profile used when no agency is named: `handbook build` with no --agency.
    app.add_config_value("handbook_default_agency", "", "env", [str])
    app.add_config_value("handbook_job_aid_base", DEFAULT_JOB_AID_BASE, "html", [str])
    if "comments_config" not in app.config.values:
        # Jupyter Book always passes `comments_config` (from `html.comments`), but the book
        # does not load sphinx_comments (it would fetch Hypothesis/utterances from the
        # internet); accept the value so the build stays free of warnings.
        app.add_config_value("comments_config", {}, "html", [dict])


def _path_in(value: str, srcdir: str | os.PathLike[str]) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path(srcdir) / path).resolve()


def content_dir(config: Config, srcdir: str | os.PathLike[str]) -> Path:
    """The content folder this build renders."""
    value = str(config.handbook_content or "").strip()
    return _path_in(value, srcdir) if value else DEFAULT_CONTENT


def agency_profile(config: Config, srcdir: str | os.PathLike[str]) -> Path | None:
    """The agency profile (``agency.yaml``) whose overlay this build applies, if any.

    ``handbook_agency`` (or the agency setting) names it; without one, the book's
    ``handbook_default_agency`` is used.
    """
    value = str(config.handbook_agency or "").strip() or str(config.handbook_default_agency or "").strip()
    return _path_in(value, srcdir) if value else None


def config_inited(app: Sphinx, config: Config) -> None:
    """``config-inited``: theme tweaks, the agency's title and logo, and the favicon."""
    drop_icon_font_script(app, config)
    agency_title(app, config)
    publish_favicon(app, config)


def agency_title(app: Sphinx, config: Config) -> None:
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
    image = publish_logo(app, file.parent / profile.logo, agency_logo_name(profile)) \
        if profile.logo else None
    if image is not None:
        # The theme draws html_logo in the sidebar header; Sphinx copies it into _static.
        config.html_logo = str(image)
        logo["alt_text"] = f"{profile.name} logo"
    options["logo"] = logo
    config.html_theme_options = options


def load_content(app: Sphinx) -> None:
    """``builder-inited``: load the content (with the agency's overlay); report each problem."""
    state = build_state(app)
    folder = content_dir(app.config, app.srcdir)
    agency = agency_profile(app.config, app.srcdir)
    state.content_dir = folder
    # Notebook kernels started by the build (embedded checklists) read the same content.
    if app.config.handbook_content:
        os.environ[settings.CONTENT.name] = str(folder)
    if agency is not None:
        os.environ[settings.AGENCY.name] = str(agency)
        state.agency_files = (agency, *sorted(agency.parent.rglob("*.yaml")))
    try:
        state.library = (load_library(folder, agency=agency) if agency is not None
                         else load_library(folder))
    except ContentError as exc:
        state.library = None
        state.failed = len(exc.problems)
        for problem in exc.problems:
            text = f"{problem.path}: {problem.message}" if problem.path else problem.message
            if problem.fix:
                text += f" (fix: {problem.fix})"
            logger.error(text, location=problem.location(), type="handbook", subtype="content")


def fail_on_content_problems(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: content that did not load fails the build, also without ``-W``."""
    failed = build_state(app).failed
    if exception is None and failed:
        # One summary line and no traceback.
        logger.error(
            f"the protocol content has {failed} problem{'s' if failed != 1 else ''} (listed "
            "above with file and line); the pages that show it are incomplete. Fix them and "
            "build again; `handbook validate` lists them too.", type="handbook",
            subtype="content")
        app.statuscode = 1
