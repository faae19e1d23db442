"""Group-wise operations on long (one row per level-1 unit) tables.

The R idioms the document relies on, with the same semantics:
capply (a group-wise function broadcast back to rows), up (one row per cluster) and tab (cross
tables with totals).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

# numpy reductions that pandas computes in one vectorised pass (a callable runs once per group)
_BUILTIN = {np.mean: "mean", np.sum: "sum", np.min: "min", np.max: "max", np.median: "median"}


def capply(values: pd.Series, clusters: pd.Series, func: Callable | str = "mean") -> pd.Series:
    """Apply `func` to the values of each cluster and broadcast the result to every row."""
    frame = pd.DataFrame({"v": np.asarray(values), "c": np.asarray(clusters)})
    func = _BUILTIN.get(func, func) if callable(func) else func
    out = frame.groupby("c", sort=False, observed=True)["v"].transform(func)
    return pd.Series(out.to_numpy(), index=values.index, name=values.name)


def invariant_columns(frame: pd.DataFrame, cluster: str) -> list[str]:
    """Columns whose value is the same on every row of each cluster (missing values count as a
    value), in the frame's column order, the cluster column included."""
    grouped = frame.groupby(cluster, sort=False, observed=True)
    keep = []
    for column in frame.columns:
        if column == cluster:
            keep.append(column)
            continue
        counts = grouped[column].nunique(dropna=False)
        if (counts <= 1).all():
            keep.append(column)
    return keep


def varying_clusters(frame: pd.DataFrame, cluster: str, column: str) -> list:
    """The clusters in which `column` takes more than one value."""
    counts = frame.groupby(cluster, sort=True, observed=True)[column].nunique(dropna=False)
    return counts.index[counts > 1].tolist()


def _modes(frame: pd.DataFrame, cluster: str, column: str) -> pd.Series:
    """The most frequent value of `column` in each cluster (index: cluster, sorted); ties go to
    the first value in sorted (level) order; NaN for a cluster with no value. One grouped count,
    not a function call per cluster."""
    counts = frame.groupby([cluster, column], sort=True, observed=True).size()
    counts = counts[counts > 0].rename("n").reset_index()
    # counts come sorted by cluster, then value (level order); a stable sort on the count,
    # largest first, keeps that value order among ties
    best = counts.sort_values([cluster, "n"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates(cluster).set_index(cluster)[column]
    clusters = frame.groupby(cluster, sort=True, observed=True).size().index
    return best.reindex(clusters)


def up(frame: pd.DataFrame, cluster: str, summarise: bool = False) -> pd.DataFrame:
    """Collapse a long table to one row per cluster, indexed by cluster (in sorted or category
    order).

    Without `summarise`, only the variables invariant within clusters are kept. With it, the
    level-1 variables are kept too, summarised: the mean of numeric variables and the mode of
    the others.
    """
    invariant = invariant_columns(frame, cluster)
    grouped = frame.groupby(cluster, sort=True, observed=True)
    first = grouped[[c for c in invariant if c != cluster]].first()
    if not summarise:
        out = first
    else:
        columns = {}
        for column in frame.columns:
            if column == cluster:
                continue
            if column in invariant:
                columns[column] = first[column]
            elif pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
                frame[column]
            ):
                columns[column] = grouped[column].mean()
            else:
                columns[column] = _modes(frame, cluster, column)
        out = pd.DataFrame(columns)
    for column in out.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            out[column] = pd.Categorical(out[column], categories=frame[column].cat.categories)
    out.index.name = cluster
    return out


def tab(
    frame: pd.DataFrame,
    rows: str,
    columns: str,
    totals: bool = True,
    row_order: Sequence | None = None,
) -> pd.DataFrame:
    """Cross table of counts with a Total row and column (spida's tab)."""
    table = pd.crosstab(frame[rows], frame[columns], dropna=False)
    if row_order is not None:
        table = table.reindex(list(row_order), fill_value=0)
    if totals:
        table.loc["Total"] = table.sum(axis=0)
        table["Total"] = table.sum(axis=1)
    table.index.name = rows
    table.columns.name = columns
    return table.astype(int)
