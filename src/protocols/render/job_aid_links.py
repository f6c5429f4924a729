"""Where the book links to its job aids: one rule for the book's pages and its embedded checklists.

The book's ``handbook_job_aid_base`` (``_config.yml``, default :data:`DEFAULT_JOB_AID_BASE`)
names the folder the job-aid notebooks are served under. No widgets and no Sphinx: the book
build (``sphinx_ext``) and the checklist widget in a kernel (``ui.checklist``) both use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import yaml

from protocols.library.project import project_folder

DEFAULT_JOB_AID_BASE = "voila/render/"
"""The book's ``handbook_job_aid_base`` when ``_config.yml`` does not set it (also the default
of that Sphinx setting)."""


def job_aid_base(config: Path) -> str:
    """``sphinx.config.handbook_job_aid_base`` of the book's ``_config.yml`` (or the default).

    The file is read each time (a few kB) but parsed once per text, so every checklist a
    kernel builds shares one parse and an edit to the file is still seen.
    """
    try:
        text = config.read_text(encoding="utf-8")
    except OSError as exc:
        raise _unreadable(config, exc) from None
    return _job_aid_base(config, text)


@lru_cache(maxsize=8)
def _job_aid_base(config: Path, text: str) -> str:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise _unreadable(config, exc) from None
    value = ((data.get("sphinx") or {}).get("config") or {}).get("handbook_job_aid_base")
    return str(value or DEFAULT_JOB_AID_BASE)


def _unreadable(config: Path, exc: Exception) -> ValueError:
    return ValueError(f"{config}: cannot read handbook_job_aid_base ({exc}); fix the file "
                      "so the book builds")


def job_aid_url(base: str, target: str, from_page: Callable[[str], str]) -> str:
    """The link to the job-aid notebook ``target`` (``NAME.ipynb``, maybe with a query) under
    ``base`` (the book's ``handbook_job_aid_base``; empty: ``DEFAULT_JOB_AID_BASE``).

    An absolute path or URL base is used as it is. A base relative to the site root gives
    the site path ``BASE/TARGET``, which ``from_page`` makes relative to the linking page.
    The book's pages (``sphinx_ext``) and the checklists in its notebooks link this one way.
    """
    base = base or DEFAULT_JOB_AID_BASE
    if "://" in base or base.startswith("/"):
        return base.rstrip("/") + "/" + target
    return from_page(base.strip("/") + "/" + target)


def book_job_aid_url(job_aid: str, page_folder: Path | None = None) -> str:
    """The link from a book page to the job aid ``job_aid``, by the book's setting.

    A notebook page runs in its own folder (default: the working folder, e.g. ``book/arrive``);
    a base relative to the site root becomes ``../../voila/render/NAME.ipynb`` there, the way
    the book's other job-aid links are drawn; an absolute path or URL is used as it is.
    """
    folder = (page_folder or Path.cwd()).resolve()
    root = project_folder(folder)
    base = job_aid_base(root / "_config.yml") if root else DEFAULT_JOB_AID_BASE

    def from_page(site_path: str) -> str:
        up = Path(os.path.relpath(root or folder, folder)).as_posix()
        return ("" if up == "." else up + "/") + site_path

    return job_aid_url(base, f"{job_aid}.ipynb", from_page)
