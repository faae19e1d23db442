"""Pictures in data space: the outcome against the level-1 predictor, with least-squares lines.

Every function takes DataFrames and role names, returns a matplotlib Figure and never saves.
Artists carry a ``gid`` so that tests (and readers of the SVG) can find them:
``points:<panel>[:<subgroup>]`` for scatters and ``fit:<panel>[:<subgroup>]`` for fitted lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd

from multilevel.classical import group_levels
from multilevel.classical.ellipse import ellipse
from multilevel.levels import display_order, level_name
from multilevel.plots.style import (
    INK,
    MUTED,
    PALETTE,
    level_colors,
    new_figure,
    new_panel_grid,
    scaled_once,
    styled,
)
from multilevel.selection import thinned_rows

__all__ = [
    "ls_line",
    "pooled_scatter",
    "group_panels",
    "cluster_panels",
    "fitted_lines_by_group",
    "cluster_lines_by_group",
    "three_effects_picture",
]


def ls_line(x, y) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line of y on x, or None if x has fewer than two
    distinct values."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(np.unique(x)) < 2:
        return None
    dx = x - x.mean()
    slope = float(dx @ (y - y.mean()) / (dx @ dx))
    return float(y.mean() - slope * x.mean()), slope


def _draw_line(ax, x, coef, *, gid, **kw):
    xs = np.array([np.min(x), np.max(x)], dtype=float)
    (line,) = ax.plot(xs, coef[0] + coef[1] * xs, gid=gid, **kw)
    return line


def _ordered(levels: list, order: Sequence | None) -> list:
    """``levels`` (values as the data hold them) in the display order of their text."""
    by_text = {str(lv): lv for lv in levels}
    return [by_text[t] for t in display_order(by_text, order)]


LEVEL_PANEL_COLUMNS = 4


def _level_panels(n: int):
    """Panels for ``n`` group levels, at most LEVEL_PANEL_COLUMNS to a row; spare panels
    hidden."""
    ncols = min(n, LEVEL_PANEL_COLUMNS)
    nrows = -(-n // ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=(3.4 * ncols, 3.9 * nrows), sharex=True, sharey=True
    )
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes


def _levels(data: pd.DataFrame, column: str) -> list:
    col = data[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        return [c for c in col.cat.categories if c in present]
    return sorted(col.dropna().unique().tolist())


def _scatter_with_lines(ax, d, outcome, predictor, subgroup, colors, lines, panel, size):
    if subgroup is None:
        ax.scatter(
            d[predictor],
            d[outcome],
            s=size,
            color=colors[None],
            alpha=0.55,
            linewidths=0,
            gid=f"points:{panel}",
        )
        coef = ls_line(d[predictor], d[outcome]) if lines else None
        if coef is not None:
            _draw_line(ax, d[predictor], coef, gid=f"fit:{panel}", color=INK)
        return
    for lv, color in colors.items():
        s = d[d[subgroup] == lv]
        if s.empty:
            continue
        ax.scatter(
            s[predictor],
            s[outcome],
            s=size,
            color=color,
            alpha=0.6,
            linewidths=0,
            gid=f"points:{panel}:{lv}",
        )
        coef = ls_line(s[predictor], s[outcome]) if lines else None
        if coef is not None:
            _draw_line(ax, s[predictor], coef, gid=f"fit:{panel}:{lv}", color=color)


def _legend(fig, colors: Mapping, title: str | None, *, fixed_layout: bool = False):
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=c, marker="o", ls="-", label=str(lv)) for lv, c in colors.items()
    ]
    if fixed_layout:  # in the room new_panel_grid leaves above the panels
        where = {"loc": "upper center", "bbox_to_anchor": (0.5, 1.0)}
    else:
        where = {"loc": "outside upper center"}
    fig.legend(handles=handles, title=title, ncols=len(handles), **where)


@styled
def pooled_scatter(data: pd.DataFrame, outcome: str, predictor: str, *, title: str | None = None):
    """All observations in one scatter with the pooled least-squares line (page 36)."""
    d = data.dropna(subset=[outcome, predictor])
    fig, axes = new_figure(figsize=(5.5, 4.2))
    ax = axes[0, 0]
    _scatter_with_lines(ax, d, outcome, predictor, None, {None: MUTED}, True, "all", 9)
    ax.set_xlabel(predictor)
    ax.set_ylabel(outcome)
    ax.set_title(title or f"{outcome} against {predictor}, all observations pooled")
    return fig


@styled
def group_panels(
    data: pd.DataFrame,
    outcome: str,
    predictor: str,
    group: str,
    *,
    subgroup: str | None = None,
    lines: bool = True,
    title: str | None = None,
    order: Sequence | None = None,
):
    """One panel per level of ``group`` (in ``order``: the configured group order); points
    coloured by ``subgroup`` if given; with ``lines`` a least-squares line per panel, or per
    subgroup within each panel (pages 37-39)."""
    d = data.dropna(subset=[outcome, predictor, group])
    levels = _ordered(group_levels(d, group), order)
    fig, axes = _level_panels(len(levels))
    colors = level_colors(_levels(d, subgroup)) if subgroup else {None: MUTED}
    for ax, lv in zip(axes.ravel(), levels, strict=False):
        sub = d[d[group] == lv]
        _scatter_with_lines(ax, sub, outcome, predictor, subgroup, colors, lines, str(lv), 8)
        ax.set_title(f"{group}: {lv}", loc="center")
        ax.set_xlabel(predictor)
    for ax in axes[:, 0]:
        ax.set_ylabel(outcome)
    if subgroup:
        _legend(fig, colors, subgroup)
    if title:
        fig.suptitle(title)
    return fig


@styled
def cluster_panels(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    *,
    order: Sequence | None = None,
    labels: Mapping | Callable | None = None,
    subgroup: str | None = None,
    lines: bool = True,
    ncols: int = 5,
    title: str | None = None,
    reference: Mapping | None = None,
    names: tuple[str, str] = ("own line", "reference line"),
):
    """One small panel per cluster, in ``order`` (default: sorted ids), each with its
    least-squares line, or, with ``subgroup``, points and lines coloured by subgroup
    (Figures 2 and 3, pages 14-15). ``labels`` maps a cluster id (dict or function) to its
    panel title (e.g. an id prefixed by the group's initial). ``reference`` maps a cluster id
    to a second (intercept, slope) line drawn in its panel, such as a method's fitted line for
    the cluster's group (page 52); ``names`` label the two lines in a legend."""
    d = data.dropna(subset=[cluster, outcome, predictor])
    present = set(pd.unique(d[cluster]))
    ids = sorted(present) if order is None else list(order)
    missing = [c for c in ids if c not in present]
    if missing:
        raise ValueError(f"order names {cluster} ids absent from the data: {missing[:10]}")
    # one pass over the rows, then the panels' rows by cluster (not a scan of every row per panel)
    rows_of = dict(tuple(d[d[cluster].isin(ids)].groupby(cluster, sort=False, observed=True)))
    nrows = math.ceil(len(ids) / ncols)
    ncols = min(ncols, len(ids))
    # room above the panels: a legend with a title, a legend, or none
    top = 0.75 if subgroup else 0.5 if reference is not None else 0.2
    with matplotlib.rc_context({"axes.grid": False}):  # cheaper than turning grids off after
        fig, axes = new_panel_grid(nrows, ncols, top=top)
    colors = level_colors(_levels(d, subgroup)) if subgroup else {None: MUTED}
    with scaled_once(axes):
        for ax, cid in zip(axes.flat, ids, strict=False):
            sub = rows_of[cid]
            _scatter_with_lines(ax, sub, outcome, predictor, subgroup, colors, lines, str(cid), 3)
            if reference is not None:
                line = reference[cid]
                _draw_line(ax, sub[predictor], line, gid=f"reference:{cid}", color=PALETTE[1])
            if callable(labels):
                name = labels(cid)
            elif labels is not None:
                name = labels[cid]
            else:
                name = cid
            # a label above the panel: cheaper to place than a title, which matplotlib positions
            # against the tick labels of every shared axis
            ax.text(
                0.5,
                1.02,
                str(name),
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=7,
                fontweight="bold",
                gid=f"label:{cid}",
            )
            ax.tick_params(labelsize=6)
            # the panels have no axis labels (the figure's supxlabel and supylabel name the
            # axes): a fixed place for the empty ones spares matplotlib placing them against
            # the tick labels at every measure and draw, a tenth of a 40-panel figure's cost
            ax.xaxis.set_label_coords(0.5, 0.5)
            ax.yaxis.set_label_coords(0.5, 0.5)
    for ax in list(axes.flat)[len(ids) :]:
        ax.set_visible(False)
    fig.supxlabel(predictor, fontsize=9)
    fig.supylabel(outcome, fontsize=9)
    if subgroup:
        _legend(fig, colors, subgroup, fixed_layout=True)
    elif reference is not None:
        _legend(fig, {names[0]: INK, names[1]: PALETTE[1]}, None, fixed_layout=True)
    if title:
        fig.suptitle(title)
    return fig


#: marker of each group level in a scatter that tells the groups apart (p. 47)
MARKERS = ("o", "^", "s", "D", "v", "P", "X", "*")


def _data_ellipse(ax, x: np.ndarray, y: np.ndarray, *, gid: str, color: str) -> None:
    """The standard data ellipse of (x, y): centred at the means, its shadows on the axes the
    means +- one standard deviation."""
    if len(x) < 3:
        return
    cov = np.cov(np.vstack([x, y]))
    if not np.all(np.isfinite(cov)):
        return
    e = ellipse([x.mean(), y.mean()], cov, 1.0)
    ax.plot(e.points[:, 0], e.points[:, 1], color=color, lw=1.6, gid=gid)


@styled
def fitted_lines_by_group(
    estimates: Mapping,
    data: pd.DataFrame,
    predictor: str,
    group: str,
    *,
    outcome: str | None = None,
    ylabel: str = "fitted value",
    title: str | None = None,
    order: Sequence | None = None,
):
    """The fitted line of each group (a mapping level -> BetaEstimate, e.g. a method result's
    ``group_estimates()``) over the range of ``predictor`` in that group (pages 47-48), in
    ``order`` (the configured group order); a line not estimable is not drawn. With
    ``outcome``, the data too, as on page 47: each group's points (a marker per group; every
    k-th row when there are more than ``selection.POINTS``, see
    :func:`~multilevel.selection.thinned_rows`, whose note the caption gives) and its
    standard data ellipse."""
    fig, axes = new_figure(figsize=(5.5, 4.2))
    ax = axes[0, 0]
    order = _ordered(list(estimates), order)
    colors = level_colors(order)
    levels = data[group].astype(str)
    if outcome is not None:
        d = data[[predictor, outcome]].to_numpy(dtype=float)
        keep, step = thinned_rows(len(d))
        alpha = 0.6 if len(keep) <= 2000 else max(0.08, 0.6 * np.sqrt(2000 / len(keep)))
        drawn = np.zeros(len(d), dtype=bool)
        drawn[keep] = True
        for i, (lv, color) in enumerate(colors.items()):
            mine = (levels == str(lv)).to_numpy()
            ok = mine & np.isfinite(d).all(axis=1)
            ax.scatter(
                d[ok & drawn, 0],
                d[ok & drawn, 1],
                s=9,
                marker=MARKERS[i % len(MARKERS)],
                facecolors="none",
                edgecolors=color,
                linewidths=0.6,
                alpha=alpha,
                gid=f"points:{lv}",
            )
            _data_ellipse(ax, d[ok, 0], d[ok, 1], gid=f"ellipse:{lv}", color=color)
    for i, lv in enumerate(order):
        est = estimates[lv]
        if not est.estimable:
            continue
        x = data.loc[levels == str(lv), predictor].dropna()
        _draw_line(
            ax,
            x,
            est.centre,
            gid=f"fit:{lv}",
            color=colors[lv],
            lw=2,
            label=level_name(group, lv),
            marker=MARKERS[i % len(MARKERS)] if outcome is not None else None,
            markevery=[],
        )
    ax.set_xlabel(predictor)
    ax.set_ylabel(outcome or ylabel)
    ax.legend(title=group)
    ax.set_title(title or f"Fitted lines by {group}")
    return fig


@styled
def cluster_lines_by_group(
    coefs: pd.DataFrame,
    data: pd.DataFrame,
    cluster: str,
    predictor: str,
    group: str,
    *,
    ylabel: str = "fitted value",
    title: str | None = None,
    shown: Sequence | None = None,
    order: Sequence | None = None,
):
    """Each cluster's least-squares line (``coefs``: indexed by cluster with intercept, slope
    and ``group`` columns, as ``classical.cluster_coefficients`` gives) over that cluster's
    range of ``predictor``, one panel per group level (page 51); with ``shown``, only the lines
    of those clusters, and panel titles that say how many of how many."""
    levels = _ordered(group_levels(coefs, group), order)
    fig, axes = _level_panels(len(levels))
    ranges = data.groupby(cluster)[predictor].agg(["min", "max"])
    drawn = coefs if shown is None else coefs[coefs.index.isin(list(shown))]
    for ax, lv in zip(axes.ravel(), levels, strict=False):
        members = drawn[drawn[group] == lv]
        of = "" if shown is None else f" of {int((coefs[group] == lv).sum())}"
        colors = level_colors(range(len(members)))
        for i, (cid, row) in enumerate(members.iterrows()):
            xr = ranges.loc[cid].to_numpy(dtype=float)
            _draw_line(
                ax,
                xr,
                (row["intercept"], row["slope"]),
                gid=f"fit:{cid}",
                color=colors[i],
                lw=1.0,
                alpha=0.85,
            )
        ax.set_title(f"{group}: {lv} ({len(members)}{of} {cluster}s)", loc="center")
        ax.set_xlabel(predictor)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    if title:
        fig.suptitle(title)
    return fig


@styled
def three_effects_picture(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    *,
    title: str | None = None,
    shown: Sequence | None = None,
    order: Sequence | None = None,
):
    """The three effects of ``predictor`` in one picture (pages 67-69): the observations
    (faint), each cluster's mean (open circle) with a short segment of the within-cluster
    slope through it over the cluster's range of ``predictor``, the between-cluster line
    through the cluster means, and the pooled line through all observations.

    The slopes are those of ``multilevel.classical.effects.three_effects`` (overall): within from
    the deviations from cluster means, between from the unweighted cluster means, pooled from
    all observations. Gids: ``within:<cluster>``, ``between``, ``pooled``, ``means``. With
    ``shown``, the within segments of those clusters only (every mean is drawn)."""
    d = data.dropna(subset=[cluster, outcome, predictor])
    means = d.groupby(cluster, sort=True)[[predictor, outcome]].mean()
    ranges = d.groupby(cluster, sort=True)[predictor].agg(["min", "max"])
    dx = d[predictor] - d.groupby(cluster)[predictor].transform("mean")
    dy = d[outcome] - d.groupby(cluster)[outcome].transform("mean")
    within = float((dx * dy).sum() / (dx * dx).sum())
    between = ls_line(means[predictor], means[outcome])
    pooled = ls_line(d[predictor], d[outcome])
    fig, axes = new_figure(figsize=(6.0, 4.6))
    ax = axes[0, 0]
    ax.scatter(d[predictor], d[outcome], s=5, color=MUTED, alpha=0.25, linewidths=0)
    colors = {"within": INK, "between": "#0072B2", "pooled": "#D55E00"}
    segments = means if shown is None else means[means.index.isin(list(shown))]
    for i, (cid, row) in enumerate(segments.iterrows()):
        xs = ranges.loc[cid].to_numpy(dtype=float)
        ys = row[outcome] + within * (xs - row[predictor])
        ax.plot(
            xs,
            ys,
            color=colors["within"],
            lw=0.9,
            alpha=0.7,
            gid=f"within:{cid}",
            label=f"within {cluster}s: slope {within:.3g}" if i == 0 else None,
        )
    ax.scatter(
        means[predictor],
        means[outcome],
        s=22,
        facecolors="white",
        edgecolors=INK,
        linewidths=0.9,
        zorder=3,
        gid="means",
        label=f"{cluster} means",
    )
    if between is not None:
        _draw_line(
            ax,
            means[predictor],
            between,
            gid="between",
            color=colors["between"],
            lw=2.2,
            label=f"between {cluster}s: slope {between[1]:.3g}",
        )
    if pooled is not None:
        _draw_line(
            ax,
            d[predictor],
            pooled,
            gid="pooled",
            color=colors["pooled"],
            lw=2.2,
            ls="--",
            label=f"pooled: slope {pooled[1]:.3g}",
        )
    ax.set_xlabel(predictor)
    ax.set_ylabel(outcome)
    ax.set_title(title or f"Three effects of {predictor} on {outcome}")
    fig.legend(loc="outside lower center", ncols=4)
    return fig
