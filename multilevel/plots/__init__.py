"""Figures of the project: data space (``data_space``) and beta space (``beta_space``), in one
style (``style``). Figure functions return a matplotlib Figure; ``save_figure`` writes it."""

from multilevel.lazy_names import export_lazily
from multilevel.plots.style import STYLE, save_figure, style

# every figure module needs the style (matplotlib); the others are imported on first use
export_lazily(
    __name__,
    {
        "EllipseLayer": "beta_space",
        "beta_space_figure": "beta_space",
        "difference_ellipses": "beta_space",
        "difference_limits": "beta_space",
        "draw_ellipse": "beta_space",
        "group_ellipses": "beta_space",
        "cluster_lines_by_group": "data_space",
        "cluster_panels": "data_space",
        "fitted_lines_by_group": "data_space",
        "group_panels": "data_space",
        "pooled_scatter": "data_space",
        "three_effects_picture": "data_space",
    },
)

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
