"""Reading a ``handbook build`` log: the warnings and errors a trainer would have to act on."""

from __future__ import annotations

import re

PROBLEM = re.compile(r"^(?!\[IPKernelApp\]).*\b(WARNING|ERROR|CRITICAL)\b[:|]", re.M)
"""A warning or error line (Sphinx's, or anything else's), but not a kernel's start-up notes."""

KERNEL_TEARDOWN = "ERROR:tornado.general:Uncaught exception in ZMQStream callback"
"""A notebook kernel's own tornado logger, not the build: seen once in CI while two books built
at once. Upstream kernels have known races closing their sockets at shutdown. A notebook that
fails fails the build instead, which the return code shows."""


def build_problems(log: str) -> list[str]:
    """Each warning or error line of a build log, with the lines after it (a traceback, say)."""
    lines = log.splitlines()
    return ["\n".join(lines[i:i + 25]) for i, line in enumerate(lines)
            if PROBLEM.search(line) and not line.startswith(KERNEL_TEARDOWN)]
