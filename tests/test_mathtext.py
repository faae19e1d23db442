"""Formulas render offline to SVG, deterministically, sized to the text."""

import base64
import re

from multilevel.report.mathtext import math, tex_svg, use_cache


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


def test_formulas_kept_on_disk_are_the_same_bytes(tmp_path):
    tex = r"\hat\gamma_{10} = \sum_j w_j \hat\beta_{1j}"
    tex_svg.cache_clear()
    drawn = tex_svg(tex)
    try:
        use_cache(tmp_path)
        tex_svg.cache_clear()
        assert tex_svg(tex) == drawn
        (kept,) = tmp_path.glob("*.svg")
        assert kept.read_text() == drawn
        kept.write_text(drawn.replace("<svg", "<svg data-from-disk='1'"))
        tex_svg.cache_clear()
        assert "data-from-disk" in tex_svg(tex)  # the second run reads it, and draws nothing
    finally:
        use_cache(None)
        tex_svg.cache_clear()


def test_formulas_are_set_in_computer_modern_like_the_serif_text():
    """Glyphs come from the Computer Modern fonts (ids Cmr10-, Cmmi10-...), never DejaVu Sans:
    a sans-serif formula beside the serif body reads as a different symbol."""
    from multilevel.report.mathtext import _draw

    fonts = set(re.findall(r'id="([A-Za-z]+\d*)-', _draw(r"\hat\beta_j = \hat\gamma_{00} + x")))
    assert fonts and all(font.startswith("Cm") for font in fonts), fonts


def test_an_inline_formula_at_a_line_end_does_not_break_the_paragraph_early():
    """When an inline formula does not fit at the end of a line, the line still ends near the
    right margin (WeasyPrint broke this paragraph of the report after its first word)."""
    import io

    import weasyprint
    from pypdf import PdfReader

    from multilevel.report.render import TEMPLATES

    css = (TEMPLATES / "report.css").read_text()
    formula = math("Y_{ij} = \\gamma_{00} + u_{0j} + r_{ij}")
    html = (
        f"<html><head><meta charset='utf-8'><style>{css}</style></head><body><main>"
        "<section class='chapter'><p>The simplest model has no predictor: each cluster's mean"
        f" varies at random around one overall\nmean, {formula}, with more words.</p>"
        "</section></main></body></html>"
    )
    pdf = weasyprint.HTML(string=html, media_type="print").write_pdf()
    first_line = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()[0]
    assert len(first_line.split()) > 5, first_line


def test_a_formula_is_parsed_once(monkeypatch):
    """savefig measures a formula with one renderer and writes it with another: they share a
    converter, so the formula is parsed once (parsing is most of a formula's cost), and the
    file is the one matplotlib writes alone, with a converter per renderer."""
    from contextlib import nullcontext

    import matplotlib.text
    from matplotlib.mathtext import MathTextParser

    from multilevel.report import mathtext

    tex = r"\hat\sigma^2_{u_1} = \frac{1}{J} \sum_j (\hat u_{1j} - \bar u)^2"
    make = matplotlib.text.TextToPath
    misses = MathTextParser._parse_cached.cache_info().misses
    once = mathtext._draw(tex)
    assert MathTextParser._parse_cached.cache_info().misses == misses + 1
    assert matplotlib.text.TextToPath is make  # put back

    monkeypatch.setattr(mathtext, "_one_text_to_path", nullcontext)
    misses = MathTextParser._parse_cached.cache_info().misses
    assert mathtext._draw(tex) == once
    assert MathTextParser._parse_cached.cache_info().misses == misses + 2
