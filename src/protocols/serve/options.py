"""What ``handbook serve`` is started with: the folders, the address, sign-in and kernels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeOptions:
    widgets_dir: Path
    book_dir: Path
    ip: str = "127.0.0.1"
    port: int = 8866
    preheat: bool = True
    pool_size: int = 1
    fork_kernels: bool = True
    cull_idle_seconds: int = 35 * 60
    token: str | None = None
    trusted_header: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    open_browser: bool = False
    local_user: str | None = None
    """The user setting (:data:`protocols.settings.USER`) of whoever started the server. Without
    sign-in (loopback) every save is recorded as this user; a token or a sign-on proxy names the
    user instead."""
