"""Plain language: the reading-level table shows every victim-facing passage at grade 6 or below
and every officer-facing one at grade 8 or below, and the gate catches a passage that is not.

(tests/content checks that the table runs and lists the single texts; here each row is read.)
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from protocols.cli.app import app

runner = CliRunner()
ROW = re.compile(r"^(?P<name>.{58}) (?P<reader>victim |officer) +(?P<words>\d+) +(?P<fk>-?[\d.]+) +"
                 r"(?P<cl>-?[\d.]+) +(?P<dc>\d+)  (?P<result>ok|TOO HARD) \(≤ (?P<limit>[\d.]+)\)$")
VICTIM_FIELDS = {"script", "introduction", "text", "ask", "opening_script", "description",
                 "safe_contact_questions"}
"""What a victim hears or reads: scripts said aloud (in the content and in the book's "What to
say" boxes), rights notices, questions, referral sheets, safe-contact questions."""
HARD = ("Notwithstanding any contrary statutory interpretation, constitutional provisions "
        "enumerated hereinafter establish comprehensive entitlements encompassing notification, "
        "participation, restitution and protection throughout prosecutorial proceedings.")


def table(*args: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["readability", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("passage")
    body = lines[1:lines.index("")]
    rows = []
    for line in body:
        match = ROW.match(line)
        assert match, f"a row of the table could not be read: {line!r}"
        rows.append({k: v.strip() for k, v in match.groupdict().items()})
    return rows


def test_every_passage_is_at_or_below_its_readers_grade() -> None:
    rows = table()
    assert len(rows) > 20
    for row in rows:
        field = row["name"].rsplit("·", 1)[-1].strip()
        expected = "victim" if field in VICTIM_FIELDS else "officer"
        assert row["reader"] == expected, f"{row['name']} is graded for the wrong reader"
        limit = 6.0 if expected == "victim" else 8.0
        assert float(row["limit"]) == limit, row
        assert row["result"] == "ok", f"{row['name']} is too hard for {expected}s: {row}"
        assert float(row["fk"]) <= limit and float(row["cl"]) <= limit, row
    names = {r["name"] for r in rows}
    for wanted in ("ca-marsy-en · introduction", "ca-marsy-en · text", "scene-response · script",
                   "scene-response · prompt", "confidentiality-decisions · opening_script",
                   "needs-assessment · ask", "sample-directory · description",
                   "standard-follow-up · safe_contact_questions", "arrive/scene-safety · script",
                   "assess/needs · script"):
        assert wanted in names, f"{wanted} is not graded"


def test_a_hard_rights_notice_is_flagged_and_fails_validation(content_copy: Path) -> None:
    notice = content_copy / "rights" / "ca-marsy-en.yaml"
    text = notice.read_text(encoding="utf-8")
    start = text.index("introduction: >-\n")
    end = text.index("\nrights:", start)  # the folded introduction ends where the rights start
    notice.write_text(text[:start] + f"introduction: {HARD}" + text[end:], encoding="utf-8")
    rows = {r["name"]: r for r in table("--content", str(content_copy))}
    assert rows["ca-marsy-en · introduction"]["result"] == "TOO HARD"
    failing = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert failing.exit_code != 0
    assert "ca-marsy-en.introduction" in failing.output and "grade 6 or below" in failing.output


def a_book(folder: Path, box: str) -> Path:
    """A project folder with one chapter: a hard quote outside a box, then a "What to say" box."""
    (folder / "_config.yml").write_text("title: test\n", encoding="utf-8")
    chapter = folder / "book" / "arrive" / "page.md"
    chapter.parent.mkdir(parents=True)
    chapter.write_text(f'# Page\n\nOfficers say "{HARD}" in reports.\n\n'
                       f"```{{admonition}} What to say\n:class: tip\n{box}```\n", encoding="utf-8")
    return chapter


def test_a_hard_what_to_say_line_fails_validation_at_its_line(tmp_path: Path, monkeypatch) -> None:
    a_book(tmp_path, f'- "You are safe now."\n- "{HARD}"\n')
    monkeypatch.chdir(tmp_path)
    rows = {r["name"]: r for r in table()}
    assert rows["arrive/page · script"]["reader"] == "victim"
    assert rows["arrive/page · script"]["result"] == "TOO HARD"
    failing = runner.invoke(app, ["validate"])
    assert failing.exit_code != 0
    assert re.search(r"book/arrive/page\.md:8: What to say: “Notwithstanding.*” reads at grade \d+", failing.output), \
        failing.output
    assert "page.md:3:" not in failing.output, "a quote outside a What-to-say box was graded"


def test_plain_what_to_say_lines_pass(tmp_path: Path, monkeypatch) -> None:
    a_book(tmp_path, '- "You are safe now."\n- "Do you want someone to stay with you tonight?"\n')
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["validate"]).exit_code == 0


def test_a_hard_safe_contact_question_fails_validation(content_copy: Path) -> None:
    template = content_copy / "followup" / "standard-follow-up.yaml"
    text = template.read_text(encoding="utf-8")
    line = "  - What times are safe to call?\n"
    assert text.count(line) == 1
    template.write_text(text.replace(line, f"  - {HARD}\n"), encoding="utf-8")
    failing = runner.invoke(app, ["validate", "--content", str(content_copy)])
    assert failing.exit_code != 0
    assert "standard-follow-up.safe_contact_questions[1]" in failing.output
    assert "standard-follow-up.yaml:45" in failing.output
