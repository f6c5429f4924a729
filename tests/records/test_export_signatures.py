"""Exports are signed with the agency's key: an edit, a forged signature and an unsigned file each
get their own verdict and exit code, and exports signed before a key rotation still verify."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aid_runs import screening_and_follow_on
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import default_library
from protocols.records import Store
from protocols.records.export import render_html, render_json, sign
from protocols.records.export_format import canonical, digest_of
from protocols.records.export_v1 import checklist_payload, to_html, to_json
from protocols.records.signing import KeyFolder, public_pem

runner = CliRunner()
OK, NOT_AN_EXPORT, ALTERED, FORGED, UNSIGNED = 0, 1, 3, 4, 5


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A store with a screening and its follow-on checklist, and this test's own key folder."""
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(tmp_path / "agency-keys"))
    monkeypatch.delenv("HANDBOOK_USER", raising=False)
    url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    store = Store.open(url)
    screening, follow_on = screening_and_follow_on(store, default_library(), "26-0001")
    return {"url": url, "store": store, "screening": screening, "follow_on": follow_on, "tmp": tmp_path}


def export(world: dict[str, Any], name: str, *args: str) -> Path:
    out: Path = world["tmp"] / name
    done = runner.invoke(app, ["export", *args, "--out", str(out), "--database", world["url"], "--user", "sgt-7"])
    assert done.exit_code == 0, done.output
    return out


def verify(file: Path, *args: str) -> Any:
    return runner.invoke(app, ["verify-export", str(file), *args])


def edited(file: Path, change: Any, *, new_digest: bool, to: str = "edited.json") -> Path:
    document = json.loads(file.read_text(encoding="utf-8"))
    change(document)
    if new_digest:
        document["integrity"]["digest"] = digest_of(document["payload"])
    out = file.with_name(to)
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


def first_answer(document: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = document["payload"]["runs"][0]["sections"][0]["rows"][0]
    return row


def test_an_answer_changed_with_its_digest_made_again_is_forged_not_ok(world: dict[str, Any]) -> None:
    original = export(world, "screening.json", world["screening"])
    assert first_answer(json.loads(original.read_text(encoding="utf-8")))["value"] == "No"

    def to_yes(document: dict[str, Any]) -> None:
        first_answer(document)["value"] = "Yes"

    quiet = edited(original, to_yes, new_digest=True)
    checked = verify(quiet)
    assert checked.exit_code == FORGED, checked.output
    assert "error: Forged: the signature of" in checked.output and "does not match its content" in checked.output
    crude = edited(original, to_yes, new_digest=False, to="crude.json")
    checked = verify(crude)
    assert checked.exit_code == ALTERED, checked.output
    assert "error: Altered:" in checked.output and "does not match its SHA-256 digest" in checked.output


def test_every_run_of_a_case_file_is_covered_by_its_signature(world: dict[str, Any]) -> None:
    case_file = export(world, "case.json", "--case", "26-0001")

    def later_run(document: dict[str, Any]) -> None:
        document["payload"]["runs"][-1]["sections"][0]["rows"][0]["value"] = "changed"

    assert len(json.loads(case_file.read_text(encoding="utf-8"))["payload"]["runs"]) == 2
    assert verify(edited(case_file, later_run, new_digest=True)).exit_code == FORGED


def test_a_page_with_a_changed_answer_is_altered(world: dict[str, Any]) -> None:
    page = export(world, "screening.html", world["screening"])
    text = page.read_text(encoding="utf-8")
    assert verify(page).exit_code == OK
    changed = page.with_name("changed.html")
    changed.write_text(text.replace("<td>No</td>", "<td>Yes</td>", 1), encoding="utf-8")
    checked = verify(changed)
    assert checked.exit_code == ALTERED and "The page no longer matches the record it carries" in checked.output
    entity = page.with_name("entity.html")  # reads the same once unescaped: still not the page that was signed
    entity.write_text(text.replace("<td>No</td>", "<td>&#78;o</td>", 1), encoding="utf-8")
    assert text != entity.read_text(encoding="utf-8") and verify(entity).exit_code == ALTERED


def test_a_signature_by_another_key_is_forged_with_the_unknown_key_named(world: dict[str, Any]) -> None:
    original = json.loads(export(world, "screening.json", world["screening"]).read_text(encoding="utf-8"))
    forger = KeyFolder(world["tmp"] / "forger-keys")
    payload = original["payload"]
    first_answer(original)["value"] = "Yes"
    forged = world["tmp"] / "forged.json"
    forged.write_text(render_json(sign(payload, forger)), encoding="utf-8")
    forger_id = json.loads(forged.read_text(encoding="utf-8"))["signature"]["key_id"]
    checked = verify(forged)
    assert checked.exit_code == FORGED, checked.output
    assert f"signed with the key {forger_id}, which is not one of the agency's trusted keys" in checked.output
    assert "pass that file with --public-key FILE" in checked.output
    page = world["tmp"] / "forged.html"
    page.write_text(render_html(sign(payload, forger)), encoding="utf-8")
    assert verify(page).exit_code == FORGED


def test_a_key_id_that_does_not_fit_the_embedded_key_is_forged(world: dict[str, Any]) -> None:
    original = export(world, "screening.json", world["screening"])
    other = KeyFolder(world["tmp"] / "other").signing_key().public_key()

    def swap_key(document: dict[str, Any]) -> None:
        from protocols.records.signing import public_text

        document["signature"]["public_key"] = public_text(other)

    checked = verify(edited(original, swap_key, new_digest=False))
    assert checked.exit_code == FORGED and "does not have the key id" in checked.output


def test_a_removed_signature_is_forged_and_a_first_format_export_is_unsigned(world: dict[str, Any]) -> None:
    original = export(world, "screening.json", world["screening"])
    stripped = edited(original, lambda d: d.pop("signature"), new_digest=False)
    checked = verify(stripped)
    assert checked.exit_code == FORGED and "carries no signature" in checked.output
    store: Store = world["store"]
    record = store.get(world["follow_on"])
    assert record is not None
    old = checklist_payload(record, default_library().protocol(record.content_id), actors=["job-aid"])
    for name, text in (("old.json", to_json(old)), ("old.html", to_html(old))):
        file = world["tmp"] / name
        file.write_text(text, encoding="utf-8")
        checked = verify(file)
        assert checked.exit_code == UNSIGNED, checked.output
        assert "error: Unsigned:" in checked.output and "anyone could have made it" in checked.output
    tampered = edited(world["tmp"] / "old.json", lambda d: d["payload"].update(case_number="26-0003"),
                      new_digest=False)
    assert verify(tampered).exit_code == ALTERED


def test_verify_trusts_retired_keys_after_a_rotation(world: dict[str, Any]) -> None:
    before = export(world, "before.json", world["screening"])
    old_id = json.loads(before.read_text(encoding="utf-8"))["signature"]["key_id"]
    rotated = runner.invoke(app, ["signing-key", "rotate", "--database", world["url"], "--user", "admin-1"])
    assert rotated.exit_code == 0, rotated.output
    assert f"Retired key {old_id}; exports it signed still verify." in rotated.output
    after = export(world, "after.json", world["screening"])
    new_id = json.loads(after.read_text(encoding="utf-8"))["signature"]["key_id"]
    assert new_id != old_id
    checked = verify(before)
    assert checked.exit_code == OK and f"a retired agency key (still trusted) {old_id}" in checked.output
    assert verify(after).exit_code == OK and "current key" in verify(after).output
    shown = runner.invoke(app, ["signing-key", "show", "--all"])
    assert f"Current key: {new_id}" in shown.output and f"Retired key: {old_id}" in shown.output
    assert shown.output.count("-----BEGIN PUBLIC KEY-----") == 2
    store: Store = world["store"]
    assert [e["actor"] for e in store.audit_log() if e["action"] == "rotate-signing-key"] == ["admin-1"]


def test_another_computer_verifies_with_the_agencys_public_key_file(world: dict[str, Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    export_file = export(world, "screening.html", world["screening"])
    key_file = world["tmp"] / "agency-public-key.pem"
    shown = runner.invoke(app, ["signing-key", "show", "--out", str(key_file)])
    assert shown.exit_code == 0 and f"Wrote the public key to {key_file}." in shown.output
    elsewhere = world["tmp"] / "prosecutor-keys"
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(elsewhere))
    unknown = verify(export_file)
    assert unknown.exit_code == FORGED and "(trusted here: none)" in unknown.output
    checked = verify(export_file, "--public-key", str(key_file))
    assert checked.exit_code == OK and "signed with the public key you gave" in checked.output
    assert not elsewhere.exists()  # checking never makes a key
    bad_key = world["tmp"] / "not-a-key.pem"
    bad_key.write_text("hello\n", encoding="utf-8")
    refused = verify(export_file, "--public-key", str(bad_key))
    assert refused.exit_code == 2 and "holds no public key" in refused.output


def test_verify_export_help_gives_every_exit_code() -> None:
    shown = runner.invoke(app, ["verify-export", "--help"], terminal_width=200)
    text = re.sub(r"\s+", " ", shown.output)
    for code, what in ((0, "verified"), (1, "not a handbook export"), (3, "altered"), (4, "forged"), (5, "unsigned")):
        assert f"{code} {what}" in text, text


def test_a_file_that_is_no_export_is_exit_1_with_a_sentence(world: dict[str, Any]) -> None:
    file = world["tmp"] / "notes.json"
    file.write_text('{"a": 1}', encoding="utf-8")
    checked = verify(file)
    assert checked.exit_code == NOT_AN_EXPORT and "error: " in checked.output
    assert checked.output.split("error: ", 1)[1][0].isupper() and "Traceback" not in checked.output


def test_the_signature_covers_the_canonical_payload_under_the_key_shown(world: dict[str, Any]) -> None:
    document = json.loads(export(world, "s.json", world["screening"]).read_text(encoding="utf-8"))
    keys = KeyFolder(world["tmp"] / "agency-keys")
    public = keys.signing_key().public_key()
    import base64

    public.verify(base64.b64decode(document["signature"]["value"]),
                  b"crisis-handbook signed export\n" + canonical(document["payload"]))
    assert public_pem(public) in runner.invoke(app, ["signing-key", "show"]).output
    assert dt.datetime.fromisoformat(document["payload"]["exported_at"]).tzinfo is not None


def test_a_record_with_text_that_is_not_unicode_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A lone surrogate is valid JSON but no text: the file is damaged, and says so (exit 1)."""
    from typer.testing import CliRunner

    from protocols.cli.app import app

    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"payload": {"schema": "crisis-handbook/export/2", "case_number": "\\ud800"}, '
                       '"integrity": {"algorithm": "sha256", "digest": "0"}}', encoding="utf-8")
    done = CliRunner().invoke(app, ["verify-export", str(damaged)])
    assert done.exit_code == 1, done.output
    assert "not valid Unicode" in done.output and "Traceback" not in done.output
