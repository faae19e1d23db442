"""Pictures in beta space: each estimated line is a point (slope on the horizontal axis,
intercept on the vertical axis, as in the document) with a confidence ellipse around it.

Ellipse kinds: ``"joint"`` is the joint ``level`` confidence region of (intercept, slope)
(radius ``sqrt(2 F(level; 2, df))``, chi-square when df is None); ``"shadow"`` is the smaller
ellipse whose projections on the axes are the ``level`` confidence intervals (radius
``t((1 + level)/2; df)``); a number is taken as the radius itself.

Artists carry a ``gid``: ``ellipse:<method>:<what>:<kind>`` for ellipse outlines,
``centre:<method>:<what>`` for their centres and ``clusters:<level>`` for per-cluster
estimates, where <what> is a group level or the difference label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.classical import BetaEstimate
from multilevel.classical.ellipse import ellipse, joint_radius, shadow_radius
from multilevel.levels import contrast_label, display_order, level_name
from multilevel.plots.style import (
    INK,
    MUTED,
    PALETTE,
    corner_note,
    frame_bulk,
    level_colors,
    new_figure,
    styled,
)

__all__ = [
    "EllipseLayer",
    "ellipse_radius",
    "draw_ellipse",
    "beta_space_figure",
    "group_ellipses",
    "difference_ellipses",
    "difference_limits",
]

LINESTYLES = ["-", "--", ":", "-."]
CENTRE_MARKERS = ["o", "s", "*", "D", "^", "v"]
CLUSTER_MARKERS = ["^", "D", "s", "v", "o"]
FRAME_CAP = 2.5


@dataclass
class EllipseLayer:
    """One ellipse (and its centre) to draw."""

    estimate: BetaEstimate
    kind: str | float = "joint"
    level: float = 0.95
    color: str = INK
    linestyle: str = "-"
    linewidth: float = 1.4
    marker: str | None = "o"
    label: str | None = None
    gid: str | None = None


def ellipse_radius(kind: str | float, level: float, df: float | None) -> float:
    if kind == "joint":
        return joint_radius(level, df)
    if kind == "shadow":
        return shadow_radius(level, df)
    if isinstance(kind, int | float):
        return float(kind)
    raise ValueError(f"ellipse kind must be 'joint', 'shadow' or a radius, not {kind!r}")


def draw_ellipse(ax, layer: EllipseLayer):
    """Draw ``layer`` on ``ax`` with the slope horizontal and the intercept vertical; returns
    the outline's Line2D."""
    est = layer.estimate
    gid = layer.gid or f"ellipse:{est.label}:{layer.kind}"
    if not est.estimable:
        return None
    if not np.all(np.isfinite(np.asarray(est.cov, dtype=float))):
        # e.g. fixed effects on clusters of 2 rows: one line per cluster leaves no residual
        # degrees of freedom, so no standard errors: the estimate alone, said in the legend
        (line,) = ax.plot(
            [est.slope],
            [est.intercept],
            marker=layer.marker or "x",
            color=layer.color,
            ls="none",
            ms=6,
            label=f"{layer.label} (no ellipse: no standard errors)" if layer.label else None,
            gid=gid.replace("ellipse:", "centre:", 1),
        )
        return line
    r = ellipse_radius(layer.kind, layer.level, est.df)
    e = ellipse(est.centre, est.cov, r)
    (line,) = ax.plot(
        e.points[:, 1],
        e.points[:, 0],
        color=layer.color,
        ls=layer.linestyle,
        lw=layer.linewidth,
        label=layer.label,
        gid=gid,
    )
    if layer.marker:
        ax.plot(
            [est.slope],
            [est.intercept],
            marker=layer.marker,
            color=layer.color,
            ls="none",
            ms=6 if layer.marker == "*" else 4.5,
            gid=gid.replace("ellipse:", "centre:", 1).rsplit(":", 1)[0],
        )
    return line


def _note_not_estimable(ax, labels: Sequence[str]) -> None:
    if labels:
        corner_note(ax, "not estimable: " + "; ".join(labels), "lower left", "not-estimable")


def _origin(ax):
    ax.axhline(0, color=MUTED, lw=0.8, zorder=0, gid="origin:h")
    ax.axvline(0, color=MUTED, lw=0.8, zorder=0, gid="origin:v")


@styled
def beta_space_figure(
    layers: Sequence[EllipseLayer],
    *,
    points: pd.DataFrame | None = None,
    group: str | None = None,
    colors: Mapping | None = None,
    xlabel: str = "slope",
    ylabel: str = "intercept",
    title: str = "Lines in beta space",
    legend: Sequence | None = None,
):
    """A beta-space picture: optional per-cluster estimates ``points`` (columns intercept,
    slope and, to colour them, ``group``) and any number of ellipse layers; ``legend``: the
    legend's handles (default: one entry per labelled layer and point set)."""
    fig, axes = new_figure(figsize=(6.4, 5.6))
    ax = axes[0, 0]
    _origin(ax)
    if points is not None:
        if group is None:
            ax.scatter(
                points["slope"],
                points["intercept"],
                s=16,
                facecolors="none",
                edgecolors=MUTED,
                gid="clusters:all",
                label="clusters",
            )
        else:
            present = set(points[group])
            levels = [lv for lv in (colors or {}) if lv in present]
            levels += [lv for lv in dict.fromkeys(points[group]) if lv not in levels]
            cols = {**level_colors(levels), **(colors or {})}
            for i, lv in enumerate(levels):
                sub = points[points[group] == lv]
                ax.scatter(
                    sub["slope"],
                    sub["intercept"],
                    s=18,
                    marker=CLUSTER_MARKERS[i % 5],
                    facecolors="none",
                    edgecolors=cols[lv],
                    linewidths=0.8,
                    gid=f"clusters:{lv}",
                    label=f"{level_name(group, lv)} clusters",
                    alpha=0.8,
                )
    missing = [layer.label for layer in layers if draw_ellipse(ax, layer) is None and layer.label]
    _note_not_estimable(ax, missing)
    if points is not None:
        frame_bulk(ax, points["slope"], points["intercept"], "cluster lines")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend:
        fig.legend(handles=list(legend), loc="outside lower center", ncols=min(4, len(legend)))
    elif any(layer.label for layer in layers) or points is not None:
        n = len(ax.get_legend_handles_labels()[0])
        fig.legend(loc="outside lower center", ncols=min(4, max(1, (n + 1) // 2)))
    return fig


def _method_styles(names: Sequence[str], linestyles: Mapping | None) -> dict:
    styles = {}
    for i, name in enumerate(names):
        ls = (linestyles or {}).get(name, LINESTYLES[i % len(LINESTYLES)])
        styles[name] = (ls, CENTRE_MARKERS[i % len(CENTRE_MARKERS)])
    return styles


def group_ellipses(
    results: Mapping,
    *,
    predictor: str,
    kinds: Mapping[str, Sequence] | None = None,
    level: float = 0.95,
    points: pd.DataFrame | None = None,
    group: str | None = None,
    order: Sequence | None = None,
    linestyles: Mapping | None = None,
    title: str = "Each group's line in beta space",
):
    """Each group's (intercept, slope) from each method result (``{method label: result}``,
    results having ``group_estimates()``), coloured by group, one line style per method
    (Figures 4-6, pages 49, 53-54, 58-60, 64). ``kinds`` gives the ellipse kinds per method
    (default: the joint region); ``points`` adds each cluster's own estimate. Levels are
    coloured and listed in ``order`` (the configured ``group_order``); a line a method cannot
    estimate is named in the picture instead of drawn."""
    names = list(results)
    styles = _method_styles(names, linestyles)
    levels = list(dict.fromkeys(lv for r in results.values() for lv in r.group_estimates()))
    if points is not None and group is not None:
        levels = list(dict.fromkeys([*map(str, dict.fromkeys(points[group])), *levels]))
    colors = level_colors(display_order(levels, order))
    layers = []
    for name, res in results.items():
        ls, marker = styles[name]
        for lv, est in res.group_estimates().items():
            for j, kind in enumerate((kinds or {}).get(name, ["joint"])):
                layers.append(
                    EllipseLayer(
                        est,
                        kind,
                        level,
                        colors[lv],
                        ls,
                        1.4,
                        marker if j == 0 else None,
                        f"{level_name(group, lv)}: {name}"
                        + ("" if kind == "joint" else f" ({kind})"),
                        f"ellipse:{name}:{lv}:{kind}",
                    )
                )
    pts = None
    if points is not None:
        pts = points.assign(**({group: points[group].astype(str)} if group else {}))
    return beta_space_figure(
        layers,
        points=pts,
        group=group,
        colors=colors,
        xlabel=f"slope of {predictor}",
        ylabel="intercept",
        title=title,
        legend=_two_way_legend(colors, styles, group, points is not None)
        if len(names) > 1
        else None,
    )


def _two_way_legend(colors: Mapping, styles: Mapping, group, points: bool) -> list:
    """With several methods, one legend entry per group (its colour; with ``points``, the
    marker of its clusters) and one per method (its line style and centre marker, in ink):
    k + m entries instead of k x m, which stay legible in print."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            color=color,
            lw=1.4,
            marker=CLUSTER_MARKERS[i % len(CLUSTER_MARKERS)] if points else None,
            markerfacecolor="none",
            label=level_name(group, lv) + (" (and its clusters)" if points else ""),
        )
        for i, (lv, color) in enumerate(colors.items())
    ]
    handles += [
        Line2D([], [], color=INK, ls=ls, lw=1.4, marker=marker, ms=4.5, label=name)
        for name, (ls, marker) in styles.items()
    ]
    return handles


def _difference_layers(results: Mapping, minuend, subtrahend, kinds, level, cols) -> list:
    what = f"{minuend} - {subtrahend}"
    layers = []
    for name, res in results.items():
        est = res.difference(minuend, subtrahend)
        for j, kind in enumerate((kinds or {}).get(name, ["joint"])):
            layers.append(
                EllipseLayer(
                    est,
                    kind,
                    level,
                    cols[name],
                    "-",
                    1.8 if j == 0 else 1.0,
                    "o" if j == 0 else None,
                    name + ("" if kind == "joint" else f" ({kind})"),
                    f"ellipse:{name}:{what}:{kind}",
                )
            )
    return layers


def _extent(layer: EllipseLayer) -> np.ndarray:
    """Largest |slope| and |intercept| the layer draws (nothing for a line not estimable)."""
    est = layer.estimate
    if not est.estimable:
        return np.zeros(2)
    if not np.all(np.isfinite(np.asarray(est.cov, dtype=float))):
        return np.abs(est.centre[::-1])
    pts = ellipse(est.centre, est.cov, ellipse_radius(layer.kind, layer.level, est.df)).points
    return np.abs(pts[:, ::-1]).max(axis=0)


def difference_limits(
    results: Mapping, contrasts: Sequence, *, kinds=None, level: float = 0.95
) -> tuple[float, float]:
    """Half-widths (slope, intercept) of axes centred on the origin that hold the ellipses of
    every contrast ``(minuend, subtrahend)``: one frame for a series of figures, so that the
    reader sees where each ellipse lies relative to zero, figure after figure. A method whose
    ellipses are more than FRAME_CAP times as wide as the median method's (a between-cluster
    fit on a few clusters whose means of the predictor hardly differ) does not set the frame:
    it runs beyond it, and the picture says so."""
    extents = np.array(
        [
            np.max(
                [
                    _extent(EllipseLayer(res.difference(m, s), kind, level))
                    for m, s in contrasts
                    for kind in (kinds or {}).get(name, ["joint"])
                ],
                axis=0,
            )
            for name, res in results.items()
        ]
    )
    cap = FRAME_CAP * np.median(extents, axis=0)
    extent = np.minimum(extents, np.where(cap > 0, cap, np.inf)).max(axis=0)
    extent = np.where(extent > 0, extent * 1.08, 1.0)
    return float(extent[0]), float(extent[1])


@styled
def difference_ellipses(
    results: Mapping,
    contrasts: Sequence,
    *,
    predictor: str,
    group: str | None = None,
    kinds: Mapping[str, Sequence] | None = None,
    level: float = 0.95,
    colors: Mapping | None = None,
    limits: tuple[float, float] | None = None,
    title: str | None = None,
):
    """Each contrast ``(minuend, subtrahend)`` of (intercept, slope) estimated by each method
    (``{method label: result}``, results having ``difference()``), one panel per contrast,
    one colour per method (pages 50, 55, 61-63, 66). ``kinds`` per method, e.g.
    ``{"two-stage": ["joint", "shadow"]}``: a 95% "shadow" ellipse that misses an axis line
    means the corresponding 95% interval excludes 0. The panels share axes centred on the
    origin (``limits``: half-widths, default: :func:`difference_limits`). A method that cannot
    estimate a contrast is named in the panel instead of drawn."""
    cols = dict(colors or {})
    for i, name in enumerate(results):
        cols.setdefault(name, [INK, *PALETTE][i % (len(PALETTE) + 1)])
    contrasts = list(contrasts)
    half = limits or difference_limits(results, contrasts, kinds=kinds, level=level)
    ncols = min(len(contrasts), 3)
    nrows = -(-len(contrasts) // ncols)
    size = (6.4, 5.6) if len(contrasts) == 1 else (3.4 * ncols, 3.3 * nrows + 0.9)
    fig, axes = new_figure(nrows, ncols, figsize=size, sharex=True, sharey=True)
    for ax in axes.ravel()[len(contrasts) :]:
        ax.set_visible(False)
    for ax, (m, s) in zip(axes.ravel(), contrasts, strict=False):
        _origin(ax)
        layers = _difference_layers(results, m, s, kinds, level, cols)
        missing = [
            layer.label
            for layer in layers
            if draw_ellipse(ax, layer) is None and layer.kind == "joint"
        ]
        _note_not_estimable(ax, missing)
        beyond = [
            layer.label
            for layer in layers
            if layer.kind == "joint" and np.any(_extent(layer) > np.asarray(half))
        ]
        if beyond:
            corner_note(
                ax, "runs beyond the frame: " + "; ".join(beyond), "upper right", "beyond-frame"
            )
        ax.set_xlim(-half[0], half[0])
        ax.set_ylim(-half[1], half[1])
        if len(contrasts) > 1:
            ax.set_title(contrast_label(group, m, s), fontsize=9, loc="center")
    what = contrast_label(group, *contrasts[0]) if len(contrasts) == 1 else "level − reference"
    each = f" ({what})" if len(contrasts) == 1 else ""
    for ax in axes[-1, :]:
        ax.set_xlabel(f"difference in slope of {predictor}{each}")
    for ax in axes[:, 0]:
        ax.set_ylabel(f"difference in intercept{each}")
    if title is None:
        title = f"Difference between groups in beta space: {what}"
    if title:
        fig.suptitle(title)
    legend = {}
    for ax in axes.ravel():
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    if legend:
        fig.legend(
            list(legend.values()),
            list(legend),
            loc="outside lower center",
            ncols=min(4, max(1, (len(legend) + 1) // 2)),
        )
    return fig
