"""Figures of the Diagnostics chapter (multilevel.diagnostics).

* ``residuals_figure``: standardized residuals against fitted values, against the predictor
  (coloured by group), by group, and a normal quantile plot;
* ``cluster_spread_figure``: each cluster's residuals as a strip, with their mean +- 1 SD;
* ``blup_quantile_figure``: a normal quantile plot of each random effect's BLUPs, with +-2
  conditional SEs;
* ``blup_against_figure``: each random effect's BLUPs against the cluster mean of the
  predictor, coloured by group;
* ``influence_figure``: Cook's distance of each cluster and the change of each fixed effect
  (dfbetas, in SEs) when the cluster is left out.

Points are drawn for every unit or cluster (as a bitmap inside the SVG above 1,000 markers,
style.save_figure); per-cluster strips, error bars and labels for a selection (the caller
says which, in the caption). Artists carry a ``gid`` so tests can find them in the SVG.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from multilevel.distributions import norm_ppf
from multilevel.plots.style import INK, MUTED, PALETTE, level_colors, new_figure, styled

__all__ = [
    "residuals_figure",
    "cluster_spread_figure",
    "blup_quantile_figure",
    "blup_against_figure",
    "influence_figure",
    "normal_scores",
]

POINT_C = PALETTE[0]
#: clusters labelled by name in the influence figure, per panel
LABELLED = 3


def normal_scores(n: int) -> np.ndarray:
    """Expected normal quantiles of n sorted values (Blom's plotting positions)."""
    return norm_ppf((np.arange(1, n + 1) - 0.375) / (n + 0.25))


def _groups(frame: pd.DataFrame) -> dict:
    if "group" not in frame:
        return {None: frame}
    return {lv: sub for lv, sub in frame.groupby("group", sort=False, observed=True)}


def _scatter_by_group(ax, frame, x, y, gid, size=6):
    groups = _groups(frame)
    colors = level_colors(list(groups)) if len(groups) > 1 else {None: POINT_C}
    for lv, sub in groups.items():
        ax.scatter(
            sub[x], sub[y], s=size, alpha=0.6, color=colors[lv], lw=0,
            label=None if lv is None else str(lv), gid=f"{gid}:{lv}" if lv is not None else gid,
        )  # fmt: skip
    if len(groups) > 1:
        ax.legend(loc="upper right", frameon=True, framealpha=0.9, markerscale=2)


def _reference_lines(ax):
    ax.axhline(0, color=INK, lw=0.8)
    for v in (-2, 2):
        ax.axhline(v, color=MUTED, lw=0.7, ls="--")


@styled
def residuals_figure(frame: pd.DataFrame, predictor: str, group: str | None):
    """``frame``: residuals.level1_frame."""
    fig, axes = new_figure(2, 2, figsize=(7.2, 5.8))
    (a, b), (c, d) = axes
    _scatter_by_group(a, frame, "fitted", "std_resid", "points:resid_fitted")
    a.set_xlabel("Fitted value (fixed part + the cluster's BLUPs)")
    a.set_title("Against fitted values")
    _scatter_by_group(b, frame, "predictor", "std_resid", "points:resid_predictor")
    b.set_xlabel(predictor)
    b.set_title(f"Against {predictor}")
    r = np.sort(frame["std_resid"].to_numpy())
    z = normal_scores(r.size)
    c.plot(z, r, ".", ms=2.5, color=POINT_C, gid="points:resid_qq")
    c.plot([z[0], z[-1]], [z[0], z[-1]], color=INK, lw=0.8, gid="line:identity")
    c.set_xlabel("Normal quantile")
    c.set_title("Normal quantile plot")
    groups = _groups(frame)
    if len(groups) > 1:
        names = [str(lv) for lv in groups]
        d.boxplot([sub["std_resid"].to_numpy() for sub in groups.values()], widths=0.5)
        d.set_xticks(range(1, len(names) + 1), names)
        d.set_xlabel(group)
        d.set_title(f"By {group}")
        _reference_lines(d)
    else:
        d.hist(r, bins=min(60, max(10, int(math.sqrt(r.size)))), density=True, color="#cbd5e0")
        grid = np.linspace(r[0], r[-1], 200)
        d.plot(grid, np.exp(-0.5 * grid**2) / math.sqrt(2 * math.pi), color=INK, lw=0.9)
        d.set_xlabel("Standardized residual")
        d.set_title("Histogram and the standard normal density")
    for ax in (a, b, c):
        _reference_lines(ax)
    for ax in (a, b, c):
        ax.set_ylabel("Standardized residual")
    return fig


@styled
def cluster_spread_figure(frame: pd.DataFrame, spread: pd.DataFrame, labels: dict):
    """``spread``: residuals.cluster_spread for the clusters shown, in display order (top to
    bottom); ``labels``: cluster -> display label."""
    shown = spread.sort_values(["sd", "n"], kind="stable", na_position="first")
    fig, axes = new_figure(figsize=(6.8, max(2.5, 0.16 * len(shown) + 1.0)))
    ax = axes[0, 0]
    pos = {c: i for i, c in enumerate(shown.index)}
    sub = frame[frame["cluster"].isin(pos)]
    ax.scatter(
        sub["std_resid"], sub["cluster"].map(pos), s=5, color=MUTED, alpha=0.5, lw=0,
        gid="points:cluster_resid",
    )  # fmt: skip
    y = np.arange(len(shown))
    ax.errorbar(
        shown["mean"], y, xerr=shown["sd"].fillna(0), fmt="o", ms=3.5, color=POINT_C,
        elinewidth=1.4, capsize=0, gid="bars:cluster_sd",
    )  # fmt: skip
    for v in (-1, 1):
        ax.axvline(v, color=INK, lw=0.7, ls="--")
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_yticks(y, [labels.get(c, str(c)) for c in shown.index], fontsize=6)
    ax.set_ylim(-0.8, len(shown) - 0.2)
    ax.set_xlabel("Standardized residual (grey); the cluster's mean ± 1 SD (blue)")
    ax.set_title("Residual spread by cluster, from the smallest SD to the largest")
    return fig


@styled
def blup_quantile_figure(blups: pd.DataFrame, effects: list[str], bars: pd.Index):
    """``blups``: random_effects.blup_frame; error bars for the clusters in ``bars``."""
    fig, axes = new_figure(1, len(effects), figsize=(3.4 * len(effects) + 0.4, 3.4))
    for ax, nm in zip(axes[0], effects, strict=True):
        order = np.argsort(blups[f"blup[{nm}]"].to_numpy(), kind="stable")
        b = blups[f"blup[{nm}]"].to_numpy()[order]
        se = blups[f"se[{nm}]"].to_numpy()[order]
        z = normal_scores(b.size)
        keep = blups.index[order].isin(bars)
        ax.errorbar(
            z[keep], b[keep], yerr=2 * se[keep], fmt="none", ecolor=MUTED, elinewidth=0.8,
            gid=f"bars:blup_se:{nm}",
        )  # fmt: skip
        ax.plot(z, b, "o", ms=3, color=POINT_C, gid=f"points:blup_qq:{nm}")
        sd = float(np.std(b, ddof=1)) if b.size > 1 else 0.0
        ends = z[[0, -1]]
        ax.plot(ends, ends * sd, color=INK, lw=0.8, gid=f"line:blup_qq:{nm}")
        ax.set_xlabel("Normal quantile")
        ax.set_ylabel(f"BLUP of the random effect of {nm}")
        ax.set_title(nm)
    return fig


@styled
def blup_against_figure(blups: pd.DataFrame, effects: list[str], predictor: str):
    fig, axes = new_figure(1, len(effects), figsize=(3.4 * len(effects) + 0.4, 3.4))
    for ax, nm in zip(axes[0], effects, strict=True):
        _scatter_by_group(
            ax, blups, "predictor_mean", f"blup[{nm}]", f"points:blup_x:{nm}", size=16
        )
        ax.axhline(0, color=INK, lw=0.8)
        ax.set_xlabel(f"Cluster mean of {predictor}")
        ax.set_ylabel(f"BLUP of the random effect of {nm}")
        ax.set_title(nm)
    return fig


def _index_panel(ax, values: np.ndarray, labels: list[str], title: str, gid: str):
    pos = np.arange(1, values.size + 1)
    ax.plot(pos, values, "o", ms=3, color=POINT_C, gid=gid)
    finite = np.where(np.isfinite(values), np.abs(values), -np.inf)
    for j in np.argsort(-finite, kind="stable")[: min(LABELLED, values.size)]:
        right = pos[j] > 0.75 * values.size  # labels near the right edge go to the left
        ax.annotate(
            labels[j], (pos[j], values[j]), xytext=(-3 if right else 3, 2),
            textcoords="offset points", ha="right" if right else "left", fontsize=7,
            color=INK, gid=f"label:{gid}:{labels[j]}",
        )  # fmt: skip
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("Cluster (sorted id)")


@styled
def influence_figure(cooks: np.ndarray, dfbetas: np.ndarray, names: list[str], labels: list[str]):
    """Cook's distance and the dfbetas of each fixed effect against the cluster's position."""
    n = 1 + len(names)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(nrows, ncols, figsize=(2.5 * ncols + 0.4, 2.4 * nrows + 0.2))
    flat = list(axes.flat)
    _index_panel(flat[0], cooks, labels, "Cook's distance", "points:cooks")
    flat[0].set_ylim(bottom=0)
    for k, nm in enumerate(names):
        ax = flat[k + 1]
        _index_panel(ax, dfbetas[:, k], labels, f"Change of {nm} (SEs)", f"points:dfbetas:{k}")
        ax.axhline(0, color=INK, lw=0.8)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig
