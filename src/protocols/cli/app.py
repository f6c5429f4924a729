"""The ``handbook`` command: validate, build, serve and maintain the handbook.

Every command reports bad input as a short message with what is wrong, where,
and how to fix it, and exits non-zero. It never prints a traceback unless
``HANDBOOK_DEBUG=1`` is set.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import BaseModel

from protocols.cli import records as cli_records
from protocols.cli import trainer as cli_trainer
from protocols.cli.common import chosen_agency, fail
from protocols.library.errors import ContentError
from protocols.library.loader import DEFAULT_CONTENT, content_from_env, load_library
from protocols.library.safety_rules import unread_languages
from protocols.library.snapshot import ENV as SNAPSHOT_ENV
from protocols.library.snapshot import remove_abandoned, write_snapshot
from protocols.models import CONTENT_KINDS, SourceList

if TYPE_CHECKING:
    from protocols.serve.kernel_provisioner import ForkServer

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
        from protocols.trainer.readability import problems as readability_problems

        hard = readability_problems(library)
        if hard:
            for problem in hard:
                typer.echo(str(problem), err=True)
            raise fail(f"{len(hard)} text(s) are above their reading level; run `handbook readability` "
                       "for the table, or `--no-reading-level` to skip this check while drafting")
    counts = ", ".join(f"{n} {kind}" for kind, n in library.counts().items())
    typer.echo(f"OK: the content is valid ({counts}; digest {library.digest}).")
    for unread in unread_languages(library, agency):
        typer.echo(f"warning: {unread}", err=True)


@app.command()
def readability(
    content: ContentOption = None,
    failing: Annotated[bool, typer.Option("--failing", help="Show only texts that fail.")] = False,
) -> None:
    """Show the reading level of every passage and text (victims ≤ grade 6, officers ≤ grade 8)."""
    from protocols.trainer.readability import passages, scores

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


AgencyBuildOption = Annotated[
    Path | None,
    typer.Option("--agency", help="Build this agency's handbook (an agency.yaml profile). Default: "
                 "$HANDBOOK_AGENCY, else the book's default profile (handbook_default_agency).",
                 show_default=False),
]


@app.command()
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
        raise fail("the book did not build; the messages above say which page and line", code=1)
    profile = profile_of(used)
    name = f" for {profile.name}" if profile else ""
    typer.echo(f"Built the handbook{name} into {out} in {result.seconds:.0f} s")
    if zip_:
        folder = out.parent if output is not None else path / "_build"
        archive = zip_site(out, folder, profile.id if profile else "handbook")
        typer.echo(f"Wrote {archive}: unzip it into any static web server's folder")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8866,
    ip: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    book: Annotated[Path | None, typer.Option(
        help="The built book folder. Default: _build/html, or _build/<agency-id>/html with --agency.",
        show_default=False)] = None,
    widgets_dir: Annotated[Path, typer.Option("--widgets", help="Folder of job-aid notebooks.")] = Path("widgets"),
    token: Annotated[str | None, typer.Option(
        envvar="HANDBOOK_TOKEN", show_envvar=True,
        help="Require this secret (16+ characters) to open the job aids. Prefer the environment "
             "variable: a command-line argument is visible to other users of the machine.")] = None,
    trusted_header: Annotated[str | None, typer.Option(
        "--trusted-header",
        help="Behind a single sign-on reverse proxy: the header that carries the signed-in user "
             "(e.g. X-Forwarded-User). Requests without it are refused.")] = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host",
        help="Another host name the server answers to (repeatable), e.g. the name a proxy "
             "forwards. Loopback names always work.")] = None,
    idle_lock_minutes: Annotated[float | None, typer.Option(
        "--idle-lock-minutes", min=1, max=240,
        help="Hide an idle job aid's content after this many minutes (default 30, the CJIS limit); "
             "a warning with a 'Keep working' button comes first.")] = None,
    preheat: Annotated[bool, typer.Option(help="Keep a ready kernel per job aid for fast opening.")] = True,
    fork_kernels: Annotated[bool, typer.Option(
        help="Fork each job-aid kernel from a warm parent process: faster to open, less memory.")] = True,
    agency: Annotated[Path | None, typer.Option(
        "--agency", help="Serve this agency's handbook and job aids (an agency.yaml profile). Default: "
        "$HANDBOOK_AGENCY, else the book's default profile.", show_default=False)] = None,
) -> None:
    """Serve the built handbook and the job aids together at one local address.

    The book is at / and each job aid at /voila/render/<aid>.ipynb. With --agency the job
    aids use that agency's checklists and show its name, and the agency's built book is
    served. Records are saved in $HANDBOOK_DATABASE_URL (default: a SQLite file under
    ~/.local/share/crisis-handbook/). Off this machine, put it behind your agency's
    sign-on proxy (see SECURITY.md).
    """
    from protocols.book.build import default_agency, output_dir
    from protocols.records import Store, StoreError, default_database_url
    from protocols.records.actor import ActorError, user_from_env
    from protocols.serve.app import IDLE_LOCK_ENV, ServeOptions, auth_problem, make_app, recorded_as
    from protocols.ui import idle_lock

    problem = auth_problem(ip, token, trusted_header)
    if problem:
        raise fail(problem, code=2)
    try:
        local_user = user_from_env()  # on loopback without sign-in, saves are recorded as this user
    except ActorError as exc:
        raise fail(f"{exc}; fix or unset it", code=2) from None
    if idle_lock_minutes is None:
        configured = os.environ.get(IDLE_LOCK_ENV)
        lock_minutes = idle_lock.parse_lock_minutes(configured) if configured is not None else 30.0
        if lock_minutes is None:
            raise fail(f"{IDLE_LOCK_ENV}={(configured or '')[:20]!r} is not {idle_lock.RULE}; "
                       "unset it or use --idle-lock-minutes N", code=2)
    else:
        lock_minutes = idle_lock_minutes
    if (test_seconds := os.environ.get(idle_lock.TEST_ENV)) is not None:
        typer.echo(f"warning: {idle_lock.TEST_ENV}={test_seconds[:20]} is set: a lock for the test "
                   "suite only, shorter than the one-minute minimum; unset it", err=True)
    if not widgets_dir.is_dir():
        raise fail(f"the job-aid folder {widgets_dir} does not exist; run from the project folder "
                   "or pass --widgets", code=2)
    if book is not None and book.exists() and not book.is_dir():
        raise fail(f"--book {book} is a file; pass the built book folder (usually _build/html)", code=2)
    bind_problem = _check_port(ip, port)
    if bind_problem:
        raise fail(bind_problem, code=2)
    database_url = os.environ.get("HANDBOOK_DATABASE_URL") or default_database_url()
    try:
        Store.open(database_url)
    except StoreError as exc:
        raise fail(f"the records database cannot be used: {exc}; set HANDBOOK_DATABASE_URL to "
                   "sqlite:///path/to/records.sqlite3 or postgresql+psycopg://user@host/db") from None
    root = widgets_dir.resolve().parent
    chosen = chosen_agency(agency)
    used = chosen if chosen is not None else default_agency(root)
    profile = used.resolve() if used is not None and used.is_file() else None
    try:
        library = load_library(content_from_env(), profile)
    except ContentError as exc:
        for content_problem in exc.problems[:5]:
            typer.echo(str(content_problem), err=True)
        raise fail(f"the content has {len(exc.problems)} problem(s) (the first ones above); fix them, then "
                   "check with `handbook validate`") from None
    if profile is not None:
        # The job-aid kernels inherit this: they load the same agency's checklists.
        os.environ["HANDBOOK_AGENCY"] = str(profile)
    # ... and this: the library validated once here, so each kernel starts without re-reading it.
    remove_abandoned()  # left by a server that was killed before it could remove its own
    snapshot = write_snapshot(library, content_from_env(), profile)
    atexit.register(shutil.rmtree, snapshot.parent, ignore_errors=True)
    os.environ[SNAPSHOT_ENV] = str(snapshot)
    book_dir = book if book is not None else output_dir(root, chosen)
    if not (book_dir / "index.html").is_file():
        typer.echo(f"note: no built book in {book_dir}; serving the job aids only (run `handbook build`)",
                   err=True)
    os.environ["HANDBOOK_DATABASE_URL"] = database_url
    os.environ[IDLE_LOCK_ENV] = f"{lock_minutes:g}"  # the job-aid kernels read it (protocols.ui.idle_lock)
    fork_server = _start_fork_server() if fork_kernels else None  # it warms up while Voila loads
    options = ServeOptions(widgets_dir=widgets_dir.resolve(), book_dir=book_dir.resolve(), ip=ip,
                           port=port, preheat=preheat, fork_kernels=fork_server is not None, token=token,
                           trusted_header=trusted_header,
                           allowed_hosts=tuple(allowed_host or ()), local_user=local_user,
                           cull_idle_seconds=max(35 * 60, round(lock_minutes * 60) + 5 * 60))
    shown = f"[{ip}]" if ":" in ip else ip
    typer.echo(f"Handbook ({book_dir}) and job aids at http://{shown}:{port}/  (records: "
               f"{_safe_url(database_url)}; idle lock after {lock_minutes:g} min; {recorded_as(options)})")
    from protocols.serve.front_end_bundle import stale_list_note

    if (note := stale_list_note()) is not None:
        typer.echo(note, err=True)
    app_ = make_app(options)
    if fork_server is not None:
        _use_fork_server(fork_server)
    app_.start()


def _start_fork_server() -> ForkServer | None:
    """Start the warm parent the job-aid kernels are forked from (it loads in the background).

    None, and kernels start as usual, when the package's kernel provisioner is not registered.
    """
    from importlib.metadata import entry_points

    from protocols.serve.kernel_provisioner import PROVISIONER, ForkServer

    if not any(ep.name == PROVISIONER for ep in entry_points(group="jupyter_client.kernel_provisioners")):
        typer.echo(f"note: the {PROVISIONER} kernel provisioner is not registered (reinstall the package: "
                   "pip install -e .); job-aid kernels start the usual way", err=True)
        return None
    server = ForkServer()
    atexit.register(server.stop)
    return server


def _use_fork_server(server: ForkServer) -> None:
    """Point kernel launches at the fork server once it listens; if it does not, they start as usual."""
    from protocols.serve.forkserver import ENV

    if server.wait_ready():
        os.environ[ENV] = server.socket_path
    else:
        server.stop()
        typer.echo("note: the kernel fork server did not start; job-aid kernels start the usual way", err=True)


def _check_port(ip: str, port: int) -> str | None:
    """Why the server could not listen on ``ip:port``, or None if it can."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(ip, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError):
        return f"--ip {ip[:60]!r} is not an address of this machine; use 127.0.0.1 (the default)"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is already in use on {ip}; stop the other server or pick another --port"
            if exc.errno == errno.EACCES:
                return f"no permission to listen on port {port}; use a port above 1023, e.g. --port 8866"
            return f"cannot listen on {ip}:{port}: {exc.strerror}"
    return None


def _safe_url(url: str) -> str:
    """A database URL with any password hidden."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


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
cli_records.register_tracking(app)
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
