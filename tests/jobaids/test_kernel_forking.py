"""Job-aid kernels forked from the warm fork server behave like kernels started the usual way.

A real fork server, real kernels through jupyter_client's kernel manager: the kernel gets the
environment and folder it was asked for, answers interrupts, shuts down, and a kernel is still
started when the fork server cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from protocols.serve.forkserver import kernel_arguments
from protocols.serve.kernel_provisioner import PROVISIONER, ForkedProcess, ForkServer
from protocols.settings import FORK_SERVER

pytestmark = [pytest.mark.slow]
PROBE = ("import os, sys; from comm import get_comm_manager; "
         "print(os.getppid(), os.getcwd(), os.environ.get('HB_PROBE'), "
         "'protocols.ui.checklist_aid' in sys.modules, "
         "{'jupyter.widget', 'jupyter.widget.control'} <= set(get_comm_manager().targets))")


@pytest.fixture(scope="module")
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        assert server.wait_ready(90), "the fork server did not start"
        yield server
    finally:
        server.stop()


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch, fork_server: ForkServer) -> Iterator[ForkServer]:
    """Kernel managers in this test use the handbook's provisioner and this fork server."""
    factory = KernelProvisionerFactory.instance()
    before = factory.default_provisioner_name
    factory.default_provisioner_name = PROVISIONER
    monkeypatch.setenv(FORK_SERVER.name, fork_server.socket_path)
    try:
        yield fork_server
    finally:
        factory.default_provisioner_name = before


async def run(km: AsyncKernelManager, code: str, timeout: float = 30) -> tuple[str, dict[str, Any]]:
    """Run ``code`` in the kernel; its printed output and the execute reply's content."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        out: list[str] = []

        def keep(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        reply = await kc.execute_interactive(code, output_hook=keep, timeout=timeout)
        return "".join(out), reply["content"]
    finally:
        kc.stop_channels()


def test_only_the_standard_kernel_command_is_forked() -> None:
    assert kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]) == ["-f", "k.json"]
    assert kernel_arguments(["/usr/bin/other-python", "-m", "ipykernel_launcher", "-f", "k.json"]) is None
    assert kernel_arguments([sys.executable, "-m", "other_kernel", "-f", "k.json"]) is None
    assert kernel_arguments([sys.executable]) is None


def test_a_forked_kernel_takes_its_environment_and_folder_and_shuts_down(forked: ForkServer,
                                                                        tmp_path: Path) -> None:
    async def scenario() -> tuple[str, int, bool]:
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel(env={**os.environ, "HB_PROBE": "given"}, cwd=str(tmp_path))
        try:
            assert isinstance(km.provisioner.process, ForkedProcess)  # type: ignore[union-attr]
            pid = km.provisioner.pid  # type: ignore[union-attr]
            out, reply = await run(km, PROBE)
            assert reply["status"] == "ok"
        finally:
            await km.shutdown_kernel(now=False)
        return out, pid, await km.is_alive()

    out, pid, alive = asyncio.run(scenario())
    ppid, cwd, probe, preloaded, widget_targets = out.split()
    assert int(ppid) == forked.process.pid, "the kernel is not the fork server's child"
    assert Path(cwd) == tmp_path
    assert probe == "given"
    assert preloaded == "True", "the job-aid modules were not imported before the fork"
    assert widget_targets == "True", "the widget comm targets are not registered in the kernel"
    assert not alive
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


HEAVY_PACKAGES = ("protocols", "pydantic", "pydantic_core", "sqlalchemy", "ipywidgets", "anywidget", "yaml")
"""The project's own modules and the heavy libraries a job aid uses: none may be imported per session.

What the standard library or Jupyter's own packages import lazily as a kernel starts differs from
release to release (IPython 9 reads its colour theme through ``importlib.resources``, say); that
costs a few milliseconds and is measured in ``benchmarks/fork_imports.py``, not asserted here.
"""


def test_a_job_aid_runs_on_what_the_fork_server_imported(forked: ForkServer, tmp_path: Path) -> None:
    """Whatever a kernel imports per session, twenty sessions at once import twenty times."""
    code = textwrap.dedent(f"""
        import sys
        from protocols.serve import forkserver
        from protocols.ui.checklist_aid import checklist_aid
        checklist_aid("scene-response", aid="scene-response")
        late = set(sys.modules) - forkserver.MODULES_AT_FORK
        print(sorted(m for m in late if m.split(".")[0] in {HEAVY_PACKAGES!r}),
              get_ipython().history_manager.enabled)
    """)

    async def scenario() -> str:
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel(env={**os.environ, "HANDBOOK_DATABASE_URL": f"sqlite:///{tmp_path}/r.sqlite3"})
        try:
            out, reply = await run(km, code)
            assert reply["status"] == "ok", reply
            return out
        finally:
            await km.shutdown_kernel(now=True)

    imported, history = asyncio.run(scenario()).strip().rsplit(" ", 1)
    assert imported == "[]", f"imported after the fork (import them in forkserver's warm-up): {imported}"
    assert history == "False", "a job-aid kernel keeps no input history"


def test_a_forked_kernel_can_be_interrupted(forked: ForkServer) -> None:
    async def scenario() -> dict[str, Any]:
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        try:
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=30)
            msg_id = kc.execute("import time; time.sleep(60)")
            await asyncio.sleep(1.0)
            await km.interrupt_kernel()
            while True:
                reply = await kc.get_shell_msg(timeout=20)
                if reply["parent_header"].get("msg_id") == msg_id:
                    kc.stop_channels()
                    return dict(reply["content"])
        finally:
            await km.shutdown_kernel(now=True)

    started = time.monotonic()
    content = asyncio.run(scenario())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 45


def test_without_the_fork_server_the_kernel_starts_the_usual_way(
        forked: ForkServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(FORK_SERVER.name, str(tmp_path / "no-such.sock"))

    async def scenario() -> str:
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        try:
            assert not isinstance(km.provisioner.process, ForkedProcess)  # type: ignore[union-attr]
            out, _ = await run(km, PROBE)
            return out
        finally:
            await km.shutdown_kernel(now=True)

    with caplog.at_level(logging.WARNING, logger="protocols.serve.kernel_provisioner"):
        out = asyncio.run(scenario())
    assert int(out.split()[0]) == os.getpid()
    assert "did not answer" in caplog.text


def test_a_bad_request_gets_an_answer_not_a_fork(fork_server: ForkServer) -> None:
    import json
    import socket

    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        conn.connect(fork_server.socket_path)
        conn.sendall(b'{"args": "not a list"}\n')
        answer = json.loads(conn.makefile().readline())
    assert "bad request" in answer["error"]
    assert fork_server.process.poll() is None, "the fork server must survive a bad request"


def test_the_fork_server_exits_with_the_server_that_started_it(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import time
        from protocols.serve.kernel_provisioner import ForkServer
        server = ForkServer()
        assert server.wait_ready(90)
        print(server.process.pid, server.folder, flush=True)
        time.sleep(120)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid_text, folder = parent.stdout.readline().split()
        child = int(pid_text)
        os.kill(parent.pid, signal.SIGKILL)  # no clean shutdown: the server crashed
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and ForkedProcess(child).poll() is None:
            time.sleep(0.2)
        assert ForkedProcess(child).poll() is not None, "the fork server outlived its server"
        assert not Path(folder).exists(), "the fork server left its socket folder behind"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_serve_starts_kernels_the_usual_way_when_the_provisioner_is_not_registered(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    import protocols.cli.serve as cli

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    monkeypatch.delenv(FORK_SERVER.name, raising=False)
    assert cli._start_fork_server() is None
    assert "pip install -e ." in capsys.readouterr().err
    assert FORK_SERVER.name not in os.environ
