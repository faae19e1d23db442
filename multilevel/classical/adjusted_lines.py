"""Each cluster's own OLS line of the outcome on the predictor with level-1 covariates held
constant: ``lm(y ~ x + z1 + ... + zq)`` in every cluster at once.

From per-cluster centred cross-products (one ``np.bincount`` per pair of columns: time
O(rows q^2), memory O(rows q + clusters q^2)), each cluster's regression is solved by sweeping
its (1 + q + 1)-square cross-product matrix column by column, all clusters together. A column
is kept, as R's ``lm`` keeps it, only when what it adds beyond the columns before it is more
than 1e-7 of its own norm; otherwise its coefficient is not estimable in that cluster (NA in
R) and the cluster's line is fitted without it. The predictor comes first: a cluster where it
does not vary has no slope and is dropped, as without covariates. A covariate column constant
within a cluster (an all-girls school's sex) is such a column; the clusters where each column
is dropped are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["AdjustedLines", "adjusted_cluster_lines"]

#: R's lm: a column is aliased when its norm after the previous columns is below tol times
#: its norm (dqrdc2, tol = 1e-7); the sweep works with squared norms
_ALIAS_TOL2 = 1e-7**2


@dataclass
class AdjustedLines:
    """``coefs``: one row per cluster with an estimable slope (sorted), columns n, intercept,
    slope, intercept_se, slope_se, cov_is, sigma (as cluster_coefficients) and one column per
    covariate column with its coefficient (NaN where not estimable); ``dropped``: the clusters
    without a slope; ``not_estimable``: covariate column -> number of clusters (with a slope)
    where it was dropped."""

    coefs: pd.DataFrame
    dropped: list
    not_estimable: dict[str, int]


def _sweep(A: np.ndarray, k: int, rows: np.ndarray) -> None:
    """Sweep the stacked symmetric matrices ``A[rows]`` on pivot ``k``, in place."""
    M = A[rows]
    d = M[:, k, k].copy()
    col = M[:, :, k].copy()
    M -= col[:, :, None] * col[:, None, :] / d[:, None, None]
    M[:, :, k] = col / d[:, None]
    M[:, k, :] = col / d[:, None]
    M[:, k, k] = -1.0 / d
    A[rows] = M


def adjusted_cluster_lines(
    data: pd.DataFrame, cluster: str, outcome: str, predictor: str, held: pd.DataFrame
) -> AdjustedLines:
    """Each cluster's ``outcome ~ predictor + held`` by OLS (``held``: the covariates' design
    columns, rows of ``data``, no missing values)."""
    codes, ids = pd.factorize(data[cluster], sort=True)
    J = len(ids)
    names = list(held.columns)
    W = np.column_stack([data[predictor].to_numpy(dtype=float), held.to_numpy(dtype=float)])
    y = data[outcome].to_numpy(dtype=float)
    p = W.shape[1]
    n = np.bincount(codes, minlength=J).astype(float)
    means = np.column_stack(
        [np.bincount(codes, weights=W[:, a], minlength=J) / n for a in range(p)]
    )
    ybar = np.bincount(codes, weights=y, minlength=J) / n
    lo = np.full((J, p), np.inf)
    hi = np.full((J, p), -np.inf)
    np.minimum.at(lo, codes, W)
    np.maximum.at(hi, codes, W)
    varies = hi > lo
    # deviations exactly 0 where a column is constant in the cluster, not rounding noise
    D = np.where(varies[codes], W - means[codes], 0.0)
    V = np.column_stack([D, y - ybar[codes]])
    A = np.empty((J, p + 1, p + 1))
    for a in range(p + 1):
        for b in range(a, p + 1):
            A[:, a, b] = A[:, b, a] = np.bincount(codes, weights=V[:, a] * V[:, b], minlength=J)
    diag0 = A[:, np.arange(p), np.arange(p)].copy()
    kept = np.zeros((J, p), dtype=bool)
    for k in range(p):
        ok = varies[:, k] & (A[:, k, k] > _ALIAS_TOL2 * diag0[:, k])
        kept[:, k] = ok
        if ok.any():
            _sweep(A, k, ok)
    beta = np.where(kept, A[:, :p, p], np.nan)
    has_slope = kept[:, 0]
    df = n - 1 - kept.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(df > 0, np.clip(A[:, p, p], 0.0, None) / df, np.nan)
        # -A over the swept block is (W'W)^-1 of the kept columns; 0 elsewhere
        inv = np.where(kept[:, :, None] & kept[:, None, :], -A[:, :p, :p], 0.0)
        m = np.where(kept, means, 0.0)
        intercept = ybar - np.sum(np.nan_to_num(beta) * m, axis=1)
        im = np.einsum("jab,jb->ja", inv, m)
        frame = pd.DataFrame(
            {
                "n": n.astype(int),
                "intercept": intercept,
                "slope": beta[:, 0],
                "intercept_se": np.sqrt(s2 * (1.0 / n + np.einsum("ja,ja->j", m, im))),
                "slope_se": np.sqrt(s2 * inv[:, 0, 0]),
                "cov_is": -s2 * im[:, 0],
                "sigma": np.sqrt(s2),
            },
            index=pd.Index(ids, name=cluster),
        )
    for j, name in enumerate(names, start=1):
        frame[name] = beta[:, j]
    coefs = frame.loc[has_slope].copy()
    not_estimable = {
        name: int((~kept[has_slope, j]).sum()) for j, name in enumerate(names, start=1)
    }
    return AdjustedLines(coefs, pd.Index(ids)[~has_slope].tolist(), not_estimable)
