"""Whatever a trainer writes, the loader answers with located problems, never a traceback.

Every content kind, the agency profile, a change file and an added overlay file are fuzzed.
Each target gets one small tree per module (the minimal content it depends on, no more);
each example overwrites one file and puts it back, so 1,200 examples run in seconds.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.models import CONTENT_KINDS

HERE = Path(__file__).parent
KIND_FILES = {
    "protocols": "mini.yaml",
    "instruments": "mini-screen.yaml",
    "scenarios": "mini-scenario.yaml",
    "confidentiality": "mini-guide.yaml",
    "rights": "mini-rights-en.yaml",
    "resources": "mini-directory.yaml",
    "needs": "mini-needs.yaml",
    "followup": "mini-follow-up.yaml",
}
assert set(KIND_FILES) == set(CONTENT_KINDS)
AGENCY_FILES = {
    "agency": "agency/agency.yaml",
    "change": "agency/overlay/changes/mini.yaml",
    "added": "agency/overlay/protocols/mini-extra.yaml",
}
NEEDED = {"protocols": [], "instruments": ["protocols"], "scenarios": ["protocols"], "confidentiality": [],
          "rights": [], "resources": [], "needs": ["resources"], "followup": []}
"""The other kinds a file of each kind refers to; the agency files need all that the profile names."""
AGENCY_NEEDS = ["protocols", "instruments", "rights", "resources"]
TARGETS = {kind: f"content/{kind}/{name}" for kind, name in KIND_FILES.items()} | AGENCY_FILES
ORIGINALS = {target: ((HERE / "minimal") / path.removeprefix("content/")).read_bytes()
             if path.startswith("content/") else (HERE / "minimal-agency" / path.removeprefix("agency/")).read_bytes()
             for target, path in TARGETS.items()}

PARSED = {target: yaml.safe_load(raw) for target, raw in ORIGINALS.items()}
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)
targets = st.sampled_from(sorted(TARGETS))
agency_targets = st.sampled_from(sorted(AGENCY_FILES))


def _kinds(target: str) -> list[str]:
    return AGENCY_NEEDS if target in AGENCY_FILES else [target, *NEEDED[target]]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder per target: ``<target>/content`` with only the kinds it needs, and the agency."""
    root = tmp_path_factory.mktemp("fuzz")
    for target in TARGETS:
        content = root / target / "content"
        content.mkdir(parents=True)
        shutil.copy(HERE / "minimal" / "sources.yaml", content)
        for kind in _kinds(target):
            shutil.copytree(HERE / "minimal" / kind, content / kind)
        shutil.copytree(HERE / "minimal-agency", root / target / "agency")
    yield root


def _check(tree: Path, target: str, text: str | bytes) -> None:
    """Load with ``target`` replaced by ``text``: valid, or every problem named with file (and line)."""
    root = tree / target
    file = root / TARGETS[target]
    file.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    agency = root / "agency" / "agency.yaml" if target in AGENCY_FILES else None
    try:
        load_library(root / "content", agency)
    except ContentError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.message
            assert problem.file is not None, str(problem)
            if Path(problem.file).resolve() == file.resolve():
                assert problem.line is not None, str(problem)
    finally:
        file.write_bytes(ORIGINALS[target])


def _mutate(data: Any, path: list[int], replacement: Any) -> Any:
    """Replace the node reached by following ``path`` indices through dicts and lists."""
    if not path or not isinstance(data, dict | list) or not data:
        return replacement
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[path[0] % len(keys)]
    data[key] = _mutate(data[key], path[1:], replacement)
    return data


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True)


def _fuzz(examples: int) -> Any:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_fuzz(200)
@given(target=targets, text=st.text(max_size=300))
def test_random_text_never_raises(tree: Path, target: str, text: str) -> None:
    _check(tree, target, text)


@_fuzz(100)
@given(target=targets, raw=st.binary(max_size=200))
def test_random_bytes_never_raise(tree: Path, target: str, raw: bytes) -> None:
    _check(tree, target, raw)


@_fuzz(250)
@given(target=targets, data=values)
def test_random_yaml_structures_never_raise(tree: Path, target: str, data: Any) -> None:
    _check(tree, target, _dump(data))


path_steps = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6)


@_fuzz(400)
@given(target=targets, path=path_steps, replacement=values)
def test_mutated_valid_content_never_raises(tree: Path, target: str, path: list[int],
                                            replacement: Any) -> None:
    _check(tree, target, _dump(_mutate(copy.deepcopy(PARSED[target]), path, replacement)))


@_fuzz(250)
@given(target=agency_targets, path=path_steps, replacement=values)
def test_mutated_agency_files_never_raise(tree: Path, target: str, path: list[int], replacement: Any) -> None:
    _check(tree, target, _dump(_mutate(copy.deepcopy(PARSED[target]), path, replacement)))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_untouched_tree_is_valid(tree: Path, target: str) -> None:
    """Mutations start from valid content, so what they break is what they changed."""
    agency = tree / target / "agency" / "agency.yaml" if target in AGENCY_FILES else None
    library = load_library(tree / target / "content", agency)
    assert sorted(k for k, n in library.counts().items() if n and k != "sources") == sorted(_kinds(target))
    if agency is not None:
        assert library.protocol("mini").item("camera-notice").critical
        assert "mini-extra" in library.protocols
