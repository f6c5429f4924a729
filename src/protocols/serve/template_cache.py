"""Compile Voila's page templates once per server, not once per page.

Voila builds a fresh nbconvert exporter, with a fresh Jinja environment, for every job-aid
page it renders, so every page used to parse and compile the whole template chain again:
most of the server's own CPU when many sessions open at once. A shared in-memory cache
keeps the compiled templates; Jinja checks each template's source against its cached
checksum, so an edited template is compiled afresh.
"""

from __future__ import annotations

import threading
from types import CodeType
from typing import Any

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process's memory, as code objects.

    Jinja's own caches store marshalled bytecode, which every page would unmarshal again;
    a code object is immutable and can be handed to every environment as it is.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, CodeType]] = {}
        self._lock = threading.Lock()

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        bucket = Bucket(environment, self.get_cache_key(name, filename), self.get_source_checksum(source))
        with self._lock:
            entry = self._compiled.get(bucket.key)
        if entry is not None and entry[0] == bucket.checksum:  # an edited source misses
            bucket.code = entry[1]
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            with self._lock:
                self._compiled[bucket.key] = (bucket.checksum, bucket.code)

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
