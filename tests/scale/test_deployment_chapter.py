"""The agency IT chapter (book/maintaining/deployment.md) says what the handbook really does.

Its `handbook` commands are ones the command line accepts, the files it names exist, and the
messages it quotes are the ones the server and the store write.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from protocols.cli.app import app
from protocols.cli.serve import WAITING_FOR_MIGRATION
from protocols.records import migrations
from served import ROOT

PAGE = (ROOT / "book" / "maintaining" / "deployment.md").read_text(encoding="utf-8")


def _console_lines() -> list[str]:
    blocks = re.findall(r"^```console\n(.*?)^```$", PAGE, re.M | re.S)
    return [line.removeprefix("$ ") for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def _handbook_commands() -> list[list[str]]:
    found = []
    for line in _console_lines():
        words = shlex.split(line)
        while words and "=" in words[0] and not words[0].startswith("-"):  # VAR=value before the command
            words = words[1:]
        if words and words[0] == "handbook":
            found.append(words)
    return found


@pytest.mark.parametrize("command", _handbook_commands(), ids=lambda c: " ".join(c[:3]))
def test_each_handbook_command_is_accepted(command: list[str]) -> None:
    done = CliRunner().invoke(app, [*command[1:], "--help"])  # an unknown option fails
    assert done.exit_code == 0, done.output


def test_the_chapter_has_handbook_commands_for_each_set_up() -> None:
    joined = [" ".join(c) for c in _handbook_commands()]
    assert any("serve" in c and "--trusted-header" in c for c in joined)
    assert any(c.startswith("handbook build") for c in joined) and any(c == "handbook runs" for c in joined)


def test_the_files_it_names_exist() -> None:
    named = set(re.findall(r"`((?:deploy/[\w./-]+)|Containerfile)`", PAGE))
    assert {"Containerfile", "deploy/nginx/handbook.conf", "deploy/kubernetes/"} <= named
    for name in named:
        assert (ROOT / name).exists(), name


def test_the_messages_it_quotes_are_the_real_ones() -> None:
    waiting = re.search(r"`(note: another handbook server is upgrading[^`]*)`", PAGE)
    assert waiting and waiting.group(1) == WAITING_FOR_MIGRATION
    refused = re.search(r"`(another handbook server has been upgrading[^`]*)`", PAGE)
    assert refused
    assert refused.group(1) == (f"another handbook server has been upgrading this database's schema for over "
                                f"{migrations.LOCK_WAIT_SECONDS:g} seconds; this one did not start")
    with pytest.raises(migrations.SchemaError) as newer:
        migrations.pending(migrations.SCHEMA_VERSION + 1)
    assert "this database was written by a newer handbook" in str(newer.value)
    assert "`this database was written by a newer handbook`" in PAGE
    shown = re.search(r"^(\{\"ready\".*\})$", PAGE, re.M)
    assert shown and json.loads(shown.group(1)) == {"ready": True, "problems": []}
    assert shown.group(1) == json.dumps({"ready": True, "problems": []}), "the exact bytes /healthz sends"


def test_the_page_is_in_the_trainers_part_after_publishing() -> None:
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "      - file: book/maintaining/publishing\n      - file: book/maintaining/deployment\n" in toc
    assert Path(ROOT / "book" / "maintaining" / "deployment.md").is_file()
