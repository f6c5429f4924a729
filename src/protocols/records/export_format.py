"""What every export format shares: its canonical bytes, its digest, and reading a file back."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

EMBED = re.compile(r'<script type="application/json" id="handbook-export">(.*?)</script>', re.S)
"""Where an HTML export carries its record."""


class ExportError(Exception):
    """An export could not be made or read; the message says why."""


def canonical(payload: dict[str, Any]) -> bytes:
    """The payload's bytes as its digest and signature cover them: sorted keys, no spaces, UTF-8."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:  # valid JSON (a lone surrogate escape), but never written by the handbook
        raise ExportError("The record holds text that is not valid Unicode, so it was damaged or not made "
                          "by the handbook; it cannot be checked.") from None


def digest_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def embedded_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&``)."""
    return (json.dumps(data, ensure_ascii=False)
            .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def read_export_text(path: Path) -> str:
    """The text of an export file; ``ExportError`` says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise ExportError(f"The path {path} is a folder. Give the path of a .json or .html export.") from None
    except OSError as exc:
        raise ExportError(f"Cannot read {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ExportError(f"The file {path} is not a handbook export (it is not UTF-8 text).") from None
