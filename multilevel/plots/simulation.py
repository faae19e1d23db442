"""Figures of the simulation chapter: the simulated school in data space and in beta space
(the document's Figures 8-17, pages 91-100) and the Monte Carlo comparison of the methods.

Beta space has the slope on the horizontal axis and the intercept on the vertical axis, as in
the document. Ellipses here are *dispersion* ellipses (radius 1): the shadow of each on an axis
is the mean plus or minus one standard deviation (page 96).

Every function returns a matplotlib Figure and never saves. Artists carry a ``gid``
(``mean-line``, ``true-line``, ``ls-line``, ``data``, ``gamma``, ``ellipse:G``, ``beta``,
``ellipse:sampling``, ``beta-hat``, ``ellipse:V``; ``empirical:<method>``,
``reported:<method>``, ``coverage:<method>``) so that tests and SVG readers can find them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from multilevel.classical.ellipse import ellipse
from multilevel.distributions import norm_ppf
from multilevel.plots.style import INK, MUTED, PALETTE, new_figure, styled
from multilevel.simulation.example_figures import EXAMPLE_FIGURES

__all__ = [
    "EXAMPLE_FIGURES",
    "example_limits",
    "data_space_figure",
    "beta_space_figure",
    "example_figures",
    "estimates_figure",
    "coverage_figure",
    "df_coverage_figure",
]

SCHOOL = PALETTE[0]
LEAST_SQUARES = PALETTE[1]
MARGINAL = PALETTE[2]
FIGSIZE = (4.4, 3.9)


def _pad(lo: float, hi: float, frac: float = 0.06) -> tuple[float, float]:
    span = hi - lo if hi > lo else 1.0
    return lo - frac * span, hi + frac * span


def _ellipse_points(centre, cov) -> np.ndarray:
    """(slope, intercept) points of the radius-1 ellipse of ``cov`` around ``centre``
    (given as (intercept, slope))."""
    e = ellipse(centre, cov, 1.0)
    return e.points[:, ::-1]


def example_limits(school: dict, gamma, G) -> dict:
    """Axis limits shared by the figures of one school, so that the sequence builds up on
    fixed axes: ``data`` (x and y) and ``beta`` (slope and intercept)."""
    gamma = np.asarray(gamma, dtype=float)
    ses, y = school["ses"], school["y"]
    xlo, xhi = _pad(float(ses.min()), float(ses.max()), 0.08)
    xs = np.array([xlo, xhi])
    lines = [gamma, school["beta"], school["beta_hat"]]
    ys = np.concatenate([y] + [b[0] + b[1] * xs for b in lines])
    pts = np.vstack(
        [
            _ellipse_points(gamma, G),
            _ellipse_points(gamma, school["V"]),
            _ellipse_points(school["beta"], school["sampling_cov"]),
            [gamma[::-1], school["beta"][::-1], school["beta_hat"][::-1]],
        ]
    )
    return {
        "x": (xlo, xhi),
        "y": _pad(float(ys.min()), float(ys.max())),
        "slope": _pad(float(pts[:, 0].min()), float(pts[:, 0].max()), 0.1),
        "intercept": _pad(float(pts[:, 1].min()), float(pts[:, 1].max()), 0.1),
    }


def _legend(fig, ax, order: Sequence[str], rows: int):
    """A legend below the axes with the entries in the ``gid`` order ``order`` and always
    ``rows`` rows (padded with blank entries), so that every figure of a sequence has axes
    of the same size."""
    found = dict(zip(*ax.get_legend_handles_labels(), strict=True))
    by_gid = {h.get_gid(): (h, lab) for h, lab in found.items()}
    entries = [by_gid[g] for g in order if g in by_gid]
    blank = Line2D([], [], alpha=0.0)
    entries += [(blank, " ")] * (2 * rows - len(entries))
    handles, labels = zip(*entries, strict=True)
    fig.legend(handles, labels, loc="outside lower center", ncols=2)


@styled
def data_space_figure(
    school: dict,
    gamma,
    show: Sequence[str],
    limits: Mapping,
    *,
    title: str = "Simulated school (data space)",
    xlabel: str = "SES",
    ylabel: str = "Y",
):
    """School ``school`` (a dict from ``Example.school``) in data space. ``show``: any of
    "mean" (the population mean line gamma), "true" (the school's true line), "data" (its
    points), "ls" (its least-squares line)."""
    fig, axes = new_figure(figsize=FIGSIZE)
    ax = axes[0, 0]
    xs = np.array(limits["x"])
    g = np.asarray(gamma, dtype=float)
    j = school["school"]
    if "mean" in show:
        ax.plot(xs, g[0] + g[1] * xs, color=INK, lw=1.6, gid="mean-line", label="mean line γ")
    if "true" in show:
        b = school["beta"]
        ax.plot(
            xs,
            b[0] + b[1] * xs,
            color=SCHOOL,
            ls="--",
            lw=1.6,
            gid="true-line",
            label=f"true line β{_sub(j)}",
        )
    if "data" in show:
        ax.scatter(
            school["ses"],
            school["y"],
            s=14,
            color=SCHOOL,
            alpha=0.85,
            linewidths=0,
            gid="data",
            label=f"data (N{_sub(j)} = {school['n']})",
        )
    if "ls" in show:
        b = school["beta_hat"]
        ax.plot(
            xs,
            b[0] + b[1] * xs,
            color=LEAST_SQUARES,
            lw=1.6,
            gid="ls-line",
            label=f"least squares β̂{_sub(j)}",
        )
    ax.set_xlim(*limits["x"])
    ax.set_ylim(*limits["y"])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _legend(fig, ax, ["mean-line", "true-line", "data", "ls-line"], rows=2)
    return fig


def _sub(j: int) -> str:
    return str(j).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


@styled
def beta_space_figure(
    school: dict,
    gamma,
    G,
    show: Sequence[str],
    limits: Mapping,
    *,
    title: str = "Simulated school (beta space)",
):
    """School ``school`` in beta space (slope horizontal, intercept vertical). ``show``: any of
    "gamma" (the population mean), "G" (its dispersion ellipse), "beta" (the school's true
    coefficients), "sampling" (the dispersion ellipse sigma^2 (X'X)^-1 of the estimate around
    them), "beta_hat" (the estimate), "V" (the ellipse of V = G + sigma^2 (X'X)^-1 around
    gamma: the dispersion of the estimate as an estimate of gamma)."""
    fig, axes = new_figure(figsize=FIGSIZE)
    ax = axes[0, 0]
    g = np.asarray(gamma, dtype=float)
    j = _sub(school["school"])
    ax.axhline(0, color=MUTED, lw=0.8, zorder=0)
    ax.axvline(0, color=MUTED, lw=0.8, zorder=0)
    if "G" in show:
        p = _ellipse_points(g, G)
        ax.plot(p[:, 0], p[:, 1], color=INK, lw=1.3, gid="ellipse:G", label="G around γ")
    if "V" in show:
        p = _ellipse_points(g, school["V"])
        ax.plot(
            p[:, 0],
            p[:, 1],
            color=MARGINAL,
            lw=1.6,
            ls=(0, (5, 2)),
            gid="ellipse:V",
            label=f"V{j} = G + σ²(X{j}′X{j})⁻¹ around γ",
        )
    if "sampling" in show:
        p = _ellipse_points(school["beta"], school["sampling_cov"])
        ax.plot(
            p[:, 0],
            p[:, 1],
            color=SCHOOL,
            lw=1.2,
            gid="ellipse:sampling",
            label=f"σ²(X{j}′X{j})⁻¹ around β{j}",
        )
    if "gamma" in show:
        ax.plot([g[1]], [g[0]], "o", color=INK, ms=6, zorder=4, gid="gamma", label="γ (mean line)")
    if "beta" in show:
        b = school["beta"]
        ax.plot(
            [b[1]],
            [b[0]],
            "o",
            mfc="white",
            mec=SCHOOL,
            mew=1.5,
            ms=6,
            zorder=4,
            gid="beta",
            label=f"true β{j}",
        )
    if "beta_hat" in show:
        b = school["beta_hat"]
        ax.plot(
            [b[1]],
            [b[0]],
            "o",
            color=LEAST_SQUARES,
            ms=5,
            zorder=5,
            gid="beta-hat",
            label=f"estimate β̂{j}",
        )
    ax.set_xlim(*limits["slope"])
    ax.set_ylim(*limits["intercept"])
    ax.set_xlabel("slope β₁ (of SES)")
    ax.set_ylabel("intercept β₀")
    ax.set_title(title)
    order = ["gamma", "ellipse:G", "beta", "ellipse:sampling", "beta-hat", "ellipse:V"]
    _legend(fig, ax, order, rows=3)
    return fig


def example_figures(school: dict, gamma, G) -> dict:
    """Figures 8-17 for one school: ``{key: Figure}`` in the order of ``EXAMPLE_FIGURES``."""
    limits = example_limits(school, gamma, G)
    out = {}
    for key, (_, _, space, show, _) in EXAMPLE_FIGURES.items():
        if space == "data":
            out[key] = data_space_figure(school, gamma, show, limits)
        else:
            out[key] = beta_space_figure(school, gamma, G, show, limits)
    return out


# --------------------------------------------------------------------------- Monte Carlo


def _method_rows(summary: pd.DataFrame) -> list[str]:
    """The methods of ``summary``, in their order of appearance (top to bottom)."""
    return list(dict.fromkeys(summary["method"]))


@styled
def estimates_figure(
    summary: pd.DataFrame,
    labels: Mapping[str, str],
    quantities: Mapping[str, str],
    level: float = 0.95,
):
    """One panel per quantity, one row per method: the central ``level`` range of the
    estimates over the replicates (thick bar, dot at their mean: where the method aims and
    how much it shakes) and the mean estimate +- z times the mean *reported* SE (thin bar with
    caps: how much it says it shakes), against the true value (dashed line)."""
    methods = _method_rows(summary)
    fig, axes = new_figure(1, len(quantities), figsize=(9.6, 3.9), sharey=True)
    z = norm_ppf(0.5 + level / 2)
    y = np.arange(len(methods))
    for ax, (q, title) in zip(axes[0], quantities.items(), strict=True):
        s = summary[summary["quantity"] == q].set_index("method").reindex(methods)
        truth = float(s["truth"].dropna().iloc[0])
        ax.axvline(truth, color=INK, ls="--", lw=1.0, zorder=1, gid=f"truth:{q}")
        for i, m in enumerate(methods):
            r = s.loc[m]
            ax.plot(
                [r.q025, r.q975],
                [i - 0.12, i - 0.12],
                color=SCHOOL,
                lw=4.5,
                solid_capstyle="butt",
                alpha=0.55,
                gid=f"empirical:{m}:{q}",
            )
            ax.plot([r["mean"]], [i - 0.12], "o", color=SCHOOL, ms=4)
            half = z * r.mean_se
            ax.errorbar(
                [r["mean"]],
                [i + 0.18],
                xerr=[[half], [half]],
                fmt="none",
                ecolor=LEAST_SQUARES,
                elinewidth=1.4,
                capsize=3,
                gid=f"reported:{m}:{q}",
            )
        ax.set_title(title)
        ax.set_xlabel(f"estimate (true value {truth:g})")
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(y, [labels.get(m, m) for m in methods])
    axes[0, 0].set_ylim(len(methods) - 0.5, -0.5)
    pct = f"{100 * level:g}%"
    handles = [
        Line2D([], [], color=SCHOOL, lw=4.5, alpha=0.55, marker="o", ms=4),
        Line2D([], [], color=LEAST_SQUARES, lw=1.4, marker="|", ms=8),
        Line2D([], [], color=INK, ls="--", lw=1.0),
    ]
    fig.legend(
        handles,
        [
            f"central {pct} of the estimates (dot: their mean)",
            f"mean estimate ± {z:.2f} × mean reported SE",
            "true value",
        ],
        loc="outside lower center",
        ncols=3,
    )
    return fig


@styled
def coverage_figure(
    summary: pd.DataFrame,
    labels: Mapping[str, str],
    quantities: Mapping[str, str],
    level: float = 0.95,
):
    """One panel per quantity, one row per method: the coverage of the methods' ``level``
    intervals with +- 1.96 Monte Carlo standard errors, against the nominal level (dashed
    line; the band is +- 1.96 MC SEs of a correct coverage)."""
    methods = _method_rows(summary)
    fig, axes = new_figure(1, len(quantities), figsize=(9.6, 3.6), sharey=True, sharex=True)
    lo = float(np.nanmin(summary["coverage"] - 2 * summary["coverage_mcse"]))
    lo = max(0.0, np.floor(min(lo, level - 0.1) * 10) / 10)
    for ax, (q, title) in zip(axes[0], quantities.items(), strict=True):
        s = summary[summary["quantity"] == q].set_index("method").reindex(methods)
        band = 1.96 * float(s["nominal_mcse"].max())
        ax.axvspan(level - band, level + band, color=MUTED, alpha=0.18, lw=0)
        ax.axvline(level, color=INK, ls="--", lw=1.0)
        for i, m in enumerate(methods):
            r = s.loc[m]
            honest = abs(r.coverage - level) <= 3 * r.nominal_mcse
            ax.errorbar(
                [r.coverage],
                [i],
                xerr=[[1.96 * r.coverage_mcse], [1.96 * r.coverage_mcse]],
                fmt="o",
                color=SCHOOL if honest else LEAST_SQUARES,
                ms=5,
                capsize=3,
                gid=f"coverage:{m}:{q}",
            )
        ax.set_title(title)
        ax.set_xlim(lo, 1.0)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"coverage of the {100 * level:g}% intervals")
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(np.arange(len(methods)), [labels.get(m, m) for m in methods])
    axes[0, 0].set_ylim(len(methods) - 0.5, -0.5)
    handles = [
        Line2D([], [], color=SCHOOL, marker="o", ls="none"),
        Line2D([], [], color=LEAST_SQUARES, marker="o", ls="none"),
        Line2D([], [], color=INK, ls="--"),
    ]
    fig.legend(
        handles,
        [
            "coverage ± 1.96 MC SE: within 3 MC SE of nominal",
            "further from nominal",
            f"nominal {100 * level:g}% (band: ± 1.96 MC SE)",
        ],
        loc="outside lower center",
        ncols=3,
    )
    return fig


def df_coverage_figure(
    summary: pd.DataFrame,
    rules: Mapping[str, str],
    quantities: Mapping[str, str],
    level: float = 0.95,
):
    """One panel per quantity: coverage of the ``level`` intervals against the total number
    of clusters, one line per df rule, +- 1.96 Monte Carlo SEs; the band is +- 1.96 MC SEs
    of an exact coverage."""
    totals = sorted(summary["clusters"].unique())
    fig, axes = new_figure(1, len(quantities), figsize=(9.6, 3.6), sharey=True, sharex=True)
    lo = float(np.nanmin(summary["coverage"] - 2 * summary["coverage_mcse"]))
    lo = max(0.0, np.floor(min(lo, level - 0.05) * 20) / 20)
    x = np.log2(np.asarray(totals, dtype=float))
    dodge = 0.06 * (np.arange(len(rules)) - (len(rules) - 1) / 2)
    for ax, (q, title) in zip(axes[0], quantities.items(), strict=True):
        s = summary[summary["quantity"] == q]
        band = 1.96 * float(s["nominal_mcse"].max())
        ax.axhspan(level - band, level + band, color=MUTED, alpha=0.18, lw=0)
        ax.axhline(level, color=INK, ls="--", lw=1.0)
        for k, rule in enumerate(rules):
            r = s[s["rule"] == rule].set_index("clusters").reindex(totals)
            ax.errorbar(
                x + dodge[k],
                r["coverage"],
                yerr=1.96 * r["coverage_mcse"],
                fmt="o-",
                color=PALETTE[k % len(PALETTE)],
                ms=4,
                lw=1.2,
                capsize=2,
                gid=f"df_coverage:{rule}:{q}",
            )
        ax.set_title(title)
        ax.set_xticks(x, [str(t) for t in totals])
        ax.set_xlabel("clusters (total)")
        ax.set_ylim(lo, 1.0)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[0, 0].set_ylabel(f"coverage of the {100 * level:g}% intervals")
    handles = [
        Line2D([], [], color=PALETTE[k % len(PALETTE)], marker="o") for k in range(len(rules))
    ]
    handles.append(Line2D([], [], color=INK, ls="--"))
    fig.legend(
        handles,
        [*rules.values(), f"nominal {100 * level:g}%"],
        loc="outside lower center",
        ncols=len(rules) + 1,
    )
    return fig
