"""Which page owns which job-aid kernel: a secret cookie scoped to the kernel's routes.

jupyter_server lets anyone who may use the server at all reach any kernel whose id they know.
Here each kernel belongs to the page that started it: its REST routes and websocket need the
secret cookie that page got (:data:`KERNEL_KEY_COOKIES`); another page gets 403.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

KERNEL_KEY_COOKIES = {"/api/kernels/": "handbook-kernel", "/voila/api/shutdown/": "handbook-kernel-shutdown"}
"""Route prefix -> name of the owner cookie scoped to ``<prefix><kernel id>`` (HttpOnly, SameSite)."""
KERNEL_ROUTE = re.compile(rf"^({'|'.join(map(re.escape, KERNEL_KEY_COOKIES))})([0-9a-fA-F-]{{1,64}})(?:/|$)")
"""A kernel's owner-checked routes: the prefixes of :data:`KERNEL_KEY_COOKIES` and the kernel id."""


class KernelOwners:
    """Which page started which job-aid kernel: the secret that page's cookie carries.

    jupyter_server lets anyone who may use the server at all reach any kernel whose id
    they know; this ties each kernel to the one page that started it.
    """

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._users: dict[str, str | None] = {}
        self._locked: set[str] = set()

    def bind(self, kernel_id: str, alive: Iterable[str] = (), user: str | None = None) -> str:
        """A fresh secret for ``kernel_id``, started for ``user``; kernels no longer ``alive``
        are forgotten."""
        living = set(alive) | {kernel_id}
        for gone in [k for k in self._keys if k not in living]:
            del self._keys[gone]
            self._users.pop(gone, None)
            self._locked.discard(gone)
        key = secrets.token_urlsafe(32)
        self._keys[kernel_id] = key
        self._users[kernel_id] = user
        self._locked.discard(kernel_id)
        return key

    def owned(self, kernel_id: str) -> bool:
        """A page started (or took) this kernel and it has not been forgotten."""
        return kernel_id in self._keys

    def user_of(self, kernel_id: str) -> str | None:
        """Who the kernel was started for (:func:`protocols.serve.kernels.page_user`), for the idle
        lock's resume check."""
        return self._users.get(kernel_id)

    def lock(self, kernel_id: str) -> None:
        """The page is behind its idle lock: its kernel takes no widget message (``session_lock``)."""
        if kernel_id in self._keys:
            self._locked.add(kernel_id)

    def unlock(self, kernel_id: str) -> None:
        self._locked.discard(kernel_id)

    def is_locked(self, kernel_id: str) -> bool:
        return kernel_id in self._locked

    def allows(self, kernel_id: str, key: str | None, exists: Callable[[], bool]) -> bool:
        """True for the owner's key, and for ids of no kernel at all (Jupyter answers 404).

        ``exists`` is asked only for an id no page owns.
        """
        known = self._keys.get(kernel_id)
        if known is None:
            return not exists()  # a kernel no page started (a pool's spare): nobody's to use
        return key is not None and secrets.compare_digest(known.encode(), key.encode())
