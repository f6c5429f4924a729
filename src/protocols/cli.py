"""The ``handbook`` command: validate, build, serve and maintain the handbook.

Every command reports bad input as a short message with what is wrong, where,
and how to fix it, and exits non-zero. It never prints a traceback unless
``HANDBOOK_DEBUG=1`` is set.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from protocols import cli_records, cli_trainer
from protocols.errors import ContentError
from protocols.library import DEFAULT_CONTENT, load_library
from protocols.models import CONTENT_KINDS, SourceList

app = typer.Typer(
    help=(
        "Crisis-intervention handbook: validate the protocol content, build the book, "
        "and serve the job aids."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ContentOption = Annotated[
    Path | None,
    typer.Option(
        "--content",
        help="Content folder to use instead of the shipped one (protocols/, rights/, …).",
        show_default=False,
    ),
]


class UsageProblem(Exception):
    """Bad input to a command: printed as one message, exit code 2."""


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return an Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def validate(
    content: ContentOption = None,
    agency: Annotated[Path | None, typer.Option("--agency", help="Also apply this agency profile.")] = None,
    reading_level: Annotated[bool, typer.Option(help="Also check each text's reading level.")] = True,
) -> None:
    """Check every content file; list each problem as file:line, field, what and how to fix.

    Exit code 0 when the content is valid, 1 when it has problems.
    """
    try:
        library = load_library(content, agency)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        count = len(exc.problems)
        raise fail(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed") from None
    if reading_level:
        from protocols.readability import problems as readability_problems

        hard = readability_problems(library)
        if hard:
            for problem in hard:
                typer.echo(str(problem), err=True)
            raise fail(f"{len(hard)} text(s) are above their reading level; run `handbook readability` "
                       "for the table, or `--no-reading-level` to skip this check while drafting")
    counts = ", ".join(f"{n} {kind}" for kind, n in library.counts().items())
    typer.echo(f"OK: the content is valid ({counts}; digest {library.digest}).")


@app.command()
def readability(
    content: ContentOption = None,
    failing: Annotated[bool, typer.Option("--failing", help="Show only texts that fail.")] = False,
) -> None:
    """Show the reading level of every passage and text (victims ≤ grade 6, officers ≤ grade 8)."""
    from protocols.readability import passages, scores

    try:
        library = load_library(content)
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    typer.echo(f"{'passage':58} {'reader':7} {'words':>5} {'F-K':>5} {'C-L':>5} {'D-C':>5}  result")
    for p in sorted(passages(library), key=lambda p: (p.kind, p.obj_id, p.field)):
        if failing and p.passes:
            continue
        name = f"{p.obj_id} · {p.field}"
        typer.echo(f"{name[:58]:58} {p.reader:7} {p.words:5} {p.flesch_kincaid:5.1f} {p.coleman_liau:5.1f} "
                   f"{p.dale_chall_grade:5.0f}  {'ok' if p.passes else 'TOO HARD'} (≤ {p.limit:g})")
    hard = [s for s in scores(library) if not s.passes]
    typer.echo(f"\nSingle texts of 10+ words above their level: {len(hard)}")
    for s in hard:
        typer.echo(f"  {s.where}: grade {s.flesch_kincaid:g} (≤ {s.limit:g}): {s.text[:70]}")


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write one <kind>.schema.json file per kind.")
    ] = Path("schema"),
) -> None:
    """Write the JSON Schema of each content kind, for editor autocompletion.

    Point your editor's YAML plugin at it, e.g. with a first line in a protocol file:
    `# yaml-language-server: $schema=../../../../schema/protocols.schema.json`
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create {out}: {exc.strerror}") from None
    models: dict[str, type[BaseModel]] = {"sources": SourceList, **CONTENT_KINDS}
    for kind, model in models.items():
        target = out / f"{kind}.schema.json"
        document = model.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = f"Handbook {kind} file"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(target)
    typer.echo(f"Wrote {len(models)} schema files to {out}/")


@app.command()
def build(
    path: Annotated[Path, typer.Argument(help="The book folder (holds _config.yml and _toc.yml).")] = Path("."),
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors (-W -n --keep-going).")] = True,
    clean: Annotated[bool, typer.Option(help="Delete _build/html first (the execution cache is kept).")] = False,
    content: ContentOption = None,
) -> None:
    """Build the handbook into _build/html: every page, pocket card and embedded checklist.

    Notebooks run through the execution cache, so an unchanged rebuild is fast. With
    --strict (the default) any warning fails the build and every warning is listed.
    """
    import shutil
    import subprocess

    if not (path / "_config.yml").is_file() or not (path / "_toc.yml").is_file():
        raise fail(f"{path} is not the book folder (no _config.yml and _toc.yml); run from the project "
                   "folder or pass the path", code=2)
    try:
        load_library(content)
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise fail("the content has problems; nothing was built") from None
    if clean:
        shutil.rmtree(path / "_build" / "html", ignore_errors=True)
    env = dict(os.environ)
    if content is not None:
        env["HANDBOOK_CONTENT"] = str(content.resolve())
    runner = "import sys; from jupyter_book.cli.main import main; sys.argv[0] = 'jupyter-book'; main()"
    command = [sys.executable, "-c", runner, "build", str(path)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise fail("the book did not build; the messages above say which page and line", code=1)
    typer.echo(f"Built the handbook into {path / '_build' / 'html'}")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8866,
    ip: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    book: Annotated[Path, typer.Option(help="The built book folder.")] = Path("_build/html"),
    widgets_dir: Annotated[Path, typer.Option("--widgets", help="Folder of job-aid notebooks.")] = Path("widgets"),
    token: Annotated[str | None, typer.Option(help="Require this token (needed off loopback).")] = None,
    preheat: Annotated[bool, typer.Option(help="Keep a ready kernel per job aid for fast opening.")] = True,
) -> None:
    """Serve the built handbook and the job aids together at one local address.

    The book is at / and each job aid at /voila/render/<aid>.ipynb. Records are saved in
    $HANDBOOK_DATABASE_URL (default: a SQLite file under ~/.local/share/crisis-handbook/).
    """
    from protocols.records import default_database_url
    from protocols.server import ServeOptions, make_app

    if not widgets_dir.is_dir():
        raise fail(f"the job-aid folder {widgets_dir} does not exist; run from the project folder "
                   "or pass --widgets")
    if ip not in ("127.0.0.1", "localhost", "::1") and not token:
        raise fail(
            f"refusing to listen on {ip} without authentication: anyone on the network could "
            "open the job aids. Pass --token SECRET (or put the server behind your agency's "
            "single sign-on proxy and bind 127.0.0.1)", code=2)
    try:
        load_library()
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    os.environ.setdefault("HANDBOOK_DATABASE_URL", default_database_url())
    options = ServeOptions(widgets_dir=widgets_dir.resolve(), book_dir=book.resolve(), ip=ip,
                           port=port, preheat=preheat, token=token)
    typer.echo(f"Handbook and job aids at http://{ip}:{port}/  (records: "
               f"{os.environ['HANDBOOK_DATABASE_URL']})")
    app_ = make_app(options)
    app_.start()


@app.command()
def info() -> None:
    """Show where the content lives and what it holds."""
    typer.echo(f"content folder: {DEFAULT_CONTENT}")
    try:
        library = load_library()
    except ContentError as exc:
        raise fail(f"the content has {len(exc.problems)} problem(s); run `handbook validate`") from None
    for kind, n in library.counts().items():
        typer.echo(f"  {kind:16} {n}")


cli_records.register(app)
cli_trainer.register(app)


def main() -> None:
    """Entry point: run the app and turn any unexpected error into one clear line."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("HANDBOOK_DEBUG"):
            raise
        typer.echo(
            f"error: {type(exc).__name__}: {exc}\n"
            "This is a bug in the handbook tool, not in your input. "
            "Run again with HANDBOOK_DEBUG=1 for details and report it.",
            err=True,
        )
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
