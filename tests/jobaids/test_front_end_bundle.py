"""Voila's front-end chunks joined into one script: only numbered chunks, from the given folders."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from protocols.serve.front_end_bundle import CHUNK_LIST, join_chunks, listed_chunks, stale_list_note


def test_listed_chunks_are_joined_in_order_from_the_first_folder_holding_each(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "2.voila.js").write_text('(self.c=self.c||[]).push([[2],{}]);')
    (second / "2.voila.js").write_text("shadowed")
    (second / "1.voila.js").write_text('(self.c=self.c||[]).push([[1],{}])\n\n')
    bundle = join_chunks(["1.voila.js", "2.voila.js", "3.voila.js"], [str(first), str(second)])
    assert bundle.chunks == ("1.voila.js", "2.voila.js"), "a missing chunk is left to load as before"
    assert bundle.body == b'(self.c=self.c||[]).push([[1],{}])\n(self.c=self.c||[]).push([[2],{}]);\n'
    assert gzip.decompress(bundle.gzipped) == bundle.body
    assert bundle.etag.startswith('"') and bundle.etag.endswith('"')


def test_only_numbered_chunk_names_are_ever_read(tmp_path: Path) -> None:
    (tmp_path / "voila.js").write_text("the runtime")
    (tmp_path / "secret.voila.js").write_text("not a chunk")
    outside = tmp_path / "static"
    outside.mkdir()
    bundle = join_chunks(["voila.js", "secret.voila.js", "../voila.js", "/etc/passwd", "1.voila.js.map"],
                         [str(outside), str(tmp_path)])
    assert bundle.chunks == ()
    assert b"runtime" not in bundle.body and b"not a chunk" not in bundle.body


def test_a_bad_list_file_means_no_chunks(tmp_path: Path) -> None:
    bad = tmp_path / "chunks.json"
    for text in ("not json", "[1, 2]", '{"chunks": "1.voila.js"}'):
        bad.write_text(text)
        assert listed_chunks(bad) == []
    bad.write_text(json.dumps({"chunks": ["1.voila.js", "../x.voila.js", 7]}))
    assert listed_chunks(bad) == ["1.voila.js"]
    assert listed_chunks(tmp_path / "missing.json") == []


def test_the_shipped_list_names_the_voila_it_was_recorded_with() -> None:
    data = json.loads(CHUNK_LIST.read_text(encoding="utf-8"))
    assert data["voila"] and len(listed_chunks()) == len(data["chunks"]) > 50


def test_a_list_from_another_voila_release_is_noted(tmp_path: Path) -> None:
    from importlib.metadata import version

    listed = tmp_path / "chunks.json"
    listed.write_text(json.dumps({"voila": version("voila"), "chunks": []}))
    assert stale_list_note(listed) is None
    listed.write_text(json.dumps({"voila": "0.0.1", "chunks": []}))
    note = stale_list_note(listed)
    assert note is not None and "Voila 0.0.1" in note and "record_front_end_chunks.py" in note


def test_a_damaged_list_is_noted_with_what_is_wrong(tmp_path: Path) -> None:
    listed = tmp_path / "chunks.json"
    for text, says in (("{not json", "is not JSON"), ('["1.voila.js"]', '"chunks": [NAME, ...]'),
                       ('{"voila": "0.5.13", "chunks": ["1.voila.js", "../x.js"]}', "../x.js")):
        listed.write_text(text)
        note = stale_list_note(listed)
        assert note is not None and says in note and "record_front_end_chunks.py" in note, note
    assert "cannot be read" in (stale_list_note(tmp_path / "missing.json") or "")
