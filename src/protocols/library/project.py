"""Which project folder a tool is working in: a question about paths, apart from the content
loader that ``book_root`` serves."""

from __future__ import annotations

from pathlib import Path


def is_project_folder(folder: Path, *, with_book: bool = False) -> bool:
    """Whether ``folder`` is a Jupyter Book project: it holds ``_config.yml`` (and, with
    ``with_book``, a ``book/`` folder of chapters)."""
    return (folder / "_config.yml").is_file() and (not with_book or (folder / "book").is_dir())


def project_folder(start: Path | None = None, *, with_book: bool = False) -> Path | None:
    """The project a person is working in: the nearest folder at or above ``start`` (default:
    the working folder) for which ``is_project_folder`` holds; None when there is none.

    One search for the tools that act on "this project": the test tools' cache
    (``vendor.project_root``), the job-aid link of a checklist run in a book page
    (``render.job_aid_links``: the ``_config.yml`` that sets ``handbook_job_aid_base``), and the
    chapters the reading-level check grades (``readability.find_book``, ``with_book``).
    ``book_root`` answers a different question (see there).
    """
    here = (start if start is not None else Path.cwd()).resolve()
    return next((f for f in (here, *here.parents) if is_project_folder(f, with_book=with_book)), None)


def book_root(content_dir: Path) -> Path | None:
    """The project folder whose ``book/`` holds the pages ``Protocol.chapter`` names, if any.

    Content inside a project checkout (``src/protocols/content``) or beside a book project
    (a folder with ``_toc.yml`` and ``book/``) has one; an installed package has none, and
    then chapters are not checked. Asking for ``_toc.yml`` keeps a folder that merely happens
    to be called ``book`` (``tests/book``, say) from being taken for the handbook.

    Unlike ``project_folder`` this starts from the *content folder*, not the working folder
    (a trainer may validate content from anywhere), and climbs at most three levels (enough
    for ``src/protocols/content``), so the package installed in a project's
    ``.venv/lib/pythonX.Y/site-packages`` is not taken to belong to that project's book.
    """
    for folder in list(content_dir.resolve().parents)[:3]:
        if (folder / "book").is_dir() and (folder / "_toc.yml").is_file():
            return folder
    return None
