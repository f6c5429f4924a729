"""A new checklist, usable everywhere: the steps `handbook new protocol` prints, followed to the letter.

In a copy of the project: `handbook new protocol my-check`, validate, paste the printed block into
a new chapter page, list the page in `_toc.yml` and name it in `chapter:` (as the trainers' chapter
"Put a checklist in a chapter" says), build. The chapter and the cards page show the checklist.
Then `handbook serve` on loopback, the printed job-aid link in Chromium: the first item is answered
and saved under the checklist's id, and `handbook runs --aid my-check` lists the run.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml
from preview_run import HANDBOOK, project_copy
from typer.testing import CliRunner

from bookbuild import seed_execution_cache
from browser import CHROMIUM_ARGS, CHROMIUM_PATH, require_chromium
from protocols import settings
from protocols.cli.app import app
from protocols.trainer.authoring import chapter_block
from served import handbook_serve

ROOT = Path(__file__).resolve().parents[2]

NAME = "my-check"
PAGE = "book/techniques/my-check"
CHAPTER_DOC = ROOT / "book" / "maintaining" / "editing.md"
runner = CliRunner()


def printed_steps(content: Path) -> tuple[list[str], str]:
    """`handbook new protocol my-check`: the block it says to paste, and the job-aid link it gives."""
    done = runner.invoke(app, ["new", "protocol", NAME, "--content", str(content)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    block = [line.strip() for line in lines if line.startswith("       ```")]
    links = re.findall(r"http://127\.0\.0\.1:\d+/(\S+)", done.output)
    assert block and len(links) == 1, done.output
    assert f"handbook validate --content {content}" in done.output
    assert "Pocket cards" in done.output and "_toc.yml" in done.output
    return block, links[0]


def test_the_printed_block_is_the_one_the_chapter_documents(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "protocols").mkdir(parents=True)
    block, link = printed_steps(content)
    assert block == chapter_block(NAME).splitlines() == [f"```{{protocol}} {NAME}", "```"]
    assert link == f"voila/render/checklist.ipynb?protocol={NAME}"
    doc = CHAPTER_DOC.read_text(encoding="utf-8")
    section = doc[doc.index("## Put a checklist in a chapter"):]
    assert "````markdown\n```{protocol} welfare-check\n```\n````" in section
    assert "      - file: book/techniques/welfare-check\n" in section
    assert "chapter: book/techniques/welfare-check\n" in section
    assert "checklist.ipynb?protocol=welfare-check" in section


def follow_the_chapter(root: Path, block: list[str]) -> None:
    """Step 1 to 3 of "Put a checklist in a chapter": a new page with the block, its toc line, `chapter:`."""
    page = root / f"{PAGE}.md"
    page.write_text("# My check\n\nUse this list on a welfare check.\n\n" + "\n".join(block) + "\n",
                    encoding="utf-8")
    toc_file = root / "_toc.yml"
    toc = toc_file.read_text(encoding="utf-8")
    last = "      - file: book/techniques/trauma-informed-interviewing\n"
    assert last in toc
    toc_file.write_text(toc.replace(last, last + f"      - file: {PAGE}\n"), encoding="utf-8")
    assert PAGE in [c["file"] for part in yaml.safe_load(toc_file.read_text())["parts"] for c in part["chapters"]]
    checklist = root / "content" / "protocols" / f"{NAME}.yaml"
    text = checklist.read_text(encoding="utf-8")
    assert "# chapter: " in text
    checklist.write_text(re.sub(r"^# chapter: .*$", f"chapter: {PAGE}", text, count=1, flags=re.M),
                         encoding="utf-8")


def build(root: Path) -> Path:
    """`handbook build ROOT --content ROOT/content` (warnings are errors); the site's folder."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for variable in (settings.AGENCY, settings.CONTENT, settings.DEBUG):
        env.pop(variable.name, None)
    done = subprocess.run([str(HANDBOOK), "build", str(root), "--content", str(root / "content")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return root / "_build" / "html"


@pytest.mark.slow
@pytest.mark.browser
def test_a_new_checklist_reaches_the_chapter_the_cards_and_a_job_aid(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    require_chromium()
    root = project_copy(tmp_path)
    seed_execution_cache(tmp_path_factory, root / "_build" / "html")
    content = root / "content"
    block, link = printed_steps(content)
    checked = runner.invoke(app, ["validate", "--content", str(content)])
    assert checked.exit_code == 0, checked.output

    follow_the_chapter(root, block)
    checked = runner.invoke(app, ["validate", "--content", str(content)])
    assert checked.exit_code == 0 and NAME not in checked.output.split("OK:", 1)[1], checked.output

    site = build(root)
    chapter = (site / f"{PAGE}.html").read_text(encoding="utf-8")
    assert f'id="protocol-{NAME}"' in chapter and "Is the victim safe from harm right now?" in chapter
    cards = (site / "book" / "reference" / "cards.html").read_text(encoding="utf-8")
    card = cards[cards.index(f'id="card-{NAME}"'):]
    card = card[:card.index("</article>")]
    assert f'href="../techniques/{NAME}.html#protocol-{NAME}"' in card, "the card links to its chapter"

    monkeypatch.setenv(settings.CONTENT.name, str(content))
    monkeypatch.delenv(settings.AGENCY.name, raising=False)
    with handbook_serve(tmp_path, "--book", str(site), "--no-preheat") as served:
        answer_the_first_item(f"{served.base}/{link}", f"/{PAGE}.html")
        database = served.database_url
    with sqlite3.connect(tmp_path / "records.sqlite3") as db:
        assert db.execute("SELECT aid, case_number FROM runs").fetchall() == [(NAME, "26-NEW-1")]
    listed = runner.invoke(app, ["runs", "--aid", NAME, "--database", database])
    assert listed.exit_code == 0 and "26-NEW-1" in listed.output, listed.output


def answer_the_first_item(url: str, chapter_path: str) -> None:
    """Open the job-aid link, start a case, answer the first item; it says saved, and the
    "Read the chapter" link leads to the chapter page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 667}, is_mobile=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            field = page.get_by_label("Case or incident number")
            field.wait_for(timeout=60_000)
            chapter = page.get_by_role("link", name="Read the chapter")
            assert chapter.get_attribute("href") == chapter_path
            field.fill("26-NEW-1")
            field.press("Enter")
            first = page.locator(".hb-checklist li.hb-item").first
            first.wait_for(timeout=30_000)
            first.locator(".hb-option[data-value=yes]").click()
            status = first.locator(".hb-status")
            page.wait_for_function("el => el.textContent.includes('saved')", arg=status.element_handle())
            assert errors == []
            chapter.click()
            page.wait_for_selector(f"#protocol-{NAME}", timeout=30_000)
        finally:
            browser.close()
