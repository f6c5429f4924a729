"""The trainers' chapter: plain enough, in the table of contents, and its examples are real.

The worked example in "Edit a checklist" is replayed on a copy of the content, and the
messages the chapter prints must be the messages the tools print.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml
from prose import prose
from typer.testing import CliRunner

from protocols.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "maintaining"
PAGES = sorted(CHAPTER.glob("*.md"))
runner = CliRunner()


def _block_after(text: str, marker: str) -> list[str]:
    """The lines of the first fenced block after ``marker``."""
    start = text.index(marker)
    block = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    assert block is not None, marker
    return block.group(1).rstrip("\n").splitlines()


def test_the_chapter_is_a_part_of_the_table_of_contents() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    part = next(p for p in toc["parts"] if p["chapters"][0]["file"] == "book/maintaining/index")
    assert captions.index(part["caption"]) >= captions.index("Moving forward")
    files = [c["file"] for c in part["chapters"]]
    assert files[0] == "book/maintaining/index"
    assert set(files[1:]) == {f"book/maintaining/{p.stem}" for p in PAGES if p.stem != "index"}
    assert 2 <= len(files) - 1 <= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_each_page_reads_at_grade_8_or_below(page: Path) -> None:
    text = prose(page.read_text(encoding="utf-8"))
    assert len(text.split()) > 150
    assert textstat.flesch_kincaid_grade(text) <= 8, page.name
    assert textstat.coleman_liau_index(text) <= 8, page.name


def test_term_links_point_at_glossary_terms() -> None:
    glossary = (ROOT / "book" / "reference" / "glossary.md").read_text(encoding="utf-8")
    terms = set(re.findall(r"^([^\s`][^\n]*)$", glossary.split("```{glossary}")[1], re.M)) - {"```"}
    used = set()
    for page in PAGES:
        for match in re.finditer(r"\{term\}`([^`]+)`", page.read_text(encoding="utf-8")):
            target = re.search(r"<([^>]+)>", match.group(1))
            used.add(target.group(1) if target else match.group(1))
    assert used and used <= terms, used - terms


def _any_line(lines: list[str]) -> list[str]:
    """Messages with their ``file:line:`` line numbers masked: the chapter's worked example shows the
    line numbers of the day it was written, and an edit elsewhere in the shipped file moves them."""
    return [re.sub(r"(\.yaml):\d+:", r"\1:N:", line) for line in lines]


def test_every_command_the_chapter_names_exists() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in PAGES)
    named = set(re.findall(r"(?:`|\$ )handbook ([a-z][a-z-]+)", text))
    for command in named:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, f"`handbook {command}` is named in the chapter but does not exist"
    assert {"validate", "preview", "build", "diff", "review-due", "readability", "new", "serve"} <= named


def test_the_diff_shown_is_the_diff_the_tool_prints() -> None:
    text = (CHAPTER / "agency.md").read_text(encoding="utf-8")
    shown = _block_after(text, "## See what you changed")
    assert shown[0] == "$ handbook diff --agency agencies/river-city/agency.yaml"
    done = runner.invoke(app, ["diff", "--agency", str(ROOT / "agencies" / "river-city" / "agency.yaml")])
    assert done.exit_code == 0
    assert shown[1:] == done.output.rstrip("\n").splitlines()


def test_the_worked_example_prints_what_the_chapter_says(content_copy: Path) -> None:
    text = (CHAPTER / "editing.md").read_text(encoding="utf-8")
    file = content_copy / "protocols" / "scene-response.yaml"
    original = file.read_text(encoding="utf-8")
    before = "\n".join(_block_after(text, "### Step 1"))
    assert before in original, "step 1 no longer matches the shipped file"
    old_script = before[before.index("        script:"):] + "\n"

    # Step 2: the script with a colon, unquoted.
    broken = _block_after(text, "### Step 2")[0] + "\n"
    file.write_text(original.replace(old_script, broken), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    shown = _block_after(text, "It finds a problem")
    assert done.exit_code == 1
    printed = [line.replace(str(content_copy), "src/protocols/content") for line in done.output.splitlines()]
    assert _any_line(printed) == _any_line(shown)
    broken_line = original.replace(old_script, broken).splitlines().index(broken.rstrip("\n")) + 1
    assert f"scene-response.yaml:{broken_line}: " in printed[0], "the message points at the edited line"

    # Step 4: quoted, it is valid.
    fixed = _block_after(text, "Rule 4 says what to do")[0] + "\n"
    file.write_text(original.replace(old_script, fixed), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert done.exit_code == 0, done.output
    ok = _block_after(text, "type `handbook validate` again")[0]
    assert done.output.startswith(ok.split("(")[0])

    # Step 6: a new version without a log entry is refused with the message shown.
    version = _block_after(text, "### Step 6")
    current = re.search(r'^version: "([0-9.]+)"\nrevised: [0-9-]+$', original, re.M)
    assert current is not None, "the shipped file has no version and revised lines"
    bumped = original.replace(old_script, fixed).replace(current.group(0), "\n".join(version), 1)
    file.write_text(bumped, encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    shown = _block_after(text, "forget the log")
    printed = [line.replace(str(content_copy), "src/protocols/content") for line in done.output.splitlines()][:2]
    assert _any_line(printed) == _any_line(shown)
    entry_line = bumped.splitlines().index("changelog:") + 2
    assert f"scene-response.yaml:{entry_line}: " in printed[0], "the message points at the newest log entry"
    log = _block_after(text, "Then add a new entry")
    assert log[-1] == f'  - version: "{current.group(1)}"', "step 6 must end at the entry already there"
    newest = f'changelog:\n  - version: "{current.group(1)}"\n'
    assert newest in bumped
    file.write_text(bumped.replace(newest, "\n".join(log) + "\n", 1), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert done.exit_code == 0, done.output


def test_every_yaml_example_in_the_agency_chapter_is_valid() -> None:
    """The profile and change files the chapter shows load as they are, so a trainer can copy them."""
    from protocols.library.agency import AgencyProfile, ProtocolChange
    from protocols.library.loader import default_library

    text = (CHAPTER / "agency.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    profiles = [AgencyProfile.model_validate(b) for b in blocks if "jurisdiction" in b]
    changes = [ProtocolChange.model_validate(b) for b in blocks if "protocol" in b]
    assert profiles and changes
    shown = set().union(*(p.model_fields_set for p in profiles))
    missing = set(AgencyProfile.model_fields) - shown
    assert not missing, f"profile fields with no example in the chapter: {missing}"
    library = default_library()
    for change in changes:
        items = {i.id: i for p in library.protocol(change.protocol).pause_points for i in p.items}
        assert all(items[hidden].optional for hidden in change.hide_items), change.hide_items
    assert any(change.hide_items for change in changes), "the chapter shows no hide_items example"
