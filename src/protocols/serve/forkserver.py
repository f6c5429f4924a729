"""A warm parent that forks job-aid kernels in milliseconds.

Starting a Python kernel the usual way costs a second or more of CPU: a new interpreter
imports ipykernel, IPython, ipywidgets, pydantic and the protocol library. With twenty
supervisors opening aids at once on a small server, that start-up is what they wait for.

``handbook serve`` starts one fork server (``python -m protocols.serve.forkserver SOCKET``). It
imports all of that once, loads the content library, then waits on a Unix socket. Each
request names a kernel command line, environment and working folder; the server forks,
and the child becomes that kernel. The children share the parent's memory pages until
they write to them, so each open session also costs less memory.

Only the standard ipykernel command for this interpreter is forked; anything else is
launched the ordinary way by :mod:`protocols.serve.kernel_provisioner`.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from protocols import settings
from protocols.serve.forked_child import exit_with

ENV = settings.FORK_SERVER.name
"""Kept while other modules still import it: use :data:`protocols.settings.FORK_SERVER`."""

PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # imported by every kernel at start (debugpy: a third of its start-up)
    "ipywidgets",
    "anywidget",
    # Imported by a kernel as it starts or runs its first cell (found by comparing sys.modules).
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "faulthandler",
    "pdb",
    "psutil",
    "resource",
    "sqlite3",
    "tornado.platform.asyncio",
)
"""What every kernel imports, besides the job-aid modules (every ``protocols.ui`` module)."""

MODULES_AT_FORK: frozenset[str] = frozenset()
"""In a forked kernel: the modules it had when it was forked (what a test compares against)."""
TEMP_ENV = ("TMPDIR", "TEMP", "TMP")
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)
"""A job aid's code never changes: no input history to keep (no SQLite file, no saving thread)."""
MAX_REQUEST = 1 << 20


def kernel_arguments(argv: Sequence[str], executable: str = sys.executable) -> list[str] | None:
    """The ipykernel arguments of a standard kernel command line, or None if it is another kind.

    ``[python, "-m", "ipykernel_launcher", "-f", FILE, ...]`` gives ``["-f", FILE, ...]``.
    """
    if len(argv) < 3 or list(argv[1:3]) != ["-m", "ipykernel_launcher"]:
        return None
    if os.path.realpath(argv[0]) != os.path.realpath(executable):
        return None
    return list(argv[3:])


def _preload() -> dict[str, str]:
    """Import what kernels need and load the library; returns the content settings used."""
    import importlib
    import pkgutil

    import protocols.ui

    # debugpy warns on import about breakpoints in frozen modules: nobody debugs a job aid.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    aids = [f"protocols.ui.{m.name}" for m in pkgutil.iter_modules(protocols.ui.__path__)]
    for name in (*PRELOAD, *aids):
        importlib.import_module(name)
    from protocols.library.loader import default_library

    default_library()
    tempfile.gettempdir()  # found by writing a test file to disk: once here, not per kernel
    return settings.content_environment()


def _become_kernel(request: Mapping[str, Any], warmed_with: Mapping[str, str]) -> int:
    """In the forked child: take the request's environment and folder, then run the kernel."""
    global MODULES_AT_FORK
    MODULES_AT_FORK = frozenset(sys.modules)
    os.setsid()  # its own process group, as the ordinary launcher gives a kernel
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    env = {str(k): str(v) for k, v in dict(request["env"]).items()}
    env["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits when the fork server does
    if any(env.get(name) != os.environ.get(name) for name in TEMP_ENV):
        tempfile.tempdir = None  # another temporary folder asked for: find it again
    os.environ.clear()
    os.environ.update(env)
    cwd = str(request.get("cwd") or os.getcwd())
    os.chdir(cwd)
    sys.path[0] = cwd
    with open(os.devnull, "rb") as null:
        os.dup2(null.fileno(), 0)
    if settings.content_environment(env) != dict(warmed_with):
        from protocols.library.loader import default_library

        default_library.cache_clear()  # another content folder or agency: load it afresh
    from ipykernel.kernelapp import IPKernelApp

    # ipykernel reads $JPY_PARENT_PID when it is imported (here, before the fork): say it again.
    args = [*request["args"], *KERNEL_OPTIONS, f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [sys.executable, "-m", "ipykernel_launcher", *args]
    app: Any = IPKernelApp.instance()
    app.initialize(args)
    _register_import_time_hooks()
    app.start()
    return 0


def _register_import_time_hooks() -> None:
    """Redo what preloaded modules do on import only inside a running kernel.

    ipywidgets registers its comm targets (``jupyter.widget``, ``jupyter.widget.control``)
    when imported in a kernel; here it was imported before there was one.
    """
    import ipywidgets

    ipywidgets.register_comm_target()


def _serve_one(conn: socket.socket, listener: socket.socket, warmed_with: Mapping[str, str]) -> None:
    """Read one request, fork a kernel for it and answer with its process id."""
    data = b""
    while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    try:
        request = json.loads(data)
        if not isinstance(request.get("args"), list) or not isinstance(request.get("env"), dict):
            raise ValueError("a request needs 'args' (a list) and 'env' (a mapping)")
    except ValueError as exc:
        conn.sendall(json.dumps({"error": f"bad request: {exc}"}).encode() + b"\n")
        return
    pid = os.fork()
    if pid == 0:
        def become_kernel() -> int:
            listener.close()
            conn.close()
            return _become_kernel(request, warmed_with)

        exit_with(become_kernel)
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def serve(path: str) -> None:
    """Preload, listen on ``path`` and fork a kernel per request until the parent process exits."""
    parent = os.getppid()
    warmed_with = _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped by the system
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops us
    # What is loaded now lives as long as any kernel: frozen, the collector never walks it (in
    # the children too), so its memory pages stay shared instead of being copied per kernel.
    gc.collect()
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    listener.listen(64)
    listener.settimeout(1.0)
    os.replace(path + ".new", path)  # appears only once ready
    try:
        while os.getppid() == parent:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                try:
                    _serve_one(conn, listener, warmed_with)
                except OSError as exc:
                    print(f"handbook fork server: a request failed: {exc}", file=sys.stderr)
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))  # its private folder, even when the server was killed


def main(argv: Sequence[str]) -> int:
    """``python -m protocols.serve.forkserver SOCKET``."""
    if len(argv) != 2:
        print("usage: python -m protocols.serve.forkserver SOCKET", file=sys.stderr)
        return 2
    serve(argv[1])
    return 0


if __name__ == "__main__":
    # Run the importable module, not this __main__ copy: kernels then share its state.
    from protocols.serve import forkserver

    sys.exit(forkserver.main(sys.argv))
