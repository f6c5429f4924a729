"""Knowledge checks: questions built from critical items and from each chapter's content, the same on every build."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from protocols.library.loader import DEFAULT_CONTENT, load_library
from protocols.models import CATEGORY_LABELS, Protocol, Rating
from protocols.render import KnowledgeQuestion, knowledge_check_html, knowledge_questions
from protocols.render.knowledge import MAX_QUESTIONS, MIN_QUESTIONS
from protocols.render.knowledge_content import (
    CHECK_SOURCES,
    KINDS,
    MAX_PATH,
    build_check,
)
from protocols.render.labels import DELIVERY_LABELS, DOMAIN_LABELS

LIBRARY = load_library()
PROTOCOLS = sorted(p for p, protocol in LIBRARY.protocols.items() if protocol.chapter is not None)
"""The checklists taught in a chapter: validate requires 3-5 questions of these (library.knowledge_ready)."""


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
    code = ("from protocols.library.loader import load_library; from protocols.render import knowledge_check_html; "
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

    script = resources.files("protocols").joinpath("book", "assets", "handbook.js").read_text(encoding="utf-8")
    assert "hc-kc-question" in script
    assert "eval(" not in script and "innerHTML" not in script


# --------------------------------------------------------------------------- other content

ROOT = Path(__file__).resolve().parents[2]
CONTENT_CHECKS = [("confidentiality", i) for i in sorted(LIBRARY.confidentiality)] + \
    [("needs", i) for i in sorted(LIBRARY.needs)] + [("followup", i) for i in sorted(LIBRARY.followup)] + \
    [("rights", i) for i in sorted(LIBRARY.rights)] + [("scenario", i) for i in sorted(LIBRARY.scenarios)] + \
    [("reviews", "all")]


def _follow(guide_id: str, answers: str) -> str:
    """Walk the guide with the answers written in a question ("<question> Yes. <question> No.")."""
    guide = LIBRARY.confidentiality[guide_id]
    by_id = {q.id: q for q in guide.questions}
    node, walked = guide.start, 0
    while node in by_id:
        question = by_id[node]
        said = answers.split(question.text.strip(), 1)[1].lstrip()
        node = question.yes if said.startswith("Yes.") else question.no
        walked += 1
    assert walked <= MAX_PATH
    return next(o.title for o in guide.outcomes if o.id == node)


def _check_answer(source: str, obj_id: str, q: KnowledgeQuestion) -> None:
    right, wrong = q.options[q.answer], [o for i, o in enumerate(q.options) if i != q.answer]
    quoted = re.findall(r"“([^”]*)”", q.text)
    if source == "confidentiality":
        guide = LIBRARY.confidentiality[obj_id]
        if q.kind == "outcome":
            answers = q.text.split("like this: ", 1)[1]
            assert _follow(obj_id, answers) == right
        else:
            step = quoted[-1]
            owners = {o.title for o in guide.outcomes if step in o.next_steps}
            assert right in owners and not owners & set(wrong)
        assert set(q.options) <= {o.title for o in guide.outcomes}
    elif source == "needs":
        needs = LIBRARY.needs[obj_id].needs
        by_label = {n.label: n for n in needs}
        labels = {label: c for c, label in CATEGORY_LABELS.items()}
        if q.kind == "referral":
            need = by_label[quoted[0]]
            assert labels[right] in need.referrals and all(labels[w] not in need.referrals for w in wrong)
        elif q.kind == "leads-to":
            category = labels[q.text.rsplit(": ", 1)[1].rstrip("?")]
            assert category in by_label[right].referrals
            assert all(category not in by_label[w].referrals for w in wrong)
        elif q.kind == "urgent":
            assert by_label[right].urgent and not any(by_label[w].urgent for w in wrong)
        elif q.kind == "domain":
            assert DOMAIN_LABELS[by_label[quoted[0]].domain] == right
        else:
            assert q.kind == "signs" and "; ".join(by_label[right].signs) in q.text
            assert all("; ".join(by_label[w].signs) not in q.text for w in wrong if by_label[w].signs)
    elif source == "followup":
        template = LIBRARY.followup[obj_id]
        task = quoted[-1]
        holders = [c for c in template.check_ins if task in c.tasks]
        assert len(holders) == 1
        if q.kind == "check-in":
            assert right == holders[0].label and holders[0].label not in wrong
        else:
            hours = holders[0].offset_hours
            days = hours // 24
            assert q.kind == "due" and right.startswith((f"{days} day", f"{days // 7} week", f"{hours} hour"))
            assert len(set(q.options)) == len(q.options)
    elif source == "rights":
        notice = LIBRARY.rights[obj_id]
        if q.kind == "right":
            said = next(r for r in notice.rights if r.text.strip() == quoted[-1])
            assert right == said.title and said.title not in wrong
        elif q.kind == "when":
            assert right == notice.when_to_give.strip() and right not in wrong
        else:
            given = {DELIVERY_LABELS[m] for m in notice.delivery_methods}
            assert q.kind == "delivery" and right in given and not given & set(wrong)
    elif source == "scenario":
        scenario = LIBRARY.scenarios[obj_id]
        node = next(n for n in scenario.nodes if n.id == q.item)
        rated = {o.text.strip(): o for o in node.options}
        assert rated[right].rating is Rating.CORRECT and q.explanation == rated[right].feedback.strip()
        assert all(rated[w].rating is not Rating.CORRECT for w in wrong)
    else:
        protocol = LIBRARY.protocols[q.item]
        if q.kind == "owner":
            assert right == protocol.owner and protocol.owner not in wrong
        elif q.kind == "interval":
            assert right == f"Every {protocol.review_every_days} days" and right not in wrong
        else:
            assert q.kind == "why-changed" and right == protocol.changelog[-1].why.strip()
            assert right not in wrong


@pytest.mark.parametrize(("source", "obj_id"), CONTENT_CHECKS)
def test_content_checks_mark_the_answer_the_content_gives(source: str, obj_id: str) -> None:
    for count in (MIN_QUESTIONS, MAX_QUESTIONS):
        check = build_check(LIBRARY, source, obj_id, count=count)
        assert MIN_QUESTIONS <= len(check.questions) <= count, (source, obj_id)
        assert {q.kind for q in check.questions} <= set(KINDS[source])
        for q in check.questions:
            assert 2 <= len(q.options) <= 4 and len({o.casefold() for o in q.options}) == len(q.options)
            _check_answer(source, obj_id, q)


def test_a_wrong_answer_key_is_caught() -> None:
    """The answer check above can fail: moving the mark to a wrong option is reported."""
    for source, obj_id in CONTENT_CHECKS:
        for q in build_check(LIBRARY, source, obj_id, count=MAX_QUESTIONS).questions:
            moved = KnowledgeQuestion(q.kind, q.text, q.options, (q.answer + 1) % len(q.options),
                                      q.explanation, q.item)
            with pytest.raises((AssertionError, KeyError, StopIteration)):
                _check_answer(source, obj_id, moved)


def test_ask_keeps_only_those_kinds_and_referrals_keeps_only_those_needs() -> None:
    check = build_check(LIBRARY, "needs", "needs-assessment", ["support-group"], 5, ["leads-to", "referral"])
    assert {q.kind for q in check.questions} <= {"leads-to", "referral"} and len(check.questions) >= 3
    catalogue = LIBRARY.needs["needs-assessment"]
    about = {n.id: n for n in catalogue.needs}
    assert all("support-group" in about[q.item].referrals for q in check.questions)


def test_the_chapter_seed_changes_the_questions_but_each_build_is_the_same() -> None:
    one = build_check(LIBRARY, "scenario", "crisis-hotline-night", seed="book/training/index").html()
    assert one == build_check(LIBRARY, "scenario", "crisis-hotline-night", seed="book/training/index").html()
    assert one != build_check(LIBRARY, "scenario", "crisis-hotline-night", seed="book/case-studies/x").html()
    code = ("from protocols.library.loader import load_library; from protocols.render.knowledge_content import "
            "build_check; print(build_check(load_library(), 'needs', 'needs-assessment', seed='s').html())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")}
    assert runs == {build_check(LIBRARY, "needs", "needs-assessment", seed="s").html() + "\n"}


def test_content_checks_use_the_same_accessible_markup() -> None:
    out = build_check(LIBRARY, "confidentiality", "confidentiality-decisions", count=4).html()
    assert out.count('<form class="hc-kc-question"') == 4 and out.count("<legend>") == 4
    assert out.count('aria-live="polite"') == 4 and "Show the answer" in out
    assert 'id="knowledge-check-confidentiality-confidentiality-decisions"' in out
    for n in range(1, 5):
        radios = re.findall(rf'name="kc-confidentiality-confidentiality-decisions-{n}" id="([^"]+)"', out)
        assert len(radios) >= 2 and all(f'<label for="{r}">' in out for r in radios)
    assert "<script" not in out and not re.search(r"\son[a-z]+=", out)


def test_a_pause_point_check_asks_only_about_that_pause_point() -> None:
    protocol = LIBRARY.protocol("scene-response")
    last = next(pp for pp in protocol.pause_points if pp.id == "before-you-leave")
    questions = knowledge_questions(protocol, 3, "before-you-leave")
    assert len(questions) == 3 and all(protocol.item(q.item) in last.items for q in questions)
    assert 'id="kc-scene-response-before-you-leave-1"' in knowledge_check_html(protocol, 3, "before-you-leave")


# --------------------------------------------------------------------------- every chapter has one

EXEMPT = {
    "book/index": "the landing page: it lists the parts of the book",
    "book/maintaining/index": "the landing page of the trainers' part",
    "book/maintaining/editing": "a step-by-step task for trainers (commands, not content to learn)",
    "book/maintaining/agency": "a step-by-step task for trainers (commands, not content to learn)",
    "book/maintaining/publishing": "a step-by-step task for trainers (commands, not content to learn)",
    "book/maintaining/deployment": "a step-by-step task for agency IT (set-up, not content to learn)",
    "book/arrive/scene-checklist": "a practice page for a live checklist; its chapter (scene safety) has the check",
    "book/assess/screen-in-checklist": "a practice page for a live checklist; its chapter (screening) has the check",
}
"""Pages without a knowledge check, and why. Reference pages (cards, job aids, glossary,
sources) are exempt as a part."""


def _chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [c["file"] for part in toc["parts"] if part["caption"] != "Reference" for c in part["chapters"]]


def _page_text(docname: str) -> str:
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{docname}{suffix}").is_file():
            return (ROOT / f"{docname}{suffix}").read_text(encoding="utf-8")
    raise AssertionError(f"{docname} in _toc.yml has no page")


def test_every_chapter_ends_with_a_knowledge_check() -> None:
    chapters = _chapters()
    assert set(EXEMPT) - {"book/index"} <= set(chapters), "an exempt page left the table of contents"
    missing = [c for c in chapters if c not in EXEMPT and "```{knowledge-check}" not in _page_text(c)]
    assert not missing, f"chapters with no knowledge check: {missing}"
    for chapter in chapters:
        text = _page_text(chapter)
        for match in re.finditer(r"```\{knowledge-check\} ([a-z]+):", text):
            assert match.group(1) in CHECK_SOURCES, (chapter, match.group(1))


CONF = """
extensions = ["myst_parser", "protocols.book.extension"]
html_theme = "basic"
handbook_vendor = False
handbook_content = {content!r}
"""


def test_the_directive_renders_each_source_and_reports_bad_arguments(tmp_path: Path) -> None:
    good = ["confidentiality:confidentiality-decisions", "needs:needs-assessment\n:referrals: support-group",
            "followup:standard-follow-up", "rights:us-federal-cvra-en\n:ask: right", "scenario:peer-support-after-dv",
            "reviews:all", "scene-response\n:pause-point: before-you-leave"]
    bad = ["nonsense:x", "needs:no-such", "needs:needs-assessment\n:ask: colour",
           "needs:needs-assessment\n:referrals: pizza", "scene-response\n:pause-point: lunch"]
    page = "# Test\n\n" + "".join(f"```{{knowledge-check}} {arg}\n```\n\n" for arg in good + bad)
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF.format(content=str(DEFAULT_CONTENT)), encoding="utf-8")
    (src / "index.md").write_text(page, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, check=False, env=env)
    out = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert out.count('class="hc-knowledge-check"') == len(good), done.stderr
    warnings = [line for line in done.stderr.splitlines() if "WARNING: {knowledge-check}" in line]
    assert len(warnings) == len(bad), done.stderr
    for needle in ("unknown content kind 'nonsense'", "no needs assessment 'no-such'. Known needs assessment ids: "
                   "needs-assessment", ":ask: colour is not a kind of needs question; use: leads-to",
                   ":referrals: pizza is not a referral category", "no pause point 'lunch'; known: scene-safe"):
        assert any(needle in w for w in warnings), (needle, done.stderr)
    assert "Traceback" not in done.stderr
