"""Profile-likelihood intervals for the variance components (as lme4's
``confint(fit, method = "profile")``).

The (restricted) log-likelihood is written in phi = (log SDs, atanh correlations, log sigma)
(MixedResults._natural_loglik; beta integrated out for REML, profiled for ML).  For one
component phi_i fixed at x, the others are re-optimised; the signed root of the deviance
increase, zeta(x) = sign(x - phi_i_hat) sqrt(2 (l_max - l_i(x))), is a monotone function of x
for a regular likelihood, and the interval is where |zeta| <= z_{(1+level)/2}.  The ends are
found by bracketing outwards from the estimate and solving zeta(x) = -+z by Brent's method,
so they are exact roots of the profile (lme4 interpolates a spline through profile points).

An end that the profile never reaches is the boundary of the parameter space: an SD of 0 or
a correlation of -1 or +1 (``bounded`` says which ends those are).  A fit that is already on
the boundary (a singular fit) has no regular profile around its estimate: refused.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize

from multilevel.distributions import norm_ppf

from .errors import MixedModelError

#: |phi_i - phi_i_hat| beyond which the profile counts as never reaching the threshold
#: (an SD e^-25 times the estimate, a correlation within 4e-22 of +-1)
REACH = 25.0


class _Profile:
    def __init__(self, loglik, phi_hat: np.ndarray, i: int):
        self.loglik, self.i = loglik, i
        self.l_max = loglik(phi_hat)
        self.x_hat = phi_hat[i]
        self.rest = np.delete(phi_hat, i)

    def _full(self, x: float, rest: np.ndarray) -> np.ndarray:
        return np.insert(rest, self.i, x)

    def zeta(self, x: float) -> float:
        def neg(rest):
            v = self.loglik(self._full(x, rest))
            return -v if np.isfinite(v) else 1e300

        if self.rest.size:
            start = neg(self.rest)
            # far trial points of the line search overflow; they are rejected as +inf
            with np.errstate(all="ignore"):
                res = optimize.minimize(neg, self.rest, method="BFGS", options={"gtol": 1e-6})
            if res.fun < start:
                self.rest = res.x  # warm start for the next x
            best = -min(res.fun, start)
        else:
            best = self.loglik(self._full(x, self.rest))
        drop = max(2.0 * (self.l_max - best), 0.0)
        return math.copysign(math.sqrt(drop), x - self.x_hat)

    def end(self, side: int, z: float) -> float | None:
        """x with zeta(x) = side * z, or None if the profile stays below z out to REACH."""
        step, inner = 0.1, self.x_hat
        saved = self.rest.copy()
        while step <= 2 * REACH:
            outer = self.x_hat + side * step
            if side * self.zeta(outer) >= z:
                root = optimize.brentq(
                    lambda x: self.zeta(x) - side * z,
                    min(inner, outer),
                    max(inner, outer),
                    xtol=1e-8,
                )
                self.rest = saved
                return float(root)
            inner, step = outer, step * 2
        self.rest = saved
        return None


def profile_intervals(results, level: float = 0.95) -> pd.DataFrame:
    """lower, est., upper (and whether each end is a boundary) of every SD, correlation and
    sigma of a fit, by profiling its (restricted) likelihood."""
    if not 0 < level < 1:
        raise MixedModelError(f"level must be in (0, 1), not {level!r}")
    if results.singular:
        raise MixedModelError(
            "boundary (singular) fit: a random-effect SD is zero or a correlation is +-1, "
            "so the profile intervals are not computed"
        )
    phi = results._natural()
    names = results._vc_names()
    q = len(results.design.z_names)
    z = norm_ppf((1 + level) / 2)
    rows = []
    for i, name in enumerate(names):
        prof = _Profile(results._natural_loglik, phi, i)
        lo, hi = prof.end(-1, z), prof.end(+1, z)
        is_cor = q <= i < len(names) - 1
        back = np.tanh if is_cor else np.exp
        floor = -1.0 if is_cor else 0.0
        rows.append(
            {
                "name": name,
                "lower": floor if lo is None else float(back(lo)),
                "est.": float(back(phi[i])),
                "upper": (1.0 if is_cor else math.inf) if hi is None else float(back(hi)),
                "lower_bound": lo is None,
                "upper_bound": hi is None,
            }
        )
    return pd.DataFrame(rows).set_index("name")
