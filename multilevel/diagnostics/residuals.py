"""Level-1 residuals of a fitted mixed model: what they are and how they are summarised.

The standardized (Pearson) conditional residual of unit i in cluster j is

    r_ij = (y_ij - x_ij' beta - z_ij' b_j) / sigma,

with b_j the cluster's BLUP: lme4's ``residuals(fit, type = "pearson")`` and nlme's
``resid(fit, type = "pearson")`` (equal to ``type = "normalized"`` without a correlation
structure).  Under the model they have mean 0 and variance a little under 1 (the fitted
values use up some of the data), whatever the cluster or the group.

The summaries the report words are fixed rules, stated where they are used:

* normality: skewness and excess kurtosis of the r_ij and the shares beyond +-2 and +-3
  (4.55% and 0.27% under normality); the residuals "look normal" when |skewness| < 0.5 and
  |excess kurtosis| < 1 (sample-size free: with thousands of rows any test rejects);
* spread by group: the SD of the r_ij in each level of the group, and the Brown-Forsythe test
  (Levene's test about the median) of equal spread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.distributions import f_sf

__all__ = [
    "LOOKS_NORMAL",
    "level1_frame",
    "cluster_spread",
    "normality",
    "spread_by_group",
    "brown_forsythe",
    "Normality",
    "GroupSpread",
]

#: |skewness| and |excess kurtosis| below these: the residuals look normal
LOOKS_NORMAL = {"skewness": 0.5, "kurtosis": 1.0}


def level1_frame(fit, long: pd.DataFrame, cluster: str, predictor: str, group: str | None):
    """One row per unit: cluster, predictor, group, fitted value (level 1) and standardized
    residual, in the fit's rows (the long table's rows the model used)."""
    rows = fit.design.row_index
    out = pd.DataFrame(
        {
            "cluster": long.loc[rows, cluster].to_numpy(),
            "predictor": long.loc[rows, predictor].to_numpy(dtype=float),
            "fitted": fit.fitted(1).to_numpy(),
            "std_resid": fit.resid(1, "pearson").to_numpy(),
        },
        index=rows,
    )
    if group:
        out["group"] = long.loc[rows, group].to_numpy()
    return out


def cluster_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Per cluster (sorted ids): rows, mean and SD of the standardized residuals (SD NaN for a
    cluster of one row)."""
    g = frame.groupby("cluster", sort=True, observed=True)["std_resid"]
    return pd.DataFrame({"n": g.size(), "mean": g.mean(), "sd": g.std(ddof=1)})


@dataclass
class Normality:
    n: int
    skewness: float
    kurtosis: float  # excess
    beyond2: float  # share with |r| > 2
    beyond3: float
    looks_normal: bool


def _moment_shape(r: np.ndarray) -> tuple[float, float]:
    """Skewness m3 / m2^1.5 and excess kurtosis m4 / m2^2 - 3 from the central moments
    (divisor n), as scipy.stats' skew and kurtosis by default (without importing scipy.stats,
    half a second of the job)."""
    d = r - r.mean()
    d2 = d * d
    m2 = d2.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((d2 * d).mean() / m2**1.5), float((d2 * d2).mean() / m2**2 - 3.0)


def normality(std_resid) -> Normality:
    r = np.asarray(std_resid, dtype=float)
    skew, kurt = _moment_shape(r)
    looks = abs(skew) < LOOKS_NORMAL["skewness"] and abs(kurt) < LOOKS_NORMAL["kurtosis"]
    return Normality(
        n=int(r.size),
        skewness=skew,
        kurtosis=kurt,
        beyond2=float(np.mean(np.abs(r) > 2)),
        beyond3=float(np.mean(np.abs(r) > 3)),
        looks_normal=bool(looks),
    )


def brown_forsythe(samples: list[np.ndarray]) -> tuple[float, float]:
    """Levene's test of equal spread about the median (Brown-Forsythe), as
    ``scipy.stats.levene(*samples, center="median")``: the one-way ANOVA F of the absolute
    deviations from each sample's median, on k - 1 and N - k degrees of freedom."""
    dev = [np.abs(s - np.median(s)) for s in samples]
    n = np.array([len(z) for z in dev], dtype=float)
    k, total = len(dev), n.sum()
    means = np.array([z.mean() for z in dev])
    grand = (n * means).sum() / total
    between = (n * (means - grand) ** 2).sum()
    within = sum(((z - m) ** 2).sum() for z, m in zip(dev, means, strict=True))
    w = (total - k) / (k - 1) * between / within
    return float(w), float(f_sf(w, k - 1, total - k))


@dataclass
class GroupSpread:
    sd: dict  # level -> SD of the standardized residuals
    statistic: float  # Brown-Forsythe W
    pvalue: float


def spread_by_group(frame: pd.DataFrame) -> GroupSpread | None:
    """The residuals' SD in each level of the group and the Brown-Forsythe test of equal
    spread; None without a group (or with fewer than two levels holding rows)."""
    if "group" not in frame:
        return None
    parts = {
        str(level): sub["std_resid"].to_numpy()
        for level, sub in frame.groupby("group", sort=True, observed=True)
    }
    if len(parts) < 2:
        return None
    w, p = brown_forsythe(list(parts.values()))
    return GroupSpread(
        sd={k: float(np.std(v, ddof=1)) for k, v in parts.items()},
        statistic=float(w),
        pvalue=float(p),
    )
