"""Compile Voila's page templates once per server, not once per page.

Voila builds a fresh nbconvert exporter, with a fresh Jinja environment, for every job-aid
page it renders, so every page used to parse and compile the whole template chain again:
most of the server's own CPU when many sessions open at once. A shared in-memory bytecode
cache keeps the compiled templates; Jinja checks each template's source against its cached
checksum, so an edited template is compiled afresh.
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process's memory."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            data = self._compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        with self._lock:
            self._compiled[bucket.key] = data

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()

    def __len__(self) -> int:
        return len(self._compiled)


PAGE_TEMPLATES = MemoryBytecodeCache()


def share_compiled_templates() -> None:
    """Make every Voila page exporter in this process use :data:`PAGE_TEMPLATES`."""
    from voila.exporter import VoilaExporter

    if getattr(VoilaExporter, "_handbook_shared_templates", False):
        return
    create = VoilaExporter._create_environment

    def create_with_cache(self: Any) -> Any:
        environment = create(self)
        environment.bytecode_cache = PAGE_TEMPLATES
        return environment

    VoilaExporter._create_environment = create_with_cache
    VoilaExporter._handbook_shared_templates = True
