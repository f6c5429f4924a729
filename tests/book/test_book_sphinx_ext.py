"""protocols.book.extension on tiny Sphinx projects, built in process: clear errors, never a traceback.

Each project is a folder ``roots/test-NAME`` built with Sphinx's own test fixtures
(``sphinx.testing``). ``-W -n --keep-going`` becomes ``warningiserror``, ``nitpicky`` and
``keep_going``; the content is the small fixture library (``handbook_content``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from protocols import settings

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "content"
EXPECTED = HERE / "doctrees"
STRICT: dict[str, Any] = {"warningiserror": True, "keep_going": True}
"""``-W --keep-going``: every warning is counted and fails the build at the end."""


@pytest.fixture(autouse=True)
def _only_the_config_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the project's config decides the content and agency: no inherited setting.

    The build also sets the content setting for notebook kernels; this undoes it afterwards.
    """
    for variable in settings.VARIABLES:
        monkeypatch.delenv(variable.name, raising=False)


def check_doctree(app: Any, docname: str, expected: Path) -> None:
    """The page's doctree as read (before links are resolved) matches the saved one.

    A missing file is written and the test fails once: read the new file, then commit it.
    To accept a change on purpose, delete the file and run the test again.
    """
    doctree = app.env.get_doctree(docname)
    doctree["source"] = docname  # the build folder changes from run to run
    text = doctree.pformat().replace(str(app.srcdir), "<srcdir>")
    if not expected.is_file():
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(text, encoding="utf-8")
        pytest.fail(f"wrote {expected.relative_to(HERE)}; check it and commit it")
    assert text == expected.read_text(encoding="utf-8")


@pytest.mark.sphinx("html", testroot="directives", confoverrides={"handbook_content": str(FIXTURE),
                                                                   "nitpicky": True}, **STRICT)
def test_directives_render_by_id(app: Any) -> None:
    app.build()
    assert app.statuscode == 0, app.warning.getvalue()
    assert app.warning.getvalue() == ""
    check_doctree(app, "index", EXPECTED / "directives-index.xml")
    out = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'id="protocol-scene-response"' in out
    assert 'id="card-screen-in-response"' in out
    # The protocol's card link resolves to the card on the same page.
    assert 'href="#card-scene-response"' in out
    assert 'href="voila/render/scene-response.ipynb"' in out
    assert (app.outdir / "_static" / "handbook.css").is_file()


@pytest.mark.sphinx("html", testroot="unknown-id", confoverrides={"handbook_content": str(FIXTURE),
                                                                   "nitpicky": True}, **STRICT)
def test_an_unknown_id_names_the_directive_page_line_and_known_ids(app: Any) -> None:
    app.build()
    warnings = app.warning.getvalue()
    assert app.statuscode != 0
    assert ("index.md:5: WARNING: {protocol} on page 'index', line 5: there is no protocol "
            "'scene-respnse'. Known protocol ids: scene-response, screen-in-response"
            in warnings)
    assert "Traceback" not in warnings


@pytest.mark.sphinx("html", testroot="unknown-kinds", confoverrides={"handbook_content": str(FIXTURE)})
def test_each_kind_of_directive_reports_unknown_ids(app: Any) -> None:
    kinds = ["pocket-card", "screening-instrument", "rights-notice", "confidentiality-guide",
             "resource-directory", "needs-catalogue", "follow-up-template", "scenario"]
    app.build()
    warnings = app.warning.getvalue()
    for kind in kinds:
        assert f"{{{kind}}} on page 'index'" in warnings, kind
    assert "Traceback" not in warnings


def test_bad_content_is_one_error_per_problem_and_fails_the_build(
        make_app: Any, rootdir: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    protocol = content / "protocols" / "scene-response.yaml"
    text = protocol.read_text(encoding="utf-8")
    protocol.write_text(text.replace('version: "1.2"\nrevised', 'version: "one"\nrevised', 1)
                        .replace("kind: DO-CONFIRM", "kind: DO-IT"), encoding="utf-8")
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-bad-content", srcdir)
    app = make_app("html", srcdir=srcdir, confoverrides={"handbook_content": str(content)})
    app.build()
    warnings = app.warning.getvalue()
    assert app.statuscode != 0  # fails even without -W
    errors = [line for line in warnings.splitlines() if "ERROR" in line]
    assert len([e for e in errors if "scene-response.yaml:" in e]) == 2, warnings
    assert any("the protocol content has 2 problems" in e for e in errors)
    assert "Traceback" not in warnings
    assert "{protocol} on page" not in warnings  # no knock-on noise


@pytest.mark.parametrize("level", ["2", "4"])
@pytest.mark.sphinx("html", testroot="heading-level", confoverrides={"handbook_content": str(FIXTURE)},
                    freshenv=True, **STRICT)
def test_heading_level_option(app: Any, level: str) -> None:
    """One project holds a page per level; each test builds it afresh (every page read again)."""
    app.build()
    assert app.statuscode == 0, app.warning.getvalue()
    assert app.warning.getvalue() == ""
    out = (app.outdir / f"level-{level}.html").read_text(encoding="utf-8")
    assert f'<h{level} class="hc-title">Make the scene safe' in out
