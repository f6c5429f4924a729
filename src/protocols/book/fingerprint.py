"""Fingerprints that make cached work run again when what it shows has changed.

* :func:`tag_notebook`: jupyter-cache re-executes a notebook only when its code changes, so
  each cell that embeds a checklist gets a comment with a hash of the protocol's YAML (and of
  the job-aid base its link uses).
* :func:`code_version`: Sphinx re-reads every page when an extension's ``env_version``
  changes, so a hash of the extension's code (every module of :mod:`protocols.book`) and of
  :mod:`protocols.render` makes an edit to either show up without ``--all``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sphinx.application import Sphinx

from protocols.book.state import build_state, files_for

_FOR_PROTOCOL_RE = re.compile(r"""for_protocol\(\s*\\?["']([a-z0-9-]+)\\?["']""")
BOOK_PACKAGE = Path(__file__).parent
RENDER_PACKAGE = BOOK_PACKAGE.parent / "render"


def tag_notebook(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: make a notebook that embeds a checklist depend on that protocol's content.

    A fingerprint of the protocol's YAML (and of ``handbook_job_aid_base``, which the widget's
    link uses) is appended (as a comment) to each cell that builds a checklist, and the YAML
    file becomes a dependency of the page.
    """
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    if build_state(app).library is None or "for_protocol" not in source[0]:
        return
    try:
        notebook = json.loads(source[0])
    except ValueError:
        return
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else text
        found = _FOR_PROTOCOL_RE.findall(text)
        if found:
            prints = " ".join(_protocol_print(app, protocol_id) for protocol_id in found)
            cell["source"] = text.rstrip("\n") + "\n# handbook content: " + prints
            changed = True
    if changed:
        source[0] = json.dumps(notebook, ensure_ascii=False)


def _protocol_print(app: Sphinx, protocol_id: str) -> str:
    """``id@hash`` of the protocol's files, the agency's files and the job-aid base."""
    state = build_state(app)
    assert state.library is not None
    files = [*files_for(state.library, "protocols", protocol_id), *state.agency_files]
    for file in files:
        app.env.note_dependency(str(file))
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files if f.is_file()))
    # The widget links to its job aid under this base: a changed base re-runs the cell too.
    digest.update(str(app.config.handbook_job_aid_base).encode())
    return f"{protocol_id}@{digest.hexdigest()[:12]}"


def code_modules() -> list[Path]:
    """Every module of the extension's package (sub-packages included) and of ``render``."""
    return [*sorted(BOOK_PACKAGE.rglob("*.py")), *sorted(RENDER_PACKAGE.glob("*.py"))]


def code_version() -> int:
    """A number that changes whenever the extension's or the rendering code changes."""
    digest = hashlib.sha256()
    for path in code_modules():
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:8], 16)


