"""The library snapshot `handbook serve` hands its kernels: used only while it matches the content."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from protocols.library import loader as library_module
from protocols.library.loader import Library, default_library, load_library
from protocols.library.snapshot import read_snapshot, write_snapshot
from protocols.settings import LIBRARY_SNAPSHOT

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "agencies" / "river-city" / "agency.yaml"


def test_a_snapshot_reads_back_the_same_library(content_copy: Path) -> None:
    library = load_library(content_copy)
    path = write_snapshot(library, content_copy, None, content_copy.parent)
    assert path.parent.stat().st_mode & 0o777 == 0o700 and path.stat().st_mode & 0o777 == 0o600
    again = read_snapshot(path, content_copy, None)
    assert isinstance(again, Library) and again.digest == library.digest
    assert again.protocols.keys() == library.protocols.keys()
    assert again.protocol("scene-response") == library.protocol("scene-response")


def test_an_edit_a_different_agency_or_a_damaged_file_means_no_snapshot(content_copy: Path) -> None:
    path = write_snapshot(load_library(content_copy), content_copy, None, content_copy.parent)
    assert read_snapshot(path, content_copy, RIVER) is None, "another agency's content"
    protocol = content_copy / "protocols" / "scene-response.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_snapshot(path, content_copy, None) is None, "a file changed since the snapshot"
    fresh = write_snapshot(load_library(content_copy), content_copy, None, content_copy.parent)
    fresh.write_bytes(fresh.read_bytes()[:100])
    assert read_snapshot(fresh, content_copy, None) is None, "a damaged file is ignored, not an error"
    assert read_snapshot(fresh.parent / "missing.pickle", content_copy, None) is None


def test_a_snapshot_others_could_have_written_is_not_read(content_copy: Path) -> None:
    path = write_snapshot(load_library(content_copy), content_copy, None, content_copy.parent)
    os.chmod(path.parent, 0o777)
    assert read_snapshot(path, content_copy, None) is None
    os.chmod(path.parent, 0o700)
    path.write_bytes(pickle.dumps({"format": 1, "key": "x", "library": "not a library"}))
    assert read_snapshot(path, content_copy, None) is None


def test_default_library_takes_a_matching_snapshot_and_reads_yaml_otherwise(
        content_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_snapshot(load_library(content_copy), content_copy, None, content_copy.parent)
    monkeypatch.setenv("HANDBOOK_CONTENT", str(content_copy))
    monkeypatch.delenv("HANDBOOK_AGENCY", raising=False)
    monkeypatch.setenv(LIBRARY_SNAPSHOT.name, str(path))
    calls: list[object] = []
    real = library_module.load_library

    def counting(*args: object) -> Library:
        calls.append(args)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(library_module, "load_library", counting)
    default_library.cache_clear()
    try:
        assert default_library().protocol("scene-response").id == "scene-response"
        assert calls == [], "the snapshot was used; no YAML was read"
        default_library.cache_clear()
        (content_copy / "protocols" / "scene-response.yaml").touch()  # same bytes: still matches
        default_library()
        assert calls == []
        default_library.cache_clear()
        target = content_copy / "protocols" / "scene-response.yaml"
        target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        default_library()
        assert len(calls) == 1, "an edited file is read from YAML"
    finally:
        default_library.cache_clear()


def test_folders_of_killed_servers_are_removed_and_nothing_else(tmp_path: Path) -> None:
    import subprocess
    import sys

    library = load_library()
    mine = write_snapshot(library, None, None, parent=tmp_path).parent
    gone = write_snapshot(library, None, None, parent=tmp_path).parent
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    (gone / "server.pid").write_text(finished.stdout.strip())  # that process has exited
    unmarked = tmp_path / "handbook-library-old"
    unmarked.mkdir()  # no server id: not known to be abandoned
    other = tmp_path / "unrelated"
    other.mkdir()
    (other / "server.pid").write_text(finished.stdout.strip())
    garbled = write_snapshot(library, None, None, parent=tmp_path).parent
    (garbled / "server.pid").write_text("not a number")

    from protocols.library.snapshot import remove_abandoned

    assert remove_abandoned(tmp_path) == 1
    assert not gone.exists()
    assert mine.exists() and unmarked.exists() and other.exists() and garbled.exists()
