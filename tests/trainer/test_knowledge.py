"""Knowledge checks: questions built from critical items, the same on every build, plain HTML."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from protocols.library import load_library
from protocols.models import Protocol
from protocols.render import knowledge_check_html, knowledge_questions
from protocols.render.knowledge import MAX_QUESTIONS, MIN_QUESTIONS

LIBRARY = load_library()
PROTOCOLS = sorted(LIBRARY.protocols)


def _titles(protocol: Protocol) -> dict[str, str]:
    return {pp.title: pp.id for pp in protocol.pause_points}


@pytest.mark.parametrize("protocol_id", PROTOCOLS)
def test_three_to_five_questions_each_with_one_right_answer(protocol_id: str) -> None:
    protocol = LIBRARY.protocol(protocol_id)
    for count in (MIN_QUESTIONS, 4, MAX_QUESTIONS):
        questions = knowledge_questions(protocol, count)
        assert MIN_QUESTIONS <= len(questions) <= count
        for q in questions:
            assert protocol.item(q.item).critical, "every question is about a critical item"
            assert 2 <= len(q.options) <= 4
            assert len({o.casefold() for o in q.options}) == len(q.options), "options repeat"
            assert 0 <= q.answer < len(q.options)


@pytest.mark.parametrize("protocol_id", PROTOCOLS)
def test_the_marked_answer_is_right_and_the_others_are_wrong(protocol_id: str) -> None:
    protocol = LIBRARY.protocol(protocol_id)
    prompts = {i.prompt: i for i in protocol.items()}
    for q in knowledge_questions(protocol, MAX_QUESTIONS):
        item = protocol.item(q.item)
        right, wrong = q.options[q.answer], [o for i, o in enumerate(q.options) if i != q.answer]
        if q.kind == "critical":
            title = re.search(r"“(.*)”", q.text).group(1)  # type: ignore[union-attr]
            pp = next(p for p in protocol.pause_points if p.title == title)
            assert prompts[right].critical and prompts[right] in pp.items
            assert all(not prompts[o].critical for o in wrong)
        elif q.kind == "record":
            labels = {c.label for c in item.value.choices or []}
            assert right in labels and not labels & set(wrong)
        elif q.kind == "pause-point":
            pp = next(p for p in protocol.pause_points if item in p.items)
            assert right == pp.title and pp.title not in wrong
            assert set(q.options) <= set(_titles(protocol))
        else:
            assert q.kind == "why" and right == item.rationale and item.rationale not in wrong


def test_the_kinds_of_question_take_turns() -> None:
    kinds = [q.kind for q in knowledge_questions(LIBRARY.protocol("scene-response"), 4)]
    assert len(set(kinds)) == 4


def test_the_questions_are_the_same_on_every_build() -> None:
    code = ("from protocols.library import load_library; from protocols.render import knowledge_check_html; "
            "print(knowledge_check_html(load_library().protocol('scene-response')))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")}
    assert len(runs) == 1
    assert runs.pop().strip() == knowledge_check_html(LIBRARY.protocol("scene-response"))


def test_the_html_is_an_accessible_form_with_no_inline_script() -> None:
    protocol = LIBRARY.protocol("de-escalation")
    out = knowledge_check_html(protocol, 4)
    assert out.count('<form class="hc-kc-question"') == 4
    assert out.count("<fieldset>") == 4 and out.count("<legend>") == 4
    assert out.count('aria-live="polite"') == 4
    for n in range(1, 5):
        radios = re.findall(rf'<input type="radio" name="kc-de-escalation-{n}" id="([^"]+)"', out)
        assert radios and all(f'<label for="{r}">' in out for r in radios)
        answer = re.search(rf'id="kc-de-escalation-{n}" data-answer="([a-d])"', out)
        assert answer and f'id="kc-de-escalation-{n}-{answer.group(1)}"' in out
    assert "<script" not in out and not re.search(r"\son[a-z]+=", out)
    assert "Show the answer" in out  # the answer is there without JavaScript
    assert 'type="submit" class="hc-kc-check" hidden' in out  # shown by handbook.js
    assert html.escape(protocol.title) in out


def test_content_is_escaped() -> None:
    protocol = LIBRARY.protocol("scene-response")
    data = protocol.model_dump(mode="json")
    for pp in data["pause_points"]:
        pp["title"] += ' <b onclick="x()">&</b>'
        for item in pp["items"]:
            item["prompt"] += " <b>"
            item["rationale"] += " <b>"
    out = knowledge_check_html(Protocol.model_validate(data), 5)
    assert "<b>" not in out and "<b " not in out and "&lt;b&gt;" in out


def test_the_script_checks_answers_without_inline_code() -> None:
    from importlib import resources

    script = resources.files("protocols").joinpath("book_assets", "handbook.js").read_text(encoding="utf-8")
    assert "hc-kc-question" in script
    assert "eval(" not in script and "innerHTML" not in script
