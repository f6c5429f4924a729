"""No two protocols modules import each other when imported (scripts/import_cycles.py finds the cycles)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "scripts" / "import_cycles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "protocols" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_package_has_no_module_level_import_cycle() -> None:
    script = _script()
    found = script.cycles(script.import_edges(ROOT / "src"), ("module",))
    assert found == [], f"modules that import each other when imported: {found}\n{script.report()[0]}"


def test_the_script_tells_module_function_and_type_level_cycles_apart(tmp_path: Path) -> None:
    script = _script()
    src = _tree(tmp_path, {
        "__init__.py": "",
        "a.py": "from protocols.b import x\n",
        "b.py": "from protocols import a\nx = 1\n",
        "c.py": "def f():\n    from protocols.d import y\n",
        "d.py": "from protocols.c import f\ny = 2\n",
        "room/__init__.py": "from protocols.room.e import z\n",
        "room/e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import f\nz = 3\n",
        "room/f.py": "from .e import z\n",
    })
    edges = script.import_edges(src)
    assert script.cycles(edges, ("module",)) == [["protocols.a", "protocols.b"]]
    assert script.cycles(edges, ("module", "function")) == [["protocols.a", "protocols.b"],
                                                            ["protocols.c", "protocols.d"]]
    assert ["protocols.room.e", "protocols.room.f"] in script.cycles(edges, script.LEVELS)
    assert script.report(src)[1] == 1
