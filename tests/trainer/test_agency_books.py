"""Both example agencies' handbooks, built side by side: each shows its own agency, and only it.

The two builds run at the same time (``handbook build --agency … --output …``) into a
temporary folder, once for this module. The knowledge-check browser test runs on the
Sample County build.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from protocols.library.loader import load_library

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "book"))
from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, read_page, resolve, serve  # noqa: E402

from browser import require_chromium  # noqa: E402
from buildlog import build_problems  # noqa: E402

pytestmark = [pytest.mark.slow]

HANDBOOK = Path(sys.executable).with_name("handbook")
AGENCIES = {"sample-county": ROOT / "agencies" / "sample-county" / "agency.yaml",
            "river-city": ROOT / "agencies" / "river-city" / "agency.yaml"}
PROTOCOL_CHAPTERS = {
    "book/arrive/scene-safety": ["scene-response", "death-notification"],
    "book/assess/screening": ["screen-in-response"],
    "book/follow-up/check-ins": ["follow-up-check-in"],
    "book/follow-up/monitoring": ["supervisor-review"],
    "book/referral/referrals": ["referral-handoff"],
    "book/rights/victims-rights": ["rights-notification"],
    "book/techniques/active-listening": ["active-listening"],
    "book/techniques/de-escalation": ["de-escalation"],
    "book/techniques/trauma-informed-interviewing": ["trauma-informed-interview"],
}


@dataclass
class Built:
    agency: str
    html: Path
    returncode: int
    log: str

    def page(self, name: str) -> str:
        return (self.html / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Built]]:
    if not HANDBOOK.exists():
        pytest.skip("the handbook command is not installed in this environment")
    base = tmp_path_factory.mktemp("agencies")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("HANDBOOK_AGENCY", None)
    env.pop("HANDBOOK_CONTENT", None)
    running = {}
    for agency, profile in AGENCIES.items():
        command = [str(HANDBOOK), "build", "--agency", str(profile), "--output", str(base / agency / "html")]
        if agency == "river-city":
            command.append("--zip")
        running[agency] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True)
    started = time.monotonic()
    built = {}
    for agency, process in running.items():
        log, _ = process.communicate(timeout=600)
        built[agency] = Built(agency, base / agency / "html", process.returncode, log)
    print(f"both agency books built in {time.monotonic() - started:.1f} s")
    yield built


def test_both_build_with_zero_warnings_into_their_own_folders(books: dict[str, Built]) -> None:
    for book in books.values():
        assert book.returncode == 0, book.log[-4000:]
        assert build_problems(book.log) == [], "\n\n".join(build_problems(book.log))
        assert (book.html / "index.html").is_file()
    assert books["sample-county"].html != books["river-city"].html


def test_each_shows_its_own_name_and_numbers_only(books: dict[str, Built]) -> None:
    expected = {"sample-county": ("Sample County Sheriff&#x27;s Office", "Sample County", "555-0100", "555-0142"),
                "river-city": ("River City Police Department", "River City PD", "555-0177", "555-0188")}
    for agency, book in books.items():
        name, short, hotline, on_call = expected[agency]
        other = expected["river-city" if agency == "sample-county" else "sample-county"]
        home = book.page("book/index")
        assert f"Set up for <strong>{name}</strong>" in home
        assert re.search(rf"<title>[^<]*· {re.escape(short)}</title>", home)
        assert f"logo__title\">Crisis Intervention Field Handbook · {short}<" in home
        for page in ("book/index", "book/reference/cards", "book/before-you-leave"):
            text = book.page(page)
            assert f'href="tel:{hotline.replace("-", "")}">{hotline}</a>' in text, page
            assert on_call in text, page
            assert other[2] not in text and other[3] not in text, f"{agency} {page} shows the other agency"


def test_river_citys_changes_show_only_in_its_book(books: dict[str, Built]) -> None:
    river = load_library(agency=AGENCIES["river-city"])
    camera = river.protocol("scene-response").item("camera-notice-given")
    script = river.protocol("scene-response").item("contact-details-left").script or ""
    rc, sc = books["river-city"], books["sample-county"]
    assert 'id="scene-response-camera-notice-given"' in rc.page("book/arrive/scene-safety")
    assert html.escape(camera.prompt, quote=True) in rc.page("book/reference/cards")
    assert html.escape(script, quote=True) in rc.page("book/arrive/scene-safety")
    assert "camera-notice-given" not in sc.page("book/arrive/scene-safety")
    assert "camera-notice-given" not in sc.page("book/reference/cards")
    # Its own checklist is on the cards page, marked as added by the agency.
    cards = rc.page("book/reference/cards")
    card = cards[cards.index('id="card-river-city-welfare-check"'):]
    assert "Added by River City PD" in card[:card.index("</article>")]
    assert "river-city-welfare-check" not in sc.page("book/reference/cards")
    # Its directory replaces the sample one.
    assert 'id="directory-river-city-directory"' in rc.page("book/referral/referrals")
    assert 'id="directory-sample-directory"' in sc.page("book/referral/referrals")
    assert "directory-sample-directory" not in rc.page("book/referral/referrals")


def test_only_the_rights_notices_each_agency_gives(books: dict[str, Built]) -> None:
    sc = books["sample-county"].page("book/rights/victims-rights")
    rc = books["river-city"].page("book/rights/victims-rights")
    for notice in ("us-federal-cvra-en", "ca-marsy-en", "ca-marsy-es", "ca-sexual-assault-en"):
        assert f'id="rights-{notice}"' in sc
    assert "is not used by" not in sc
    assert 'lang="es"' in sc and "Ley de Marsy" in sc
    assert 'id="rights-us-federal-cvra-en"' in rc
    for notice in ("ca-marsy-en", "ca-marsy-es", "ca-sexual-assault-en"):
        assert f'id="rights-{notice}"' not in rc
    assert rc.count("is not used by River City PD") == 3
    assert "Also in" not in rc


def test_the_agency_change_is_in_the_visible_change_log(books: dict[str, Built]) -> None:
    rc = books["river-city"].page("book/arrive/scene-safety")
    latest = re.search(r'<p class="hc-latest-change">(.*?)</p>', rc)
    assert latest and "River City PD adaptation: 1 item(s) added, 1 script(s) replaced" in latest.group(1)
    change = yaml.safe_load((ROOT / "agencies" / "river-city" / "overlay" / "changes" / "scene-response.yaml")
                            .read_text(encoding="utf-8"))
    assert str(change["date"]) in latest.group(1) and "wear cameras" in html.unescape(latest.group(1))


def test_version_date_and_change_log_are_shown_for_every_protocol(books: dict[str, Built]) -> None:
    book = books["sample-county"]
    library = load_library(agency=AGENCIES["sample-county"])
    for chapter, ids in PROTOCOL_CHAPTERS.items():
        page = book.page(chapter)
        for protocol_id in ids:
            protocol = library.protocol(protocol_id)
            section = page[page.index(f'id="protocol-{protocol_id}"'):]
            section = section[:section.index("</details></section>")]  # ends with the change log
            assert f"Version <strong>{protocol.version}</strong>" in section
            assert f'<time datetime="{protocol.revised.isoformat()}">' in section
            newest = protocol.changelog[0]
            assert (f"Latest change</span> (version {newest.version}, "
                    f'<time datetime="{newest.date.isoformat()}">') in section
            for entry in protocol.changelog:
                row = (f"<tr><td>{html.escape(entry.version)}</td><td><time datetime=\"{entry.date.isoformat()}\">"
                       f"{entry.date.isoformat()}</time></td><td>{html.escape(entry.change, quote=True)}</td>"
                       f"<td>{html.escape(entry.why, quote=True)}</td></tr>")
                assert row in section, f"{protocol_id} {entry.version}"


def test_every_protocol_chapter_ends_with_a_knowledge_check(books: dict[str, Built]) -> None:
    for book in books.values():
        for chapter, ids in PROTOCOL_CHAPTERS.items():
            page = book.page(chapter)
            assert 'id="check-what-you-know"' in page, chapter
            for protocol_id in ids:
                assert f'id="knowledge-check-{protocol_id}"' in page, chapter
            assert page.index("check-what-you-know") < page.index('id="sources"'), chapter


def test_internal_links_resolve_in_both_books(books: dict[str, Built]) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}
    for book in books.values():
        for page in book.html.rglob("*.html"):
            if "_static" in page.parts:
                continue
            for href in read_page(page).links:
                target = resolve(book.html, page, href)
                if target is None or book.html / "voila" in target[0].parents:
                    continue
                path, fragment = target
                if not path.is_file():
                    broken.append(f"{book.agency} {page.relative_to(book.html)} -> {href}")
                    continue
                if fragment and path.suffix == ".html" and path not in ids:
                    ids[path] = read_page(path).ids
                if fragment and path.suffix == ".html" and fragment not in ids[path]:
                    broken.append(f"{book.agency} {page.relative_to(book.html)} -> {href} (no anchor)")
    assert broken == []


def test_river_citys_logo_is_drawn_from_its_own_site_and_the_sample_agency_has_none(
        books: dict[str, Built]) -> None:
    rc, sc = books["river-city"], books["sample-county"]
    logo = ROOT / "agencies" / "river-city" / "logo.svg"
    assert (rc.html / "_static" / "agency-logo.svg").read_bytes() == logo.read_bytes()
    alt = 'alt="River City Police Department logo"'
    for page, prefix in (("book/index", "../"), ("book/arrive/scene-safety", "../../"),
                         ("book/reference/cards", "../../")):
        text = rc.page(page)
        sidebar = re.findall(r'<img src="([^"]+)" class="logo__image only-light" alt="([^"]+)"', text)
        assert sidebar == [(f"{prefix}_static/agency-logo.svg", "River City Police Department logo")], page
    cards = rc.page("book/reference/cards")
    assert cards.count(f'<img class="hc-card-logo" src="../../_static/agency-logo.svg" {alt}') == \
        cards.count('<article class="hc-card"') > 10
    for page in sc.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "agency-logo" not in text and "logo__image" not in text and "hc-card-logo" not in text, page
    assert not list((sc.html / "_static").glob("agency-logo*"))


def test_the_zip_holds_the_whole_site_in_one_folder(books: dict[str, Built]) -> None:
    book = books["river-city"]
    archive = book.html.parent / f"handbook-river-city-{dt.date.today().isoformat()}.zip"
    assert archive.is_file(), book.log[-2000:]
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
    top = f"handbook-river-city-{dt.date.today().isoformat()}/"
    assert all(n.startswith(top) for n in names)
    assert {f"{top}index.html", f"{top}book/index.html", f"{top}_static/handbook.js",
            f"{top}_static/agency-logo.svg"} <= set(names)
    files = [p for p in book.html.rglob("*") if p.is_file() and p.name != ".buildinfo"]
    assert len(names) == len(files)


@pytest.mark.browser
def test_a_knowledge_check_works_in_the_browser_with_the_keyboard(books: dict[str, Built]) -> None:
    require_chromium()
    import playwright.sync_api as sync_api
    book = books["sample-county"]
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/book/arrive/scene-safety.html", wait_until="load")
            form = page.locator("#kc-scene-response-1")
            assert form.locator(".hc-kc-check").is_visible(), "the check button is shown by handbook.js"
            assert form.locator(".hc-kc-answer").is_hidden(), "the no-script answer box is put away"
            answer = form.get_attribute("data-answer")
            feedback = form.locator(".hc-kc-feedback")
            assert feedback.get_attribute("aria-live") == "polite"

            # Nothing picked: a hint, not an error.
            form.locator(".hc-kc-check").focus()
            page.keyboard.press("Enter")
            page.wait_for_function("el => el.textContent.length > 0", arg=feedback.element_handle())
            assert feedback.inner_text() == "Pick an answer first."

            # Keyboard only: focus the first option, arrow to a wrong one, Enter submits the form.
            radios = form.locator("input[type=radio]")
            values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
            wrong = next(v for v in values if v != answer)
            radios.first.focus()
            page.keyboard.press("Space")
            for _ in range(values.index(wrong)):
                page.keyboard.press("ArrowDown")
            assert form.locator("input:checked").get_attribute("value") == wrong
            page.keyboard.press("Enter")
            page.wait_for_function("el => el.textContent.startsWith('Not quite')",
                                   arg=feedback.element_handle())
            right_label = form.locator(f"label[for='kc-scene-response-1-{answer}']").inner_text()
            assert right_label.strip() in feedback.inner_text()
            assert form.locator(".hc-kc-is-wrong .hc-kc-mark").inner_text() == "Your answer"

            for _ in range(abs(values.index(answer) - values.index(wrong))):
                page.keyboard.press("ArrowDown" if values.index(answer) > values.index(wrong) else "ArrowUp")
            assert form.locator("input:checked").get_attribute("value") == answer
            page.keyboard.press("Enter")
            page.wait_for_function("el => el.textContent.startsWith('Right.')", arg=feedback.element_handle())
            assert form.locator(".hc-kc-is-wrong").count() == 0
            assert form.locator(".hc-kc-is-right .hc-kc-mark").inner_text() == "Right answer"
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
            assert errors == []
        finally:
            browser.close()
