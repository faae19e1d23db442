"""Formulas render offline to SVG, deterministically, sized to the text."""

import base64
import re

from multilevel.mathtext import math, tex_svg


def test_formula_is_an_inline_svg_image():
    markup = str(math(r"\beta_{0j} + \beta_{1j} X_{ij}"))
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', markup).group(1)
    svg = base64.b64decode(src).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg
    assert re.search(r'style="height:[\d.]+em"', markup)
    assert 'alt="\\beta_{0j} + \\beta_{1j} X_{ij}"' in markup


def test_same_formula_same_bytes_and_display_block():
    tex_svg.cache_clear()
    first = tex_svg(r"\sigma^2 (X_j'X_j)^{-1}")
    tex_svg.cache_clear()
    assert tex_svg(r"\sigma^2 (X_j'X_j)^{-1}") == first
    assert str(math("y", display=True)).startswith('<span class="math-block">')
