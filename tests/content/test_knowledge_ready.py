"""Validate requires what the knowledge-check tests require of a checklist taught in a chapter: 3 questions."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.loader import load_library
from protocols.render.knowledge import MAX_QUESTIONS, MIN_QUESTIONS, knowledge_questions

runner = CliRunner()


def test_a_new_protocol_gives_a_knowledge_check_as_written(content_copy: Path) -> None:
    done = runner.invoke(app, ["new", "protocol", "night-check", "--content", str(content_copy)])
    assert done.exit_code == 0, done.output
    protocol = load_library(content_copy).protocol("night-check")
    questions = knowledge_questions(protocol, MAX_QUESTIONS)
    assert MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS
    assert all(protocol.item(q.item).critical for q in questions)


def _one_pause_point(content: Path, chapter: str | None) -> Path:
    """A new protocol cut down to one critical item and one other, with or without a chapter."""
    runner.invoke(app, ["new", "protocol", "night-check", "--content", str(content)])
    file = content / "protocols" / "night-check.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["pause_points"] = data["pause_points"][:1]
    if chapter is not None:
        data["chapter"] = chapter
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return file


def test_a_card_only_protocol_too_small_for_a_knowledge_check_passes(content_copy: Path) -> None:
    _one_pause_point(content_copy, chapter=None)
    check = runner.invoke(app, ["validate", "--content", str(content_copy), "--no-reading-level"])
    assert check.exit_code == 0, check.output


def test_a_chapter_protocol_too_small_for_a_knowledge_check_is_refused_with_what_to_add(content_copy: Path) -> None:
    file = _one_pause_point(content_copy, chapter="book/arrive/scene-safety")
    line = next(n for n, text in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("pause_points:"))
    check = runner.invoke(app, ["validate", "--content", str(content_copy), "--no-reading-level"])
    assert check.exit_code == 1
    assert (f"night-check.yaml:{line}: night-check.pause_points: the checklist gives no question for its "
            "knowledge check (1 critical and 1 other item in 1 pause point); its chapter's check needs at least 3"
            ) in check.output
    assert "give the checklist at least two critical items, at least two items that are not critical" in check.output
    load_library(content_copy)  # not a load error: a server or build on this content keeps working
