"""The printable page of a signed export: typed and planted values shown as text, legible print
styles, and a page whose styles were edited (to hide rows) fails to verify."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aid_runs import screening_and_follow_on
from sqlalchemy import update
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.export import page_styles
from protocols.records.store import runs

runner = CliRunner()
PLANTED = 'W-1"><b>x</b>'
TYPED = "</script><script>alert(1)</script>"


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A case file with a typed script in a note and a case number planted straight into the database."""
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "keys"))
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = Store.open(url)
    _screening, follow_on = screening_and_follow_on(store, default_library(), "26-0001")
    session_record = store.get(follow_on)
    assert session_record is not None
    state = json.loads(session_record.state)
    for answer in state["answers"]:
        if answer["item_id"] == "belief-reason":
            answer["value"] = TYPED
    with store.engine.begin() as conn:
        conn.execute(update(runs).values(case_number=PLANTED))
        conn.execute(update(runs).where(runs.c.id == follow_on).values(state=json.dumps(state)))
    out = tmp_path / "case.html"
    done = runner.invoke(app, ["export", "--case", PLANTED, "--out", str(out), "--include-notes", "--database",
                               url, "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    return out


def test_typed_and_planted_values_are_text_on_the_page(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "<b>x</b>" not in text and "<script>alert" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    embedded = re.search(r'<script type="application/json" id="handbook-export">(.*?)</script>', text, re.S)
    assert embedded is not None and "<" not in embedded.group(1)
    assert TYPED in json.dumps(json.loads(embedded.group(1)))
    assert text.count("<script") == 1
    assert runner.invoke(app, ["verify-export", str(page)]).exit_code == 0


def test_a_page_whose_styles_hide_rows_is_altered(page: Path) -> None:
    hidden = page.with_name("hidden.html")
    hidden.write_text(page.read_text(encoding="utf-8").replace("tr{break-inside:avoid}", "tr{display:none}"),
                      encoding="utf-8")
    checked = runner.invoke(app, ["verify-export", str(hidden)])
    assert checked.exit_code == 3 and "The page no longer matches the record it carries" in checked.output


def test_every_text_on_the_page_prints_at_12_pt_or_more() -> None:
    for style in page_styles():
        sizes = re.findall(r"font-size:\s*([0-9.]+)(pt|em|rem)", style)
        assert sizes, style
        assert all(float(n) >= 12 if unit == "pt" else float(n) >= 1 for n, unit in sizes), sizes


def test_a_copy_with_other_line_ends_still_verifies(page: Path) -> None:
    copied = page.with_name("copied.html")
    copied.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    assert runner.invoke(app, ["verify-export", str(copied)]).exit_code == 0
