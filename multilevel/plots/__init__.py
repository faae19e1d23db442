"""Figures of the project: data space (``data_space``) and beta space (``beta_space``), in one
style (``style``). Figure functions return a matplotlib Figure; ``save_figure`` writes it."""

from multilevel.plots.beta_space import (
    EllipseLayer,
    beta_space_figure,
    difference_ellipses,
    difference_limits,
    draw_ellipse,
    group_ellipses,
)
from multilevel.plots.data_space import (
    cluster_lines_by_group,
    cluster_panels,
    fitted_lines_by_group,
    group_panels,
    pooled_scatter,
    three_effects_picture,
)
from multilevel.plots.style import STYLE, save_figure, style

__all__ = [
    "STYLE",
    "EllipseLayer",
    "beta_space_figure",
    "cluster_lines_by_group",
    "cluster_panels",
    "difference_ellipses",
    "difference_limits",
    "draw_ellipse",
    "fitted_lines_by_group",
    "group_ellipses",
    "group_panels",
    "pooled_scatter",
    "save_figure",
    "style",
    "three_effects_picture",
]
