"""The end of a forked child's life: run its work, then leave at once with the work's exit code.

A child forked from a warm parent (the job-aid kernels' fork server, the preview's warm build)
must never return into the parent's code, run its ``atexit`` handlers, or lose buffered output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn


def exit_with(work: Callable[[], int]) -> NoReturn:
    """Run ``work`` in a forked child and exit with its code (1 on an unexpected exception)."""
    code = 1
    try:
        code = work()
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
