"""A residual SD per level of a level-2 group (nlme's ``varIdent(form = ~ 1 | group)``).

Model: y_j = X_j beta + Z_j b_j + e_j with e_j ~ N(0, (sigma delta_g)^2 I) for a cluster j in
group g, delta = 1 for the reference level, b_j ~ N(0, sigma^2 Lambda Lambda').  Because the
group is constant within a cluster, dividing cluster j's rows by delta_g gives an ordinary
model with residual SD sigma: every per-cluster sufficient statistic is multiplied by
1/delta_g^2, and the overall X'X, X'y, y'y are the per-group sums weighted the same way.  The
(restricted) log-likelihood of y is that of the scaled data minus sum_g n_g log delta_g (the
Jacobian of the scaling; the REML term log|X'V^-1 X| is that of the scaled data).

The log-ratios are optimised outside the engine's Newton optimiser over theta (Brent's
method for two levels, Nelder-Mead beyond), each evaluation a full profiled fit at the given
ratios: O(J) per evaluation, the rows are read once.  A group that varies within a cluster
(a level-1 variance function) is refused: the per-cluster weight would not be constant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize

from multilevel.distributions import chi2_sf

from .design import build_design
from .errors import MixedModelError
from .fit import _check_design
from .optimise import optimise
from .profile import ProfiledDeviance
from .results import MixedResults
from .sufficient import Sufficient, compute_sufficient


@dataclass
class VarIdentFit:
    by: str
    ratios: pd.Series  # residual SD of each level / that of the reference (first) level
    n_rows: pd.Series
    fit: MixedResults  # the model on the scaled rows: beta, G, sigma of the reference level
    equal: MixedResults  # the same model with one residual SD
    llf: float
    lr_statistic: float
    lr_df: int
    lr_p: float

    @property
    def sigmas(self) -> pd.Series:
        return (self.fit.sigma * self.ratios).rename("sigma")


class _GroupSums:
    """Per-cluster statistics (unweighted) and the per-group overall sums of products."""

    def __init__(self, design, suff: Sufficient, row_group: np.ndarray, cluster_group, k: int):
        self.base, self.cluster_group = suff, cluster_group
        cols = [design.column(nm) for nm in design.x_names]
        X = np.column_stack(cols) - suff.x_means
        y = design.y - suff.y_mean
        self.XtX = np.empty((k, X.shape[1], X.shape[1]))
        self.Xty = np.empty((k, X.shape[1]))
        self.yty = np.empty(k)
        self.n = np.bincount(row_group, minlength=k)
        for g in range(k):
            rows = row_group == g
            Xg, yg = X[rows], y[rows]
            self.XtX[g], self.Xty[g], self.yty[g] = Xg.T @ Xg, Xg.T @ yg, float(yg @ yg)

    def weighted(self, log_ratios: np.ndarray) -> tuple[Sufficient, float]:
        """Sufficient statistics of the scaled rows, and sum_g n_g log delta_g."""
        w = np.exp(-2.0 * log_ratios)
        wj = w[self.cluster_group]
        s = self.base
        suff = replace(
            s,
            ZtZ=s.ZtZ * wj,
            ZtX=s.ZtX * wj,
            Zty=s.Zty * wj,
            XtX=np.tensordot(w, self.XtX, axes=1),
            Xty=w @ self.Xty,
            yty=float(w @ self.yty),
        )
        return suff, float(self.n @ log_ratios)


def _cluster_groups(
    codes: np.ndarray, row_group: np.ndarray, J: int, by: str, labels
) -> np.ndarray:
    lo = np.full(J, np.iinfo(np.int64).max)
    hi = np.full(J, -1)
    np.minimum.at(lo, codes, row_group)
    np.maximum.at(hi, codes, row_group)
    varying = np.flatnonzero(lo != hi)
    if varying.size:
        raise MixedModelError(
            f"a residual SD per level of {by!r} needs {by!r} constant within each cluster "
            f"(a level-2 group); it varies within {varying.size} cluster(s), e.g. "
            f"{labels[varying[0]]!r}"
        )
    return lo


def lmm_var_ident(
    formula: str,
    random: str,
    group: str,
    data: pd.DataFrame,
    by: str,
    method: str = "REML",
) -> VarIdentFit:
    """Fit the model with one residual SD per level of the column ``by`` (the first level,
    in categorical order or sorted, is the reference) and test it against one residual SD
    by likelihood ratio (both fits by ``method``; chi-square with levels - 1 df)."""
    if by not in data.columns:
        raise MixedModelError(f"no column {by!r} in the data")
    m = str(method).upper()
    design = build_design(data, formula, random, group)
    suff = compute_sufficient(design)
    _check_design(design, suff)
    values = data.loc[design.row_index, by]
    if values.isna().any():
        raise MixedModelError(f"column {by!r} has missing values in rows used by the model")
    levels = (
        list(values.cat.categories)
        if isinstance(values.dtype, pd.CategoricalDtype)
        else sorted(values.unique())
    )
    present = [lv for lv in levels if (values == lv).any()]
    if len(present) < 2:
        raise MixedModelError(f"column {by!r} has fewer than 2 levels in the rows used")
    row_group = pd.Categorical(values, categories=present).codes.astype(np.int64)
    k = len(present)
    cluster_group = _cluster_groups(design.codes, row_group, design.n_groups, by, design.labels)
    sums = _GroupSums(design, suff, row_group, cluster_group, k)
    reml = m == "REML"
    start = {"theta": None}

    def deviance(free: np.ndarray) -> float:
        log_ratios = np.concatenate([[0.0], free])
        s, jac = sums.weighted(log_ratios)
        opt = optimise(ProfiledDeviance(s, reml), start["theta"])
        start["theta"] = opt.theta
        return opt.deviance + 2.0 * jac

    if k == 2:
        res = optimize.minimize_scalar(
            lambda v: deviance(np.array([v])), bracket=(-0.5, 0.5), tol=1e-10
        )
        free = np.array([res.x])
    else:
        res = optimize.minimize(
            deviance,
            np.zeros(k - 1),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 5000 * k},
        )
        free = res.x
    log_ratios = np.concatenate([[0.0], free])
    s, jac = sums.weighted(log_ratios)
    prof = ProfiledDeviance(s, reml)
    fit = MixedResults(design, s, prof, optimise(prof, start["theta"]), m)
    prof_equal = ProfiledDeviance(suff, reml)
    equal = MixedResults(design, suff, prof_equal, optimise(prof_equal), m)
    llf = fit.llf - jac
    stat = max(2.0 * (llf - equal.llf), 0.0)
    return VarIdentFit(
        by=by,
        ratios=pd.Series(np.exp(log_ratios), index=present, name="ratio"),
        n_rows=pd.Series(sums.n, index=present, name="rows"),
        fit=fit,
        equal=equal,
        llf=llf,
        lr_statistic=stat,
        lr_df=k - 1,
        lr_p=float(chi2_sf(stat, k - 1)),
    )


__all__ = ["VarIdentFit", "lmm_var_ident"]
