"""Inference: nlme's denominator degrees of freedom and approximate intervals.

Denominator DF (nlme's rule for one grouping factor, restated from its documentation and
behaviour).  Strata: the clusters (J of them) and the residual (N - J).  A fixed-effect
column that is constant over all rows (the intercept) is "intercept-like"; every other
column belongs to the residual stratum if it varies (exact comparison) inside at least
one cluster, else to the cluster stratum.  Each stratum starts with its size (J, N - J)
and loses one DF per column assigned to it.  With an intercept-like column the cluster
stratum loses one more DF; without one, every stratum but the first gains one.  A column
gets the DF of its stratum; intercept-like columns get the largest stratum DF.  On the
document's hs data: mathach ~ 1 gives 1937; mathach ~ ses*Sector gives 1935 for
(Intercept), ses, ses:SectorPublic and 38 for SectorPublic.

Intervals for the variance components (as nlme's intervals.lme): the (restricted)
log-likelihood with beta profiled (ML) or integrated out (REML) is a function of
phi = (log SDs of the random effects, atanh of their correlations, log sigma); its Hessian
at the estimate gives an approximate covariance of phi, and Wald intervals
phi +- z_{(1+level)/2} se are transformed back.  nlme differentiates numerically with a
relative step of eps^(1/3); here the Hessian is a Richardson-extrapolated central
difference, which is more accurate, so the 4th-7th significant digits of very wide
intervals may differ from nlme's.
"""

from __future__ import annotations

import numpy as np

from multilevel.distributions import t_sf

from .design import Design
from .segments import varies_within


def nlme_fixed_df(design: Design) -> np.ndarray:
    """Denominator DF of each fixed-effect column, by nlme's between/within rule."""
    N, J = design.n_obs, design.n_groups
    names = design.x_names
    strata_df = np.array([J, N - J], dtype=float)
    stratum: list[int | None] = []
    for nm in names:
        col = design.columns[nm]
        if col is None or _constant(col):
            stratum.append(None)
        else:
            stratum.append(1 if varies_within(col, design.codes, J) else 0)
    for s in stratum:
        if s is not None:
            strata_df[s] -= 1
    if any(s is None for s in stratum):
        strata_df[0] -= 1
    else:
        strata_df[1:] += 1
    return np.array([strata_df.max() if s is None else strata_df[s] for s in stratum])


def _constant(x: np.ndarray, tol: float = np.sqrt(np.finfo(float).eps)) -> bool:
    """All |x - x[0]| < tol |x[0]| (all |x| < tol if x[0] = 0), from the extremes."""
    if x.size == 0:
        return True
    lo, hi, x0 = float(x.min()), float(x.max()), float(x[0])
    bound = tol if x0 == 0 else tol * abs(x0)
    return hi - x0 < bound and x0 - lo < bound


def t_pvalues(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    return 2.0 * t_sf(np.abs(t), df)


def numerical_hessian(f, x: np.ndarray, h: float = 2e-3) -> np.ndarray:
    """Central-difference Hessian, Richardson-extrapolated over steps h and h/2."""

    def central(step: float) -> np.ndarray:
        n = x.size
        f0 = f(x)
        H = np.empty((n, n))
        e = np.eye(n) * step
        fp = [f(x + e[i]) for i in range(n)]
        fm = [f(x - e[i]) for i in range(n)]
        for i in range(n):
            H[i, i] = (fp[i] - 2 * f0 + fm[i]) / step**2
            for j in range(i):
                v = (
                    f(x + e[i] + e[j])
                    - f(x + e[i] - e[j])
                    - f(x - e[i] + e[j])
                    + f(x - e[i] - e[j])
                ) / (4 * step**2)
                H[i, j] = H[j, i] = v
        return H

    return (4.0 * central(h / 2) - central(h)) / 3.0
