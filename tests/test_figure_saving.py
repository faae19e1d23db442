"""Figures with many points keep their points as one embedded bitmap; line art stays vector."""

import numpy as np

from multilevel.plots.style import new_figure, save_figure


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
