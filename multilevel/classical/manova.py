"""The four multivariate test statistics of a linear hypothesis in a multivariate regression,
with the F approximations R's ``summary.manova`` prints.

For responses Y (n x p) regressed on X (n x k, full rank) and a hypothesis of q linearly
independent rows, with H the hypothesis and E the error sums of squares and products and
lambda the eigenvalues of E^-1 H, and v = n - k the residual df, s = min(p, q),
m = (|p - q| - 1) / 2, w = (v - p - 1) / 2:

================  ==========================  =========================================
statistic         value                       F (num df, den df)
================  ==========================  =========================================
Wilks             prod 1 / (1 + lambda)       Rao's: (L^(-1/t) - 1)(r t - 2 u) / (p q),
                                              with r = v - (p - q + 1)/2, u = (p q - 2)/4,
                                              t = sqrt((p^2 q^2 - 4)/(p^2 + q^2 - 5)) (1 if
                                              the denominator is not positive);
                                              (p q, r t - 2 u)
Pillai            sum lambda / (1 + lambda)   (2w + s + 1) V / ((2m + s + 1)(s - V));
                                              (s (2m + s + 1), s (2w + s + 1))
Hotelling-Lawley  sum lambda                  2 (s w + 1) T / (s^2 (2m + s + 1));
                                              (s (2m + s + 1), 2 (s w + 1))
Roy               max lambda                  theta (v - r + q) / r, r = max(p, q);
                                              (r, v - r + q)
================  ==========================  =========================================

With q = 1 or p = 1 every approximation is exact and the four F statistics are equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg

from multilevel.distributions import f_sf

__all__ = ["STATISTICS", "manova_statistics"]

STATISTICS = ("Wilks", "Pillai", "Hotelling-Lawley", "Roy")


def _eigenvalues(Y: np.ndarray, X: np.ndarray, tested: list[int]) -> tuple[np.ndarray, int]:
    """Eigenvalues of E^-1 H for the hypothesis that the coefficients of the columns
    ``tested`` of X are zero, and the residual df."""
    n, k = X.shape
    Q, _ = np.linalg.qr(X)
    fitted = Q @ (Q.T @ Y)
    resid = Y - fitted
    E = resid.T @ resid
    kept = [j for j in range(k) if j not in set(tested)]
    if kept:
        Q0, _ = np.linalg.qr(X[:, kept])
        reduced = Y - Q0 @ (Q0.T @ Y)
    else:
        reduced = Y
    H = reduced.T @ reduced - E
    lam = linalg.eigh((H + H.T) / 2, E, eigvals_only=True)
    return np.clip(lam, 0.0, None)[::-1], n - k


def manova_statistics(Y: np.ndarray, X: np.ndarray, tested: list[int]) -> pd.DataFrame:
    """One row per statistic (:data:`STATISTICS`): value, num_df, den_df, F, p, for the
    hypothesis that the coefficients of the columns ``tested`` of X are all zero."""
    lam, v = _eigenvalues(np.asarray(Y, float), np.asarray(X, float), list(tested))
    p, q = len(lam), len(tested)
    s = min(p, q)
    m = 0.5 * (abs(p - q) - 1)
    w = 0.5 * (v - p - 1)
    rows = {}

    wilks = float(np.prod(1.0 / (1.0 + lam)))
    r = v - 0.5 * (p - q + 1)
    u = (p * q - 2) / 4.0
    denom = p**2 + q**2 - 5
    t = np.sqrt(((p * q) ** 2 - 4) / denom) if denom > 0 else 1.0
    df2 = r * t - 2 * u
    rows["Wilks"] = (wilks, (wilks ** (-1.0 / t) - 1.0) * df2 / (p * q), p * q, df2)

    pillai = float(np.sum(lam / (1.0 + lam)))
    a, b = 2 * m + s + 1, 2 * w + s + 1
    rows["Pillai"] = (pillai, b * pillai / (a * (s - pillai)), s * a, s * b)

    hl = float(np.sum(lam))
    c = 2 * (s * w + 1)
    rows["Hotelling-Lawley"] = (hl, c * hl / (s * s * a), s * a, c)

    roy = float(np.max(lam))
    big = max(p, q)
    rows["Roy"] = (roy, roy * (v - big + q) / big, big, v - big + q)

    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["value", "F", "num_df", "den_df"]
    ).astype(float)
    frame["p"] = [float(f_sf(f, d1, d2)) for f, d1, d2 in frame[["F", "num_df", "den_df"]].values]
    return frame[["value", "num_df", "den_df", "F", "p"]].loc[list(STATISTICS)]
