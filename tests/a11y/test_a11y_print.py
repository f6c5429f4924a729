"""Print: the pocket cards and a checklist export print legibly.

Each is rendered with print media: every piece of visible text is at least 12 pt (16 CSS px)
and dark on a light background (contrast 4.5:1 or more). Each is also printed to PDF with
Chromium, and the pages are turned into PNGs (``pdftoppm``, when installed) under
artifacts/screenshots/a11y-print-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y_checks import SHOTS, contrast, parse_rgb

from exported import signed_export
from protocols.engine import ChecklistRun
from protocols.library.loader import load_library
from protocols.records import Store
from required import strict, unavailable

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MIN_PX = 16.0
"""12 pt."""
T0 = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)

TEXT_JS = """() => {
  // Every visible element that holds text itself: its font size, colour and the colour behind it.
  const out = [];
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg && !/rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';  // paper
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TITLE', 'META'].includes(el.tagName)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.getClientRects().length === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    out.push({what: `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''}`
                    + ` "${text.slice(0, 40)}"`,
              size: parseFloat(s.fontSize), color: s.color, background: background(el)});
  }
  return out;
}"""


def print_problems(page: Any) -> list[str]:
    """Text smaller than 12 pt, or not dark on light, in print media."""
    page.emulate_media(media="print")
    problems = []
    texts = page.evaluate(TEXT_JS)
    assert len(texts) > 20, "no printed text found"
    for t in texts:
        if t["size"] < MIN_PX - 0.05:
            problems.append(f"{t['what']}: {t['size']:.1f}px (< 16px, 12pt)")
        r, g, b, alpha = parse_rgb(t["color"])
        back = parse_rgb(t["background"])[:3]
        fore = tuple(alpha * c + (1 - alpha) * k for c, k in zip((r, g, b), back, strict=True))
        ratio = contrast(fore, back)  # type: ignore[arg-type]
        dark_on_light = sum(fore) < sum(back)
        if ratio < 4.5 or not dark_on_light:
            problems.append(f"{t['what']}: {t['color']} on {t['background']} (contrast {ratio:.1f}:1)")
    page.emulate_media(media="screen")
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem] = counts.get(problem, 0) + 1
    return [f"{p} (x{n})" if n > 1 else p for p, n in counts.items()]


def to_pngs(page: Any, name: str) -> list[Path]:
    """The page printed to PDF by Chromium; its pages as PNGs when pdftoppm is installed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS.parent / "print" / f"a11y-{name}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="Letter")  # as a browser prints: no background colours
    page.emulate_media(media="screen")
    assert pdf.stat().st_size > 1000
    for old in SHOTS.glob(f"a11y-print-{name}-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None and strict():  # CI must count and show the printed pages
        unavailable("pdftoppm is not installed, so the printed pages cannot be counted",
                    "install the Debian package poppler-utils (bash scripts/dev.sh setup does)")
    if pdftoppm is None:  # a developer without poppler-utils: a print-media screenshot instead
        page.emulate_media(media="print")
        shot = SHOTS / f"a11y-print-{name}-1.png"
        page.screenshot(path=str(shot), full_page=True)
        page.emulate_media(media="screen")
        return [shot]
    subprocess.run([pdftoppm, "-png", "-r", "80", str(pdf), str(SHOTS / f"a11y-print-{name}")],
                   check=True, timeout=120)
    return sorted(SHOTS.glob(f"a11y-print-{name}-*.png"))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    yield context.new_page()
    context.close()


def test_pocket_cards_print_legibly(page: Any, book_url: str) -> None:
    page.goto(f"{book_url}/book/reference/cards.html", wait_until="load")
    cards = page.locator(".hc-card")
    assert cards.count() >= 5
    problems = print_problems(page)
    assert problems == [], "\n".join(problems)
    pngs = to_pngs(page, "cards")
    assert len(pngs) >= cards.count() if shutil.which("pdftoppm") else pngs


def test_checklist_export_prints_legibly(page: Any, tmp_path: Path) -> None:
    protocol = load_library().protocol("scene-response")
    run = ChecklistRun.start(protocol, "26-PRINT-01", T0)
    items = protocol.items()
    for n, item in enumerate(items[:-2]):
        at = T0 + dt.timedelta(minutes=n)
        if item.na_allowed and not item.critical and n % 4 == 3:
            run.mark_not_applicable(item.id, "No children live here", at)
        elif item.value.choices:
            first = item.value.choices[0].id
            run.answer(item.id, [first] if item.value.multiple else first, at)
        elif item.value.type.value == "yes-no":
            run.answer(item.id, "yes", at)
        elif item.value.type.value == "time":
            run.answer(item.id, "21:05", at)
        elif item.value.type.value == "number":
            run.answer(item.id, item.value.min or 1, at)
        else:
            run.answer(item.id, "Noted", at)
    store = Store.open(f"sqlite:///{tmp_path}/print.sqlite3")
    record = store.create("scene-response", protocol.id, protocol.version, "26-PRINT-01", run.status,
                          run.state.model_dump_json())
    _document, exported = signed_export(record, store, tmp_path / "keys")
    page.set_content(exported, wait_until="load")
    assert page.locator("td").count() > 20
    critical = page.locator("td", has_text="(critical)")
    assert critical.count() >= 1, "critical items are not marked in words"
    problems = print_problems(page)
    assert problems == [], "\n".join(problems)
    assert to_pngs(page, "export")
