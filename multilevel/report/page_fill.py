"""How far down each page of the PDF its content reaches, and which pages end a chapter: a page
that stops early in mid-chapter is a layout fault (a figure or table pushed to the next page
leaving a hole), while a chapter's last page may end anywhere, and so may the page before a
figure that takes a page of its own (a grid of many panels), when no text could move ahead of
it (multilevel.report.page_flow).

Content is measured on a low-resolution rendering (poppler's ``pdftoppm``), so text, vector
graphics and images count alike; the running header and the page number sit in the page
margins and are left out.

    python -m multilevel.report.page_fill reports/hs/report.pdf
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

A4_HEIGHT_MM = 297.0
# The @page margins of templates/report.css (top, bottom), in mm.
MARGINS_MM = (18.0, 18.0)
DPI = 24
INK = 200  # grey level below which a pixel is ink


@dataclass
class PageFill:
    page: int  # 1-based
    fill: float  # how far down the content area the lowest ink reaches, 0..1
    ends_chapter: bool  # the last page of a chapter or of the front matter
    before_figure_page: bool = False  # the next page is a figure of its own


def ink_depths(pdf: str | Path, dpi: int = DPI) -> list[float]:
    """Per page, the lowest inked row inside the margins, as a fraction of the content height."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"],
            check=True,
            capture_output=True,
        )
        depths = []
        for path in sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
            image = Image.open(path)
            per_mm = image.height / A4_HEIGHT_MM
            top = round(MARGINS_MM[0] * per_mm)
            bottom = image.height - round(MARGINS_MM[1] * per_mm)
            body = image.crop((0, top, image.width, bottom)).point(lambda v: 255 if v < INK else 0)
            box = body.getbbox()
            depths.append(box[3] / (bottom - top) if box else 0.0)
    return depths


def figure_pages(pdf: str | Path) -> set[int]:
    """0-based indices of the pages holding a figure of its own: the print stylesheet gives
    each such figure a bookmark titled by its caption ("Figure 11. ...")."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    found: set[int] = set()

    def walk(entries):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            elif str(entry.title).startswith("Figure "):
                found.add(reader.get_destination_page_number(entry))

    walk(reader.outline)
    return found


def chapter_starts(pdf: str | Path) -> set[int]:
    """0-based indices of the pages where a top-level outline entry stands: the title (h1)
    and each chapter's heading (h2, which starts a new page in print)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    starts: set[int] = set()

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            elif depth == 0:
                starts.add(reader.get_destination_page_number(entry))

    walk(reader.outline, 0)
    return starts


def page_fills(pdf: str | Path) -> list[PageFill]:
    depths = ink_depths(pdf)
    starts = chapter_starts(pdf)
    # The front matter (title page, contents) is laid out by forced breaks: it counts as one
    # chapter per page.
    first_chapter = min((s for s in starts if s > 0), default=len(depths))
    figures = figure_pages(pdf)
    last = len(depths) - 1
    return [
        PageFill(
            i + 1,
            round(depth, 3),
            i == last or (i + 1) in starts or i < first_chapter,
            (i + 1) in figures,
        )
        for i, depth in enumerate(depths)
    ]


def early_pages(pdf: str | Path, threshold: float = 0.6) -> list[PageFill]:
    """Pages, other than a chapter's last or one before a figure page, whose content ends
    above ``threshold``."""
    return [
        p
        for p in page_fills(pdf)
        if p.fill < threshold and not (p.ends_chapter or p.before_figure_page)
    ]


if __name__ == "__main__":
    for fill in page_fills(sys.argv[1]):
        mark = "EARLY" if fill.fill < 0.6 else ""
        if fill.ends_chapter or fill.before_figure_page:
            mark = "chapter end" if fill.ends_chapter else "before a figure page"
        print(f"{fill.page:4d} {fill.fill:6.3f} {mark}")
