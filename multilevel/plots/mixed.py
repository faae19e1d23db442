"""Figures of the hierarchical-model chapters (document pages 152-169).

* ``resid_fitted_figure``: standardized residuals against fitted values (page 152);
* ``outcome_by_cluster_figure``: the outcome of every unit against its cluster's position, with
  the mixed-model GLS estimate, the overall mean and the mean of the cluster means as
  horizontal lines; ``zoom=True`` narrows the vertical axis to the three lines (pages 156, 158);
* ``blue_blup_by_cluster_figure``: each cluster's BLUE (its mean) and BLUP (page 161);
* ``shrinkage_figure``: BLUE to BLUP arrows against cluster size (page 163);
* ``blup_lines_figure``: the BLUP line of each cluster over its data, one panel per group, with
  the group's mean line (Figure 18, page 166);
* ``blue_blup_beta_space_figure``: BLUEs and BLUPs as points in beta space, with the dispersion
  ellipse of each group's points, arrows from BLUE to BLUP and the mean line of each group
  (Figure 19, pages 167-169);
* ``contextual_effects_figure``: within, between and contextual effects with their 95%
  intervals, overall and by group.

Artists carry a ``gid`` (``line:gls``, ``points:blue``, ``arrow:<cluster>``, ...) so tests can
find them in the SVG.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from multilevel.classical.ellipse import ellipse
from multilevel.levels import level_name
from multilevel.plots.style import (
    INK,
    MUTED,
    PALETTE,
    frame_bulk,
    level_colors,
    new_figure,
    styled,
)
from multilevel.workflow_names import MIXED_FIGURE_KEYS as FIGURE_KEYS

__all__ = [
    "FIGURE_KEYS",
    "resid_fitted_figure",
    "outcome_by_cluster_figure",
    "blue_blup_by_cluster_figure",
    "shrinkage_figure",
    "blup_lines_figure",
    "blue_blup_beta_space_figure",
    "contextual_effects_figure",
]

BLUE_C, BLUP_C, GLS_C = PALETTE[0], PALETTE[1], PALETTE[2]
MARKERS = ["o", "^", "s", "D", "v"]

# The hierarchical chapters' figures, in the report's order: one SVG each (rules/mixed.smk).


@styled
def resid_fitted_figure(fitted, std_resid, *, title="Standardized residuals against fitted values"):
    fig, axes = new_figure(figsize=(6.4, 4.0))
    ax = axes[0, 0]
    ax.scatter(
        fitted,
        std_resid,
        s=10,
        facecolors="none",
        edgecolors=BLUE_C,
        linewidths=0.6,
        gid="points:residuals",
    )
    ax.axhline(0, color=MUTED, lw=0.8, gid="line:zero")
    ax.set_xlabel("Fitted values (level 1: fixed part plus the cluster's BLUP)")
    ax.set_ylabel("Standardized residuals")
    ax.set_title(title)
    return fig


@styled
def outcome_by_cluster_figure(
    position,
    outcome,
    lines: dict[str, float],
    *,
    ylabel: str,
    xlabel: str = "cluster (in the order of the cluster labels)",
    zoom: bool = False,
    title: str | None = None,
):
    """``lines``: {"mixed model GLS": ..., "overall mean": ..., "mean of cluster means": ...}."""
    fig, axes = new_figure(figsize=(6.4, 4.2))
    ax = axes[0, 0]
    ax.scatter(
        position,
        outcome,
        s=8,
        facecolors="none",
        edgecolors=MUTED,
        linewidths=0.5,
        gid="points:units",
    )
    colors = [GLS_C, INK, BLUP_C]
    for (label, value), color in zip(lines.items(), colors, strict=False):
        ax.axhline(value, color=color, lw=1.8, label=f"{label} ({value:.3f})", gid=f"line:{label}")
    if zoom:
        vals = np.array(list(lines.values()))
        span = max(vals.max() - vals.min(), 1e-6)
        ax.set_ylim(vals.min() - 1.5 * span, vals.max() + 1.5 * span)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title or ("The three estimates, zoomed in" if zoom else "Outcome by cluster"))
    ax.legend(loc="lower right" if not zoom else "lower left", frameon=True, framealpha=0.9)
    return fig


@styled
def blue_blup_by_cluster_figure(
    table: pd.DataFrame, gamma: float, *, ylabel: str, title="BLUE and BLUP of each cluster"
):
    """``table``: one row per cluster (in display order) with columns label, ols, blup."""
    fig, axes = new_figure(figsize=(7.0, 4.2))
    ax = axes[0, 0]
    pos = np.arange(1, len(table) + 1)
    ax.axhline(gamma, color=INK, lw=1.2, label="overall GLS estimate", gid="line:gls")
    ax.scatter(
        pos, table["ols"], s=30, color=BLUE_C, label="BLUE (cluster mean)", gid="points:blue"
    )
    ax.scatter(pos, table["blup"], s=14, color=BLUP_C, label="BLUP", gid="points:blup")
    ax.set_xticks(pos)
    ax.set_xticklabels(table["label"], rotation=90, fontsize=6)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=True, framealpha=0.9)
    return fig


@styled
def shrinkage_figure(
    table: pd.DataFrame,
    gamma: float,
    *,
    ylabel: str,
    x: str = "n",
    title="Shrinking from the BLUE to the BLUP, against cluster size",
    arrows=None,
):
    """Arrows from each cluster's BLUE to its BLUP, at its size n (``x="n"``) or, when every
    cluster has the same size, at its BLUE (``x="ols"``). ``arrows``: the index values of the
    rows that get an arrow (default: every row); every row's points are drawn."""
    fig, axes = new_figure(figsize=(6.4, 4.4))
    ax = axes[0, 0]
    ax.axhline(gamma, color=GLS_C, lw=1.8, gid="line:gls")
    ax.scatter(table[x], table["ols"], s=30, color=BLUE_C, zorder=3, gid="points:blue")
    ax.scatter(table[x], table["blup"], s=14, color=BLUP_C, zorder=4, gid="points:blup")
    # arrows shorter than 1% of the vertical range would be all head: points only
    lo = min(table["ols"].min(), table["blup"].min())
    hi = max(table["ols"].max(), table["blup"].max())
    with_arrows = table if arrows is None else table[table.index.isin(list(arrows))]
    for label, row in with_arrows.iterrows():
        if abs(row["blup"] - row["ols"]) > 0.01 * (hi - lo):
            ann = ax.annotate(
                "",
                xy=(row[x], row["blup"]),
                xytext=(row[x], row["ols"]),
                arrowprops={
                    "arrowstyle": "->",
                    "color": INK,
                    "lw": 0.9,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
            ann.arrow_patch.set_gid(f"arrow:{row.get('label', label)}")
    handles = [
        Line2D([], [], color=BLUE_C, marker="o", ls="none", label="BLUE"),
        Line2D([], [], color=BLUP_C, marker="o", ls="none", ms=3, label="BLUP"),
        Line2D([], [], color=GLS_C, lw=1.8, label=r"$\hat\gamma_{00}$ (GLS)"),
        Line2D([], [], color=INK, lw=0.9, label="shrinkage"),
    ]
    ax.legend(handles=handles, loc="upper left", ncols=2, frameon=True, framealpha=0.9)
    ax.set_xlabel("cluster size n" if x == "n" else f"BLUE (cluster mean of {ylabel})")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


@styled
def blup_lines_figure(
    data: pd.DataFrame,
    lines: pd.DataFrame,
    population: pd.DataFrame,
    *,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None,
    title="BLUP line of each cluster (random intercepts and slopes)",
    shown=None,
):
    """``lines``: per cluster group, blup_intercept, blup_slope; ``population``: the mean line
    (intercept, slope) of each group (index: group level, or None). ``shown``: the clusters
    whose line is drawn (default: every cluster); every unit's point is drawn."""
    levels = list(population.index)
    width = 6.4 if len(levels) == 1 else 3.6 * len(levels) + 0.6
    fig, axes = new_figure(1, len(levels), figsize=(width, 4.4), sharey=True)
    colors = PALETTE * (1 + len(lines) // len(PALETTE))
    ranges = data.groupby(cluster, observed=True)[predictor].agg(["min", "max"])
    drawn = lines if shown is None else lines[lines.index.isin(list(shown))]
    for k, lv in enumerate(levels):
        ax = axes[0, k]
        if group:
            in_lv = drawn.index[drawn["group"] == lv]
            sub = data[data[group].astype(str) == lv]
        else:
            in_lv, sub = drawn.index, data
        ax.scatter(
            sub[predictor],
            sub[outcome],
            s=6,
            facecolors="none",
            edgecolors=MUTED,
            linewidths=0.4,
            alpha=0.7,
            gid=f"points:{lv}",
        )
        for i, c in enumerate(in_lv):
            x = ranges.loc[c].to_numpy(dtype=float)
            row = lines.loc[c]
            ax.plot(
                x,
                row["blup_intercept"] + row["blup_slope"] * x,
                lw=0.8,
                color=colors[i],
                alpha=0.8,
                gid=f"blup:{c}",
            )
        x = np.array([data[predictor].min(), data[predictor].max()])
        pop = population.loc[lv]
        ax.plot(
            x,
            pop["intercept"] + pop["slope"] * x,
            color=INK,
            lw=2.4,
            gid=f"mean:{lv}",
            label="mean line (fixed effects)",
        )
        ax.set_title(level_name(group, lv) if lv is not None else title)
        ax.set_xlabel(predictor)
        if k == 0:
            ax.set_ylabel(outcome)
            ax.legend(loc="upper left")
    if len(levels) > 1:
        fig.suptitle(title, x=0.02, ha="left", fontsize=10, fontweight="bold")
    return fig


def _dispersion(ax, pts: np.ndarray, color, ls, gid):
    """The 1-SD dispersion ellipse of points (columns intercept, slope)."""
    ok = pts[np.all(np.isfinite(pts), axis=1)]
    if len(ok) < 3:
        return
    e = ellipse(ok.mean(axis=0), np.cov(ok.T), 1.0)
    ax.plot(e.points[:, 1], e.points[:, 0], color=color, ls=ls, lw=1.2, gid=gid)


@styled
def blue_blup_beta_space_figure(
    lines: pd.DataFrame,
    population: pd.DataFrame,
    *,
    predictor: str,
    title="BLUEs and BLUPs in beta space",
    arrows=None,
    group: str | None = None,
):
    """BLUE (blue) and BLUP (orange) of each cluster's (intercept, slope), one marker per group,
    arrows from BLUE to BLUP (for the clusters in ``arrows``, default all), the 1-SD
    dispersion ellipse of each group's BLUEs (solid) and BLUPs (dashed), and the mean line of
    each group (green star)."""
    fig, axes = new_figure(figsize=(6.4, 5.8))
    ax = axes[0, 0]
    levels = list(population.index)
    for k, lv in enumerate(levels):
        sub = lines if lv is None else lines[lines["group"] == lv]
        m = MARKERS[k % len(MARKERS)]
        with_arrows = sub if arrows is None else sub[sub.index.isin(list(arrows))]
        for _, row in with_arrows.iterrows():
            if np.isfinite(row["blue_slope"]):
                ann = ax.annotate(
                    "",
                    xy=(row["blup_slope"], row["blup_intercept"]),
                    xytext=(row["blue_slope"], row["blue_intercept"]),
                    arrowprops={
                        "arrowstyle": "->",
                        "color": MUTED,
                        "lw": 0.6,
                        "shrinkA": 2,
                        "shrinkB": 2,
                    },
                )
                ann.arrow_patch.set_gid(f"arrow:{row.name}")
        for kind, size, color in (("blue", 22, BLUE_C), ("blup", 16, BLUP_C)):
            name = kind.upper()
            ax.scatter(
                sub[f"{kind}_slope"],
                sub[f"{kind}_intercept"],
                marker=m,
                s=size,
                facecolors="none",
                edgecolors=color,
                linewidths=0.9,
                gid=f"points:{kind}:{lv}",
                label=f"{name}, {level_name(group, lv)}" if lv is not None else name,
            )
        _dispersion(
            ax,
            sub[["blue_intercept", "blue_slope"]].to_numpy(float),
            BLUE_C,
            ["-", "--", ":"][k % 3],
            f"ellipse:blue:{lv}",
        )
        _dispersion(
            ax,
            sub[["blup_intercept", "blup_slope"]].to_numpy(float),
            BLUP_C,
            ["-", "--", ":"][k % 3],
            f"ellipse:blup:{lv}",
        )
        pop = population.loc[lv]
        ax.plot(
            [pop["slope"]],
            [pop["intercept"]],
            marker="*",
            ms=12,
            color=GLS_C,
            ls="none",
            markeredgecolor=INK,
            markeredgewidth=0.5,
            gid=f"mean:{lv}",
            label="mean line" if k == 0 else None,
        )
    frame_bulk(
        ax,
        np.concatenate([lines["blue_slope"], lines["blup_slope"]]),
        np.concatenate([lines["blue_intercept"], lines["blup_intercept"]]),
        "BLUEs and BLUPs",
    )
    ax.set_xlabel(f"slope of {predictor}")
    ax.set_ylabel("intercept")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=max(2, len(levels)))
    return fig


@styled
def contextual_effects_figure(
    effects: pd.DataFrame, *, predictor: str, title="Within, between and contextual effects"
):
    """Each effect with its 95% interval, one row per (scope, effect)."""
    order = ["within", "between", "contextual", "random-effects slope"]
    scopes = list(dict.fromkeys(effects["scope"]))
    colors = level_colors(order)
    rows = [
        (s, e)
        for s in scopes
        for e in order
        if ((effects["scope"] == s) & (effects["effect"] == e)).any()
    ]
    fig, axes = new_figure(figsize=(6.4, 0.9 + 0.32 * len(rows)))
    ax = axes[0, 0]
    ax.axvline(0, color=MUTED, lw=0.8)
    y = np.arange(len(rows))[::-1]
    for yi, (s, e) in zip(y, rows, strict=True):
        r = effects[(effects["scope"] == s) & (effects["effect"] == e)].iloc[0]
        ax.plot([r["lower"], r["upper"]], [yi, yi], color=colors[e], lw=2, gid=f"ci:{s}:{e}")
        ax.plot([r["estimate"]], [yi], "o", color=colors[e])
    ax.set_yticks(y)
    ax.set_yticklabels([f"{s}: {e}" for s, e in rows])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"effect of {predictor} on the outcome (per unit), with 95% interval")
    ax.set_title(title)
    return fig
