"""Kernels for the job aids, forked from the warm fork server when one is running.

``handbook serve`` names this provisioner (``handbook-forked``) for every kernel. When the
server process has a fork server (the fork-server setting, :data:`protocols.settings.FORK_SERVER`)
and the kernel is the standard ipykernel, the kernel is forked from it; otherwise, or if the
fork server does not answer, it is launched the ordinary way, so a kernel always starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from protocols import settings
from protocols.serve.forkserver import kernel_arguments

log = logging.getLogger(__name__)
PROVISIONER = "handbook-forked"
"""This provisioner's entry-point name (``jupyter_client.kernel_provisioners`` in pyproject.toml)."""
CONNECT_TIMEOUT = 10.0


class ForkedProcess:
    """What the kernel manager needs of a ``Popen`` for a kernel that is not our child.

    The fork server is the kernel's parent and lets the system reap it, so "still running"
    means the process id still answers a null signal.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except (ProcessLookupError, PermissionError):
                self.returncode = 0
            else:
                if _is_zombie(self.pid):  # exited, not yet reaped by whoever adopted it
                    self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


async def fork_kernel(socket_path: str, args: list[str], env: dict[str, str], cwd: str) -> int:
    """Ask the fork server for a kernel; returns its process id."""
    reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(socket_path), CONNECT_TIMEOUT)
    try:
        writer.write(json.dumps({"args": args, "env": env, "cwd": cwd}).encode() + b"\n")
        await writer.drain()
        answer = json.loads(await asyncio.wait_for(reader.readline(), CONNECT_TIMEOUT))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    if "pid" not in answer:
        raise OSError(answer.get("error", "the fork server gave no process id"))
    return int(answer["pid"])


class ForkedKernelProvisioner(LocalProvisioner):
    """A local kernel, forked from the warm parent when it can be."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        socket_path = settings.FORK_SERVER.read()
        args = kernel_arguments(cmd)
        if socket_path and args is not None:
            env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
            cwd = str(kwargs.get("cwd") or Path.cwd())
            try:
                pid = await fork_kernel(socket_path, args, env, cwd)
            except (TimeoutError, OSError, ValueError) as exc:
                log.warning("The kernel fork server did not answer (%s); starting the kernel the usual way.", exc)
            else:
                self.process = ForkedProcess(pid)  # type: ignore[assignment]  # duck-typed Popen
                self.pid = self.pgid = pid
                self.cwd = cwd
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)


class ForkServer:
    """The fork server process of one ``handbook serve``; stopped when the server exits."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="handbook-kernels-"))
        self.socket_path = str(self.folder / "fork.sock")
        self.process = subprocess.Popen([sys.executable, "-m", "protocols.serve.forkserver", self.socket_path],
                                        stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 60) -> bool:
        """True once the server listens; False if it exited or is not ready within ``timeout``."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if os.path.exists(self.socket_path):
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)
        with contextlib.suppress(OSError):
            self.folder.rmdir()
