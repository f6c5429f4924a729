"""Check an export: unchanged and signed by a key the agency trusts, or altered, forged or unsigned.

The public key inside an export only says which key signed it; anyone can make a key pair
and embed theirs. So a signature counts only when its key id is one of the *trusted* keys:
this machine's key folder (the current key and the retired ones) and any public key file the
agency handed out (``--public-key``).

Each verdict has its own exit code (:data:`EXIT_CODES`): 0 verified, 3 altered (the content or
page no longer matches its digest or record), 4 forged (no valid signature by a trusted key:
the signature is wrong or missing, or the key is unknown), 5 unsigned (a file in the first,
unsigned format, whose digest still matches). A file that is not an export at all, or cannot
be read, is an ``ExportError`` (exit 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from protocols.records import export_v1
from protocols.records.export import EARLIER_SCHEMAS, EXPORT_SCHEMA, page_styles, render_html
from protocols.records.export_format import EMBED, ExportError, canonical, digest_of, read_export_text
from protocols.records.signing import (
    ALGORITHM,
    TrustedKey,
    key_id,
    looks_like_key_id,
    public_from_text,
    signature_is_valid,
)


class Verdict(StrEnum):
    VERIFIED = "verified"
    ALTERED = "altered"
    FORGED = "forged"
    UNSIGNED = "unsigned"


EXIT_CODES: dict[Verdict, int] = {Verdict.VERIFIED: 0, Verdict.ALTERED: 3, Verdict.FORGED: 4, Verdict.UNSIGNED: 5}
NOT_AN_EXPORT_EXIT = 1
KEY_WORDS = {"current": "the agency's current key", "retired": "a retired agency key (still trusted)",
             "given": "the public key you gave"}


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    message: str
    """A sentence or two for the person checking: what was found and what it means."""
    key: TrustedKey | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ExportError(f"The file {where} is not a handbook export: its record is not valid JSON.") from None


def check_export(path: Path, trusted: Mapping[str, TrustedKey]) -> Finding:
    """What ``path`` is: verified, altered, forged or unsigned. ``ExportError`` if it is no export."""
    text = read_export_text(path)
    is_page = path.suffix.lower() in (".html", ".htm")
    if is_page:
        found = EMBED.search(text)
        if found is None:
            raise ExportError(f"The file {path} is not a handbook HTML export: it carries no embedded record.")
        data = _parse(found.group(1), str(path))
        if isinstance(data, dict) and data.get("schema") == export_v1.EXPORT_SCHEMA:
            return _first_format_page(path, text, data)
    else:
        data = _parse(text, str(path))
        inner = data.get("payload") if isinstance(data, dict) else None
        if isinstance(inner, dict) and inner.get("schema") == export_v1.EXPORT_SCHEMA:
            return _first_format(path, data)
    payload = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(payload, dict) or payload.get("schema") not in (EXPORT_SCHEMA, *EARLIER_SCHEMAS):
        raise ExportError(f"The file {path} is not a handbook export: it has no payload in the format {EXPORT_SCHEMA} "
                          f"or {export_v1.EXPORT_SCHEMA}.")
    if is_page and not _page_matches(text, data):
        return Finding(Verdict.ALTERED, f"Altered: {path} was changed after export. The page no longer "
                                        "matches the record it carries.")
    integrity = data.get("integrity")
    stated = integrity.get("digest") if isinstance(integrity, dict) else None
    if stated != digest_of(payload):
        return Finding(Verdict.ALTERED, f"Altered: {path} was changed after export. Its content does not match "
                                        "its SHA-256 digest.")
    return _signature(path, data.get("signature"), payload, trusted)


def _page_matches(text: str, document: dict[str, Any]) -> bool:
    """True if the page is the one drawn from its record (line ends aside: a copy may change them)."""
    normalised = text.replace("\r\n", "\n")
    try:
        return any(render_html(document, style).replace("\r\n", "\n") == normalised for style in page_styles())
    except (KeyError, TypeError, AttributeError):  # a record too damaged to draw
        return False


def _signature(path: Path, signature: object, payload: dict[str, Any],
               trusted: Mapping[str, TrustedKey]) -> Finding:
    if signature is None:
        return Finding(Verdict.FORGED, f"Forged: {path} carries no signature, though every export in this format "
                                       "is signed. The signature was removed, so nothing vouches for its content.")
    kid = signature.get("key_id") if isinstance(signature, dict) else None
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM or not looks_like_key_id(kid):
        return Finding(Verdict.FORGED, f"Forged: the signature block of {path} is damaged (it needs the algorithm "
                                       f"{ALGORITHM}, a key id, a public key and a value).")
    embedded = public_from_text(signature.get("public_key"))
    if embedded is None or key_id(embedded) != kid:
        return Finding(Verdict.FORGED, f"Forged: the public key inside {path} does not have the key id {kid} "
                                       "the signature names.")
    key = trusted.get(str(kid))
    if key is None:
        known = ", ".join(sorted(trusted)) or "none"
        return Finding(Verdict.FORGED, f"Forged or from elsewhere: {path} was signed with the key {kid}, which "
                                       f"is not one of the agency's trusted keys (trusted here: {known}). A key "
                                       "inside a file cannot vouch for itself. If the agency gave you its public "
                                       "key, pass that file with --public-key FILE.")
    if not signature_is_valid(key.public, signature.get("value"), canonical(payload)):
        return Finding(Verdict.FORGED, f"Forged: the signature of {path} does not match its content under the "
                                       f"key {kid}. The content was changed and its digest made again, or the "
                                       "signature was not made with this key.", key)
    return Finding(Verdict.VERIFIED, f"OK: {path} is unchanged since it was signed with {KEY_WORDS[key.status]} "
                                     f"{kid} (SHA-256 {digest_of(payload)[:16]}…).", key)


def _unsigned(path: Path) -> Finding:
    return Finding(Verdict.UNSIGNED, f"Unsigned: {path} was made before exports were signed. Its content matches "
                                     "its SHA-256 digest, which shows only that nothing changed by accident: anyone "
                                     "could have made it. Export the run again for a signed copy.")


def _first_format(path: Path, document: dict[str, Any]) -> Finding:
    integrity = document.get("integrity")
    stated = integrity.get("digest") if isinstance(integrity, dict) else None
    if stated != digest_of(document["payload"]):
        return Finding(Verdict.ALTERED, f"Altered: {path} was changed after export. Its content does not match "
                                        "its SHA-256 digest.")
    return _unsigned(path)


def _first_format_page(path: Path, text: str, payload: dict[str, Any]) -> Finding:
    try:
        matches = export_v1.page_matches(text, payload)
    except (KeyError, TypeError, AttributeError):
        matches = False
    if not matches:
        return Finding(Verdict.ALTERED, f"Altered: {path} was changed after export. The page no longer matches "
                                        "the record it carries.")
    return _unsigned(path)
