"""Take screenshots of the built book (desktop and phone) and a print PDF of the cards page.

    python tests/book/screenshots.py [BUILD_HTML_DIR] [OUT_DIR]

Defaults: ``_build/html`` and ``artifacts/screenshots`` (git-ignored). Uses Debian's Chromium
through Playwright; serves the site on a loopback port; blocks and reports any request that
would leave this machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, serve

PAGES = {
    "home": "book/index.html",
    "chapter": "book/arrive/understanding-crisis.html",
    "scene-safety": "book/arrive/scene-safety.html",
    "scene-checklist": "book/arrive/scene-checklist.html",
    "screening": "book/assess/screening.html",
    "confidentiality": "book/rights/confidentiality.html",
    "referrals": "book/referral/referrals.html",
    "cards": "book/reference/cards.html",
    "job-aids": "book/reference/job-aids.html",
}
FOCUS = {
    "scene-safety": "#protocol-scene-response",
    "scene-checklist": ".hb-checklist",
    "screening": ".hc-instrument",
    "confidentiality": ".hc-guide",
    "referrals": ".hc-directory",
    "cards": ".hc-card",
}
"""Pages that also get a viewport shot scrolled to a rendered content block."""
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 667}}


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    site = Path(argv[0] if argv else "_build/html").resolve()
    out = Path(argv[1] if len(argv) > 1 else "artifacts/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        for view, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size, is_mobile=view == "phone",
                                          device_scale_factor=1)
            page = context.new_page()
            page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:"))
                    else problems.append(f"external request: {r.url}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)
            for name, path in PAGES.items():
                page.goto(f"{base}/{path}", wait_until="networkidle")
                if name == "scene-checklist":
                    page.wait_for_selector(".hb-checklist", timeout=15000)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    problems.append(f"{view} {name}: horizontal overflow of {overflow}px")
                page.screenshot(path=str(out / f"{name}-{view}.png"), full_page=False)
                page.screenshot(path=str(out / f"{name}-{view}-full.png"), full_page=True)
                if name in FOCUS:
                    page.evaluate("sel => document.querySelector(sel).scrollIntoView()",
                                  FOCUS[name])
                    page.wait_for_timeout(200)
                    page.screenshot(path=str(out / f"{name}-{view}-content.png"))
                    page.evaluate("window.scrollBy(0, window.innerHeight - 60)")
                    page.wait_for_timeout(100)
                    page.screenshot(path=str(out / f"{name}-{view}-content-2.png"))
            context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/{PAGES['cards']}", wait_until="networkidle")
        page.emulate_media(media="print")
        page.pdf(path=str(out / "cards-print.pdf"), format="Letter", print_background=False,
                 prefer_css_page_size=True)
        page.screenshot(path=str(out / "cards-print-media.png"), full_page=True)
        browser.close()
    for problem in problems:
        print(problem)
    print(f"screenshots in {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
