"""Fitting: design -> sufficient statistics -> optimise the profiled deviance -> results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import INTERCEPT, Design, build_design
from .errors import MixedModelError
from .optimise import Optimum, at_theta, optimise
from .profile import ProfiledDeviance
from .segments import varies_within
from .sufficient import Sufficient, compute_sufficient

__all__ = ["lmm", "Optimum", "optimise"]


def _check_design(design: Design, suff: Sufficient) -> None:
    J = design.n_groups
    if J < 2:
        raise MixedModelError(
            f"the grouping column {design.group!r} has {J} cluster(s); at least 2 are needed"
        )
    p, N = len(design.x_names), design.n_obs
    if p >= N:
        raise MixedModelError(f"{p} fixed-effect columns but only {N} complete rows")
    # rank of the fixed-effects matrix (centred columns, scaled to unit length)
    XtX = suff.XtX
    scale = np.sqrt(np.clip(np.diag(XtX), 0, None))
    zero = [design.x_names[k] for k in range(p) if scale[k] == 0]
    if zero:
        raise MixedModelError(
            f"fixed-effect column(s) {zero} are constant (collinear with the intercept) "
            "or zero after listwise deletion"
        )
    R = XtX / np.outer(scale, scale)
    aliased: list[str] = []
    kept: list[int] = []
    for k in range(p):
        if kept:
            sub = R[np.ix_(kept, kept)]
            v = R[kept, k]
            resid = R[k, k] - v @ np.linalg.solve(sub, v)
        else:
            resid = R[k, k]
        if resid < 1e-10:
            aliased.append(design.x_names[k])
        else:
            kept.append(k)
    if aliased:
        raise MixedModelError(
            f"the fixed-effects design is rank deficient: column(s) {aliased} are linear "
            f"combinations of {[design.x_names[k] for k in kept]}"
        )
    # random effects: identifiability
    zn = design.z_names
    if INTERCEPT in zn:
        bad = [
            nm
            for nm in zn
            if nm != INTERCEPT and not varies_within(design.columns[nm], design.codes, J)
        ]
        if bad:
            raise MixedModelError(
                f"random slope(s) on {bad} cannot be separated from the random intercept: "
                f"the column(s) are constant within every cluster of {design.group!r}"
            )
    ZtZ = suff.ZtZ.sum(axis=2)
    zs = np.sqrt(np.diag(ZtZ))
    if np.any(zs == 0):
        raise MixedModelError(
            f"random-effect column(s) {[zn[k] for k in np.flatnonzero(zs == 0)]} are all zero"
        )
    ev = np.linalg.eigvalsh(ZtZ / np.outer(zs, zs))
    if ev.min() < 1e-10:
        raise MixedModelError(f"the random-effects columns {zn} are collinear")


def lmm(
    formula: str,
    random: str = "~ 1",
    group: str | None = None,
    data: pd.DataFrame | None = None,
    method: str = "REML",
    theta=None,
):
    """Fit a linear mixed model with one grouping factor.

    ``lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=df)``

    method: "REML" (default) or "ML".  theta: if given (the lower triangle of the
    relative covariance factor Lambda, column by column, as lme4's getME(fit, "theta")),
    no optimisation is done and the results are those at this theta (beta and sigma
    profiled), e.g. to evaluate another program's estimates; ``converged`` then says
    whether that theta passes the convergence check (optimise.py).  Returns a
    :class:`MixedResults`."""
    from .results import MixedResults

    if group is None:
        raise MixedModelError("group= (the name of the grouping column) is required")
    if data is None:
        raise MixedModelError("data= (a pandas DataFrame) is required")
    m = str(method).upper()
    if m not in ("REML", "ML"):
        raise MixedModelError(f"method must be 'REML' or 'ML', not {method!r}")
    design = build_design(data, formula, random, group)
    suff = compute_sufficient(design)
    _check_design(design, suff)
    prof = ProfiledDeviance(suff, reml=m == "REML")
    if theta is None:
        opt = optimise(prof)
    else:
        opt = at_theta(prof, theta)
    return MixedResults(design, suff, prof, opt, m)
