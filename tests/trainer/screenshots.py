"""Screenshots of the trainers' pages: the maintaining chapter and a knowledge check.

    python tests/trainer/screenshots.py [BUILD_HTML_DIR] [OUT_DIR]

Defaults: ``_build/html`` and ``artifacts/screenshots`` (git-ignored). Desktop (1280 px)
and phone (375 px) shots, with a knowledge-check question before and after a wrong answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))

from book_site import CHROMIUM_ARGS, CHROMIUM_PATH, serve

PAGES = {
    "maintaining": "book/maintaining/index.html",
    "maintaining-editing": "book/maintaining/editing.html",
    "maintaining-agency": "book/maintaining/agency.html",
    "maintaining-publishing": "book/maintaining/publishing.html",
    "home-agency": "book/index.html",
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    site = Path(argv[0] if argv else "_build/html").resolve()
    out = Path(argv[1] if len(argv) > 1 else "artifacts/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        for view, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size, is_mobile=view == "phone", device_scale_factor=1)
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            for name, path in PAGES.items():
                page.goto(f"{base}/{path}", wait_until="networkidle")
                if page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"):
                    problems.append(f"{view} {name}: horizontal overflow")
                page.screenshot(path=str(out / f"{name}-{view}.png"))
                page.screenshot(path=str(out / f"{name}-{view}-full.png"), full_page=True)
            page.goto(f"{base}/book/arrive/scene-safety.html#check-what-you-know", wait_until="networkidle")
            page.screenshot(path=str(out / f"knowledge-check-{view}.png"))
            form = page.locator("#kc-scene-response-1")
            answer = form.get_attribute("data-answer")
            wrong = next(v for v in "abcd" if v != answer)
            form.locator(f"input[value='{wrong}']").check()
            form.locator(".hc-kc-check").click()
            page.wait_for_function("() => document.querySelector('#kc-scene-response-1 .hc-kc-feedback')"
                                   ".textContent.length > 0")
            form.scroll_into_view_if_needed()
            form.screenshot(path=str(out / f"knowledge-check-answered-{view}.png"))
            context.close()
        browser.close()
    for problem in problems:
        print(problem)
    print(f"screenshots in {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
