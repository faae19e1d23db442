"""Figure 1 of the document: a uniform quantile plot of every variable.

Numeric variables: the sorted values against the fraction of observations below them, with the
median (solid) and quartiles (dashed). Categorical variables: a bar of counts per value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from multilevel.plots.style import PALETTE, new_figure, styled

ACCENT = PALETTE[0]
# Bars of a categorical variable: more would not be readable (ties by sorted value).
MAX_BARS = 30


def quantile_panel(ax, series: pd.Series, name: str) -> None:
    values = series.dropna()
    n = len(values)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        ordered = np.sort(values.to_numpy(dtype=float))
        fraction = (np.arange(1, n + 1) - 0.5) / n
        # Thousands of points: rasterised inside the SVG keeps the file small, axes stay vector.
        ax.plot(fraction, ordered, ".", ms=2.2, color=ACCENT, rasterized=True)
        q1, med, q3 = np.quantile(ordered, [0.25, 0.5, 0.75])
        ax.axhline(med, color="0.25", lw=0.9)
        for q in (q1, q3):
            ax.axhline(q, color="0.25", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"fraction of {n} obs.", fontsize=8)
    else:
        counts = values.astype(str).value_counts().sort_index()
        label = f"count (N = {n})"
        if len(counts) > MAX_BARS:  # e.g. a string cluster id: the most frequent levels only
            top = np.argsort(-counts.to_numpy(), kind="stable")[:MAX_BARS]
            label = f"count (N = {n}): the {MAX_BARS} most frequent of {len(counts)} values"
            counts = counts.iloc[np.sort(top)]
        ax.barh(counts.index, counts.to_numpy(), color="#cbd5e0", edgecolor="0.3", lw=0.6)
        ax.set_xlabel(label, fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    ax.set_title(name, fontsize=9)
    ax.tick_params(labelsize=7)


@styled
def uniform_quantile_figure(frame: pd.DataFrame, columns: list[str], ncols: int = 3):
    nrows = math.ceil(len(columns) / ncols)
    fig, axes = new_figure(nrows, ncols, figsize=(7.5, 2.1 * nrows))
    for ax, column in zip(axes.flat, columns):
        quantile_panel(ax, frame[column], column)
    for ax in list(axes.flat)[len(columns) :]:
        ax.set_visible(False)
    return fig
