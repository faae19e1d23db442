"""Saving figures: dense point clouds as one embedded bitmap inside vector line art; the SVG as
savefig(bbox_inches="tight") writes it, from one draw."""

import io
import re

import numpy as np

from multilevel.plots.style import new_figure, new_panel_grid, save_figure, style
from multilevel.report.svg_tidy import tidy_svg


def _figure(points: int):
    fig, axes = new_figure(1, 1)
    rng = np.random.default_rng(1)
    axes[0, 0].scatter(rng.normal(size=points), rng.normal(size=points), s=4)
    axes[0, 0].plot([-2, 2], [-1, 1], color="k")
    return fig


def test_dense_scatter_is_rasterised_and_deterministic(tmp_path):
    save_figure(_figure(3000), tmp_path / "a.svg")
    save_figure(_figure(3000), tmp_path / "b.svg")
    text = (tmp_path / "a.svg").read_text()
    assert "<image" in text and "data:image/png;base64" in text
    assert text.count("<use ") < 100  # 3000 markers are not drawn one by one (ticks use a few)
    assert '<path d="M' in text  # the line stays vector
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_sparse_scatter_stays_vector(tmp_path):
    save_figure(_figure(50), tmp_path / "c.svg")
    text = (tmp_path / "c.svg").read_text()
    assert "<image" not in text and text.count("<use ") >= 50


def _drawing(svg: str) -> tuple[str, list[float]]:
    """An SVG's text with clip-path ids left out (hashes of the clip rectangle, which may
    differ in the last bit of a float) and its numbers apart, to compare within a tolerance."""
    svg = re.sub(r'<clipPath id="[^"]*">.*?</clipPath>', "", svg, flags=re.S)
    svg = re.sub(r'clip-path="url\(#[^)]*\)"', "", svg)
    number = re.compile(r"-?\d+\.?\d*(?:e-?\d+)?")
    return number.sub("#", svg), [float(x) for x in number.findall(svg)]


def _savefig_tight(fig) -> str:
    buffer = io.StringIO()
    with style():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def test_one_draw_svg_matches_savefig_tight(tmp_path):
    """save_figure lays out and measures the figure once instead of drawing it twice: the file
    is the one savefig(bbox_inches="tight") writes, with constrained layout, a legend outside
    the axes and a title, and with the fixed margins of a panel grid."""

    def constrained():
        fig = _figure(50)
        fig.axes[0].set_title("a title that sets the top margin")
        fig.legend(["points", "line"], loc="outside lower center", ncols=2)
        return fig

    def panels():
        fig, axes = new_panel_grid(2, 3)
        for i, ax in enumerate(axes.flat):
            ax.plot([0, 1 + i], [0, 10 * i])
        fig.supxlabel("x")
        return fig

    for make in (constrained, panels):
        save_figure(make(), tmp_path / "once.svg")
        ours = _drawing((tmp_path / "once.svg").read_text())
        theirs = _drawing(tidy_svg(_savefig_tight(make())))
        assert ours[0] == theirs[0]
        assert np.allclose(ours[1], theirs[1], rtol=0, atol=1e-5)


def test_the_collector_is_paused_while_a_figure_is_built_or_saved(tmp_path, monkeypatch):
    """Figures are built and saved with the cyclic garbage collector off (its full passes over
    the process cost a figure job up to a third of a second and free nothing), and it is left
    as it was found: on after, or off when the caller had turned it off."""
    import gc
    import importlib

    # the module, not the function plots.style that its package exports
    style_module = importlib.import_module("multilevel.plots.style")

    seen = []

    @style_module.styled
    def figure():
        seen.append(gc.isenabled())
        return _figure(50)

    real_svg_text = style_module._svg_text

    def svg_text(fig):
        seen.append(gc.isenabled())
        return real_svg_text(fig)

    monkeypatch.setattr(style_module, "_svg_text", svg_text)
    assert gc.isenabled()
    save_figure(figure(), tmp_path / "a.svg")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        with style_module.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
