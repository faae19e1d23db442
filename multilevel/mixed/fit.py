"""Fitting: design -> sufficient statistics -> optimise the profiled deviance -> results."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from .design import INTERCEPT, Design, build_design
from .errors import MixedModelError
from .profile import ProfiledDeviance, diagonal_positions
from .sufficient import Sufficient, compute_sufficient, varies_within

#: a projected-gradient norm (deviance units) below this counts as a stationary point
GRAD_TOL = 1e-3
#: a diagonal entry of Lambda below this (relative) marks a boundary (singular) fit
SINGULAR_TOL = 1e-4


@dataclass
class Optimum:
    theta: np.ndarray
    deviance: float
    grad_norm: float
    converged: bool
    singular: bool
    n_evals: int
    optimizers: list[str]
    message: str


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
            if nm != INTERCEPT and not varies_within(design.columns[nm], design.codes, J).any()
        ]
        if bad:
            raise MixedModelError(
                f"random slope(s) on {bad} cannot be separated from the random intercept: "
                f"the column(s) are constant within every cluster of {design.group!r}"
            )
    ZtZ = suff.ZtZ.sum(axis=0)
    zs = np.sqrt(np.diag(ZtZ))
    if np.any(zs == 0):
        raise MixedModelError(
            f"random-effect column(s) {[zn[k] for k in np.flatnonzero(zs == 0)]} are all zero"
        )
    ev = np.linalg.eigvalsh(ZtZ / np.outer(zs, zs))
    if ev.min() < 1e-10:
        raise MixedModelError(f"the random-effects columns {zn} are collinear")


def _projected_grad(theta: np.ndarray, grad: np.ndarray, diag: list[int]) -> np.ndarray:
    g = grad.copy()
    for k in diag:
        if theta[k] <= 0 and g[k] > 0:
            g[k] = 0.0
    return g


def optimise(prof: ProfiledDeviance, theta0: np.ndarray | None = None) -> Optimum:
    """Minimise the profiled deviance over theta (diagonal of Lambda >= 0).

    L-BFGS-B with the analytic gradient; then Newton polishing on the free parameters
    (finite-difference Hessian of the analytic gradient); if the result is still not
    stationary, Nelder-Mead followed by another L-BFGS-B."""
    q = prof.q
    n = prof.n_theta
    diag = diagonal_positions(q)
    if theta0 is None:
        theta0 = np.zeros(n)
        theta0[diag] = 1.0
    bounds = [(0.0, None) if k in diag else (None, None) for k in range(n)]
    n_evals = 0
    used: list[str] = []

    def fg(th: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal n_evals
        n_evals += 1
        try:
            return prof.value_and_grad(th)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros(n)

    def f(th: np.ndarray) -> float:
        return fg(th)[0]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = optimize.minimize(
            fg,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
        )
        used.append("L-BFGS-B")
        theta, dev = res.x.copy(), float(res.fun)
        message = str(res.message)
        theta, dev = _newton_polish(fg, theta, dev, diag)
        used.append("Newton")
        # A zero on the diagonal of Lambda can be a saddle rather than a minimum (the
        # deviance is even in the last diagonal entry, so its gradient there is 0):
        # probe the interior and restart from any better point.
        for _ in range(3):
            start = _escape_boundary(f, theta, dev, diag)
            if start is None:
                break
            res = optimize.minimize(
                fg,
                start,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
            )
            used.append("L-BFGS-B (restart off the boundary)")
            if res.fun < dev:
                theta, dev = res.x.copy(), float(res.fun)
                message = str(res.message)
                theta, dev = _newton_polish(fg, theta, dev, diag)
            else:
                break
        _, grad = fg(theta)
        gnorm = float(np.linalg.norm(_projected_grad(theta, grad, diag)))
        if not np.isfinite(gnorm) or gnorm > GRAD_TOL:
            nm = optimize.minimize(
                f,
                theta,
                method="Nelder-Mead",
                bounds=bounds,
                options={"xatol": 1e-10, "fatol": 1e-12, "maxfev": 5000},
            )
            used.append("Nelder-Mead")
            res = optimize.minimize(
                fg,
                nm.x,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
            )
            used.append("L-BFGS-B")
            if res.fun <= dev:
                theta, dev = res.x.copy(), float(res.fun)
                message = str(res.message)
            theta, dev = _newton_polish(fg, theta, dev, diag)
            _, grad = fg(theta)
            gnorm = float(np.linalg.norm(_projected_grad(theta, grad, diag)))
    lam_scale = max(1.0, float(np.max(np.abs(theta))))
    singular = bool(any(theta[k] < SINGULAR_TOL * lam_scale for k in diag))
    return Optimum(
        theta=theta,
        deviance=dev,
        grad_norm=gnorm,
        converged=bool(np.isfinite(gnorm) and gnorm <= GRAD_TOL),
        singular=singular,
        n_evals=n_evals,
        optimizers=used,
        message=message,
    )


def _escape_boundary(f, theta: np.ndarray, dev: float, diag: list[int]) -> np.ndarray | None:
    """A point with a lower deviance than theta found by moving a zero diagonal entry
    of Lambda into the interior, or None."""
    scale = max(1.0, float(np.max(np.abs(theta))))
    best, best_dev = None, dev - 1e-9 * max(1.0, abs(dev))
    for k in diag:
        if theta[k] > SINGULAR_TOL * scale:
            continue
        for delta in (1e-3, 1e-2, 0.05, 0.2, 1.0):
            cand = theta.copy()
            cand[k] = delta * scale
            dc = f(cand)
            if dc < best_dev:
                best, best_dev = cand, dc
    return best


def _at_theta(prof: ProfiledDeviance, theta) -> Optimum:
    th = np.asarray(theta, dtype=float).ravel()
    if th.size != prof.n_theta:
        raise MixedModelError(f"theta must have {prof.n_theta} entries, not {th.size}")
    diag = diagonal_positions(prof.q)
    if np.any(th[diag] < 0) or not np.all(np.isfinite(th)):
        raise MixedModelError("theta: the diagonal entries must be finite and >= 0")
    dev, grad = prof.value_and_grad(th)
    gnorm = float(np.linalg.norm(_projected_grad(th, grad, diag)))
    scale = max(1.0, float(np.max(np.abs(th))))
    return Optimum(
        theta=th,
        deviance=dev,
        grad_norm=gnorm,
        converged=gnorm <= GRAD_TOL,
        singular=bool(any(th[k] < SINGULAR_TOL * scale for k in diag)),
        n_evals=1,
        optimizers=["none (theta given)"],
        message="evaluated at the given theta",
    )


def _newton_polish(fg, theta: np.ndarray, dev: float, diag: list[int], iters: int = 6):
    """A few Newton steps on the parameters not held at the bound."""
    n = theta.size
    for _ in range(iters):
        _, g = fg(theta)
        free = [k for k in range(n) if not (k in diag and theta[k] <= 0 and g[k] >= 0)]
        if not free or np.linalg.norm(g[free]) < 1e-10:
            break
        H = np.empty((len(free), len(free)))
        for a, k in enumerate(free):
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            if k in diag and tm[k] < 0:
                tm[k] = theta[k]
                H[:, a] = (fg(tp)[1][free] - g[free]) / h
            else:
                H[:, a] = (fg(tp)[1][free] - fg(tm)[1][free]) / (2 * h)
        H = 0.5 * (H + H.T)
        try:
            if np.linalg.eigvalsh(H).min() <= 0:
                break
            step = np.linalg.solve(H, g[free])
        except np.linalg.LinAlgError:
            break
        improved = False
        for t in (1.0, 0.5, 0.25, 0.125):
            cand = theta.copy()
            cand[free] -= t * step
            for k in diag:
                cand[k] = max(cand[k], 0.0)
            dc = fg(cand)[0]
            if dc <= dev:
                theta, dev, improved = cand, dc, True
                break
        if not improved:
            break
    return theta, dev


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
    profiled), e.g. to evaluate another program's estimates.  Returns a
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
        opt = _at_theta(prof, theta)
    return MixedResults(design, suff, prof, opt, m)
