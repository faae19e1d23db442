"""Per-cluster sufficient statistics and what the classical methods build from them: each
cluster's OLS line, cluster means, the level of a cluster-constant column, the group levels.

Everything is one pass over the rows with integer cluster codes and ``np.bincount`` sums:
time and memory O(rows + clusters), no Python loop over clusters."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.errors import DataError

__all__ = [
    "ClusterStats",
    "cluster_coefficients",
    "cluster_constant",
    "cluster_lines",
    "cluster_means",
    "cluster_stats",
    "group_levels",
    "report_dropped",
    "require_columns",
]


def require_columns(data: pd.DataFrame, *columns: str | None) -> None:
    """Raise a DataError naming the first of ``columns`` (None entries are skipped) that
    ``data`` lacks."""
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise DataError(
            f"data has no column(s) {missing}; its columns are {list(data.columns)}",
            column=missing[0],
        )


def group_levels(data: pd.DataFrame, group: str, reference=None) -> list:
    """Levels of ``group`` with the reference level first. A categorical column keeps its
    category order (so its first category is the default reference, as in R); otherwise the
    sorted distinct values are used."""
    col = data[group]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        levels = [c for c in col.cat.categories if c in present]
    else:
        levels = sorted(col.dropna().unique().tolist())
    if len(levels) < 2:
        raise DataError(f"needs at least two levels, found {levels}", column=group)
    if reference is None:
        return levels
    if reference not in levels:
        raise DataError(f"reference level {reference!r} is not one of {levels}", column=group)
    return [reference] + [lv for lv in levels if lv != reference]


def cluster_constant(data: pd.DataFrame, cluster: str, column: str) -> pd.Series:
    """The value of a level-2 ``column`` in each cluster (sorted); it must not vary within a
    cluster."""
    nvals = data.groupby(cluster, sort=True)[column].nunique(dropna=False)
    bad = nvals.index[nvals > 1].tolist()
    if bad:
        raise DataError(
            f"a level-2 column must be constant within each {cluster}, but it varies",
            column=column,
            rows=bad,
            row_label=f"{cluster}s",
        )
    out = data.groupby(cluster, sort=True, observed=True)[column].first()
    if isinstance(data[column].dtype, pd.CategoricalDtype):
        out = out.astype(data[column].dtype)
    return out


@dataclass
class ClusterStats:
    """Sufficient statistics of the regression of y on x within each cluster.

    ``ids`` are the cluster ids (sorted), ``codes`` each row's position in ``ids``; ``n``,
    ``xbar``, ``ybar``, ``sxx``, ``sxy``, ``syy`` (centred sums of squares and cross-products)
    and ``varies`` (x takes at least two distinct values) are per cluster; ``dx`` and ``dy``
    are the rows' deviations from their cluster means (the within transformation)."""

    ids: pd.Index
    codes: np.ndarray
    n: np.ndarray
    xbar: np.ndarray
    ybar: np.ndarray
    sxx: np.ndarray
    sxy: np.ndarray
    syy: np.ndarray
    varies: np.ndarray
    dx: np.ndarray
    dy: np.ndarray

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of a row-length array."""
        return np.bincount(self.codes, weights=values, minlength=len(self.ids))


def cluster_stats(data: pd.DataFrame, cluster: str, outcome: str, predictor: str) -> ClusterStats:
    """:class:`ClusterStats` of ``outcome`` on ``predictor`` by ``cluster`` (rows with a
    missing value in any of the three must already be removed)."""
    codes, ids = pd.factorize(data[cluster], sort=True)
    J = len(ids)
    x = data[predictor].to_numpy(dtype=float)
    y = data[outcome].to_numpy(dtype=float)
    n = np.bincount(codes, minlength=J).astype(float)
    xbar = np.bincount(codes, weights=x, minlength=J) / n
    ybar = np.bincount(codes, weights=y, minlength=J) / n
    xmin = np.full(J, np.inf)
    xmax = np.full(J, -np.inf)
    np.minimum.at(xmin, codes, x)
    np.maximum.at(xmax, codes, x)
    varies = xmax > xmin
    # where x is constant its deviations are exactly 0, not the rounding error of the mean
    dx = np.where(varies[codes], x - xbar[codes], 0.0)
    dy = y - ybar[codes]
    return ClusterStats(
        ids=pd.Index(ids, name=cluster),
        codes=codes,
        n=n,
        xbar=xbar,
        ybar=ybar,
        sxx=np.bincount(codes, weights=dx * dx, minlength=J),
        sxy=np.bincount(codes, weights=dx * dy, minlength=J),
        syy=np.bincount(codes, weights=dy * dy, minlength=J),
        varies=varies,
        dx=dx,
        dy=dy,
    )


def _lines(stats: ClusterStats) -> pd.DataFrame:
    """Each cluster's own OLS line from its sufficient statistics (every cluster; the slope
    is NaN where x does not vary)."""
    ok = stats.varies
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(ok, stats.sxy / stats.sxx, np.nan)
        rss = np.clip(stats.syy - slope * stats.sxy, 0.0, None)
        resid_df = stats.n - 2
        s2 = np.where(resid_df > 0, rss / resid_df, np.nan)
        x0 = stats.xbar
        return pd.DataFrame(
            {
                "n": stats.n.astype(int),
                "intercept": stats.ybar - slope * x0,
                "slope": slope,
                "intercept_se": np.sqrt(s2 * (1.0 / stats.n + x0**2 / stats.sxx)),
                "slope_se": np.sqrt(s2 / stats.sxx),
                "cov_is": -s2 * x0 / stats.sxx,
                "sigma": np.sqrt(s2),
            },
            index=stats.ids,
        )


def cluster_coefficients(
    data: pd.DataFrame, cluster: str, outcome: str, predictor: str, group: str | None = None
) -> tuple[pd.DataFrame, list]:
    """OLS line of ``outcome`` on ``predictor`` within each cluster (like ``lmList``).

    Returns ``(coefs, dropped)``: ``coefs`` is indexed by cluster (sorted) with columns n,
    intercept, slope, intercept_se, slope_se, sigma, cov_is (covariance of intercept and slope)
    and, if given, the cluster's ``group``; ``dropped`` lists the clusters whose slope is not
    estimable (fewer than two distinct predictor values); they are not in ``coefs``."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data[[cluster, outcome, predictor]].dropna()
    stats = cluster_stats(d, cluster, outcome, predictor)
    groups = None if group is None else cluster_constant(data, cluster, group)
    return cluster_lines(stats, groups)


def cluster_lines(
    stats: ClusterStats, groups: pd.Series | None = None
) -> tuple[pd.DataFrame, list]:
    """:func:`cluster_coefficients` from the clusters' statistics; ``groups`` (each cluster's
    group, indexed by cluster) adds the group column."""
    coefs = _lines(stats).loc[stats.varies].copy()
    dropped = stats.ids[~stats.varies].tolist()
    if groups is not None:
        coefs[groups.name] = groups.reindex(coefs.index)
    return coefs, dropped


def cluster_means(
    data: pd.DataFrame, cluster: str, columns: list[str], group: str | None = None
) -> pd.DataFrame:
    """One row per cluster (sorted): the means of ``columns`` and the cluster's ``group``
    (like spida's ``up(data, ~cluster, all = TRUE)`` for these columns)."""
    require_columns(data, cluster, group, *columns)
    out = data.groupby(cluster, sort=True)[columns].mean()
    if group is not None:
        out[group] = cluster_constant(data, cluster, group).reindex(out.index)
    return out


def report_dropped(dropped: list, cluster: str, predictor: str) -> str:
    """Warn that ``dropped`` clusters have no estimable slope; the sentence for the result's
    description."""
    if not dropped:
        return ""
    shown = ", ".join(map(str, dropped[:20]))
    more = f" and {len(dropped) - 20} more" if len(dropped) > 20 else ""
    warnings.warn(
        f"{len(dropped)} cluster(s) of {cluster!r} dropped: the slope on {predictor!r} is not "
        f"estimable (fewer than two distinct values): {shown}{more}",
        stacklevel=3,
    )
    return (
        f" {len(dropped)} {cluster}(s) with fewer than two distinct values of {predictor} were "
        f"dropped: {shown}{more}."
    )


def cluster_mean_varies(data: pd.DataFrame, cluster: str, predictor: str) -> bool:
    """Does the cluster mean of ``predictor`` vary between clusters? Decided as R's ``lm``
    decides whether a column is aliased with the intercept (its centred part shorter than
    1e-7 of its length), so that the between-cluster regression, the contextual models and
    the three effects agree on whether a between-cluster effect exists. It does not when the
    design is balanced (the same values in every cluster) or the predictor is centred within
    clusters."""
    means = data.groupby(cluster, sort=True, observed=True)[predictor].mean().to_numpy(float)
    length = float(np.linalg.norm(means))
    return length > 0 and float(np.linalg.norm(means - means.mean())) >= 1e-7 * length
