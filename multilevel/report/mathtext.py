"""Formulas for the report, pre-rendered to SVG with matplotlib's mathtext.

No network and no TeX: the same image serves the HTML (any browser) and the PDF (WeasyPrint has no
MathML). Mathtext covers a subset of LaTeX: sub/superscripts, Greek, \\sum, \\frac, \\sqrt, accents.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import io
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from multilevel.files import write_whole
from multilevel.report.svg_tidy import tidy_svg

FONT_PT = 12.0
SETTINGS = {"svg.hashsalt": "multilevel-math", "svg.fonttype": "path", "mathtext.fontset": "cm"}
# Part of the cache key: bump it when _draw changes what it draws for the same settings.
DRAWING = 2
# Where rendered formulas are kept between runs (set by the report step; None: not kept). A
# report has some 30 formulas: drawing them with matplotlib costs about a second per build.
cache_dir: Path | None = None


def use_cache(directory: str | Path | None) -> None:
    global cache_dir
    cache_dir = Path(directory) if directory else None


@lru_cache(maxsize=1)
def _matplotlib_version() -> str:
    return importlib.metadata.version("matplotlib")  # without importing matplotlib


@lru_cache(maxsize=512)
def tex_svg(tex: str) -> str:
    """The formula `tex` (mathtext syntax, without dollar signs) as SVG text, byte-stable."""
    if cache_dir is None:
        return _draw(tex)
    version = _matplotlib_version()
    key = hashlib.sha256(f"{version} {DRAWING} {SETTINGS} {tex}".encode()).hexdigest()[:32]
    path = cache_dir / f"{key}.svg"
    if path.exists():
        return path.read_text()
    svg = _draw(tex)
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_whole(path, svg)  # whole or absent, even with reports built side by side
    return svg


def _draw(tex: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    buffer = io.StringIO()
    # The text takes its font set when it is created: made outside the settings, the formula
    # comes out in DejaVu Sans, beside the serif body text.
    with matplotlib.rc_context(SETTINGS), _one_text_to_path():
        fig = Figure()
        fig.text(0, 0, f"${tex}$", fontsize=FONT_PT)
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            pad_inches=0.01,
            transparent=True,
            metadata={"Date": None, "Creator": None},
        )
    return tidy_svg(buffer.getvalue())


@contextmanager
def _one_text_to_path():
    """Renderers made in the block convert text to paths with one converter. savefig measures
    the formula with one renderer and writes it with another, and each renderer's own converter
    parses the formula anew; parsing is most of the cost of a formula (about 10 ms of 20).
    Shared, the writing renderer finds the parse in matplotlib's cache (keyed by the converter's
    parser): the same glyphs, one parse. A converter holds nothing else (the renderer keeps its
    glyph map). Matplotlib's renderers make their converter with ``matplotlib.text.TextToPath()``
    (tests/test_mathtext.py counts the parses, should an upgrade change that)."""
    import matplotlib.text

    make = matplotlib.text.TextToPath
    shared = make()
    matplotlib.text.TextToPath = lambda: shared
    try:
        yield
    finally:
        matplotlib.text.TextToPath = make


def _height_pt(svg: str) -> float:
    match = re.search(r'<svg[^>]*\sheight="([\d.]+)pt"', svg)
    return float(match.group(1)) if match else FONT_PT


def math(tex: str, display: bool = False) -> Markup:
    """An <img> of the formula, sized in em so it scales with the text around it."""
    svg = tex_svg(tex)
    height = _height_pt(svg) / FONT_PT
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    kind = "math display" if display else "math"
    img = (
        f'<img class="{kind}" alt="{html.escape(tex)}" style="height:{height:.2f}em" '
        f'src="data:image/svg+xml;base64,{data}">'
    )
    if display:
        return Markup(f'<span class="math-block">{img}</span>')
    # A zero-width space before an inline formula: without it WeasyPrint, when the formula does
    # not fit at the end of a line, breaks the paragraph after its first word instead.
    return Markup(f"\u200b{img}")
