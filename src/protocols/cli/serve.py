"""``handbook serve``: the built book and the job aids together at one address.

The command runs in named steps: check the options, open the records store, load the content,
hand the settings to the job-aid kernels (they inherit this process's environment), start.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from protocols import settings
from protocols.cli.common import chosen_agency, fail
from protocols.library.errors import ContentError
from protocols.library.loader import Library, load_library
from protocols.library.snapshot import remove_abandoned, write_snapshot
from protocols.settings import Settings

if TYPE_CHECKING:
    from protocols.serve.app import ServeOptions
    from protocols.serve.kernel_provisioner import ForkServer

SERVE_HELP = f"""Serve the built handbook and the job aids together at one local address.

The book is at / and each job aid at /voila/render/<aid>.ipynb. With --agency the job
aids use that agency's checklists and show its name, and the agency's built book is
served. Records are saved in {settings.DATABASE_URL.shown} (default: a SQLite file under
~/.local/share/crisis-handbook/). Off this machine, put it behind your agency's
sign-on proxy (see SECURITY.md).
"""
WAITING_FOR_MIGRATION = ("note: another handbook server is upgrading the records database's schema; "
                         "waiting for it to finish")
"""Said when this server waits for another one's schema upgrade (PostgreSQL replicas; with SQLite,
rarely, another handbook process on the same file)."""


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``handbook`` app."""
    app.command("serve", help=SERVE_HELP)(serve)


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8866,
    ip: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    book: Annotated[Path | None, typer.Option(
        help="The built book folder. Default: _build/html, or _build/<agency-id>/html with --agency.",
        show_default=False)] = None,
    widgets_dir: Annotated[Path, typer.Option("--widgets", help="Folder of job-aid notebooks.")] = Path("widgets"),
    token: Annotated[str | None, typer.Option(
        envvar=settings.TOKEN.name, show_envvar=True,
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
        f"{settings.AGENCY.shown}, else the book's default profile.", show_default=False)] = None,
) -> None:
    """``handbook serve`` (its help text is :data:`SERVE_HELP`), one named step after another."""
    from protocols.book.build import output_dir
    from protocols.serve.app import ServeOptions

    local_user = _check_sign_in(ip, token, trusted_header)
    found = _checked_settings(idle_lock_minutes)
    _check_places(widgets_dir, book, ip, port)
    database_url = _open_records(found)
    root = widgets_dir.resolve().parent
    chosen = chosen_agency(agency)
    profile, library = _load_content(found, chosen, root)
    _hand_to_kernels(found.but(agency=profile, database_url=database_url), library)
    book_dir = book if book is not None else output_dir(root, chosen)
    if not (book_dir / "index.html").is_file():
        typer.echo(f"note: no built book in {book_dir}; serving the job aids only (run `handbook build`)",
                   err=True)
    fork_server = _start_fork_server() if fork_kernels else None  # it warms up while Voila loads
    options = ServeOptions(widgets_dir=widgets_dir.resolve(), book_dir=book_dir.resolve(), ip=ip,
                           port=port, preheat=preheat, fork_kernels=fork_server is not None, token=token,
                           trusted_header=trusted_header,
                           allowed_hosts=tuple(allowed_host or ()), local_user=local_user,
                           cull_idle_seconds=max(35 * 60, round(found.idle_lock_minutes * 60) + 5 * 60))
    _announce(options, book_dir, database_url, found.idle_lock_minutes)
    _start(options, fork_server)


def _check_sign_in(ip: str, token: str | None, trusted_header: str | None) -> str | None:
    """Refuse (exit code 2) an unsafe way to sign in, or a user setting that cannot be recorded.

    Returns the user setting: on loopback without sign-in, saves are recorded as this user.
    """
    from protocols.records.actor import ActorError, user_from_env
    from protocols.serve.app import auth_problem

    problem = auth_problem(ip, token, trusted_header)
    if problem:
        raise fail(problem, code=2)
    try:
        return user_from_env()
    except ActorError as exc:
        raise fail(f"{exc}; fix or unset it", code=2) from None


def _checked_settings(idle_lock_minutes: float | None) -> Settings:
    """This process's settings, with ``--idle-lock-minutes`` (when given) in place of its variable.

    Refuses (exit code 2) a variable whose value cannot be used; warns when the test suite's
    short idle lock is set.
    """
    environ = dict(os.environ)
    if idle_lock_minutes is not None:  # the option wins: its variable is neither read nor checked
        environ.pop(settings.IDLE_LOCK_MINUTES.name, None)
    found = Settings.from_env(environ)
    for problem in found.problems[:-1]:
        typer.echo(f"error: {problem}", err=True)
    if found.problems:
        raise fail(found.problems[-1], code=2)
    if (test_seconds := settings.TEST_IDLE_LOCK_SECONDS.read()) is not None:
        typer.echo(f"warning: {settings.TEST_IDLE_LOCK_SECONDS.name}={test_seconds[:20]} is set: a lock for the "
                   "test suite only, shorter than the one-minute minimum; unset it", err=True)
    return found if idle_lock_minutes is None else found.but(idle_lock_minutes=idle_lock_minutes)


def _check_places(widgets_dir: Path, book: Path | None, ip: str, port: int) -> None:
    """Refuse (exit code 2) a missing job-aid folder, a book that is a file, or a port in use."""
    if not widgets_dir.is_dir():
        raise fail(f"the job-aid folder {widgets_dir} does not exist; run from the project folder "
                   "or pass --widgets", code=2)
    if book is not None and book.exists() and not book.is_dir():
        raise fail(f"--book {book} is a file; pass the built book folder (usually _build/html)", code=2)
    bind_problem = _check_port(ip, port)
    if bind_problem:
        raise fail(bind_problem, code=2)


def _open_records(found: Settings) -> str:
    """The records database's URL, once the store opens there (exit code 1 when it does not)."""
    from protocols.records import Store, StoreError, default_database_url

    database_url = found.database_url or default_database_url()

    def waiting() -> None:
        typer.echo(WAITING_FOR_MIGRATION, err=True)

    try:
        Store.open(database_url, on_wait=waiting).engine.dispose()
    except StoreError as exc:
        raise fail(f"the records database cannot be used: {exc}; set {settings.DATABASE_URL.name} to "
                   "sqlite:///path/to/records.sqlite3 or postgresql+psycopg://user@host/db") from None
    return database_url


def _load_content(found: Settings, chosen: Path | None, root: Path) -> tuple[Path | None, Library]:
    """The agency profile the job aids use (``chosen``, else the book's default) and the validated content."""
    from protocols.book.build import default_agency

    used = chosen if chosen is not None else default_agency(root)
    profile = used.resolve() if used is not None and used.is_file() else None
    try:
        return profile, load_library(found.content, profile)
    except ContentError as exc:
        for content_problem in exc.problems[:5]:
            typer.echo(str(content_problem), err=True)
        raise fail(f"the content has {len(exc.problems)} problem(s) (the first ones above); fix them, then "
                   "check with `handbook validate`") from None


def _hand_to_kernels(for_kernels: Settings, library: Library) -> None:
    """Write ``for_kernels`` into this process's environment, which the job-aid kernels inherit.

    With them goes a snapshot of ``library``: validated once here, so each kernel starts
    without reading the content files again.
    """
    remove_abandoned()  # left by a server that was killed before it could remove its own
    snapshot = write_snapshot(library, for_kernels.content, for_kernels.agency)
    atexit.register(shutil.rmtree, snapshot.parent, ignore_errors=True)
    for_kernels.but(library_snapshot=snapshot).apply()


def _announce(options: ServeOptions, book_dir: Path, database_url: str, lock_minutes: float) -> None:
    """Say where the handbook is served, where records go and who they are recorded as."""
    from protocols.serve.app import recorded_as
    from protocols.serve.front_end_bundle import stale_list_note

    shown = f"[{options.ip}]" if ":" in options.ip else options.ip
    typer.echo(f"Handbook ({book_dir}) and job aids at http://{shown}:{options.port}/  (records: "
               f"{_safe_url(database_url)}; idle lock after {lock_minutes:g} min; {recorded_as(options)})")
    if (note := stale_list_note()) is not None:
        typer.echo(note, err=True)


def _start(options: ServeOptions, fork_server: ForkServer | None) -> None:
    """Serve until stopped; kernels fork from ``fork_server`` once it is ready."""
    from protocols.serve.app import make_app

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
    if server.wait_ready():
        os.environ[settings.FORK_SERVER.name] = server.socket_path
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
