"""Every id is unique within its list: each repeat names its own line and the first one's."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.positions import position_words
from protocols.library.unique_ids import repeated_ids

MINIMAL = Path(__file__).parent / "minimal"
MINIMAL_AGENCY = Path(__file__).parent / "minimal-agency"
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    change: Callable[[str], str]
    expect: str
    line: int


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"fixture lacks {old!r}"
        return text.replace(old, new, 1)

    return change


def repeat_line(line: str, times: int) -> Callable[[str], str]:
    """Paste ``line`` (a whole line of the file) ``times`` more times right below itself."""
    return replace(line, line * (times + 1))


FOLLOW_UP = "content/followup/mini-follow-up.yaml"
FIRST_CHECK_IN = "  - {id: first, label: First call, offset_hours: 24, business_day: true, tasks: [Call.]}\n"
NEED = """  - id: talk-now
    domain: emotional
    label: Wants to talk to someone now
    ask: Would you like to talk to someone now?
    referrals: [hotline]
"""
SERVICE = "      - id: sample-hotline\n"
RIGHT = "  - {id: be-safe,"
CASES = [
    Case("follow-up template with its first check-in pasted 40 times", FOLLOW_UP, repeat_line(FIRST_CHECK_IN, 40),
         "mini-follow-up.check_ins[1].id: the id `first` is used 41 times in `check_ins`: first at "
         f"{FOLLOW_UP}:13 (check-in 1), again at {FOLLOW_UP}:14 (check-in 2)", 14),
    Case("the 40th pasted check-in names the first", FOLLOW_UP, repeat_line(FIRST_CHECK_IN, 40),
         f"first at {FOLLOW_UP}:13 (check-in 1), again at {FOLLOW_UP}:53 (check-in 41)", 53),
    Case("needs assessment with a need listed twice", "content/needs/mini-needs.yaml", lambda text: text + NEED,
         "mini-needs.needs[1].id: the id `talk-now` is used twice in `needs`: first at "
         "content/needs/mini-needs.yaml:9 (need 1), again at content/needs/mini-needs.yaml:14 (need 2)", 14),
    Case("source listed twice", "content/sources.yaml",
         lambda text: text + "  - id: elerv\n    title: Again\n    publisher: IACP\n    year: 2020\n",
         "sources[2].id: the id `elerv` is used twice in `sources`: first at content/sources.yaml:6 (source 2), "
         "again at content/sources.yaml:10 (source 3)", 10),
    Case("scenario option id repeated within a decision", "content/scenarios/mini-scenario.yaml",
         replace("id: ask-why", "id: check-safety"),
         "mini-scenario.nodes[0].options[1].id: the id `check-safety` is used twice in `nodes[0].options`", 27),
    Case("right listed twice in a notice", "content/rights/mini-rights-en.yaml",
         replace("{id: be-told,", "{id: be-safe,"),
         "the id `be-safe` is used twice in `rights`: first at content/rights/mini-rights-en.yaml:17 (right 1)", 18),
    Case("service repeated within an organisation", "content/resources/mini-directory.yaml",
         lambda text: text + text[text.index(SERVICE):],
         "(organization 1, service 1), again at content/resources/mini-directory.yaml:23 (organization 1, service 2)",
         23),
    Case("agency directory with an organisation listed twice", "agency/overlay/resources/mini-agency-directory.yaml",
         lambda _: (MINIMAL / "resources" / "mini-directory.yaml").read_text(encoding="utf-8")
         .replace("id: mini-directory", "id: mini-agency-directory").replace("organizations:\n", "organizations:\n"
         + "  - id: sample-line\n    name: Copy\n    description: Copy.\n    services:\n"
         + "      - id: copy\n        name: Copy\n        description: Copy.\n        categories: [shelter]\n"
         + "        contact: {phone: 555-0199}\n        hours: Days\n        open_24_7: false\n"
         + "        languages: [en]\n        eligibility: Anyone.\n        warm_handoff: false\n"
         + "        confidential_location: false\n        verified_on: 2026-10-01\n"),
         "the id `sample-line` is used twice in `organizations`: first at "
         "agency/overlay/resources/mini-agency-directory.yaml:7 (organization 1), again at "
         "agency/overlay/resources/mini-agency-directory.yaml:23 (organization 2)", 23),
]


def _prepare(case: Case, root: Path) -> list[str]:
    """The minimal content, agency and a stub book in ``root``, with the case applied; the CLI arguments."""
    shutil.copytree(MINIMAL, root / "content")
    shutil.copytree(MINIMAL_AGENCY, root / "agency")
    (root / "book").mkdir()
    (root / "book" / "index.md").write_text("# Index\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\n", encoding="utf-8")
    target = root / case.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(case.change(target.read_text(encoding="utf-8") if target.exists() else ""), encoding="utf-8")
    args = ["validate", "--content", "content", "--no-reading-level"]
    return [*args, "--agency", "agency/agency.yaml"] if case.file.startswith("agency/") else args


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_repeated_id_is_reported_at_its_line_with_the_first(case: Case, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    args = _prepare(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, output
    assert "Traceback" not in output, output
    location = f"{case.file}:{case.line}: "
    reported = [line for line in output.splitlines() if line.startswith(location)]
    assert any(case.expect in line for line in reported), f"want {location}...{case.expect}\n{output}"
    assert "fix: give " in output and "its own id, or delete it if it is a copy of " in output, output


def test_forty_pasted_check_ins_give_one_message_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _prepare(CASES[0], tmp_path)
    monkeypatch.chdir(tmp_path)
    output = runner.invoke(app, ["validate", "--content", "content", "--no-reading-level"]).output
    assert sum("the id `first` is used 41 times" in line for line in output.splitlines()) == 40


class Leaf(BaseModel):
    id: str


class Branch(BaseModel):
    id: str
    leaves: list[Leaf]
    names: list[str] = []


class Tree(BaseModel):
    branches: list[Branch]
    best: Branch | None = None


def test_repeats_are_found_in_any_list_of_models_with_ids_at_any_depth() -> None:
    tree = Tree(branches=[Branch(id="a", leaves=[Leaf(id="x")], names=["n", "n"]),
                          Branch(id="b", leaves=[Leaf(id="x"), Leaf(id="y"), Leaf(id="x")]),
                          Branch(id="a", leaves=[])],
                best=Branch(id="c", leaves=[Leaf(id="z"), Leaf(id="z")]))
    found = {(r.list_path, r.id, r.first, r.again, r.times) for r in repeated_ids(tree)}
    assert found == {
        (("branches",), "a", 0, 2, 2),
        (("branches", 1, "leaves"), "x", 0, 2, 2),
        (("best", "leaves"), "z", 0, 1, 2),
    }  # a list of plain strings ("names") has no ids; the same id in two lists is fine


def test_positions_count_from_one_for_people() -> None:
    assert position_words(("pause_points", 1, "items", 7, "script")) == "pause point 2, item 8"
    assert position_words(("check_ins", 0)) == "check-in 1"
    assert position_words(("nodes", 2, "options", 0)) == "decision 3, option 1"
    assert position_words(("organizations", 0, "services", 3)) == "organization 1, service 4"
    assert position_words(("opening_script",)) == ""


def test_minimal_content_has_no_repeats() -> None:
    result = runner.invoke(app, ["validate", "--content", str(MINIMAL), "--no-reading-level"])
    assert result.exit_code == 0, result.output
