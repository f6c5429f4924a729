"""A job-aid page's kernels: each is tied to the page that started it and told who its user is.

The page's kernel manager is :class:`KernelsForThisPage`: the kernel a page starts (or takes from
the pool) gets the page's owner cookie (``kernel_owners``), and its environment names the
signed-in user (the user setting, :data:`protocols.settings.USER`), so its saves are recorded as
that user.
"""

from __future__ import annotations

import os
from typing import Any

from tornado import web

from protocols import settings
from protocols.serve.auth import server_wide_user, trusted_user
from protocols.serve.guard import GuardPolicy
from protocols.serve.kernel_owners import KERNEL_KEY_COOKIES
from protocols.serve.options import ServeOptions


def page_user(handler: web.RequestHandler, policy: GuardPolicy) -> str | None:
    """Who is signed in for this request: what the job-aid kernel it starts is told (the user
    setting, :data:`protocols.settings.USER`)."""
    if policy.trusted_header:
        return trusted_user(handler.request.headers.get(policy.trusted_header))
    return server_wide_user(policy.token, policy.trusted_header, policy.local_user)


class KernelsForThisPage:
    """The kernel manager as one job-aid page sees it: the kernel it starts (or takes from the
    pool) is bound to the page's owner cookie, and a new kernel's environment names the user."""

    def __init__(self, manager: Any, handler: web.RequestHandler, policy: GuardPolicy) -> None:
        self._manager = manager
        self._handler = handler
        self._policy = policy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def start_kernel(self, **kwargs: Any) -> str:
        from jupyter_core.utils import ensure_async

        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        env.pop(settings.USER.name, None)
        if (user := page_user(self._handler, self._policy)) is not None:
            env[settings.USER.name] = user
        kwargs["env"] = env
        kernel_id = str(await ensure_async(self._manager.start_kernel(**kwargs)))
        self._own(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        """A pool's kernel (started before any request; see :func:`kernel_user_environment`)."""
        result = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._own(str(result[2]))
        return result

    def _own(self, kernel_id: str) -> None:
        owners = self._policy.kernel_owners
        if owners is None:
            return
        key = owners.bind(kernel_id, alive=self._manager.list_kernel_ids(),
                          user=page_user(self._handler, self._policy))
        for prefix, cookie in KERNEL_KEY_COOKIES.items():
            self._handler.set_cookie(cookie, key, path=f"{prefix}{kernel_id}", httponly=True,
                                     samesite="Strict")


class JobAidKernels:
    """Mixed into the job-aid page handler: its kernels go through :class:`KernelsForThisPage`."""

    handbook_policy: GuardPolicy

    @property
    def kernel_manager(self) -> Any:
        handler: Any = self
        return KernelsForThisPage(handler.settings["kernel_manager"], handler, self.handbook_policy)


def kernel_user_environment(options: ServeOptions) -> dict[str, str | None]:
    """The user setting (:data:`protocols.settings.USER`) for kernels started before any request
    (a preheated pool): the token user with ``--token``, else the server's own user or unset.
    (With ``--trusted-header`` there is no pool.)"""
    return {settings.USER.name: server_wide_user(bool(options.token), options.trusted_header, options.local_user)}
