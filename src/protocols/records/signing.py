"""The agency's export-signing key (Ed25519): made at first use, kept outside the records database.

Only the machine that holds the private key can sign an export; anyone with the public key can
check one. The key folder holds::

    private-key.pem        the current private key (mode 0600, folder 0700)
    public/<key id>.pem    every public key this folder has signed with: the current one and
                           the retired ones, so exports signed before a rotation still verify

A key id is the first 32 hex digits of the SHA-256 of the raw 32-byte public key. Rotating
makes a new private key and deletes the old one; its public key stays in ``public/``.

The folder is the signing-keys setting (:data:`protocols.settings.SIGNING_KEYS`) when set; else
``signing-keys`` beside the SQLite file the database setting names; else ``signing-keys`` in the
handbook's data folder (where the default SQLite file lives too).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from protocols.records.store import data_folder, sqlite_path
from protocols.settings import DATABASE_URL, SIGNING_KEYS

ALGORITHM = "ed25519"
PRIVATE_FILE = "private-key.pem"
PUBLIC_FOLDER = "public"
CONTEXT = b"crisis-handbook signed export\n"
"""Signed before the content, so an export signature cannot be taken for any other signed thing."""
_PEM = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)
_KEY_ID = re.compile(r"[0-9a-f]{32}")


class SigningError(Exception):
    """The signing key cannot be made, read or used; the message says where and how to fix it."""


KeyStatus = Literal["current", "retired", "given"]


@dataclass(frozen=True)
class TrustedKey:
    """A public key that ``verify-export`` accepts, and where it came from."""

    key_id: str
    public: Ed25519PublicKey
    status: KeyStatus
    """``current`` or ``retired`` (this machine's key folder), ``given`` (``--public-key``)."""
    source: Path


def key_folder() -> Path:
    """Where the signing keys live (see the module's docstring)."""
    chosen = SIGNING_KEYS.read()
    if chosen:
        return Path(chosen)
    database = sqlite_path(DATABASE_URL.read() or "")
    if database is not None:
        return database.parent / "signing-keys"
    return data_folder() / "signing-keys"


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """The key's fingerprint: the first 32 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw_public(public)).hexdigest()[:32]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_text(public: Ed25519PublicKey) -> str:
    """The public key as an export carries it: its raw bytes in base64."""
    return base64.b64encode(raw_public(public)).decode("ascii")


def public_from_text(text: object) -> Ed25519PublicKey | None:
    """A public key from its base64 text; ``None`` if it is not one."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        return None


def signature_is_valid(public: Ed25519PublicKey, signature: object, message: bytes) -> bool:
    """True if ``signature`` (base64 text) is ``public``'s signature of ``message``."""
    if not isinstance(signature, str) or len(signature) > 200:
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), CONTEXT + message)
    except (ValueError, InvalidSignature):
        return False
    return True


def read_public_keys(path: Path) -> list[Ed25519PublicKey]:
    """The Ed25519 public keys in a PEM file (what ``handbook signing-key show --out FILE`` writes)."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SigningError(f"The public key file {path} is a folder. Give the file the agency gave you.") from None
    except OSError as exc:
        raise SigningError(f"Cannot read the public key file {path}: {exc.strerror}.") from None
    keys: list[Ed25519PublicKey] = []
    for block in _PEM.findall(data):
        try:
            key = serialization.load_pem_public_key(block)
        except ValueError:
            raise SigningError(f"The public key file {path} cannot be used: a public key in it is damaged. Ask "
                               "the agency for the file again.") from None
        if not isinstance(key, Ed25519PublicKey):
            raise SigningError(f"The public key file {path} cannot be used: a key in it is not an Ed25519 key. "
                               "Ask the agency for the file that handbook signing-key show --out FILE writes.")
        keys.append(key)
    if not keys:
        raise SigningError(f"The public key file {path} holds no public key (a block from -----BEGIN PUBLIC "
                           "KEY----- to -----END PUBLIC KEY-----). Ask the agency for the file that handbook "
                           "signing-key show --out FILE writes.")
    return keys


def given_keys(files: list[Path]) -> dict[str, TrustedKey]:
    """The keys in public key files given on the command line, by key id."""
    return {key_id(public): TrustedKey(key_id(public), public, "given", file)
            for file in files for public in read_public_keys(file)}


def _mode_problem(path: Path, mask: int, what: str, fix: str) -> str | None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & mask:
        return f"The {what} {path} can be {'read' if mask & 0o044 else 'changed'} by other users " \
               f"(mode {mode:04o}); make it private with chmod {fix} {path}."
    return None


class KeyFolder:
    """The signing keys in one folder: the current private key and every public key it trusts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def default(cls) -> KeyFolder:
        return cls(key_folder())

    @property
    def private_file(self) -> Path:
        return self.folder / PRIVATE_FILE

    @property
    def public_folder(self) -> Path:
        return self.folder / PUBLIC_FOLDER

    # ------------------------------------------------------------------ reading

    def current_key(self) -> Ed25519PrivateKey | None:
        """The current private key; ``None`` when none has been made yet."""
        if not self.private_file.exists():
            return None
        self._check_private()
        try:
            data = self.private_file.read_bytes()
        except OSError as exc:
            raise SigningError(f"Cannot read the signing key {self.private_file}: {exc.strerror}. Run the "
                               "command as the user that runs the handbook server.") from None
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningError(f"The signing key {self.private_file} is damaged or not an Ed25519 key. "
                               "Restore it from a backup, or move it away and run handbook signing-key "
                               "rotate to make a new one.")
        return key

    def trusted(self) -> dict[str, TrustedKey]:
        """Every public key in this folder by key id: the current one and the retired ones.

        Nothing is created. A folder or key file other users can change is refused
        (``SigningError``): a key planted there would be trusted.
        """
        found: dict[str, TrustedKey] = {}
        if not self.folder.is_dir():
            return found
        self._check_folder()
        current: str | None = None
        with contextlib.suppress(SigningError):  # e.g. a verifier who may not read the private key
            private = self.current_key()
            if private is not None:
                current = key_id(private.public_key())
                found[current] = TrustedKey(current, private.public_key(), "current", self.private_file)
        if not self.public_folder.is_dir():
            return found
        for file in sorted(self.public_folder.glob("*.pem")):
            problem = _mode_problem(file, 0o022, "public key file", "644")
            if problem:
                raise SigningError(problem)
            for public in read_public_keys(file):
                kid = key_id(public)
                if kid not in found:
                    found[kid] = TrustedKey(kid, public, "retired", file)
        return found

    # ------------------------------------------------------------------ changing

    def signing_key(self) -> Ed25519PrivateKey:
        """The current private key, made (with its public key filed) on first use."""
        key = self.current_key()
        if key is not None:
            self._file_public(key.public_key())
            return key
        self._make_folder()
        new = Ed25519PrivateKey.generate()
        self._file_public(new.public_key())
        staged = self._stage(_private_pem(new), 0o600)
        try:
            os.link(staged, self.private_file)  # fails if another process made one first
        except FileExistsError:
            pass
        except OSError as exc:
            raise SigningError(self._cannot_write(exc)) from None
        finally:
            staged.unlink(missing_ok=True)
        made = self.current_key()
        if made is None:  # pragma: no cover - just linked
            raise SigningError(f"The signing key {self.private_file} disappeared while it was made; try again.")
        return made

    def rotate(self) -> tuple[str | None, str]:
        """Replace the current key with a new one; return the old key id (retired) and the new one.

        The old public key stays in ``public/``, so exports it signed still verify.
        """
        old = self.current_key()
        self._make_folder()
        if old is not None:
            self._file_public(old.public_key())
        new = Ed25519PrivateKey.generate()
        self._file_public(new.public_key())
        staged = self._stage(_private_pem(new), 0o600)
        try:
            os.replace(staged, self.private_file)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise SigningError(self._cannot_write(exc)) from None
        return (key_id(old.public_key()) if old is not None else None), key_id(new.public_key())

    def sign(self, message: bytes) -> dict[str, str]:
        """An export's signature block for ``message`` (made with the current key)."""
        key = self.signing_key()
        public = key.public_key()
        return {"algorithm": ALGORITHM, "key_id": key_id(public), "public_key": public_text(public),
                "value": base64.b64encode(key.sign(CONTEXT + message)).decode("ascii")}

    # ------------------------------------------------------------------ files

    def _make_folder(self) -> None:
        try:
            self.public_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for folder in (self.folder, self.public_folder):
                if stat.S_IMODE(folder.stat().st_mode) & 0o077:
                    folder.chmod(0o700)
        except OSError as exc:
            raise SigningError(self._cannot_write(exc)) from None

    def _check_folder(self) -> None:
        for folder in (self.folder, self.public_folder):
            problem = _mode_problem(folder, 0o022, "key folder", "700")
            if problem:
                raise SigningError(problem)

    def _check_private(self) -> None:
        self._check_folder()
        problem = _mode_problem(self.private_file, 0o077, "signing key", "600")
        if problem:
            raise SigningError(problem)

    def _file_public(self, public: Ed25519PublicKey) -> None:
        target = self.public_folder / f"{key_id(public)}.pem"
        if target.exists():
            return
        self._make_folder()
        staged = self._stage(public_pem(public).encode("ascii"), 0o644)
        try:
            os.replace(staged, target)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise SigningError(self._cannot_write(exc)) from None

    def _stage(self, data: bytes, mode: int) -> Path:
        """``data`` in a new file in the key folder with ``mode`` (renamed into place by the caller)."""
        try:
            handle, name = tempfile.mkstemp(dir=self.folder, prefix=".staged-", suffix=".part")
            with os.fdopen(handle, "wb") as out:
                os.fchmod(out.fileno(), mode)
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise SigningError(self._cannot_write(exc)) from None
        return Path(name)

    def _cannot_write(self, exc: OSError) -> str:
        return (f"Cannot write the signing keys in {self.folder}: {exc.strerror}. Run the command as the "
                f"user that runs the handbook server, or set {SIGNING_KEYS.name} to a folder it can write.")


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def looks_like_key_id(text: object) -> bool:
    return isinstance(text, str) and _KEY_ID.fullmatch(text) is not None
