"""Each kind of bad content gets a precise message: file, line, field, what, how to fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli import app

MINIMAL = Path(__file__).parent / "minimal"
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    change: Callable[[str], str | bytes]
    expect: str
    line: int | None


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"fixture lacks {old!r}"
        return text.replace(old, new, count)

    return change


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def too_many_items(text: str) -> str:
    head, rest = text.split("      - id: arrival-time\n")
    block, tail = rest.split("  - id: leave\n")
    extra = "".join(f"      - id: extra-{n}\n{block}" for n in range(9))
    return f"{head}      - id: arrival-time\n{block}{extra}  - id: leave\n{tail}"


P = "protocols/mini.yaml"
CASES = [
    Case("unknown top-level key", P, append("colour: red\n"), "unknown field `colour`", 57),
    Case("typo in an item key", P, replace("        critical: true\n        rationale: Nothing",
                                           "        critcal: true\n        rationale: Nothing"),
         "mini.pause_points[0].items[0].critcal: unknown field", 25),
    Case("missing prompt", P, replace("        prompt: Is the threat controlled?\n", ""),
         "mini.pause_points[0].items[0].prompt: the field `prompt` is required", 22),
    Case("empty prompt", P, replace("prompt: Is the threat controlled?", 'prompt: ""'),
         "mini.pause_points[0].items[0].prompt", 23),
    Case("wrong type for critical", P, replace("critical: true", "critical: maybe"),
         "items[0].critical", 25),
    Case("unknown value type", P, replace("{type: time}", "{type: clock}"),
         "items[1].value.type", 31),
    Case("choice without choices", P, replace("{type: time}", "{type: choice}"),
         "needs at least two `choices`", 31),
    Case("choices on a yes-no", P,
         replace("value: {type: time}", "value: {type: yes-no, choices: [{id: aa, label: A}]}"),
         "`choices` only belong to `type: choice`", 31),
    Case("more than nine items", P, too_many_items, "has 11 items; a pause point holds at most 9",
         None),
    Case("critical after non-critical", P,
         lambda text: text.replace("critical: true\n        rationale: Nothing",
                                   "critical: false\n        rationale: Nothing")
         .replace("value: {type: time}", "value: {type: time}\n        critical: true"),
         "critical item `arrival-time` comes after", None),
    Case("duplicate item id", P, replace("id: arrival-time", "id: threat-controlled"),
         "item id `threat-controlled` is used twice", None),
    Case("repeats a later item", P, replace("repeats: threat-controlled", "repeats: transport"),
         "repeats `transport`, which is not an earlier item", None),
    Case("bad date", P, replace("revised: 2026-11-01", "revised: 2026-13-45"), "mini.revised", 7),
    Case("bad version", P, replace('version: "1.0"\nrevised', 'version: one\nrevised'),
         "`one` is not in the expected form", 6),
    Case("unknown need", P, replace("needs: [safety]\nsummary", "needs: [safty]\nsummary"),
         "mini.needs[0]", 10),
    Case("dangling source", P, replace("sources: [elerv]", "sources: [elrv]"),
         "cites the source `elrv`, which is not in sources.yaml", 34),
    Case("bad id form", P, replace("- id: scene-safe", "- id: Scene Safe"),
         "is not in the expected form", 18),
    Case("id does not match file name", P, replace("id: mini\n", "id: other\n"),
         "does not match the file name", 1),
    Case("duplicate key", P, replace("owner: Training lead\n", "owner: Training lead\nowner: X\n"),
         "the key `owner` appears twice", 9),
    Case("yaml syntax error", P, replace("audience: officer", "audience: [officer"),
         "YAML syntax error", None),
    Case("tab indentation", P, replace("    title: Scene safe", "\ttitle: Scene safe"),
         "YAML syntax error", None),
    Case("empty file", P, lambda text: "", "the file is empty", 1),
    Case("not utf-8", P, lambda text: text.replace("Training lead", "Formaci\u00f3n").encode("latin-1"),
         "not UTF-8", 8),
    Case("a list instead of a mapping", P, lambda text: "- just\n- a list\n",
         "not a mapping of fields", 1),
    Case("two documents", P, append("---\nid: again\n"), "holds 2 YAML documents", 1),
    Case("changelog version disagrees", P, replace('  - version: "1.0"', '  - version: "0.9"'),
         "newest changelog entry is for version 0.9", None),
    Case("screening rule names a missing question", "instruments/mini-screen.yaml",
         replace("questions: [2, 3]", "questions: [2, 4]"), "names question(s) [4]", 23),
    Case("screening threshold unreachable", "instruments/mini-screen.yaml",
         replace("at_least: 2", "at_least: 3"), "`at_least: 3` can never be met", None),
    Case("screening questions out of order", "instruments/mini-screen.yaml",
         replace("number: 3", "number: 5"), "numbered 1, 2, 3", 17),
    Case("follow-on protocol missing", "instruments/mini-screen.yaml",
         replace("follow_on_protocol: mini", "follow_on_protocol: nowhere"),
         "follow-on protocol `nowhere` does not exist", 13),
    Case("screening not locked", "instruments/mini-screen.yaml", append("locked: false\n"),
         "mini-screen.locked", None),
    Case("scenario option to a missing node", "scenarios/mini-scenario.yaml",
         replace("next: talk\n        exercises", "next: nowhere\n        exercises"),
         "goes to `nowhere`, which is not a node", None),
    Case("scenario links a missing item", "scenarios/mini-scenario.yaml",
         replace("item: threat-controlled", "item: no-such-item"),
         "links to the item `no-such-item`", 26),
    Case("scenario links a missing protocol", "scenarios/mini-scenario.yaml",
         replace("{protocol: mini,", "{protocol: gone,"), "links to the protocol `gone`", 26),
    Case("confidentiality loop", "confidentiality/mini-guide.yaml",
         replace("    no: private", "    no: harm"), "the questions loop", None),
    Case("confidentiality dangling answer", "confidentiality/mini-guide.yaml",
         replace("yes: share", "yes: shared"), "answers `yes` with `shared`", 19),
    Case("confidential shelter with an address", "resources/mini-directory.yaml",
         replace("confidential_location: false", "confidential_location: true")
         if False else replace("contact: {phone: 555-0100}\n", "contact: {phone: 555-0100, address: 1 Main St}\n")
         , "", None),
    Case("check-ins out of order", "followup/mini-follow-up.yaml",
         replace("offset_hours: 168", "offset_hours: 12"), "check-ins must be in time order", None),
    Case("unknown referral category", "needs/mini-needs.yaml",
         replace("referrals: [hotline]", "referrals: [hotlines]"), "mini-needs.needs[0].referrals[0]",
         None),
    Case("stray file in a content folder", "protocols/notes.txt", lambda text: "notes",
         "only .yaml files belong", None),
]
# The address case above is valid content (not confidential): replace it with a real fault.
CASES[-4] = Case("confidential shelter with an address", "resources/mini-directory.yaml",
                 lambda text: text.replace("contact: {phone: 555-0100}",
                                           "contact: {phone: 555-0100, address: 1 Main St}")
                 .replace("confidential_location: false", "confidential_location: true"),
                 "has a confidential location but lists an address", 11)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_content_is_reported_precisely(case: Case, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    target = content / case.file
    original = target.read_text(encoding="utf-8") if target.exists() else ""
    changed = case.change(original)
    if isinstance(changed, bytes):
        target.write_bytes(changed)
    else:
        target.write_text(changed, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--content", str(content)])
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    assert case.expect in output, output
    location = f"content/{case.file}:{case.line}" if case.line else f"content/{case.file}"
    assert location in output, output
    assert "fix:" in output or "only .yaml" in output


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_minimal_content_is_valid() -> None:
    result = runner.invoke(app, ["validate", "--content", str(MINIMAL)])
    assert result.exit_code == 0, result.output


def test_missing_content_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--content", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "the content folder does not exist" in result.output
