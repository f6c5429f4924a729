"""`handbook new`: a commented template that validates as written, and never overwrites."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import load_library
from protocols.trainer.authoring import KINDS, template_text

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "agencies" / "river-city"
SAMPLE = ROOT / "agencies" / "sample-county"
runner = CliRunner()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_new_file_passes_validate_as_written(kind: str, content_copy: Path) -> None:
    done = runner.invoke(app, ["new", kind, "night-shift-example", "--content", str(content_copy)])
    assert done.exit_code == 0, done.output
    target = content_copy / KINDS[kind] / "night-shift-example.yaml"
    assert f"Wrote {target}" in done.output
    assert "handbook validate" in done.output
    check = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert check.exit_code == 0, check.output
    library = load_library(content_copy)
    obj = getattr(library, KINDS[kind])["night-shift-example"]
    assert obj.title == "Night shift example"
    if kind != "resource":
        assert obj.revised == dt.date.today()
        assert obj.changelog[0].version == obj.version


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_is_explained_in_plain_words(kind: str) -> None:
    text = template_text(kind, "example-id", dt.date(2026, 1, 2))
    assert "__" not in text, "a placeholder was left unfilled"
    lines = text.splitlines()
    notes = [line for line in lines if line.lstrip().startswith("#")]
    assert len(notes) >= 20
    assert any("handbook validate" in n for n in notes)
    assert not any(word in text.lower() for word in ("python", "pydantic", "schema", "regex"))
    # Each group of top-level fields (lines between blank lines) starts with a note.
    seen_note = False
    for line in lines:
        if not line.strip():
            seen_note = False
        elif line.startswith("#"):
            seen_note = True
        elif re.match(r"^[a-z_]+:", line):
            assert seen_note, f"{kind}: `{line.split(':')[0]}` has no note above it"
    yaml.safe_load(text)  # parses as written


def test_it_refuses_to_overwrite_or_reuse_an_id(content_copy: Path) -> None:
    args = ["new", "protocol", "welfare-check", "--content", str(content_copy)]
    assert runner.invoke(app, args).exit_code == 0
    target = content_copy / "protocols" / "welfare-check.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# my notes\n", encoding="utf-8")
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already" in again.output
    assert target.read_text(encoding="utf-8").endswith("# my notes\n")
    shipped = runner.invoke(app, ["new", "protocol", "scene-response", "--content", str(content_copy)])
    assert shipped.exit_code == 1 and "already used" in shipped.output


def test_it_refuses_an_existing_file_even_with_broken_content(content_copy: Path) -> None:
    (content_copy / "protocols" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    (content_copy / "protocols" / "welfare-check.yaml").write_text("keep me\n", encoding="utf-8")
    done = runner.invoke(app, ["new", "protocol", "welfare-check", "--content", str(content_copy)])
    assert done.exit_code == 1 and "already exists" in done.output
    assert (content_copy / "protocols" / "welfare-check.yaml").read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("name", ["Welfare_Check", "a", "two--hyphens", "end-", "x" * 65])
def test_a_bad_name_is_refused_with_the_rule(name: str, content_copy: Path) -> None:
    done = runner.invoke(app, ["new", "protocol", name, "--content", str(content_copy)])
    assert done.exit_code == 1
    assert "lower-case" in done.output
    assert not list((content_copy / "protocols").glob("*[A-Z_]*.yaml"))


def test_an_unknown_kind_is_a_usage_error() -> None:
    done = runner.invoke(app, ["new", "checklist", "x1"])
    assert done.exit_code == 2
    assert "protocol, scenario, resource" in done.output


def test_with_an_agency_it_writes_into_the_overlay(tmp_path: Path) -> None:
    agency = tmp_path / "river-city"
    shutil.copytree(RIVER, agency)
    profile = agency / "agency.yaml"
    for kind in KINDS:
        done = runner.invoke(app, ["new", kind, "night-visit", "--agency", str(profile)])
        assert done.exit_code == 0, done.output
        assert (agency / "overlay" / KINDS[kind] / "night-visit.yaml").is_file()
    assert "--agency" in done.output
    check = runner.invoke(app, ["validate", "--agency", str(profile)])
    assert check.exit_code == 0, check.output
    library = load_library(agency=profile)
    assert "night-visit" in library.protocols and "night-visit" in library.scenarios
    assert not (ROOT / "src" / "protocols" / "content" / "protocols" / "night-visit.yaml").exists()
    clash = runner.invoke(app, ["new", "protocol", "scene-response", "--agency", str(profile)])
    assert clash.exit_code == 1 and "changes/scene-response.yaml" in clash.output


def test_an_agency_without_an_overlay_is_told_how_to_add_one(tmp_path: Path) -> None:
    agency = tmp_path / "sample-county"
    shutil.copytree(SAMPLE, agency)
    done = runner.invoke(app, ["new", "protocol", "x1", "--agency", str(agency / "agency.yaml")])
    assert done.exit_code == 1
    assert "overlay: overlay" in done.output
    assert "Traceback" not in done.output


def test_templates_ship_with_the_package() -> None:
    from importlib import resources

    names = {p.name for p in resources.files("protocols").joinpath("trainer", "templates").iterdir()}
    assert {f"{kind}.yaml" for kind in KINDS} <= names
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"trainer/templates/*"' in pyproject
