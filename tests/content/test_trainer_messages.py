"""Messages a trainer reads: each says where (counted from 1), what is wrong and a fix that is not filler."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.library import validation
from protocols.library.errors import Problem, path_parts
from protocols.library.yamlsource import parse_yaml

MINIMAL = Path(__file__).parent / "minimal"
MODELS = Path(validation.__file__).parents[1] / "models"
runner = CliRunner()


def _validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str) -> str:
    """``handbook validate`` on a copy of the minimal content with one change; its output."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    target = content / file
    text = target.read_text(encoding="utf-8")
    assert old in text, f"fixture lacks {old!r}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--content", "content"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


# 1. Count from 1, and keep the field path ------------------------------------------------------------

def test_a_problem_in_a_list_names_its_place_counted_from_one() -> None:
    problem = Problem(Path("p.yaml"), 9, "mini.pause_points[1].items[7].script", "too long", "shorten it")
    assert str(problem).splitlines()[0] == (
        "p.yaml:9: mini.pause_points[1].items[7].script: too long (in pause point 2, item 8)")
    assert path_parts("mini.pause_points[1].items[7]") == ("mini", "pause_points", 1, "items", 7)


def test_a_place_already_in_the_message_is_not_repeated() -> None:
    problem = Problem(None, None, "mini.check_ins[1].id", "used again (check-in 2)", "rename it")
    assert str(problem).count("check-in 2") == 1


def test_validate_counts_items_from_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml",
                       "        critical: true\n        repeats", "        critical: maybe\n        repeats")
    assert ("content/protocols/mini.yaml:42: mini.pause_points[1].items[0].critical: `maybe` is not `true` or "
            "`false` (in pause point 2, item 1)") in output, output
    assert "fix: write `true` or `false`" in output


# 2. A repeated id names where it was first used ------------------------------------------------------

def test_a_file_id_used_twice_names_the_first_file_and_line(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    protocols = tmp_path / "content" / "protocols"
    shutil.copy(protocols / "mini.yaml", protocols / "mini.yml")
    monkeypatch.chdir(tmp_path)
    output = runner.invoke(app, ["validate", "--content", "content"]).output
    assert "content/protocols/mini.yml:1: id: the id `mini` is already used by content/protocols/mini.yaml:1" \
        in output, output
    assert "fix: change the id here" in output


def test_an_item_id_used_twice_in_a_protocol_names_where_it_was_first_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml", "      - id: safety-rechecked",
                       "      - id: arrival-time")
    assert ("content/protocols/mini.yaml:39: mini.pause_points[1].items[0].id: item id `arrival-time` is used twice "
            "in protocol `mini`: first at content/protocols/mini.yaml:29 (pause point 1, item 2), again at "
            "content/protocols/mini.yaml:39 (pause point 2, item 1)") in output, output


def test_a_pause_point_id_used_twice_names_where_it_was_first_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml", "  - id: leave", "  - id: scene-safe")
    assert "pause point id `scene-safe` is used twice: first at content/protocols/mini.yaml:18 (pause point 1)" \
        in output, output


# 3. An unknown source suggests the nearest ids ---------------------------------------------------------

def test_an_unknown_source_suggests_the_nearest_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml",
                       "sources: [elerv]\n  - id: leave", "sources: [elrv]\n  - id: leave")
    assert "cites the source `elrv`, which is not in sources.yaml (in pause point 1, item 2, source 1)" in output
    assert "fix: did you mean `elerv`? Fix the spelling, or add a source with `id: elrv` to sources.yaml" in output


def test_a_source_like_no_other_lists_the_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml",
                       "sources: [elerv]\n  - id: leave", "sources: [zzzz-qqqq]\n  - id: leave")
    assert "fix: add a source with `id: zzzz-qqqq` to sources.yaml, or use one of its ids: " in output
    assert "elerv" in output.split("zzzz-qqqq` to sources.yaml")[1]


# 4. YAML syntax errors in plain words ------------------------------------------------------------------

SYNTAX = [
    ("a colon in text", "id: a\nscript: Note: call us\n", 2, "a colon (`:`) where YAML does not expect one",
     "put the whole value in double quotes"),
    ("no colon", "id: a\ntitle Scene safe\nsummary: b\n", 3, "line 2 has a field name with no colon after it",
     "write a colon and a space after the field name on line 2"),
    ("a reserved first character", "id: a\ntitle: `quoted`\n", 2,
     "this line has a character that YAML keeps for itself",
     "put the whole value in double quotes"),
    ("an indent out of line", "id: a\nitems:\n  - a\n - b\n", 4, "this line does not line up with the lines above",
     "indent this line with exactly as many spaces"),
    ("text after a closing quote", 'id: a\ntitle: "Scene" safe\n', 2, "this line does not line up",
     "put the whole value inside the quotes"),
    ("a star", "id: a\ntitle: *note*\n", 2, "a value starts with `*`", "take out the `*`"),
    ("an open list", "id: a\nneeds: [safety, voice\ntitle: b\n", 3, "the list opened with `[` on line 2 has no "
     "closing `]`", "end the list with `]` on line 2"),
    ("an open quote", 'id: a\ntitle: "Scene\nsummary: b\n', 4, "a quote opened on line 2 is never closed",
     "add the closing quote at the end of the value on line 2"),
    ("a backslash", 'id: a\ntitle: "C:\\q"\n', 2, "a backslash", "write the value in single quotes"),
    ("a tab", "id: a\n\ttitle: b\n", 2, "found a tab character", "type spaces instead"),
]


@pytest.mark.parametrize(("text", "line", "what", "fix"), [case[1:] for case in SYNTAX],
                         ids=[case[0] for case in SYNTAX])
def test_a_yaml_syntax_error_says_what_to_look_for(text: str, line: int, what: str, fix: str) -> None:
    doc, problems = parse_yaml(text.encode(), Path("f.yaml"))
    assert doc is None and len(problems) == 1
    problem = problems[0]
    assert problem.line == line, problem
    assert problem.message.startswith(f"YAML syntax error: {what}"), problem
    assert fix in problem.fix, problem


@pytest.mark.parametrize(("text", "line", "what", "fix"), [case[1:] for case in SYNTAX],
                         ids=[case[0] for case in SYNTAX])
def test_the_pure_python_parser_gets_the_same_plain_words(text: str, line: int, what: str, fix: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the parser words its errors differently; the trainer reads the same sentence."""
    from protocols.library import yamlsource

    def pure_compose_all(stream: str, Loader: object = None) -> object:
        return _pure_compose_all(stream, Loader=yaml.SafeLoader)

    monkeypatch.setattr(yamlsource.yaml, "compose_all", pure_compose_all)
    _, problems = parse_yaml(text.encode(), Path("f.yaml"))
    assert problems[0].message.startswith(f"YAML syntax error: {what}"), problems[0]
    assert fix in problems[0].fix


_pure_compose_all = yaml.compose_all


# 6. The fix line is never filler -------------------------------------------------------------------------

FILLER = ("as the message says", "correct the value", "fix the error", "fix the id")


def test_no_fix_in_the_library_is_filler() -> None:
    library = Path(validation.__file__).parent
    for source in [*library.glob("*.py"), *MODELS.glob("*.py")]:
        text = source.read_text(encoding="utf-8")
        for filler in FILLER:
            assert filler not in text, f"{source.name} has the filler fix {filler!r}"


def _model_error_messages() -> list[str]:
    """The start of the text of each ``raise ValueError(...)`` in the models."""
    starts = []
    for source in MODELS.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and getattr(node.exc.func, "id", "") == "ValueError" and node.exc.args):
                first = node.exc.args[0]
                part = first.values[0] if isinstance(first, ast.JoinedStr) else first
                if isinstance(part, ast.Constant):
                    starts.append(str(part.value))
    return starts


def test_every_model_error_has_its_own_fix() -> None:
    messages = _model_error_messages()
    assert len(messages) >= 10, messages
    for message in messages:
        assert validation.value_error_fix(message) is not None, f"no fix is written for {message!r}"


def test_a_model_rule_gets_its_specific_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml", "{type: time}", "{type: time, min: 3}")
    assert "`min` and `max` only apply to `type: number` (in pause point 1, item 2)" in output, output
    assert "fix: delete `min` and `max`, or change `type:` to `number`" in output


def test_a_wrong_value_names_the_values_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _validate(tmp_path, monkeypatch, "protocols/mini.yaml", "audience: officer", "audience: officr")
    assert "mini.audience: `officr` is not one of the values allowed here" in output
    assert re.search(r"fix: write one of: 'officer', 'supervisor' or 'victim'", output), output


# 5. The reading-level error names the hardest sentence and its longest words ---------------------------

HARD = ("Notwithstanding any contrary statutory interpretation, constitutional provisions enumerated "
        "hereinafter establish comprehensive entitlements encompassing notification and restitution.")


def test_a_hard_text_names_its_hardest_sentence_and_longest_words(tmp_path: Path) -> None:
    from protocols.library.loader import load_library
    from protocols.trainer.readability import problems

    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    protocol = content / "protocols" / "mini.yaml"
    text = protocol.read_text(encoding="utf-8")
    protocol.write_text(text.replace("prompt: What time did you arrive?",
                                     f"prompt: What time did you arrive? {HARD} Write it down."), encoding="utf-8")
    found = [str(problem) for problem in problems(load_library(content), book=tmp_path)]
    single = next(line for line in found if ".pause_points[0].items[1].prompt:" in line)
    assert "the hardest sentence is “Notwithstanding any contrary statutory" in single, single
    assert "its longest words: “interpretation” (5 syllables), “constitutional” (5)" in single, single
    assert "(in pause point 1, item 2)" in single
    assert "fix: split that sentence into short ones and swap its long words for everyday words" in single
    passage = next(line for line in found if "mini (prompt texts)" in line)
    assert "mini.yaml:30: " in passage, "a passage is reported at its hardest sentence's line"
    assert "(in mini.pause_points[0].items[1].prompt)" in passage, passage


# 8. The readability table explains its columns -----------------------------------------------------------

def test_the_readability_table_explains_each_column() -> None:
    result = runner.invoke(app, ["readability", "--content", str(MINIMAL)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    legend = lines[lines.index("What the columns mean:") + 1:]
    explained = {line.split()[0] for line in legend if line.startswith("  ")}
    assert {"passage", "reader", "words", "F-K", "C-L", "D-C", "result"} == explained
    assert set(lines[0].split()) == explained, "the legend explains the header's columns"
    assert any("Flesch-Kincaid grade: the school grade a reader needs" in line for line in legend)


# 7. handbook schema --show KIND prints the fields in words ---------------------------------------------

def test_schema_show_prints_each_field_its_meaning_need_and_values(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from protocols.models import Item, Protocol

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["schema", "--show", "protocol"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("protocols: A checklist protocol")
    assert "  id: required; an id: lower-case letters and digits joined by single hyphens, e.g. `scene-response`" \
        in lines
    assert "  critical: optional (default: false); `true` or `false`" in lines
    repeats = lines.index("  repeats: optional; an id: lower-case letters and digits joined by single hyphens, "
                          "e.g. `scene-response`")
    assert lines[repeats + 1].strip() == "The id of an earlier critical item this one re-checks at a later pause point."
    assert "      allowed values: safety, support, information, access, continuity, voice, justice" in lines
    assert "Each entry of `pause_points.items` has these fields (One checklist item: a prompt that records a " \
           "value.):" in lines
    shown = {line.split(":")[0].strip() for line in lines if re.match(r"^  [a-z_0-9]+: ", line)}
    assert set(Item.model_fields) | (set(Protocol.model_fields) - {"adapted"}) <= shown
    assert "adapted" not in shown, "a field no content file may hold is not shown"
    assert not list(tmp_path.iterdir()), "--show writes no files"


@pytest.mark.parametrize("kind", ["protocols", "instrument", "rights", "confidentiality", "resources", "needs",
                                  "follow-up", "scenario", "sources", "safety-rules", "agency"])
def test_every_field_of_every_kind_says_what_it_means(kind: str) -> None:
    result = runner.invoke(app, ["schema", "--show", kind])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    fields = [index for index, line in enumerate(lines) if re.match(r"^  [a-z_0-9]+: (required|optional)", line)]
    assert fields
    for index in fields:
        assert lines[index + 1].startswith("      ") and len(lines[index + 1].split()) >= 3, \
            f"{kind}: `{lines[index].strip()}` has no meaning"


def test_schema_show_an_unknown_kind_lists_the_kinds() -> None:
    result = runner.invoke(app, ["schema", "--show", "checklistz"])
    assert result.exit_code == 2
    assert "there is no kind of file called `checklistz`; use one of: sources, protocols, instruments" \
        in result.output


def test_an_agency_change_that_breaks_a_model_rule_gets_its_specific_fix(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MINIMAL, tmp_path / "content")
    shutil.copytree(MINIMAL.parent / "minimal-agency", tmp_path / "agency")
    change = tmp_path / "agency" / "overlay" / "changes" / "mini.yaml"
    extra = "".join(
        f"  - pause_point: scene-safe\n    after: arrival-time\n    item:\n      id: extra-{n}\n"
        f"      prompt: Extra {n}?\n      value: {{type: yes-no}}\n      rationale: More.\n"
        f"      needs: [information]\n      sources: [elerv]\n" for n in range(7))
    text = change.read_text(encoding="utf-8")
    change.write_text(text.replace("replace_scripts:", extra + "replace_scripts:"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--content", "content", "--agency", "agency/agency.yaml"])
    assert result.exit_code == 1
    assert "pause point `scene-safe` has 10 items" in result.output, result.output
    assert "fix: move some items into a new pause point, or delete items that are not critical" in result.output
