"""``handbook build``: the book as static HTML, for the default or one agency, optionally zipped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from protocols.cli.common import ContentOption, chosen_agency, fail
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
    chosen = chosen_agency(agency)
    used = chosen if chosen is not None else default_agency(path)
    try:
        load_library(content, used)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise fail("the content has problems; nothing was built") from None
    out = output if output is not None else output_dir(path, chosen)
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
        folder = out.parent if output is not None else path / "_build"
        archive = zip_site(out, folder, profile.id if profile else "handbook")
        typer.echo(f"Wrote {archive}: unzip it into any static web server's folder")
