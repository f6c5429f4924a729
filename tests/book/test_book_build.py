"""The built handbook: zero warnings, nothing from another host, content rendered by id.

The test run's one build (``book`` in conftest.py) is read by every test here but the last,
which edits a content copy of its own build (``editable_book``) and builds it again.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from book_site import (
    BANNED_HOSTS,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    PageInfo,
    css_urls,
    is_external,
    read_page,
    resolve,
    serve,
)

from buildlog import build_problems
from protocols.library.loader import load_library
from protocols.render.labels import JOB_AIDS

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WIDGET_PAGES = {"book/arrive/scene-checklist.html", "book/assess/screen-in-checklist.html"}
RUNTIME_NAMES = ("require.js", "embed-amd.js", "widgets-config.js")
"""The ipywidgets HTML manager and its loader: no book page may load them."""


def toc_docnames() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict[str, object]]) -> None:
        for entry in entries:
            if "file" in entry:
                names.append(str(entry["file"]))
            for key in ("sections", "chapters"):
                if key in entry:
                    walk(entry[key])  # type: ignore[arg-type]

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return names


def pages(site: Path) -> list[Path]:
    """Every HTML page, without the root redirect (checked on its own)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts
                  and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")[:2000].lower())


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


# --------------------------------------------------------------------------- the build


def test_book_builds_with_zero_warnings(book):
    assert book.returncode == 0, book.log[-4000:]
    assert build_problems(book.log) == [], "\n\n".join(build_problems(book.log))


def test_site_root_redirects_to_the_start_page(book):
    text = (book.html / "index.html").read_text(encoding="utf-8")
    target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text, re.I)
    assert target is not None
    assert (book.html / target.group(1)).is_file()


def test_every_toc_page_is_built(book):
    missing = [name for name in toc_docnames() if not (book.html / f"{name}.html").is_file()]
    assert missing == []
    assert (book.html / "search.html").is_file()
    assert (book.html / "searchindex.js").is_file()


# --------------------------------------------------------------------------- offline


def test_no_page_loads_anything_from_another_host(book):
    offending = []
    for page in pages(book.html):
        for tag, url in read_page(page).assets:
            if is_external(url):
                offending.append(f"{rel(book.html, page)}: <{tag}> {url}")
    for sheet in book.html.rglob("*.css"):
        for url in css_urls(sheet.read_text(encoding="utf-8", errors="replace")):
            if is_external(url):
                offending.append(f"{rel(book.html, sheet)}: url({url})")
    assert offending == []


def test_no_cdn_host_is_named_anywhere(book):
    offending = []
    for path in book.html.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".svg") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            offending += [f"{rel(book.html, path)}: {host}" for host in BANNED_HOSTS
                          if host in text]
    assert offending == []


def test_no_maths_or_live_code_runtime_is_loaded(book):
    for page in pages(book.html):
        scripts = " ".join(read_page(page).scripts).lower()
        for name in ("mathjax", "thebe", "hypothes", "utteranc", "require.min.js"):
            assert name not in scripts, f"{rel(book.html, page)} loads {name}"


def test_checklists_are_drawn_without_a_widget_manager(book):
    """Only pages with a widget load the drawer; no page loads a widget manager or RequireJS."""
    with_widgets = set()
    with_drawer = set()
    for page in pages(book.html):
        name = rel(book.html, page)
        text = page.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-view+json" in text:
            with_widgets.add(name)
        scripts = [s.split("?")[0] for s in read_page(page).scripts]
        assert not [s for s in scripts if s.endswith(RUNTIME_NAMES)], f"{name}: {scripts}"
        if any(s.endswith("_static/widgets_static.js") for s in scripts):
            with_drawer.add(name)
            assert '<script type="module" src="' in text, f"{name}: the drawer is not a module"
            assert "IPY_MODEL_" not in text, f"{name}: a layout model was left in the state"
            head = text.split("</head>", 1)[0]
            for module in re.findall(r'"_esm":"([^"]+)"', text):
                assert f'<link rel="modulepreload" href="{module}">' in head, f"{name}: {module} not fetched early"
            for style in re.findall(r'"_css":"([^"]+)"', text):
                assert f'<link rel="preload" as="style" href="{style}">' in head, f"{name}: {style} not fetched early"
    assert with_widgets == WIDGET_PAGES
    assert with_drawer == WIDGET_PAGES
    assert not (book.html / "widgets").exists(), "a widget runtime folder is still published"
    modules = sorted((book.html / "_static" / "widgets").glob("*.js"))
    assert modules, "no checklist module under _static/widgets"
    for module in modules:
        assert "export default" in module.read_text(encoding="utf-8"), module.name


# --------------------------------------------------------------------------- content by id


def test_protocols_are_rendered_from_the_content(book):
    library = load_library(book.content)
    scene = (book.html / "book/arrive/scene-safety.html").read_text(encoding="utf-8")
    protocol = library.protocol("scene-response")
    assert f'id="protocol-{protocol.id}"' in scene
    for item in protocol.items():
        assert f'id="{protocol.id}-{item.id}"' in scene
        assert html.escape(item.prompt, quote=True) in scene
    section = scene[scene.index(f'id="protocol-{protocol.id}"'):]
    section = section[:section.index("</section>")]
    critical = sum(1 for item in protocol.items() if item.critical)
    assert section.count(">Critical</span>") == critical
    assert f"Version <strong>{protocol.version}</strong>" in scene
    assert protocol.revised.isoformat() in scene
    assert html.escape(protocol.owner) in scene


def test_a_checklist_with_no_job_aid_of_its_own_links_to_the_checklist_job_aid(book):
    """Its chapter's "Open the job aid" opens the checklist job aid on it (widgets/checklist.ipynb)."""
    page = (book.html / "book/techniques/active-listening.html").read_text(encoding="utf-8")
    section = page[page.index('id="protocol-active-listening"'):]
    section = section[:section.index("</section>")]
    link = re.search(r'<a [^>]*href="([^"]*checklist\.ipynb\?protocol=active-listening)"[^>]*>([^<]*)', section)
    assert link is not None, "no job-aid link in the active-listening checklist"
    assert link.group(1).endswith("voila/render/checklist.ipynb?protocol=active-listening")
    assert "Record this checklist in a job aid" in link.group(2)
    scene = (book.html / "book/arrive/scene-safety.html").read_text(encoding="utf-8")
    assert "voila/render/scene-response.ipynb" in scene, "a checklist with its own aid keeps it"
    assert "checklist.ipynb?protocol=scene-response" not in scene


def test_cards_page_has_a_card_for_every_protocol(book):
    library = load_library(book.content)
    cards = (book.html / "book/reference/cards.html").read_text(encoding="utf-8")
    for protocol in library.protocols.values():
        assert f'id="card-{protocol.id}"' in cards
        card = cards[cards.index(f'id="card-{protocol.id}"'):]
        card = card[:card.index("</article>")]
        assert f"Version {protocol.version}" in card
        assert protocol.revised.isoformat() in card
        for item in protocol.items():
            assert html.escape(item.prompt, quote=True) in card
    css = (book.html / "_static/handbook.css").read_text(encoding="utf-8")
    assert "break-after: page" in css


def test_job_aid_links_point_at_the_job_aid_server(book):
    page = read_page(book.html / "book/reference/job-aids.html")
    aids = [h for h in page.links if "voila/render/" in h]
    assert len(aids) == len(JOB_AIDS)
    assert all(h.startswith("../../voila/render/") and h.endswith(".ipynb") for h in aids)
    scene = read_page(book.html / "book/arrive/scene-safety.html")
    assert "../../voila/render/scene-response.ipynb" in scene.links
    assert any(h.startswith("../reference/cards.html#card-scene-response") for h in scene.links)


def test_search_index_holds_checklist_text(book):
    library = load_library(book.content)
    index = (book.html / "searchindex.js").read_text(encoding="utf-8").lower()
    words = re.findall(r"[a-z]{7,}", library.protocol("scene-response").items()[0].rationale.lower())
    assert words and any(f'"{w}"' in index for w in words)


def test_only_the_search_page_loads_the_search_index(book):
    """The theme's search scripts and index (some 130 KB) are not in every page's head: pages
    waited for them, for a search-as-you-type box the handbook does not use."""
    loading = [rel(book.html, p) for p in pages(book.html)
               if re.search(r'src="[^"]*(searchindex|searchtools)\.js', p.read_text(encoding="utf-8"))]
    assert loading == ["search.html"]


def test_internal_links_resolve(book):
    broken = []
    parsed: dict[Path, PageInfo] = {}

    def page_info(path: Path) -> PageInfo:
        """Each page parsed once (a checklist page is megabytes of widget state)."""
        if path not in parsed:
            parsed[path] = read_page(path)
        return parsed[path]

    for page in pages(book.html):
        for href in page_info(page).links:
            target = resolve(book.html, page, href)
            if target is None:
                continue
            path, fragment = target
            if book.html / "voila" in path.parents:
                continue  # served by the job-aid server (`handbook serve`)
            if not path.is_file():
                broken.append(f"{rel(book.html, page)} -> {href}")
                continue
            if fragment and path.suffix == ".html" and fragment not in page_info(path).ids:
                broken.append(f"{rel(book.html, page)} -> {href} (no such anchor)")
    assert broken == []


# --------------------------------------------------------------------------- in a browser


AXE_RUN = """async (contrast) => {
    const r = await axe.run(document, {resultTypes: ["violations"], runOnly:
      {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
      rules: {"color-contrast": {enabled: contrast}}});
    return r.violations.map(v => `${v.id} (${v.nodes.length}): `
      + v.nodes.slice(0, 2).map(n => n.html.slice(0, 120)).join(" | "));
}"""
"""axe-core's WCAG 2.0/2.1 A and AA rules on the open page; one line per violation (every
violating node is reported; passing rules keep one node each, which takes a tenth off each run).
Its argument turns the colour-contrast rule on or off."""

PHONE_CONTRAST_PAGES = {"book/index.html", "book/arrive/scene-safety.html", "book/reference/cards.html",
                        "offline-job-aid.html", "search.html", "genindex.html", *WIDGET_PAGES}
"""At 375 px, colour contrast is checked on these pages: one of each kind. Contrast is about half
of axe's time, and at phone width it finds nothing new on the others: the handbook's style sheet
changes no colour below 576 px, and what only a phone shows (the theme's header, toggles and
drawers) is the same on every page. Every page's own text is checked at 1280 px. One thing does
change: below 576 px headings shrink under axe's large-text size, so a heading colour needs 4.5:1
there, not 3:1; scene-safety.html has headings of levels 2 to 4 and is checked at both widths."""


LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
"""Chromium resolves no host name but 127.0.0.1: a request for another host fails at once."""


@pytest.mark.browser
def test_every_page_in_a_browser(book, sync_api, a11y_checks, axe_js):
    """Open every page at desktop and phone size: nothing leaves 127.0.0.1, no errors, and
    axe-core (WCAG 2.0/2.1 A and AA rules) finds no violation at either width (colour contrast:
    every page at 1280 px, one of each kind at 375 px; ``PHONE_CONTRAST_PAGES`` says why).

    At 375 x 667 each page also has touch targets of 44 x 44 px (links in running text are
    exempt), a name for every control, and its sidebars folded away (tests/a11y's checks).
    The embedded checklist widget itself is checked by the widget's own tests; here the page
    around it is. One pass over the pages does all of it: each page loads once per width.
    """
    outside: list[str] = []
    errors: list[str] = []
    overflow: list[str] = []
    phone: list[str] = []
    wcag: list[str] = []
    checked = contrasted = 0
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        # Any other host fails to resolve at once, and every request is watched. (Routing each
        # request through the test instead would turn the browser's cache off and make all 51
        # pages fetch the theme's files again, at each width.)
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH,
                                     args=[*CHROMIUM_ARGS, LOOPBACK_ONLY])
        try:
            for size, mobile in (({"width": 1280, "height": 900}, False),
                                 ({"width": 375, "height": 667}, True)):
                context = browser.new_context(viewport=size, is_mobile=mobile)
                context.on("request", lambda request: None if request.url.startswith((f"{base}/", "data:", "blob:"))
                           else outside.append(request.url))
                page = context.new_page()
                page.on("console", lambda m, p=page: errors.append(f"{p.url}: {m.text}")
                        if m.type == "error" else None)
                page.on("pageerror", lambda e, p=page: errors.append(f"{p.url}: {e}"))
                page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}")
                        if r.status >= 400 else None)
                for path in pages(book.html):
                    name = rel(book.html, path)
                    page.goto(f"{base}/{name}", wait_until="load")
                    if name in WIDGET_PAGES:
                        page.wait_for_selector(".hb-checklist", timeout=20_000)
                    width = page.evaluate("document.documentElement.scrollWidth "
                                          "- document.documentElement.clientWidth")
                    if width > 0:
                        overflow.append(f"{size['width']}px {name}: {width}px too wide")
                    if mobile:
                        checked += 1
                        phone += [f"{name}: {p}" for p in (*a11y_checks.small_targets(page),
                                                           *a11y_checks.unnamed_controls(page),
                                                           *a11y_checks.sidebar_problems(page))]
                    page.add_script_tag(path=str(axe_js))
                    contrast = not mobile or name in PHONE_CONTRAST_PAGES
                    wcag += [f"{size['width']}px {name}: {v}" for v in page.evaluate(AXE_RUN, contrast)]
                    contrasted += contrast
                context.close()
        finally:
            browser.close()
    print(f"375 x 667: {checked} pages checked for touch targets, names and sidebars")
    assert outside == []
    assert errors == []
    assert overflow == []
    assert checked > 30 and phone == [], "\n".join(phone)
    assert contrasted == checked + len(PHONE_CONTRAST_PAGES), "a page named in PHONE_CONTRAST_PAGES is not built"
    assert wcag == [], "\n".join(wcag)


@pytest.mark.browser
def test_search_works_offline(book, sync_api):
    library = load_library(book.content)
    word = max(re.findall(r"[A-Za-z]{6,}", library.protocol("scene-response").items()[0].prompt),
               key=len)
    with serve(book.html) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/search.html?q={word}", wait_until="load")
            page.wait_for_selector("#search-results ul.search li", timeout=15_000)
            hits = page.locator("#search-results ul.search li a").all_inner_texts()
            assert hits, f"no search results for {word!r}"
        finally:
            browser.close()


@pytest.mark.browser
def test_search_from_the_offline_zip_shows_titles_without_errors(book, sync_api):
    """Opened from the unzipped files (file://), search lists its hits by title, and the page logs
    no error: the snippets, which a browser may not fetch from file://, are left out."""
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((book.html / "search.html").as_uri() + "?q=safety", wait_until="load")
            page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
            hits = page.locator("#search-results ul.search li a").all_inner_texts()
            # every hit is shown (Sphinx retitles the list when done); a refused fetch fails at once
            page.wait_for_function("document.querySelector('#search-results h2')?.innerText === 'Search Results'",
                                   timeout=15_000)
        finally:
            browser.close()
    assert len(hits) >= 5, hits
    assert errors == []


# --------------------------------------------------------------------------- edits (run last)


def test_a_trainers_edit_shows_on_the_next_build(editable_book):
    """Edit one prompt in the content copy: the chapter and the cards page show it."""
    library = load_library(editable_book.content)
    protocol = library.protocol("scene-response")
    item = protocol.items()[0]
    source = library.files[("protocols", protocol.id)]
    text = source.read_text(encoding="utf-8")
    new_prompt = "Where is the suspect right now & is anyone <still> at risk?"
    line = f"prompt: {item.prompt}\n"
    assert text.count(line) == 1, "the first prompt is not on one line of its YAML file"
    source.write_text(text.replace(line, f"prompt: {json.dumps(new_prompt)}\n"),
                      encoding="utf-8")
    assert load_library(editable_book.content).protocol(protocol.id).items()[0].prompt == new_prompt

    done = editable_book.rebuild()
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    escaped = html.escape(new_prompt, quote=True)
    assert escaped in (editable_book.html / "book/arrive/scene-safety.html").read_text(encoding="utf-8")
    assert escaped in (editable_book.html / "book/reference/cards.html").read_text(encoding="utf-8")
    reread = re.findall(r"reading sources\.\.\. .*?(book/\S+)", done.stdout)
    reread = {re.sub(r"\x1b\[[0-9;]*m", "", name) for name in reread}
    assert "book/arrive/scene-safety" in reread
    assert "book/index" not in reread, "an unrelated page was rebuilt"
    widget_page = (editable_book.html / "book/arrive/scene-checklist.html").read_text(encoding="utf-8")
    assert new_prompt.replace("&", "\\u0026").replace("<", "\\u003c") in widget_page \
        or new_prompt in widget_page
