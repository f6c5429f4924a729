"""Unsafe guidance is caught in every spoken text, with why and what to say instead; rules extend in YAML."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library.agency import read_overlay
from protocols.library.errors import ContentError
from protocols.library.loader import load_library
from protocols.library.safety_rules import RULES_FILE, SHIPPED_RULES, findings, read_rules
from protocols.library.spoken_fields import (
    BAD_EXAMPLES,
    LANGUAGE_FIELD,
    NOT_SPOKEN,
    SPOKEN,
    content_models,
    prose_fields,
    spoken_texts,
)
from protocols.models import CONTENT_KINDS, Option, Rating

MINIMAL = Path(__file__).parent / "minimal"
MINIMAL_AGENCY = Path(__file__).parent / "minimal-agency"
AGENCIES = Path(__file__).resolve().parents[2] / "agencies"
runner = CliRunner()
SHIPPED, SHIPPED_PROBLEMS = read_rules([SHIPPED_RULES])

BOTH_WAYS: dict[str, tuple[list[str], list[str]]] = {
    "promise-not-to-share": (
        ["I will not share what you tell me.", "I won't tell anyone.", "I won\u2019t tell anyone, I swear.",
         "We will not share it without your written okay.", "I'm not going to tell anyone about this."],
        ["I will share only what is needed.", "I will tell you who I told.", "I won't tell you what to do."]),
    "keep-it-secret": (
        ["I will keep this private.", "Let's keep this between us.", "I can keep this secret for you.",
         "I'll keep your secret.", "This is off the record.",
         "An advocate can keep more private, and I will keep this private too."],
        ["I can't keep what you tell me secret.", "I cannot keep this private. It goes in my report.",
         "Before we talk, I want you to know what I can and cannot keep private.",
         "An advocate from outside the police can keep most of what you say private. I cannot.",
         "An advocate can keep it private.", "You can ask us to keep your address from them.",
         "Nothing you say is off the record.", "An advocate can keep more of what you say private."]),
    "says-it-is-secret": (
        ["What you say here is confidential.", "Everything you tell me is confidential.",
         "This is just between you and me.", "This stays between us.", "Everything stays between us.",
         "Everything you say will stay between you and me.", "What you tell me will be private.",
         "Between you and me, I think you should leave him."],
        ["I can't keep what you tell me secret.", "What you tell me goes in my report.",
         "Not everything you tell me is private.", "This is not just between you and me. It goes in my report.",
         "I cannot promise that everything stays private.", "I can't keep this between you and me.",
         "I will tell you what is private and what is not.", "Can we talk in a room that is private?"]),
    "left-out-of-report": (
        ["I won't put this in my report.", "We're not going to put what you said about him in the report.",
         "I'll leave that out of the report.", "I don't need to write your new address in my report."],
        ["What you tell me goes in my report.", "I can't leave anything out of my report.",
         "I will put what you told me in my report.", "I won't put words in your mouth."]),
    "warn-before-sharing": (
        ["I will tell you before I share anything.", "We'll always ask you before anything is shared."],
        ["I will tell you who I told.", "If I have to share something, I will tell you what I shared."]),
    "personal-availability": (
        ["Call me any time.", "You can call me at any time.", "You can reach me day or night.",
         "You can reach me 24/7.", "Text me anytime if you need anything.",
         "I'm always available for you, day or night.", "Here is my personal number.",
         "You can call my cell any time.", "Text my mobile if he comes back."],
        ["We can stop any time. Just tell me.", "You can change your mind at any time.",
         "Our mobile crisis team can come to you.", "Is this your cell phone?",
         "You can ask me questions at any time.", "Is it safe for us to call you at this number?",
         "Call the victim services line. Someone there can reach me.", "Call 911 any time you are in danger."]),
    "suspect-outcome": (
        ["He will go to jail.", "She will be arrested tonight.", "They'll be locked up.", "He will not hurt you again.",
         "He won't come back.", "He won't be released.", "If you call, he will be arrested.",
         "Your ex won't come back.", "I don't know much yet, but he will go to jail."],
        ["I can't promise he will go to jail.", "You have the right to be told if the person is let out or escapes.",
         "I don't know if he will go to jail.",
         "He may be released. I will tell you if he is.", "I won't come back without calling first."]),
    "charge-or-conviction": (
        ["He will be charged.", "The man who did this will be convicted."],
        ["The prosecutor decides whether he will be charged.", "We will let you know if he is charged."]),
    "safe-now": (
        ["You are safe now.", "You're safe here.", "Nothing bad will happen to you."],
        ["Are you safe now?", "Where will you be safe tonight?", "Have you felt safe since we last talked?"]),
    "i-promise": (
        ["I promise.", "I promise we will find him.", "We guarantee it."],
        ["I can't promise what the court will do.", "I promised myself I would listen."]),
    "child-interpreter": (
        ["Your son can interpret for us.", "Can your daughter translate?", "Your kids could help translate for you.",
         "Your relative will interpret."],
        ["Your child will not be asked to interpret.", "We will not ask your children to translate.",
         "I am calling an interpreter, so your family does not have to help with words."]),
    "family-interpreter": (
        ["A family member can interpret.", "A relative could interpret for now.", "Her son will translate."],
        ["A family member can stay with you while the interpreter helps.",
         "A relative could not interpret for a statement."]),
}
CATCHES = [(rule, text) for rule, (catches, _) in BOTH_WAYS.items() for text in catches]
PASSES = [(rule, text) for rule, (_, passes) in BOTH_WAYS.items() for text in passes]


def test_the_shipped_rules_file_is_sound() -> None:
    assert SHIPPED_PROBLEMS == []
    assert len(SHIPPED) >= 10


def test_every_shipped_rule_is_tested_both_ways() -> None:
    assert sorted(rule.id for rule in SHIPPED) == sorted(BOTH_WAYS)
    assert all(catches and passes for catches, passes in BOTH_WAYS.values())


@pytest.mark.parametrize(("rule", "text"), CATCHES, ids=[f"{r}: {t}" for r, t in CATCHES])
def test_rule_catches(rule: str, text: str) -> None:
    assert rule in {found.id for found, _words in findings(SHIPPED, text)}


@pytest.mark.parametrize(("rule", "text"), PASSES, ids=[f"{r}: {t}" for r, t in PASSES])
def test_close_safe_wording_passes_every_rule(rule: str, text: str) -> None:
    assert [(found.id, words) for found, words in findings(SHIPPED, text)] == []


# --------------------------------------------------------------------------- an allowance covers its own clause

ALLOWED = "I can't keep what you tell me secret"
"""Safe words: `can't keep` is an allowance of the secrecy rules."""


@pytest.mark.parametrize("end", [", but", ", and", ", though", ";", " -", " \u2014", ":"])
def test_an_allowance_stops_at_the_end_of_its_clause(end: str) -> None:
    caught = {rule.id for rule, _words in findings(SHIPPED, f"{ALLOWED}{end} this stays between us.")}
    assert caught == {"says-it-is-secret"}


def test_an_allowance_still_covers_words_in_its_own_clause() -> None:
    assert findings(SHIPPED, "I can't keep this between you and me, and it goes in my report.") == []
    assert findings(SHIPPED, "I can't promise he will go to jail, but I will write this up today.") == []
    assert {rule.id for rule, _ in findings(SHIPPED, "I can't promise anything, but he will go to jail.")} == {
        "suspect-outcome"}


# --------------------------------------------------------------------------- a rule reads text in its language

SPANISH_RULE = """rules:
  - id: te-lo-prometo
    language: es
    pattern: '\\b(?:te|se)\\s+lo\\s+prometo\\b'
    why: Una promesa que no depende de usted puede romperse.
    instead: Diga lo que hará usted.
    unsafe_examples: [Se lo prometo.]
    safe_examples: [No le puedo prometer eso.]
"""


def test_a_rule_reads_only_text_in_its_own_language(tmp_path: Path) -> None:
    file = tmp_path / "es.yaml"
    file.write_text(SPANISH_RULE, encoding="utf-8")
    rules, problems = read_rules([file])
    assert problems == [] and [(rule.id, rule.language) for rule in rules] == [("te-lo-prometo", "es")]
    assert [rules[0].reads(tag) for tag in ("es", "es-MX", "en", "est")] == [True, True, False, False]
    assert all(rule.language == "en" and rule.reads("en-US") and not rule.reads("es") for rule in SHIPPED)


def test_an_instead_is_checked_only_by_rules_of_its_own_language(tmp_path: Path) -> None:
    file = tmp_path / "rules.yaml"
    file.write_text(SPANISH_RULE.replace("Diga lo que hará usted.", "Never say 'I promise'; say what you will do.")
                    + PET_NAMES.removeprefix("rules:\n").replace("Use the name", "Say 'se lo prometo' only if "
                                                                  "you can. Use the name"), encoding="utf-8")
    rules, problems = read_rules([file, SHIPPED_RULES])
    assert [str(problem) for problem in problems] == []
    assert {"te-lo-prometo", "pet-names", "i-promise"} <= {rule.id for rule in rules}


# --------------------------------------------------------------------------- which fields are read


def test_every_text_field_of_the_model_is_placed_spoken_or_not() -> None:
    """A new text field must be added to SPOKEN or NOT_SPOKEN, or this fails."""
    unplaced = []
    for model in content_models():
        spoken, other = SPOKEN.get(model, frozenset()), set(NOT_SPOKEN.get(model, {}))
        assert not spoken & other, f"{model.__name__}: {spoken & other} is in both tables"
        unplaced += [f"{model.__name__}.{name}" for name in sorted(prose_fields(model) - spoken - other)]
    assert unplaced == [], f"place these text fields in protocols.library.spoken_fields: {unplaced}"


def test_the_tables_name_only_real_text_fields() -> None:
    models = content_models()
    for table in (SPOKEN, NOT_SPOKEN):
        for model, names in table.items():
            assert model in models, model
            assert set(names) <= prose_fields(model), f"{model.__name__}: {set(names) - prose_fields(model)}"
    assert set(BAD_EXAMPLES) <= set(SPOKEN)


def test_every_document_with_a_language_field_names_it() -> None:
    """A model with a ``language`` field must be in LANGUAGE_FIELD, or its text would be read as English."""
    with_language = {model for model in content_models() if "language" in model.model_fields}
    assert with_language == set(LANGUAGE_FIELD)
    assert set(LANGUAGE_FIELD) <= set(CONTENT_KINDS.values())  # the language of a whole document


def test_wrong_and_partial_scenario_options_are_not_read() -> None:
    def option(rating: Rating) -> Option:
        return Option(id="o1", text="I promise he will go to jail.", rating=rating, feedback="Never say this.")

    assert list(spoken_texts(option(Rating.CORRECT))) == [(("text",), "I promise he will go to jail.")]
    assert list(spoken_texts(option(Rating.WRONG))) == []
    assert list(spoken_texts(option(Rating.PARTIAL))) == []


# --------------------------------------------------------------------------- handbook validate


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, f"fixture lacks {old!r}"
        return text.replace(old, new, 1)

    return change


def _copy(root: Path) -> None:
    shutil.copytree(MINIMAL, root / "content")
    shutil.copytree(MINIMAL_AGENCY, root / "agency")


def _edit(root: Path, file: str, change: Callable[[str], str]) -> None:
    target = root / file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(change(target.read_text(encoding="utf-8") if target.exists() else ""), encoding="utf-8")


def _validate(root: Path, monkeypatch: pytest.MonkeyPatch, agency: bool = False) -> tuple[int, str]:
    monkeypatch.chdir(root)
    args = ["validate", "--content", "content", "--no-reading-level"]
    result = runner.invoke(app, [*args, "--agency", "agency/agency.yaml"] if agency else args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _reported(output: str, location: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(location)]


P = "content/protocols/mini.yaml"
C = "agency/overlay/changes/mini.yaml"
S = "content/scenarios/mini-scenario.yaml"
SCRIPT_ITEM = "        prompt: What time did you arrive?\n"


def test_a_promise_in_a_script_is_reported_with_why_and_instead(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, P, replace(SCRIPT_ITEM, SCRIPT_ITEM + "        script: I promise he will not hurt you again.\n"))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1, output
    lines = _reported(output, f"{P}:31: mini.pause_points[0].items[1].script: ")
    assert any('unsafe wording "I promise" (pause point 1, item 2; rule `i-promise` in ' in line
               and "A promise is only as good as what you control" in line for line in lines), output
    assert any('unsafe wording "he will not hurt you" (pause point 1, item 2; rule `suspect-outcome`' in line
               for line in lines), output
    assert '    fix: Say what you will do and what you cannot control: "I will write this up today.' in output


@pytest.mark.parametrize(("file", "old", "new", "line", "path"), [
    ("content/followup/mini-follow-up.yaml", '"Is this number safe to call?"', "Call me any time, day or night.", 10,
     "mini-follow-up.safe_contact_questions[0]"),
    ("content/needs/mini-needs.yaml", "Would you like to talk to someone now?",
     "Would you like your son to interpret?", 12, "mini-needs.needs[0].ask"),
    ("content/rights/mini-rights-en.yaml", "You have the right to be safe.", "You are safe now.", 17,
     "mini-rights-en.rights[0].text"),
    ("content/confidentiality/mini-guide.yaml", "script: Nothing needs to be shared now.",
     "script: This stays between us.", 24, "mini-guide.outcomes[2].script"),
    (S, "text: Listen.", "text: Tell her he will go to jail.", 37, "mini-scenario.nodes[1].options[0].text"),
], ids=["safe-contact question", "need's ask", "right", "confidentiality outcome", "correct scenario option"])
def test_each_kind_of_spoken_text_is_read(file: str, old: str, new: str, line: int, path: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, file, replace(old, new))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1 and _reported(output, f"{file}:{line}: {path}: unsafe wording "), output


@pytest.mark.parametrize(("file", "old", "new"), [
    (S, "text: Ask why they called.", "text: Tell her he will go to jail, I promise."),
    (S, "feedback: Safety first.", "feedback: Never say 'I will keep this between us'."),
    (S, "situation: The scene is safe.", "situation: Her son offers to translate."),
    (P, "rationale: The record needs the time.", "rationale: Don't say 'call me any time'."),
    ("content/resources/mini-directory.yaml", "description: Talk to an advocate any time.",
     "description: Call us any time, day or night. We keep what you say private."),
], ids=["wrong scenario option", "scenario feedback", "scenario situation", "officer's rationale",
        "a 24-hour line describing itself"])
def test_bad_examples_and_officer_text_are_not_read(file: str, old: str, new: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, file, replace(old, new))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 0, output


def test_an_agency_script_is_reported_in_its_change_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, C, replace("script: I can call a car to take you somewhere safe.",
                               "script: I can call a car. You can reach me 24/7."))
    code, output = _validate(tmp_path, monkeypatch, agency=True)
    assert code == 1, output
    assert _reported(output, f'{C}:17: mini.replace_scripts[0].script: unsafe wording "reach me 24/7" '
                             "(pause point 2, item 2; rule `personal-availability`"), output


def test_an_agency_added_item_is_reported_in_its_change_file(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, C, replace("      rationale: Policy requires the notice.\n",
                               "      rationale: Policy requires the notice.\n      script: You are safe now.\n"))
    code, output = _validate(tmp_path, monkeypatch, agency=True)
    assert code == 1, output
    assert _reported(output, f"{C}:13: mini.add_items[0].item.script: unsafe wording \"You are safe now\""), output


AGENCY_RULES = "agency/overlay/safety-rules/local.yaml"
PET_PATTERN = "'\\b(?:honey|sweetie|dear)\\b(?=\\s*[,.!?])'"
PET_NAMES = f"""rules:
  - id: pet-names
    pattern: {PET_PATTERN}
    why: A pet name talks down to the victim.
    instead: Use the name the victim gives you.
    unsafe_examples: ["Honey, sit down."]
    safe_examples: [The honey jar fell.]
"""


def test_an_agency_adds_rules_in_its_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, C, replace("script: I can call a car", "script: Sweetie, I can call a car"))
    assert _validate(tmp_path, monkeypatch, agency=True)[0] == 0  # not unsafe by the shipped rules
    _edit(tmp_path, AGENCY_RULES, lambda _: PET_NAMES)
    code, output = _validate(tmp_path, monkeypatch, agency=True)
    assert code == 1, output
    assert _reported(output, f'{C}:17: mini.replace_scripts[0].script: unsafe wording "Sweetie" '
                             f"(pause point 2, item 2; rule `pet-names` in {AGENCY_RULES}): A pet name"), output
    assert "    fix: Use the name the victim gives you." in output
    assert _validate(tmp_path, monkeypatch)[0] == 0  # the agency's rules bind only its own handbook
    assert read_overlay(tmp_path / "agency" / "agency.yaml").safety_rules == [tmp_path / AGENCY_RULES]


def test_an_agency_cannot_replace_a_shipped_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, AGENCY_RULES, lambda _: PET_NAMES.replace("id: pet-names", "id: i-promise"))
    code, output = _validate(tmp_path, monkeypatch, agency=True)
    assert code == 1, output
    assert _reported(output, f"{AGENCY_RULES}:2: rules[0].id: the rule id `i-promise` is already used by "), output
    assert "a rules file adds rules, it cannot replace one" in output


def test_a_stray_file_in_the_agency_rules_folder_is_reported(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, "agency/overlay/safety-rules/notes.txt", lambda _: "notes")
    code, output = _validate(tmp_path, monkeypatch, agency=True)
    assert code == 1 and "only .yaml files belong in an overlay folder" in output, output


R_EN = "content/rights/mini-rights-en.yaml"
R_ES = "content/rights/mini-rights-es.yaml"


def _spanish_notice(text: str) -> Callable[[str], str]:
    """The minimal English notice made Spanish, with ``text`` as its first right's text."""
    def change(_: str) -> str:
        english = (MINIMAL / "rights" / "mini-rights-en.yaml").read_text(encoding="utf-8")
        for old, new in [("id: mini-rights-en", "id: mini-rights-es"), ("language: en", "language: es\n"
                         "translation_review: needs-review"), ("title: Your rights", "title: Sus derechos"),
                         ("You have the right to be safe.", text)]:
            english = replace(old, new)(english)
        return english

    return change


def test_text_in_a_language_no_rule_reads_is_a_warning_not_an_error(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, R_ES, _spanish_notice("You are safe now."))  # an English rule does not read it
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 0, output
    assert output.startswith("OK: the content is valid")
    assert _reported(output, f"warning: {R_ES}: mini-rights-es.language: no safety rule reads `es` text, so the "
                             "6 texts a victim hears or reads here are not checked for unsafe wording"), output
    assert "    fix: have the translator's review check them, or add rules with `language: es`" in output
    assert len(output.splitlines()) == 3, output  # OK, the warning and its fix: nothing about the English notice


def test_a_rule_in_a_language_reads_that_languages_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, R_ES, _spanish_notice("Se lo prometo."))
    _edit(tmp_path, RULES, lambda _: SHIPPED_RULES.read_text(encoding="utf-8") + SPANISH_RULE.removeprefix("rules:\n"))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1, output
    assert _reported(output, f'{R_ES}:18: mini-rights-es.rights[0].text: unsafe wording "Se lo prometo" '
                             f"(right 1; rule `te-lo-prometo` in {RULES}): Una promesa"), output
    assert "warning:" not in output


def test_a_rule_with_a_bad_language_tag_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, RULES, lambda _: SPANISH_RULE.replace("language: es", "language: Spanish"))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1, output
    assert _reported(output, f"{RULES}:3: rules[0].language: "), output
    assert "fix:" in output


RULES = "content/safety-rules.yaml"
BAD_RULE_FILES = [
    ("a regular expression that does not compile", PET_NAMES.replace("'\\b(?:honey", "'\\b((?:honey"), 3,
     "rules[0].pattern: `\\b((?:honey|sweetie|dear)\\b(?=\\s*[,.!?])` is not a valid regular expression: missing ), "
     "unterminated subpattern, at character 3"),
    ("an allow pattern that does not compile", PET_NAMES + "    allow: ['dear[']\n", 8,
     "rules[0].allow[0]: `dear[` is not a valid regular expression"),
    ("a pattern in double quotes", PET_NAMES.replace(PET_PATTERN, '"\\b(?:honey)"'), 3,
     "rules[0].pattern: the pattern holds a control character"),
    ("a pattern that matches empty text", PET_NAMES.replace(PET_PATTERN, "'(?:honey)?'"), 3,
     "rules[0].pattern: `(?:honey)?` can match without any words"),
    ("a rule that misses its own unsafe example", PET_NAMES.replace('["Honey, sit down."]', '["Love, sit down."]'), 6,
     'rules[0].unsafe_examples[0]: the rule `pet-names` does not catch its own unsafe example "Love, sit down."'),
    ("a rule that catches its own safe example", PET_NAMES.replace("[The honey jar fell.]", "[Oh dear.]"), 7,
     'rules[0].safe_examples[0]: the rule `pet-names` catches "dear" in its own safe example'),
    ("a suggestion that breaks a rule", PET_NAMES.replace("Use the name the victim gives you.", "Thank you, dear."),
     5, 'rules[0].instead: the suggested wording trips the rule `pet-names` ("dear")'),
    ("a rule id used twice in one file", PET_NAMES + PET_NAMES.removeprefix("rules:\n"), 8,
     f"rules[1].id: the id `pet-names` is used twice in `rules`: first at {RULES}:2 (rule 1), "
     f"again at {RULES}:8 (rule 2)"),
    ("a misspelt field", PET_NAMES.replace("    why:", "    wy:"), 4, "rules[0].wy: unknown field `wy`"),
    ("a rule with no instead", PET_NAMES.replace("    instead: Use the name the victim gives you.\n", ""), 2,
     "rules[0].instead: the field `instead` is required but missing"),
    ("a YAML syntax error", PET_NAMES.replace("why: A pet", "why: [A pet"), 5, "YAML syntax error"),
]


@pytest.mark.parametrize(("name", "text", "line", "expect"), BAD_RULE_FILES, ids=[c[0] for c in BAD_RULE_FILES])
def test_a_bad_rules_file_is_reported_precisely(name: str, text: str, line: int, expect: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _copy(tmp_path)
    _edit(tmp_path, RULES, lambda _: text)
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1, output
    reported = _reported(output, f"{RULES}:{line}: ")
    assert any(expect in found for found in reported), f"want {RULES}:{line}: {expect}\n{output}"
    assert "fix:" in output


def test_the_rules_file_lives_with_the_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A content folder with no rules file gets the shipped rules; one with a rules file, its own."""
    _copy(tmp_path)
    _edit(tmp_path, S, replace("text: Listen.", "text: Listen, sweetie. I promise."))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1 and f"rule `i-promise` in {SHIPPED_RULES}): A promise" in output, output
    assert "sweetie" not in output
    _edit(tmp_path, RULES, lambda _: SHIPPED_RULES.read_text(encoding="utf-8") + PET_NAMES.removeprefix("rules:\n"))
    code, output = _validate(tmp_path, monkeypatch)
    assert code == 1, output
    assert _reported(output, f'{S}:37: mini-scenario.nodes[1].options[0].text: unsafe wording "sweetie" '
                             f"(decision 2, option 1; rule `pet-names` in {RULES})"), output
    assert _reported(output, f'{S}:37: mini-scenario.nodes[1].options[0].text: unsafe wording "I promise" '
                             f"(decision 2, option 1; rule `i-promise` in {RULES})"), output


def test_a_copy_of_the_shipped_content_validates_with_its_copy_of_the_rules(content_copy: Path) -> None:
    assert (content_copy / RULES_FILE).is_file()
    assert load_library(content_copy).protocols


# --------------------------------------------------------------------------- the shipped content


@pytest.mark.parametrize("agency", [None, *sorted(AGENCIES.glob("*/agency.yaml"))],
                         ids=lambda a: "shipped" if a is None else a.parent.name)
def test_the_shipped_content_says_nothing_unsafe(agency: Path | None) -> None:
    try:
        load_library(agency=agency)
    except ContentError as exc:
        unsafe = [str(p) for p in exc.problems if "unsafe wording" in p.message or "is used" in p.message]
        assert unsafe == [], "\n".join(unsafe)


# --------------------------------------------------------------------------- the trainers' chapter

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "maintaining" / "editing.md"


def _block_after(marker: str, kind: str) -> str:
    """The first fenced ``kind`` block after ``marker`` in the chapter on editing."""
    text = CHAPTER.read_text(encoding="utf-8")
    match = re.search(rf"```{kind}\n(.*?)```", text[text.index(marker):], re.S)
    assert match is not None, marker
    return match.group(1)


def test_the_chapters_message_is_the_message_validate_prints(content_copy: Path) -> None:
    shown = _block_after("## Safety rules", "text").rstrip("\n").splitlines()
    file = content_copy / "protocols" / "follow-up-check-in.yaml"
    file.write_text(replace("script: How has our help been for you? What could we do better?",
                            "script: How has our help been for you? Call me any time.")(
        file.read_text(encoding="utf-8")), encoding="utf-8")
    done = runner.invoke(app, ["validate", "--content", str(content_copy)])
    printed = [line.replace(str(content_copy), "src/protocols/content") for line in done.output.splitlines()]
    assert done.exit_code == 1
    same_line = re.compile(r"(?<=\.yaml:)\d+(?=: )")  # the example stays true when lines above it move
    assert [same_line.sub("N", line) for line in printed] == [same_line.sub("N", line) for line in shown]


def test_the_chapters_example_rule_is_sound_and_its_mistake_is_reported(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    example = _block_after("### The rules file", "yaml")
    rules_file = tmp_path / "pet-names.yaml"
    rules_file.write_text(example, encoding="utf-8")
    rules, problems = read_rules([rules_file])
    assert problems == [] and [rule.id for rule in rules] == ["pet-names"]
    assert findings(rules, "Honey, sit down.") and not findings(rules, "The honey jar fell.")

    _copy(tmp_path)
    _edit(tmp_path, AGENCY_RULES, lambda _: example.replace("'\\b(?:honey", "'\\b((?:honey"))
    _code, output = _validate(tmp_path, monkeypatch, agency=True)
    shown = _block_after("### Rules for one agency", "text").rstrip("\n").splitlines()
    assert [line.replace("agency/", "agencies/river-city/") for line in output.splitlines()] == shown


def test_the_chapters_warning_is_the_warning_validate_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _block_after("### Lines in other languages", "text").rstrip("\n").splitlines()
    monkeypatch.chdir(CHAPTER.parents[2])
    done = runner.invoke(app, ["validate", "--no-reading-level"])
    assert done.exit_code == 0, done.output
    count = re.compile(r"(?<=so the )\d+(?= texts)")  # the example stays true when the notice grows
    assert [count.sub("N", line) for line in done.output.splitlines()[1:]] == [count.sub("N", line) for line in shown]
