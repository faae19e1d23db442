"""The report as a reader meets it: in a real browser (headless Chromium) and as PDF pages."""

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parent.parent / "results" / "screenshots"

PAGE_CHECKS = """() => {
  const root = document.documentElement;
  const images = [...document.images].map(
    i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0}));
  const tables = [...document.querySelectorAll('table')].map(t => {
    const wrap = t.closest('.table-wrap');
    const box = (wrap || t.parentElement).getBoundingClientRect();
    return {id: (t.closest('figure') || {}).id || '', overflow: t.scrollWidth > box.width + 1,
            scrollable: !!wrap && getComputedStyle(wrap).overflowX === 'auto'};
  });
  return {images, tables, pageOverflow: root.scrollWidth > root.clientWidth + 1};
}"""


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "wide"])
def test_html_in_a_real_browser(browser, built_hs, width):
    html = built_hs / "reports" / "hs" / "report.html"
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
    page.goto(html.as_uri())
    checks = page.evaluate(PAGE_CHECKS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hs-{width}.png"))
    page.close()
    assert not problems, problems
    assert checks["images"] and all(i["ok"] for i in checks["images"]), checks["images"]
    assert not checks["pageOverflow"], "the page scrolls sideways"
    # A table may be wider than the screen only inside its own scrolling box.
    bad = [t["id"] for t in checks["tables"] if t["overflow"] and not t["scrollable"]]
    assert not bad, bad
    if width >= 1280:
        wide = [t["id"] for t in checks["tables"] if t["overflow"] and "head" not in t["id"]]
        assert not wide, f"tables overflowing on a wide screen: {wide}"


def test_pdf_pages_render_and_none_is_blank(built_hs, tmp_path):
    pdf = built_hs / "reports" / "hs" / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    subprocess.run(["pdftoppm", "-r", "24", "-gray", str(pdf), str(tmp_path / "p")], check=True)
    rendered = sorted(tmp_path.glob("p-*.pgm"))
    assert len(rendered) == pages >= 5
    for path in rendered:
        image = Image.open(path)
        dark = sum(image.histogram()[:200])
        ink = dark / (image.width * image.height)
        # the running header and page number alone are well under 0.5% of the page
        assert ink > 0.005, f"{path.name} looks blank ({ink:.4f} of the page inked)"


def test_pdf_text_stays_inside_the_margins(built_hs):
    """Paper does not scroll: no word of any page (wide tables included) runs past the right
    margin, where it would be cut or crowd the edge."""
    pdf = built_hs / "reports" / "hs" / "report.pdf"
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_width_pt, margin_pt = 595.28, 14 / 25.4 * 72  # A4, 14 mm side margins (report.css)
    outside = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        right = max((float(x) for x in re.findall(r'xMax="([\d.]+)"', page)), default=0.0)
        if right > page_width_pt - margin_pt + 1:
            outside.append((number, round(right, 1)))
    assert not outside, f"pages with text past the right margin (page, x in pt): {outside}"


def test_pdf_pages_end_early_only_where_a_chapter_ends(built_hs):
    """A page whose content stops above 60% of its height is a hole left by a figure or table
    pushed to the next page; only a chapter's last page (and the page before a figure that
    takes a page of its own) may end so."""
    from multilevel.report.page_fill import early_pages, page_fills

    pdf = built_hs / "reports" / "hs" / "report.pdf"
    fills = page_fills(pdf)
    assert sum(p.ends_chapter for p in fills) >= 8  # front matter, chapters, appendices
    early = [(p.page, p.fill) for p in early_pages(pdf)]
    assert not early, f"pages ending early in mid-chapter (page, fill): {early}"
    # the PDF is a document a person reads; the HTML is the complete record
    assert len(fills) < 70


def test_pdf_table_numbers_run_on_and_a_missing_one_is_named(built_hs):
    """The PDF leaves out the HTML-only tables: every number it skips is one the PDF names as
    being in the HTML version only, so a reader of the paper can tell a gap from a loss."""
    pdf = built_hs / "reports" / "hs" / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    captions = {int(n) for n in re.findall(r"^Table (\d+)\.", text, re.M)}
    html_only = {
        int(n)
        for n in re.findall(
            r"Table\s+(\d+),\s+is\s+in\s+the\s+HTML\s+version\s+of\s+this\s+report\s+only", text
        )
    }
    assert len(captions) > 30 and html_only
    assert captions.isdisjoint(html_only)
    assert captions | html_only == set(range(1, max(captions | html_only) + 1))


PHONE_CHECKS = """() => {
  const width = document.documentElement.clientWidth;
  const figures = [...document.querySelectorAll('figure.figure img')].map(
    i => ({id: i.closest('figure').id, share: i.getBoundingClientRect().width / width}));
  const equations = [...document.querySelectorAll('.math-block img')].map(
    i => ({alt: i.alt.slice(0, 40), right: i.getBoundingClientRect().right, width}));
  return {figures, equations};
}"""


def test_on_a_phone_figures_are_full_width_equations_fit_and_figures_open_large(browser, built_hs):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto((built_hs / "reports" / "hs" / "report.html").as_uri())
    checks = page.evaluate(PHONE_CHECKS)
    narrow = [f["id"] for f in checks["figures"] if f["share"] < 0.85]
    assert not narrow, f"figures narrower than the phone's width: {narrow}"
    outside = [e["alt"] for e in checks["equations"] if e["right"] > e["width"] + 1]
    assert checks["equations"] and not outside, f"equations past the screen's edge: {outside}"
    # a figure opens large on a tap, over the whole window, and closes again
    first = page.locator("figure.figure img").first
    first.scroll_into_view_if_needed()
    first.click()
    box = page.evaluate(
        "() => document.querySelector('figure.figure.opened').getBoundingClientRect().width"
    )
    assert box >= 389
    opened = "() => document.querySelectorAll('figure.opened').length"
    page.locator("figure.figure.opened img").click()
    assert page.evaluate(opened) == 0
    first.click()
    first.press("Escape")
    assert page.evaluate(opened) == 0
    page.close()
