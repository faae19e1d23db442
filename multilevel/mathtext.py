"""Formulas for the report, pre-rendered to SVG with matplotlib's mathtext.

No network and no TeX: the same image serves the HTML (any browser) and the PDF (WeasyPrint has no
MathML). Mathtext covers a subset of LaTeX: sub/superscripts, Greek, \\sum, \\frac, \\sqrt, accents.
"""

from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from markupsafe import Markup  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT_PT = 12.0


@lru_cache(maxsize=512)
def tex_svg(tex: str) -> str:
    """The formula `tex` (mathtext syntax, without dollar signs) as SVG text, byte-stable."""
    fig = Figure()
    fig.text(0, 0, f"${tex}$", fontsize=FONT_PT)
    buffer = io.StringIO()
    settings = {"svg.hashsalt": "multilevel-math", "svg.fonttype": "path", "mathtext.fontset": "cm"}
    with matplotlib.rc_context(settings):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            pad_inches=0.01,
            transparent=True,
            metadata={"Date": None, "Creator": None},
        )
    return buffer.getvalue()


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
    return Markup(f'<span class="math-block">{img}</span>' if display else img)
