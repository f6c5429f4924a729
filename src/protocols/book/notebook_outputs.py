"""The stored outputs that nbval compares: what each notebook shows, refreshed on purpose.

Every notebook of the book and every job aid has one code cell tagged ``nbval-check-output``.
Its stored plain-text output says which content the page shows (see
``protocols.render.summary``); ``pytest --nbval-lax`` runs the notebook and compares. When a
trainer changes content that a notebook shows, that comparison fails until the stored output is
refreshed with ``bash scripts/dev.sh refresh-outputs``, which runs every notebook and keeps only
the text of its checked cells (widget views and their random model ids are dropped).

Usage: ``python -m protocols.book.notebook_outputs [--check] [NOTEBOOK ...]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from protocols.library.project import project_folder
from protocols.settings import CONTENT, CONTENT_VARIABLES, DATABASE_URL

CHECK_TAG = "nbval-check-output"
NOTEBOOK_FOLDERS = ("book", "widgets")
TEXT_TYPES = ("text/plain",)


def project_notebooks(root: Path) -> list[Path]:
    """Every notebook of the book and the job aids, in a stable order."""
    found = [path for folder in NOTEBOOK_FOLDERS for path in sorted((root / folder).rglob("*.ipynb"))]
    return [path for path in found if ".ipynb_checkpoints" not in path.parts and "_build" not in path.parts]


Notebook = dict[str, Any]


def read_notebook(path: Path) -> Notebook:
    notebook: Notebook = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def write_notebook(notebook: Notebook, path: Path) -> None:
    """Written as Jupyter writes it (one-space indent, sorted keys), so diffs stay small."""
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def checked_cells(notebook: Notebook) -> list[dict[str, Any]]:
    """The code cells whose output nbval compares."""
    return [cell for cell in notebook["cells"]
            if cell["cell_type"] == "code" and CHECK_TAG in cell.get("metadata", {}).get("tags", [])]


def text_outputs(outputs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outputs reduced to what nbval compares and a reviewer can read: text only."""
    kept: list[dict[str, Any]] = []
    for output in outputs:
        if output.get("output_type") == "stream":
            kept.append({"name": output["name"], "output_type": "stream", "text": _lines(output["text"])})
        elif output.get("output_type") in ("display_data", "execute_result"):
            data = {key: _lines(value) for key, value in output.get("data", {}).items() if key in TEXT_TYPES}
            if data:
                kept.append({"data": data, "metadata": {}, "output_type": "display_data"})
    return kept


def _lines(text: str | list[str]) -> list[str]:
    """Text as a notebook file stores it: a list of lines, each but the last ending in a newline."""
    whole = "".join(text)
    return whole.splitlines(keepends=True)


def stored_text(notebook: Notebook) -> list[str]:
    """The plain text stored for each checked cell (what the notebook claims it shows)."""
    texts = []
    for cell in checked_cells(notebook):
        texts.append("".join(
            "".join(output.get("text", "")) if output.get("output_type") == "stream"
            else "".join(output.get("data", {}).get("text/plain", ""))
            for output in cell.get("outputs", [])))
    return texts


def refreshed(path: Path, timeout: int = 120) -> Notebook:
    """The notebook at ``path`` run afresh, with only its checked cells' text outputs kept."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = read_notebook(path)
    if not checked_cells(notebook):
        raise SystemExit(f"{path}: no code cell is tagged `{CHECK_TAG}`; tag the cell whose output "
                         "shows the content (Edit > Cell metadata > tags) and run this again")
    ran = nbformat.reads(json.dumps(notebook), as_version=4)  # type: ignore[no-untyped-call]
    try:
        NotebookClient(ran, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as exc:
        raise SystemExit(f"{path}: a cell failed, so nothing was stored. Fix it and run this again.\n"
                         f"{str(exc).strip().splitlines()[-1]}") from None
    checked = {id(cell) for cell in checked_cells(notebook)}
    for original, fresh in zip(notebook["cells"], ran["cells"], strict=True):
        if original["cell_type"] != "code":
            continue
        keep = id(original) in checked
        # nbval refuses stored outputs on a cell that was never run (no execution count).
        original["execution_count"] = fresh["execution_count"] if keep else None
        original["outputs"] = text_outputs(fresh["outputs"]) if keep else []
    return notebook


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="refresh-outputs",
        description="Run every notebook and store the text its checked cells show, for nbval.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to refresh (default: all)")
    parser.add_argument("--content", type=Path, metavar="DIR",
                        help="run the notebooks on this content folder (default: the shipped content; "
                             "an agency or content folder set in the environment is not used)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 and name each notebook whose stored output is out of date")
    args = parser.parse_args(argv)
    root = project_folder()
    if root is None:
        print("error: run this inside the handbook project (the folder with _toc.yml)", file=sys.stderr)
        return 2
    paths = [path.resolve() for path in args.notebooks] or project_notebooks(root)
    stale = []
    with tempfile.TemporaryDirectory(prefix="handbook-refresh-") as scratch:
        os.environ[DATABASE_URL.name] = f"sqlite:///{scratch}/records.sqlite3"  # never the user's records
        for variable in CONTENT_VARIABLES:  # the shipped content, as the suite checks it, not an agency's
            os.environ.pop(variable.name, None)
        if args.content is not None:
            os.environ[CONTENT.name] = str(args.content.resolve())
        for path in paths:
            if not path.is_file():
                print(f"error: {path}: no such notebook", file=sys.stderr)
                return 2
            before = read_notebook(path)
            after = refreshed(path)
            changed = stored_text(before) != stored_text(after)
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            if args.check:
                if changed:
                    stale.append(shown)
                continue
            write_notebook(after, path)
            print(f"{shown}: {'updated' if changed else 'unchanged'}")
    for shown in stale:
        print(f"{shown}: stored output is out of date; run `bash scripts/dev.sh refresh-outputs`")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
