"""The Monte Carlo study's three quantities under the four classical methods, straight from one
replicate's arrays.

:mod:`multilevel.classical` fits each method in full for the report (descriptions, tables,
tests, per-cluster frames): tens of milliseconds a fit, most of it pandas. A replicate needs
three (estimate, SE, df) triples per method, a few small numpy products. The arithmetic is
the classical functions' own (the same cluster sums, the same pseudo-inverse of the same
column-major design, the same second-stage regression, the fixed-effects intercept gap summed
in the same order), so the numbers are theirs to the bit on the study's replicates;
``tests/test_montecarlo.py`` checks them against :mod:`multilevel.classical`.

The replicate is what :func:`multilevel.simulation.simulate.simulate_study` draws: two groups
(``other`` = 1 in the second one), at least three rows and a continuous x in every cluster.
Degenerate data give non-finite values (recorded as failed fits) or a LinAlgError.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical.clusters import ClusterStats, cluster_stats

Estimates = dict[str, tuple[float, float, float]]


def _cluster_stats(data: pd.DataFrame, groups: tuple[str, str]) -> tuple[ClusterStats, np.ndarray]:
    """The classical methods' cluster statistics of y on x, and each cluster's group."""
    stats = cluster_stats(data, "cluster", "y", "x")
    return stats, _in_other_group(data, stats.codes, groups)


def _in_other_group(data: pd.DataFrame, codes: np.ndarray, groups: tuple[str, str]):
    """1.0 for each cluster (by its code) in the second of ``groups``, else 0.0."""
    other = np.zeros(int(codes.max()) + 1)
    other[codes] = data["group"].to_numpy() == groups[1]
    return other


def _ols_quantities(x: np.ndarray, y: np.ndarray, other: np.ndarray) -> Estimates:
    """OLS of ``y ~ x * group`` (columns 1, x, group, x:group, as R codes them) by the
    pseudo-inverse, as :func:`multilevel.classical.ols.pooled_ols` fits it."""
    # column-major, as a DataFrame's values reach statsmodels: the SVD then rounds the same
    X = np.asfortranarray(np.column_stack([np.ones(len(x)), x, other, other * x]))
    pinv = np.linalg.pinv(X)
    params = pinv @ y
    resid = y - X @ params
    df = float(len(y) - X.shape[1])
    cov = (pinv @ pinv.T) * (float(resid @ resid) / df)
    return {
        "within": (float(params[1]), float(np.sqrt(cov[1, 1])), df),
        "slope_gap": (float(params[3]), float(np.sqrt(cov[3, 3])), df),
        "intercept_gap": (float(params[2]), float(np.sqrt(cov[2, 2])), df),
    }


def pooled(data: pd.DataFrame, groups: tuple[str, str]) -> Estimates:
    """Pooled OLS on the rows."""
    x = data["x"].to_numpy(dtype=float)
    other = (data["group"].to_numpy() == groups[1]).astype(float)
    return _ols_quantities(x, data["y"].to_numpy(dtype=float), other)


def between(data: pd.DataFrame, groups: tuple[str, str]) -> Estimates:
    """OLS on the cluster means (pandas' group means, as
    :func:`multilevel.classical.clusters.cluster_means` takes them: its compensated sums
    differ from plain sums in the last bits)."""
    means = data.groupby("cluster", sort=True)[["y", "x"]].mean()
    other = _in_other_group(data, pd.factorize(data["cluster"], sort=True)[0], groups)
    return _ols_quantities(means["x"].to_numpy(), means["y"].to_numpy(), other)


def two_stage(data: pd.DataFrame, groups: tuple[str, str]) -> Estimates:
    """Each cluster's OLS line, then the regression of the lines on the group."""
    r, other = _cluster_stats(data, groups)
    slope = r.sxy / r.sxx
    Y = np.column_stack([r.ybar - slope * r.xbar, slope])
    X = np.column_stack([np.ones(len(other)), other])
    XtX_inv = np.linalg.inv(X.T @ X)
    B = XtX_inv @ X.T @ Y
    E = Y - X @ B
    df = float(len(Y) - 2)
    Sigma = E.T @ E / df
    return {
        "within": (float(B[0, 1]), float(np.sqrt(Sigma[1, 1] * XtX_inv[0, 0])), df),
        "slope_gap": (float(B[1, 1]), float(np.sqrt(Sigma[1, 1] * XtX_inv[1, 1])), df),
        "intercept_gap": (float(B[1, 0]), float(np.sqrt(Sigma[0, 0] * XtX_inv[1, 1])), df),
    }


def fixed_effects(data: pd.DataFrame, groups: tuple[str, str]) -> Estimates:
    """An intercept per cluster, a slope per group (the within regression): each group's
    slope is its pooled within-cluster slope, the intercept gap the difference of the
    groups' mean cluster intercepts a_c = ybar_c - xbar_c b_g."""
    r, other = _cluster_stats(data, groups)
    g = other.astype(np.intp)
    sxx = np.bincount(g, weights=r.sxx, minlength=2)
    b = np.bincount(g, weights=r.sxy, minlength=2) / sxx
    resid = r.dy - b[g][r.codes] * r.dx
    J = len(r.n)
    df = float(len(resid) - J - 2)
    scale = float(resid @ resid) / df
    var_b = scale * (1.0 / sxx)
    gap, var_gap = _intercept_gap(r, g, b, scale * np.concatenate([1.0 / r.n, 1.0 / sxx]))
    return {
        "within": (float(b[0]), float(np.sqrt(var_b[0])), df),
        "slope_gap": (float(b[1] - b[0]), float(np.sqrt(var_b[0] + var_b[1])), df),
        "intercept_gap": (gap, float(np.sqrt(var_gap)), df),
    }


def _in_order(values: np.ndarray) -> float:
    """The sum of ``values`` added one after the other (np.sum adds pairwise)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def _intercept_gap(r: ClusterStats, g: np.ndarray, b: np.ndarray, var_pieces: np.ndarray):
    """The fixed-effects intercept gap and its variance, summed in the order in which
    :func:`multilevel.classical.fixed_effects_common_slope` sums them (so that the two
    agree to the bit).

    In R's coding the coefficients are a_0 and a_c - a_0 (c = 1..J-1), a_c = ybar_c - xbar_c
    b_g(c); the gap is sum_c w_c (a_c - a_0), w_c = 1/J_B in the other group and -1/J_A in
    the reference group (the means' a_0 terms cancel). As a combination M of the pieces
    (ybar_0..ybar_{J-1}, b_A, b_B), whose variances are ``var_pieces`` (scale / n_c, scale /
    Sxx_g), its variance is sum_k M_k^2 var_k."""
    c = np.arange(1, len(r.n))
    size = np.bincount(g, minlength=2).astype(float)
    w = np.where(g[c] == 1, 1.0 / size[1], -(1.0 / size[0]))
    # a_c - a_0 = ybar_c - ybar_0 + coef_A b_A + coef_B b_B
    coef = np.zeros((2, len(c)))
    coef[g[0]] = r.xbar[0]
    coef[g[c], c - 1] += -r.xbar[c]
    rel = (-r.ybar[0] + r.ybar[c]) + coef[0] * b[0] + coef[1] * b[1]
    M = np.concatenate([[_in_order(-w)], w, [_in_order(w * coef[0]), _in_order(w * coef[1])]])
    return _in_order(w * rel), _in_order((M * var_pieces) * M)
