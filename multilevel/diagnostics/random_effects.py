"""Level-2 diagnostics: each cluster's BLUPs with their conditional SEs, beside cluster-level
variables, and what the estimated covariance of the random effects says.

The conditional SE of a BLUP is the square root of the diagonal of
sigma^2 Lambda M_j^{-1} Lambda' (lme4's ``condVar``; MixedResults.ranef_cov).  Under the model
each BLUP is normal with mean 0, so a normal quantile plot of the BLUPs should be straight;
BLUPs are shrunk towards 0, so their spread is smaller than the estimated SD of the random
effect, the more so for clusters with few rows.

A fit is singular (at the boundary of the parameter space) when a random effect's SD is 0 or
a correlation is +-1: the estimated covariance matrix of the random effects is then of lower
rank, i.e. the data are fitted as well with fewer random effects.  ``boundary_words`` says
which, in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.mixed.design import INTERCEPT

__all__ = [
    "blup_frame",
    "boundary_words",
    "effect_name",
    "CORRELATION_BOUNDARY",
    "SD_BOUNDARY",
]

#: |correlation| above this counts as at +-1
CORRELATION_BOUNDARY = 0.999
#: an SD below this fraction of sigma counts as 0
SD_BOUNDARY = 1e-4


def blup_frame(fit, long: pd.DataFrame, cluster: str, predictor: str, group: str | None):
    """One row per cluster (the fit's cluster order): rows, the cluster mean of the predictor,
    the group, and for each random effect its BLUP and conditional SE."""
    re = fit.ranef()
    se = np.sqrt(np.einsum("jkk->jk", fit.ranef_cov()))
    used = long.loc[fit.design.row_index]
    g = used.groupby(cluster, sort=True, observed=True)
    out = pd.DataFrame(index=re.index)
    out.index.name = "cluster"
    out["n"] = g.size().reindex(re.index).to_numpy()
    out["predictor_mean"] = g[predictor].mean().reindex(re.index).to_numpy()
    if group:
        out["group"] = g[group].first().reindex(re.index).astype(str).to_numpy()
    for k, nm in enumerate(re.columns):
        out[f"blup[{nm}]"] = re[nm].to_numpy()
        out[f"se[{nm}]"] = se[:, k]
    return out


def effect_name(name: str) -> str:
    """A random effect's name in a sentence."""
    return "the intercept" if name == INTERCEPT else name


def boundary_words(fit) -> list[str]:
    """Sentences on what is at the boundary of a fit, and what it means (empty if nothing)."""
    sd = fit.sd_re
    corr = fit.corr_re.to_numpy()
    names = [effect_name(nm) for nm in sd.index]
    out = []
    for nm, s in zip(names, sd, strict=True):
        if s < SD_BOUNDARY * fit.sigma:
            out.append(
                f"The SD of the random effect of {nm} is estimated at 0: the clusters' "
                f"coefficients of {nm} do not vary beyond what the within-cluster noise "
                f"explains, and the model fits as well with a fixed {nm} only."
            )
    for i in range(len(names)):
        for j in range(i):
            c = corr[i, j]
            if np.isfinite(c) and abs(c) > CORRELATION_BOUNDARY:
                out.append(
                    f"The correlation of the random effects of {names[j]} and {names[i]} is "
                    f"estimated at {c:+.4f}, at the boundary: each cluster's effect of {names[i]} "
                    f"is, up to a constant factor, its effect of {names[j]}, so the "
                    "random effects vary along one dimension only (one fewer random effect "
                    "would do), and the SDs and correlation have no usable standard errors."
                )
    if fit.singular and not out:
        out.append(
            "The fit is singular (the covariance matrix of the random effects is of lower "
            "rank): the data are fitted as well with fewer random effects."
        )
    return out
