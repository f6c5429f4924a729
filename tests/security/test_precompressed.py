"""The in-memory gzip cache behind the server's static files."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from protocols.serve.precompressed import MIN_BYTES, GzipCache


def test_a_file_is_compressed_once_and_again_when_it_changes(tmp_path: Path) -> None:
    script = tmp_path / "app.js"
    script.write_text("const x = 1;\n" * 500, encoding="utf-8")
    cache = GzipCache()
    first = cache.get(str(script))
    assert first is not None and gzip.decompress(first) == script.read_bytes()
    assert cache.get(str(script)) is first, "the second request is served from memory"
    script.write_text("const y = 2;\n" * 600, encoding="utf-8")
    os.utime(script, ns=(1, 10**18))
    changed = cache.get(str(script))
    assert changed is not None and gzip.decompress(changed) == script.read_bytes()


def test_small_missing_and_oversized_caches_are_handled(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.js"
    tiny.write_bytes(b"x" * (MIN_BYTES - 1))
    cache = GzipCache(limit=2_000)
    assert cache.get(str(tiny)) is None, "not worth compressing"
    assert cache.get(str(tmp_path / "gone.js")) is None
    files = []
    for number in range(5):
        path = tmp_path / f"{number}.js"
        path.write_bytes(os.urandom(1_500))  # does not compress: each copy is about 1.5 kB
        files.append(path)
        assert cache.get(str(path)) is not None
    assert cache._size <= 2_000, "the cache empties itself instead of growing past its limit"
