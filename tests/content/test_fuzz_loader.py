"""Whatever a trainer writes, the loader answers with problems, never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocols.errors import ContentError
from protocols.library import load_library
from protocols.models import CONTENT_KINDS

MINIMAL = Path(__file__).parent / "minimal"
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

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


def _check(kind: str, text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(MINIMAL, content)
        target = content / kind / KIND_FILES[kind]
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        try:
            load_library(content)
        except ContentError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.message


def _mutate(data: Any, path: list[int], replacement: Any) -> Any:
    """Replace the node reached by following ``path`` indices through dicts and lists."""
    if not path or not isinstance(data, dict | list) or not data:
        return replacement
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[path[0] % len(keys)]
    data[key] = _mutate(data[key], path[1:], replacement)
    return data


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(kind=st.sampled_from(sorted(KIND_FILES)), text=st.text(max_size=300))
def test_random_text_never_raises(kind: str, text: str) -> None:
    _check(kind, text)


@FUZZ
@given(kind=st.sampled_from(sorted(KIND_FILES)), raw=st.binary(max_size=200))
def test_random_bytes_never_raise(kind: str, raw: bytes) -> None:
    _check(kind, raw)


@FUZZ
@given(kind=st.sampled_from(sorted(KIND_FILES)), data=values)
def test_random_yaml_structures_never_raise(kind: str, data: Any) -> None:
    _check(kind, yaml.safe_dump(data, allow_unicode=True))


@FUZZ
@given(kind=st.sampled_from(sorted(KIND_FILES)),
       path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6),
       replacement=values)
def test_mutated_valid_content_never_raises(kind: str, path: list[int], replacement: Any) -> None:
    original = yaml.safe_load((MINIMAL / kind / KIND_FILES[kind]).read_text(encoding="utf-8"))
    mutated = _mutate(original, path, replacement)
    _check(kind, yaml.safe_dump(mutated, allow_unicode=True, default_flow_style=False))
