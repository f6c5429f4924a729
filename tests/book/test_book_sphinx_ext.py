"""protocols.book.extension on a tiny Sphinx project: clear errors, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "content"

CONF = """
extensions = ["myst_parser", "protocols.book.extension"]
html_theme = "basic"
handbook_vendor = False
handbook_content = {content!r}
myst_enable_extensions = ["colon_fence"]
"""


def build(tmp_path: Path, page: str, content: Path = FIXTURE, *warn_flags: str
          ) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(CONF.format(content=str(content)), encoding="utf-8")
    (src / "index.md").write_text(page, encoding="utf-8")
    # Only the conf.py decides the content and agency: no inherited HANDBOOK_* setting.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDBOOK_")}
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", *warn_flags, str(src),
         str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False, env=env)


def test_directives_render_by_id(tmp_path):
    page = "# Test\n\n```{protocol} scene-response\n```\n\n```{pocket-cards}\n```\n"
    done = build(tmp_path, page, FIXTURE, "-W", "-n", "--keep-going")
    assert done.returncode == 0, done.stderr
    out = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'id="protocol-scene-response"' in out
    assert 'id="card-screen-in-response"' in out
    # The protocol's card link resolves to the card on the same page.
    assert 'href="#card-scene-response"' in out
    assert 'href="voila/render/scene-response.ipynb"' in out
    assert (tmp_path / "out" / "_static" / "handbook.css").is_file()


def test_an_unknown_id_names_the_directive_page_line_and_known_ids(tmp_path):
    page = "# Test\n\nSome text.\n\n```{protocol} scene-respnse\n```\n"
    done = build(tmp_path, page, FIXTURE, "-W", "-n", "--keep-going")
    assert done.returncode != 0
    assert ("index.md:5: WARNING: {protocol} on page 'index', line 5: there is no protocol "
            "'scene-respnse'. Known protocol ids: scene-response, screen-in-response"
            in done.stderr)
    assert "Traceback" not in done.stderr


def test_each_kind_of_directive_reports_unknown_ids(tmp_path):
    kinds = ["pocket-card", "screening-instrument", "rights-notice", "confidentiality-guide",
             "resource-directory", "needs-catalogue", "follow-up-template", "scenario"]
    page = "# Test\n\n" + "".join(f"```{{{kind}}} nope\n```\n\n" for kind in kinds)
    done = build(tmp_path, page)
    for kind in kinds:
        assert f"{{{kind}}} on page 'index'" in done.stderr, kind
    assert "Traceback" not in done.stderr


def test_bad_content_is_one_error_per_problem_and_fails_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    protocol = content / "protocols" / "scene-response.yaml"
    text = protocol.read_text(encoding="utf-8")
    protocol.write_text(text.replace('version: "1.2"\nrevised', 'version: "one"\nrevised', 1)
                        .replace("kind: DO-CONFIRM", "kind: DO-IT"), encoding="utf-8")
    done = build(tmp_path, "# Test\n\n```{protocol} scene-response\n```\n", content)
    assert done.returncode != 0  # fails even without -W
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len([e for e in errors if "scene-response.yaml:" in e]) == 2, done.stderr
    assert any("the protocol content has 2 problems" in e for e in errors)
    assert "Traceback" not in done.stderr
    assert "{protocol} on page" not in done.stderr  # no knock-on noise


@pytest.mark.parametrize("level", ["2", "4"])
def test_heading_level_option(tmp_path, level):
    page = f"# Test\n\n## Part\n\n```{{protocol}} scene-response\n:heading-level: {level}\n```\n"
    done = build(tmp_path, page, FIXTURE, "-W", "--keep-going")
    assert done.returncode == 0, done.stderr
    out = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f'<h{level} class="hc-title">Make the scene safe' in out
