"""A SQLite file the handbook must not write to is refused before anything touches it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from protocols.records import Store, StoreError

PAGE = 4096


def _side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def _handbook_file(path: Path, runs: int = 60) -> None:
    """A real handbook database, left in rollback-journal mode with its pages on disk."""
    store = Store.open(f"sqlite:///{path}")
    for n in range(runs):
        store.create("scene-response", "scene-response", "1.0", f"C-{n}", "in-progress", "{}" + " " * 400)
    store.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    assert _side_files(path) == []


def _refused(path: Path, match: str) -> StoreError:
    before = path.read_bytes()
    with pytest.raises(StoreError, match=match) as caught:
        Store.open(f"sqlite:///{path}")
    assert path.read_bytes() == before, "the file was changed"
    assert _side_files(path) == [], "the handbook left files next to it"
    assert str(path) in str(caught.value)
    return caught.value


def test_a_foreign_database_is_refused_byte_for_byte_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "inventory.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO parts (name) VALUES ('bolt')")
    conn.close()
    error = _refused(foreign, r"other tables \(parts\) and no handbook records")
    assert "give the handbook a database of its own" in str(error)
    assert foreign.read_bytes()[18:20] == b"\x01\x01"  # still in rollback-journal mode, not WAL


def test_a_damaged_database_is_refused_untouched(tmp_path: Path) -> None:
    damaged = tmp_path / "records.sqlite3"
    _handbook_file(damaged)
    data = bytearray(damaged.read_bytes())
    assert data[:16] == b"SQLite format 3\0" and len(data) > 6 * PAGE
    data[3 * PAGE:5 * PAGE] = b"\xa5" * (2 * PAGE)  # header intact, two pages of garbage
    damaged.write_bytes(bytes(data))
    error = _refused(damaged, "damaged")
    assert "restore it from a backup" in str(error) and "nothing was changed" in str(error)


def test_a_truncated_database_is_refused_untouched(tmp_path: Path) -> None:
    truncated = tmp_path / "records.sqlite3"
    _handbook_file(truncated)
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    error = _refused(truncated, "damaged")
    assert "another file" in str(error)


def test_a_healthy_handbook_file_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    _handbook_file(path, runs=3)
    store = Store.open(f"sqlite:///{path}")
    assert len(store.recent("scene-response")) == 3
    store.engine.dispose()
