"""The export's print styles changed (12 pt everywhere); exports made before still verify.

``verify-export`` compares the whole page with one rendered from its embedded record, so a
page made with the earlier styles must still match, and a page whose styles were edited
(to hide a row when printed, say) must not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from protocols.engine import ChecklistRun
from protocols.library.loader import load_library
from protocols.records import Store
from protocols.records.export_v1 import STYLE, STYLE_V1, ExportError, checklist_payload, to_html, verify_export

T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)


def payload(tmp_path: Path) -> dict[str, object]:
    protocol = load_library().protocol("scene-response")
    run = ChecklistRun.start(protocol, "26-STYLE-01", T0)
    first = protocol.items()[0]
    run.answer(first.id, first.value.choices[0].id if first.value.choices else "yes", T0)
    store = Store.open(f"sqlite:///{tmp_path}/style.sqlite3")
    record = store.create("scene-response", protocol.id, protocol.version, "26-STYLE-01", run.status,
                          run.state.model_dump_json())
    return checklist_payload(record, protocol)


def test_new_and_earlier_exports_verify_and_edited_styles_do_not(tmp_path: Path) -> None:
    data = payload(tmp_path)
    assert "font-size:11pt" not in STYLE and ".meta{font-size:12pt}" in STYLE
    new, old, edited = tmp_path / "new.html", tmp_path / "old.html", tmp_path / "edited.html"
    new.write_text(to_html(data), encoding="utf-8")
    old.write_text(to_html(data, STYLE_V1), encoding="utf-8")
    assert verify_export(new) == verify_export(old)
    edited.write_text(to_html(data).replace("tr{break-inside:avoid}", "tr{display:none}"), encoding="utf-8")
    with pytest.raises(ExportError, match="changed after export"):
        verify_export(edited)
