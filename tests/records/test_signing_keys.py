"""The signing key: made at first use outside the records database, private, and refused when others
could read it or plant a key beside it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.records.signing import CONTEXT, KeyFolder, SigningError, key_folder, signature_is_valid

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_is_made_at_first_use_with_private_permissions(tmp_path: Path) -> None:
    keys = KeyFolder(tmp_path / "keys")
    assert keys.trusted() == {} and not keys.folder.exists()  # reading makes nothing
    signature = keys.sign(b"record")
    assert mode(keys.folder) == 0o700 and mode(keys.private_file) == 0o600
    assert (keys.public_folder / f"{signature['key_id']}.pem").is_file()
    assert keys.sign(b"again")["key_id"] == signature["key_id"]  # the same key from then on
    [trusted] = keys.trusted().values()
    assert trusted.status == "current" and signature_is_valid(trusted.public, signature["value"], b"record")
    assert not signature_is_valid(trusted.public, signature["value"], b"another record")
    assert not list(keys.folder.glob("*.part")) and CONTEXT.startswith(b"crisis-handbook")


@pytest.mark.parametrize(("env", "expected"), [
    ({"HANDBOOK_SIGNING_KEYS": "{tmp}/chosen"}, "{tmp}/chosen"),
    ({"HANDBOOK_DATABASE_URL": "sqlite:///{tmp}/srv/records.sqlite3"}, "{tmp}/srv/signing-keys"),
    ({"HANDBOOK_DATABASE_URL": "postgresql+psycopg://handbook@db/handbook", "XDG_DATA_HOME": "{tmp}/data"},
     "{tmp}/data/crisis-handbook/signing-keys"),
])
def test_the_key_folder_follows_the_records_location(env: dict[str, str], expected: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HANDBOOK_SIGNING_KEYS", "HANDBOOK_DATABASE_URL", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert key_folder() == Path(expected.format(tmp=tmp_path))


def test_rotation_retires_the_old_key_and_deletes_its_private_half(tmp_path: Path) -> None:
    keys = KeyFolder(tmp_path / "keys")
    before = keys.sign(b"old record")
    old_private = keys.private_file.read_bytes()
    retired, current = keys.rotate()
    assert retired == before["key_id"] and current != retired
    assert keys.private_file.read_bytes() != old_private and mode(keys.private_file) == 0o600
    trusted = keys.trusted()
    assert {k: v.status for k, v in trusted.items()} == {retired: "retired", current: "current"}
    assert signature_is_valid(trusted[retired].public, before["value"], b"old record")
    assert keys.sign(b"new")["key_id"] == current
    assert not any(old_private in f.read_bytes() for f in keys.folder.rglob("*") if f.is_file())


def test_a_key_others_can_read_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyFolder(tmp_path / "keys")
    keys.sign(b"x")
    keys.private_file.chmod(0o644)
    with pytest.raises(SigningError, match=r"can be read by other users \(mode 0644\); make it private with "
                                           r"chmod 600"):
        keys.sign(b"y")
    monkeypatch.setenv("HANDBOOK_SIGNING_KEYS", str(keys.folder))
    shown = runner.invoke(app, ["signing-key", "show"])
    assert shown.exit_code == 1 and "error: The signing key" in shown.output and "Traceback" not in shown.output


def test_a_folder_others_can_write_is_not_trusted(tmp_path: Path) -> None:
    keys = KeyFolder(tmp_path / "keys")
    keys.sign(b"x")
    keys.public_folder.chmod(0o777)  # anyone could plant a public key there
    with pytest.raises(SigningError, match="can be changed by other users"):
        keys.trusted()


def test_a_damaged_key_says_how_to_recover(tmp_path: Path) -> None:
    keys = KeyFolder(tmp_path / "keys")
    keys.sign(b"x")
    keys.private_file.write_text("not a key\n", encoding="utf-8")
    with pytest.raises(SigningError, match=r"is damaged or not an Ed25519 key\. Restore it from a backup"):
        keys.sign(b"y")


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(SigningError, match=r"Cannot write the signing keys in .* set HANDBOOK_SIGNING_KEYS"):
        KeyFolder(blocker / "keys").sign(b"x")
