"""``handbook build``: the book as static HTML, for the default or one agency, optionally zipped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import ContentOption, chosen_agency, fail
from protocols.library.container import Library
from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.settings import AGENCY

AgencyBuildOption = Annotated[
    Path | None,
    typer.Option("--agency", help="Build this agency's handbook (an agency.yaml profile). Default: "
                 f"{AGENCY.shown}, else the book's default profile (handbook_default_agency).",
                 show_default=False),
]


def register(app: typer.Typer) -> None:
    """Add ``build`` to the ``handbook`` app."""
    app.command("build")(build)


def build(
    path: Annotated[Path, typer.Argument(help="The book folder (holds _config.yml and _toc.yml).")] = Path("."),
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors (-W -n --keep-going).")] = True,
    clean: Annotated[bool, typer.Option(help="Delete the output folder first (the execution cache is "
                                              "kept).")] = False,
    content: ContentOption = None,
    agency: AgencyBuildOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", help="Folder for the site. Default: _build/html, or _build/<agency-id>/html "
        "with --agency.", show_default=False)] = None,
    zip_: Annotated[bool, typer.Option("--zip", help="Also write _build/handbook-<agency>-<date>.zip "
                                       "of the site, ready to copy to a web server.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print the whole handbook as one PDF for binders, "
                                      "_build/handbook-<agency>-<date>.pdf: a title page, contents with page "
                                      "numbers, the chapters in _toc.yml order and the pocket cards as an "
                                      "appendix (needs Chromium and pdftotext).")] = False,
    from_site: Annotated[Path | None, typer.Option(
        "--from-site", help="With --pdf: print the site already built in this folder, without building "
        "it again; the PDF goes beside that folder.", show_default=False)] = None,
) -> None:
    """Build the handbook: every page, pocket card and embedded checklist, as static HTML.

    Without --agency the book uses its default profile (the sample agency) and goes to
    _build/html. With --agency FILE it shows that agency's name, numbers, rights notices,
    directory and adapted checklists, and goes to _build/<agency-id>/html, so two
    agencies never overwrite each other. Notebooks run through the execution cache, so
    an unchanged rebuild is fast. With --strict (the default) any warning fails the build.
    """
    import shutil

    from protocols.book.build import default_agency, output_dir, profile_of, run_build, zip_site

    if not (path / "_config.yml").is_file() or not (path / "_toc.yml").is_file():
        raise fail(f"{path} is not the book folder (no _config.yml and _toc.yml); run from the project "
                   "folder or pass the path", code=2)
    if from_site is not None and not pdf:
        raise fail("--from-site is for --pdf: add --pdf to print that site", code=2)
    if from_site is not None:
        from protocols.book.manual_pdf import ManualError, check_site
        try:
            check_site(from_site)
        except ManualError as exc:
            raise fail(f"the printed manual was not made: {exc}") from None
    chosen = chosen_agency(agency)
    used = chosen if chosen is not None else default_agency(path)
    try:
        library = load_library(content, used)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise fail("the content has problems; nothing was built") from None
    out = output if output is not None else output_dir(path, chosen)
    folder = out.parent if output is not None else path / "_build"
    if from_site is not None:
        _print_manual(path, from_site, from_site.resolve().parent, library, used)
        return
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    result = run_build(path, out, content=content, agency=chosen, strict=strict)
    if not result.ok:
        for line in result.summary(path):
            typer.echo(line, err=True)
        raise fail("the book did not build; nothing was published", code=1)
    profile = profile_of(used)
    name = f" for {profile.name}" if profile else ""
    typer.echo(f"Built the handbook{name} into {out} in {result.seconds:.0f} s")
    if zip_:
        archive = zip_site(out, folder, profile.id if profile else "handbook")
        typer.echo(f"Wrote {archive}: unzip it into any static web server's folder")
    if pdf:
        _print_manual(path, out, folder, library, used)


def _print_manual(book: Path, site: Path, folder: Path, library: Library, agency: Path | None) -> None:
    """Print the built ``site`` as one PDF into ``folder`` and say where it went, its pages and size."""
    import datetime as dt
    from importlib.metadata import PackageNotFoundError, version

    from protocols.book.build import profile_of
    from protocols.book.manual_pdf import ManualError, ManualFacts, book_title, newest_revision
    from protocols.book.manual_print import print_manual

    profile = profile_of(agency)
    today = dt.date.today()
    try:
        release = version("crisis-handbook")
    except PackageNotFoundError:
        release = "unreleased"
    documents = [*library.protocols.values(), *library.rights.values(), *library.instruments.values(),
                 *library.resources.values(), *library.needs.values(), *library.followup.values(),
                 *library.confidentiality.values()]
    facts = ManualFacts(title=book_title(book), agency=profile.name if profile else None, version=release,
                        revised=newest_revision(documents) or today, printed=today)
    target = folder / f"handbook-{profile.id if profile else 'handbook'}-{today.isoformat()}.pdf"
    try:
        printed = print_manual(site, book, target, facts)
    except ManualError as exc:
        raise fail(f"the printed manual was not made: {exc}") from None
    except OSError as exc:  # writing or moving the PDF: a full disk, a folder without permission
        raise fail(f"the printed manual could not be written to {target}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {printed.path}: {printed.pages} pages, {printed.megabytes:.1f} MB, "
               f"in {printed.seconds:.0f} s ({printed.prints} prints to number the contents)")
