"""The landing page, and every job-aid notebook: one code cell calling one function, and it builds."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest

from protocols.library.loader import Library
from protocols.records import Store
from protocols.render.labels import JOB_AIDS
from protocols.ui.index_aid import available_aids, index_html, job_aid_index

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
BUILT = ["scene-response", "needs-and-referrals", "screening", "rights-notification", "confidentiality",
         "follow-up", "scenario-player"]


def test_the_landing_page_lists_every_job_aid_with_its_link() -> None:
    html = index_html(JOB_AIDS.values(), available_aids(WIDGETS))
    for name in BUILT:
        assert f'href="/voila/render/{name}.ipynb"' in html
        assert JOB_AIDS[name].summary.replace("'", "&#x27;") in html
    assert 'href="/"' in html
    assert html.count("<li id=\"aid-") == len(JOB_AIDS)


def test_an_aid_without_a_notebook_is_listed_without_a_link() -> None:
    html = index_html(JOB_AIDS.values(), {"screening"})
    assert 'href="/voila/render/screening.ipynb"' in html
    assert 'href="/voila/render/follow-up.ipynb"' not in html
    assert "Not installed on this server yet." in html


def test_the_landing_page_builds(tmp_path: Path) -> None:
    (tmp_path / "screening.ipynb").write_text("{}", encoding="utf-8")
    page = job_aid_index(tmp_path)
    assert isinstance(page, widgets.VBox) and "hb-aid" in page._dom_classes


NOTEBOOKS = sorted(WIDGETS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_is_one_code_cell_storing_only_the_text_nbval_checks(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata, "saved widget state: store only the checked text"
    (cell,) = nb.cells
    assert cell.cell_type == "code" and cell.execution_count == 1
    assert "nbval-check-output" in cell.metadata.get("tags", [])
    assert [set(output.get("data", {})) for output in cell.outputs] == [{"text/plain"}]
    calls = [line for line in cell.source.splitlines() if line and not line.startswith("from ")]
    assert len(calls) == 1 and calls[0].endswith(")")


def test_every_built_aid_and_the_index_have_a_notebook() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {*BUILT, "index"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_builds_its_aid_without_a_kernel(path: Path, store: Store, library: Library,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HANDBOOK_DATABASE_URL", f"sqlite:///{tmp_path}/nb.sqlite3")
    monkeypatch.chdir(WIDGETS)
    source = nbformat.read(path, as_version=4).cells[0].source
    *imports, call = [line for line in source.splitlines() if line]
    scope: dict[str, object] = {}
    exec("\n".join(imports), scope)
    aid = eval(call, scope)
    assert isinstance(aid, widgets.VBox) and "hb-aid" in aid._dom_classes
