"""Each kind of bad content gets a precise message: file, line, field, what, how to fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app

MINIMAL = Path(__file__).parent / "minimal"
MINIMAL_AGENCY = Path(__file__).parent / "minimal-agency"
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


P = "content/protocols/mini.yaml"
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
         18),
    Case("critical after non-critical", P,
         lambda text: text.replace("critical: true\n        rationale: Nothing",
                                   "critical: false\n        rationale: Nothing")
         .replace("value: {type: time}", "value: {type: time}\n        critical: true"),
         "critical item `arrival-time` comes after", 32),
    Case("duplicate item id", P, replace("id: arrival-time", "id: threat-controlled"),
         "item id `threat-controlled` is used twice", 29),
    Case("repeats a later item", P, replace("repeats: threat-controlled", "repeats: transport"),
         "repeats `transport`, which is not an earlier item", 43),
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
         "YAML syntax error", 5),
    Case("tab indentation", P, replace("    title: Scene safe", "\ttitle: Scene safe"),
         "YAML syntax error: found a tab character; indent with spaces", 19),
    Case("empty file", P, lambda text: "", "the file is empty", 1),
    Case("not utf-8", P, lambda text: text.replace("Training lead", "Formaci\u00f3n").encode("latin-1"),
         "not UTF-8", 8),
    Case("a list instead of a mapping", P, lambda text: "- just\n- a list\n",
         "not a mapping of fields", 1),
    Case("two documents", P, append("---\nid: again\n"), "holds 2 YAML documents", 1),
    Case("changelog version disagrees", P, replace('  - version: "1.0"', '  - version: "0.9"'),
         "newest changelog entry is for version 0.9", 13),
    Case("screening rule names a missing question", "content/instruments/mini-screen.yaml",
         replace("questions: [2, 3]", "questions: [2, 4]"), "names question(s) [4]", 23),
    Case("screening threshold unreachable", "content/instruments/mini-screen.yaml",
         replace("at_least: 2", "at_least: 3"), "`at_least: 3` can never be met", 22),
    Case("screening questions out of order", "content/instruments/mini-screen.yaml",
         replace("number: 3", "number: 5"), "numbered 1, 2, 3", 17),
    Case("follow-on protocol missing", "content/instruments/mini-screen.yaml",
         replace("follow_on_protocol: mini", "follow_on_protocol: nowhere"),
         "follow-on protocol `nowhere` does not exist", 13),
    Case("screening not locked", "content/instruments/mini-screen.yaml", append("locked: false\n"),
         "mini-screen.locked", 25),
    Case("scenario option to a missing node", "content/scenarios/mini-scenario.yaml",
         replace("next: talk\n        exercises", "next: nowhere\n        exercises"),
         "goes to `nowhere`, which is not a node", 24),
    Case("scenario links a missing item", "content/scenarios/mini-scenario.yaml",
         replace("item: threat-controlled", "item: no-such-item"),
         "links to the item `no-such-item`", 26),
    Case("scenario links a missing protocol", "content/scenarios/mini-scenario.yaml",
         replace("{protocol: mini,", "{protocol: gone,"), "links to the protocol `gone`", 26),
    Case("confidentiality loop", "content/confidentiality/mini-guide.yaml",
         replace("    no: private", "    no: harm"), "the questions loop", 1),
    Case("confidentiality dangling answer", "content/confidentiality/mini-guide.yaml",
         replace("yes: share", "yes: shared"), "answers `yes` with `shared`", 19),
    Case("confidential shelter with an address", "content/resources/mini-directory.yaml",
         lambda text: replace("contact: {phone: 555-0100}", "contact: {phone: 555-0100, address: 1 Main St}")(
             replace("confidential_location: false", "confidential_location: true")(text)),
         "has a confidential location but lists an address", 11),
    Case("check-ins out of order", "content/followup/mini-follow-up.yaml",
         replace("offset_hours: 168", "offset_hours: 12"), "check-ins must be in time order", 1),
    Case("unknown referral category", "content/needs/mini-needs.yaml",
         replace("referrals: [hotline]", "referrals: [hotlines]"), "mini-needs.needs[0].referrals[0]",
         13),
    Case("stray file in a content folder", "content/protocols/notes.txt", lambda text: "notes",
         "only .yaml files belong", None),
]


C = "agency/overlay/changes/mini.yaml"
A = "agency/overlay/protocols/mini-extra.yaml"
PROFILE = "agency/agency.yaml"
EXTRA = (MINIMAL_AGENCY / "overlay" / "protocols" / "mini-extra.yaml").read_text(encoding="utf-8")
CHANGE = (MINIMAL_AGENCY / "overlay" / "changes" / "mini.yaml").read_text(encoding="utf-8")
REFERENCE_CASES = [
    Case("need with no service in the directory", "content/resources/mini-directory.yaml",
         lambda text: text, "no service has the category `legal`", 6),
    Case("chapter that is not a book page", P, replace("summary:", "chapter: book/nowhere\nsummary:"),
         "the chapter `book/nowhere` is not a page of the book", 11),
]
OVERLAY_CASES = [
    Case("added item cites a missing source", C, replace("sources: [elerv]", "sources: [elrv]"),
         "cites the source `elrv`, which is not in sources.yaml", 14),
    Case("added critical item after a plain one", C, replace("after: threat-controlled", "after: arrival-time"),
         "critical item `camera-notice` comes after non-critical item `arrival-time`", 11),
    Case("added item to a missing pause point", C, replace("pause_point: scene-safe", "pause_point: arrive"),
         "has no pause point `arrive`", 5),
    Case("added item after a missing item", C, replace("after: threat-controlled", "after: nobody"),
         "pause point `scene-safe` has no item `nobody`", 6),
    Case("added item repeats a shipped id", C, replace("id: camera-notice", "id: arrival-time"),
         "item id `arrival-time` is used twice", 8),
    Case("too many items after the change", C,
         lambda text: text.replace("add_items:\n", "add_items:\n" + "".join(
             f"  - pause_point: scene-safe\n    item: {{id: extra-{n}, prompt: One more, value: {{type: yes-no}}, "
             f"rationale: Extra., needs: [safety], sources: [elerv]}}\n" for n in range(8))),
         "a pause point holds at most 9", 5),
    Case("script for a missing item", C, replace("- item: transport", "- item: transit"),
         "protocol `mini` has no item `transit`", 16),
    Case("hiding a critical item", C, append("hide_items: [threat-controlled]\n"),
         "item `threat-controlled` is not optional, so an agency may not hide it", 18),
    Case("change file with an unknown key", C, append("remove_items: [transport]\n"),
         "mini.remove_items: unknown field", 18),
    Case("change file with a syntax error", C, replace("date: 2026-11-10", "date: [2026-11-10"),
         "YAML syntax error", 4),
    Case("change file for a missing protocol", "agency/overlay/changes/gone.yaml",
         lambda _: CHANGE.replace("protocol: mini", "protocol: gone"), "there is no protocol `gone` to change", 1),
    Case("change file named apart from its protocol", C, replace("protocol: mini\n", "protocol: mini-extra\n"),
         "this file changes `mini-extra` but is named `mini.yaml`", 1),
    Case("second change file for one protocol", "agency/overlay/changes/mini.yml",
         lambda _: "why: Fix a script.\ndate: 2026-11-11\nprotocol: mini\n",
         "protocol `mini` is already changed by agency/overlay/changes/mini.yaml", 3),
    Case("change file for a locked instrument", "agency/overlay/changes/mini-screen.yaml",
         lambda _: "protocol: mini-screen\nwhy: Fewer questions.\ndate: 2026-11-11\n",
         "`mini-screen` is a screening instrument; its wording and rules are locked", 1),
    Case("added protocol cites a missing source", A, replace("        sources: [elerv]", "        sources: [elrv]"),
         "cites the source `elrv`", 27),
    Case("added protocol with an unknown key", A, append("colour: red\n"), "mini-extra.colour: unknown field", 28),
    Case("added protocol named apart from its id", "agency/overlay/protocols/mini-later.yaml",
         lambda _: EXTRA.replace("id: mini-extra\n", "\nid: mini-extra\n"),
         "the id `mini-extra` does not match the file name `mini-later.yaml`", 2),
    Case("two added files with one id", "agency/overlay/protocols/mini-extra.yml", lambda _: EXTRA,
         "the id `mini-extra` is already used by agency/overlay/protocols/mini-extra.yaml", 1),
    Case("added protocol reuses a shipped id", "agency/overlay/protocols/mini.yaml",
         lambda _: (MINIMAL / "protocols" / "mini.yaml").read_text(encoding="utf-8"),
         "the id `mini` is already used by the shipped content", 1),
    Case("replacing a locked instrument", "agency/overlay/instruments/mini-screen.yaml",
         lambda _: (MINIMAL / "instruments" / "mini-screen.yaml").read_text(encoding="utf-8"),
         "the shipped instrument `mini-screen` is locked", 1),
    Case("added file that is not yaml", "agency/overlay/protocols/notes.txt", lambda _: "notes",
         "only .yaml files belong in an overlay folder", None),
    Case("profile names a missing rights notice", PROFILE, replace("[mini-rights-en]", "[mini-rights-fr]"),
         "there is no rights `mini-rights-fr`", 11),
    Case("profile names a missing directory", PROFILE,
         replace("resource_directory: mini-directory", "resource_directory: gone"),
         "there is no resources `gone`", 13),
    Case("profile with an unknown key", PROFILE, append("colour: red\n"), "agency.colour: unknown field", 15),
    Case("profile names a missing overlay folder", PROFILE, replace("overlay: overlay", "overlay: elsewhere"),
         "the overlay folder elsewhere does not exist", 14),
    Case("profile names a missing logo", PROFILE, append("logo: logo.svg\n"), "the logo file logo.svg", 15),
    Case("profile with a bad retention", PROFILE, append("retention_days: 5\n"), "agency.retention_days", 15),
    Case("agency directory with no service for a need", "agency/overlay/resources/mini-agency-directory.yaml",
         lambda _: (MINIMAL / "resources" / "mini-directory.yaml").read_text(encoding="utf-8")
         .replace("id: mini-directory", "id: mini-agency-directory").replace("[hotline]", "[shelter]"),
         "no service has the category `hotline`", 6),
]
ALL_CASES = CASES + REFERENCE_CASES + OVERLAY_CASES


def _prepare(case: Case, root: Path) -> list[str]:
    """Copy the minimal content, agency and book into ``root``, apply the case; the CLI arguments."""
    shutil.copytree(MINIMAL, root / "content")
    shutil.copytree(MINIMAL_AGENCY, root / "agency")
    (root / "book").mkdir()
    (root / "book" / "index.md").write_text("# Index\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\n", encoding="utf-8")
    if case.name == "need with no service in the directory":
        needs = root / "content" / "needs" / "mini-needs.yaml"
        needs.write_text(replace("[hotline]", "[hotline, legal]")(needs.read_text(encoding="utf-8")),
                         encoding="utf-8")
    if case.name == "agency directory with no service for a need":
        profile = root / PROFILE
        profile.write_text(replace("resource_directory: mini-directory", "resource_directory: mini-agency-directory")(
            profile.read_text(encoding="utf-8")), encoding="utf-8")
    target = root / case.file
    target.parent.mkdir(parents=True, exist_ok=True)
    original = target.read_text(encoding="utf-8") if target.exists() else ""
    changed = case.change(original)
    if isinstance(changed, bytes):
        target.write_bytes(changed)
    else:
        target.write_text(changed, encoding="utf-8")
    args = ["validate", "--content", "content"]
    return [*args, "--agency", PROFILE] if case.file.startswith("agency/") else args


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_bad_content_is_reported_precisely(case: Case, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    args = _prepare(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, output
    assert "Traceback" not in output and "<content>" not in output, output
    location = f"{case.file}:{case.line}: " if case.line else f"{case.file}: "
    reported = [line for line in output.splitlines() if line.startswith(location)]
    assert any(case.expect in line for line in reported), f"want {location}...{case.expect}\n{output}"
    assert "fix:" in output


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len(OVERLAY_CASES) >= 20
    assert sum(case.line is None for case in ALL_CASES) <= 2  # only whole files without a line


def test_minimal_content_is_valid() -> None:
    result = runner.invoke(app, ["validate", "--content", str(MINIMAL)])
    assert result.exit_code == 0, result.output


def test_minimal_agency_is_valid_and_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _prepare(Case("valid", "agency/agency.yaml", lambda text: text, "", None), tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--content", "content", "--agency", PROFILE])
    assert result.exit_code == 0, result.output
    assert "2 protocols" in result.output


def test_chapters_are_checked_only_beside_a_book(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    mini = content / "protocols" / "mini.yaml"
    mini.write_text(replace("summary:", "chapter: book/arrive\nsummary:")(mini.read_text(encoding="utf-8")),
                    encoding="utf-8")
    assert runner.invoke(app, ["validate", "--content", str(content)]).exit_code == 0  # no book: not checked
    (tmp_path / "book").mkdir()  # a folder called book is not yet a book project
    assert runner.invoke(app, ["validate", "--content", str(content)]).exit_code == 0
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/index\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", "--content", str(content)]).exit_code == 1
    (tmp_path / "book" / "arrive.md").write_text("# Arrive\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", "--content", str(content)]).exit_code == 0


def test_without_an_agency_any_directory_may_meet_a_need(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    needs = content / "needs" / "mini-needs.yaml"
    needs.write_text(replace("[hotline]", "[hotline, legal]")(needs.read_text(encoding="utf-8")), encoding="utf-8")
    first = runner.invoke(app, ["validate", "--content", str(content)])
    assert first.exit_code == 1 and "no service has the category `legal`" in first.output
    directory = (content / "resources" / "mini-directory.yaml").read_text(encoding="utf-8")
    (content / "resources" / "mini-legal.yaml").write_text(
        directory.replace("id: mini-directory", "id: mini-legal").replace("[hotline]", "[legal]"), encoding="utf-8")
    assert runner.invoke(app, ["validate", "--content", str(content)]).exit_code == 0
    (content / "resources" / "mini-legal.yaml").write_text(
        directory.replace("id: mini-directory", "id: mini-legal"), encoding="utf-8")
    both = runner.invoke(app, ["validate", "--content", str(content)])
    assert both.exit_code == 1
    assert "content/needs/mini-needs.yaml:13: mini-needs.needs[0].referrals[1]: no service has the category `legal`" \
        in both.output


def test_missing_content_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--content", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "the content folder does not exist" in result.output
