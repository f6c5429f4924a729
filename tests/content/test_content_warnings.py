"""`handbook validate` warns of mistakes that load but lose content in silence, with file:line and fix.

Each test breaks one thing in a copy of the shipped content and book (a project in ``tmp_path``):
block text that swallowed a field, a page left out of ``_toc.yml``, a chapter page that does not
show its checklist. The shipped content and book give none of these warnings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.content_warnings import content_warnings
from protocols.library.loader import DEFAULT_CONTENT, load_library

ROOT = Path(__file__).resolve().parents[2]
AGENCIES = sorted((ROOT / "agencies").glob("*/agency.yaml"))
runner = CliRunner()

SCENE = "content/protocols/scene-response.yaml"
RATIONALE_END = "          protection the victim needs while you are there and after you go.\n"
"""The last line of the folded ``rationale: >-`` of scene-response's first item (line 62)."""
DEATH = "content/protocols/death-notification.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the book project (``_toc.yml``, ``book/``) with the shipped content in ``content/``."""
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    shutil.copytree(ROOT / "book", tmp_path / "book", ignore=shutil.ignore_patterns(".*", "_build"))
    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"the fixture lacks {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _warnings(*extra: str) -> list[str]:
    """The warnings `handbook validate` prints for ``content/``, each with its fix, language ones left out."""
    result = runner.invoke(app, ["validate", "--content", "content", "--no-reading-level", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: the content is valid"), result.output
    assert "Traceback" not in result.output
    blocks = result.output.split("\nwarning: ")[1:]
    return [block.rstrip("\n") for block in blocks if "no safety rule reads" not in block]


def test_a_field_indented_into_folded_text_is_a_warning(project: Path) -> None:
    _edit(project / SCENE, RATIONALE_END, RATIONALE_END + '          script: "Is the person who hurt you here?"\n')
    [warning] = _warnings()
    head, fix = warning.splitlines()
    assert head.startswith(f"{SCENE}:63: scene-response.pause_points[0].items[0].rationale")
    assert ("`script:` is indented too far, so it is read as words of the `rationale` text (line 60), "
            "not as a field") in head
    assert fix == "    fix: indent `script:` to line up with `rationale:` on line 60"


def test_a_list_entry_indented_into_literal_text_is_a_warning(project: Path) -> None:
    _edit(project / SCENE, "        rationale: >-\n", "        rationale: |\n")
    _edit(project / SCENE, RATIONALE_END, RATIONALE_END + "          - id: suspect-direction\n")
    [warning] = _warnings()
    head, fix = warning.splitlines()
    assert head.startswith(f"{SCENE}:63: scene-response.pause_points[0].items[0].rationale")
    assert "`- id:` is indented too far" in head
    assert fix == "    fix: indent `- id:` so that its `-` lines up with the `-` on line 50"


def test_a_field_of_the_protocol_swallowed_deep_inside_is_named_with_its_own_key(project: Path) -> None:
    _edit(project / SCENE, RATIONALE_END, RATIONALE_END + "          summary: Make the scene safe.\n")
    [warning] = _warnings()
    assert warning.startswith(f"{SCENE}:63: ")
    assert warning.endswith("fix: indent `summary:` to line up with `pause_points:` on line 44")


@pytest.mark.parametrize("prose", [
    "Note: call back later.",  # a colon in ordinary prose
    "Ask: where is the suspect now?",
    "url: not a field of a checklist",  # a field of a source, not of anything around a rationale
    "The scripts: say them as written.",
])
def test_prose_with_a_colon_does_not_warn(project: Path, prose: str) -> None:
    _edit(project / SCENE, RATIONALE_END, f"{RATIONALE_END}          {prose}\n")
    assert _warnings() == []


def test_a_book_page_left_out_of_the_table_of_contents_is_a_warning(project: Path) -> None:
    (project / "book" / "arrive" / "draft.md").write_text("# Draft\n\nA page in the works.\n", encoding="utf-8")
    checkpoints = project / "book" / "arrive" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "scene-checklist-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    assert _warnings() == [
        "book/arrive/draft.md: _toc.yml does not list this page, so the book leaves it out\n"
        "    fix: add the line `- file: book/arrive/draft` to _toc.yml, under the part `Arrive and make safe`; "
        "or delete the page"]


def test_a_page_the_table_of_contents_lists_by_a_glob_does_not_warn(project: Path) -> None:
    (project / "book" / "notes").mkdir()
    (project / "book" / "notes" / "one.md").write_text("# One\n", encoding="utf-8")
    _edit(project / "_toc.yml", "      - file: book/moving-forward\n",
          "      - file: book/moving-forward\n      - glob: book/notes/*\n")
    assert _warnings() == []


def test_a_table_of_contents_that_cannot_be_read_is_a_warning_not_a_traceback(project: Path) -> None:
    _edit(project / "_toc.yml", "root: book/index\n", "root: [book/index\n")
    [warning] = _warnings()
    assert warning.startswith("_toc.yml:")
    assert "cannot read the table of contents" in warning


def test_a_chapter_that_does_not_show_its_checklist_is_a_warning(project: Path) -> None:
    _edit(project / DEATH, "chapter: book/arrive/scene-safety", "chapter: book/arrive/understanding-crisis")
    assert _warnings() == [
        f"{DEATH}:9: death-notification.chapter: the page book/arrive/understanding-crisis.md does not show "
        "this checklist (it has no `{protocol} death-notification` block), so a reader sent there will not "
        "find it\n"
        "    fix: add the two lines ```{protocol} death-notification and ``` to the page, where the checklist "
        "belongs, or change `chapter:` to `book/arrive/scene-safety`, which shows it"]


@pytest.mark.parametrize("block", [
    ":::{protocol} death-notification\n:::\n",
    "````{pocket-card} death-notification\n````\n",
    "  ```{protocol} death-notification\n  :job-aid: none\n  ```\n",
])
def test_each_way_a_page_shows_a_checklist_counts(project: Path, block: str) -> None:
    _edit(project / DEATH, "chapter: book/arrive/scene-safety", "chapter: book/arrive/understanding-crisis")
    page = project / "book" / "arrive" / "understanding-crisis.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    assert _warnings() == []


def test_a_notebook_that_runs_the_checklist_shows_it(project: Path) -> None:
    _edit(project / SCENE, "chapter: book/arrive/scene-safety", "chapter: book/arrive/scene-checklist")
    assert _warnings() == []


def test_an_agency_change_file_is_read_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "tests" / "content" / "minimal", tmp_path / "content")
    shutil.copytree(ROOT / "tests" / "content" / "minimal-agency", tmp_path / "agency")
    (tmp_path / "agency" / "overlay" / "changes" / "mini.yaml").write_text(
        "protocol: mini\n"
        "date: 2026-11-10\n"
        "why: >-\n"
        "  Victims asked for a ride.\n"
        "  replace_scripts:\n"
        "  - item: transport\n"
        "    script: I can call a car to take you somewhere safe.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    [warning] = _warnings("--agency", "agency/agency.yaml")
    assert warning.startswith("agency/overlay/changes/mini.yaml:5: mini.why: `replace_scripts:` is indented too far")
    assert warning.endswith("fix: indent `replace_scripts:` to line up with `why:` on line 3")


def test_content_outside_a_book_project_gets_no_book_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEFAULT_CONTENT, tmp_path / "content")
    _edit(tmp_path / DEATH, "chapter: book/arrive/scene-safety", "chapter: book/arrive/understanding-crisis")
    monkeypatch.chdir(tmp_path)
    assert _warnings() == []


def test_the_shipped_content_and_book_give_no_warning_but_unread_languages() -> None:
    library = load_library()
    warnings = content_warnings(library)
    assert [w.path for w in warnings] == ["ca-marsy-es.language"], "\n".join(map(str, warnings))


@pytest.mark.parametrize("agency", AGENCIES, ids=lambda a: a.parent.name)
def test_the_shipped_agencies_give_no_warning_but_unread_languages(agency: Path) -> None:
    warnings = content_warnings(load_library(None, agency), agency)
    assert all(w.path.endswith(".language") for w in warnings), "\n".join(map(str, warnings))
