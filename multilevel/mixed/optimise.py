"""Minimising the profiled deviance over theta, and judging whether a point is a minimum.

theta has few entries (1 for a random intercept, 3 for intercept and slope), the gradient
is analytic, and a Hessian costs n_theta more gradients (forward differences of the
analytic gradient), so the optimiser is Newton's method from a moment-based start, with a
step cap and a backtracking line search.  Where the Hessian is not positive definite, the
directions of negative curvature are followed downhill (this also leaves the saddle the
deviance has where a diagonal entry of Lambda is 0 and the others are not at their
optimum).  Nelder-Mead (values only, no gradients) is the last resort if Newton stops short.

The diagonal of Lambda is kept >= 0 without constraining the steps: the deviance depends
on Lambda Lambda' only, so flipping the sign of a column of Lambda changes nothing, and
after each step every column with a negative diagonal entry is flipped.  So there is no
boundary in theta: a singular fit (a diagonal entry at 0) is a stationary point like any
other, with a zero gradient (the deviance is even in that entry), and is judged the same way.
A diagonal entry that ends within SINGULAR_TOL of 0 is set to 0 exactly when that does not
raise the deviance, and the check is made there.

Near a correlation of +-1 the deviance has a flat valley that is curved in theta: with the
variances fixed, a row of Lambda turns on a circle as the correlation moves, and at its end,
the face where that row's diagonal entry is 0, the deviance is even in the entry.  Newton's
quadratic model follows the circle in short steps, each of which passes the convergence
check, and can use up its iterations 1e-7 deviance units short, at a point that depends on
rounding (e.g. on the order of the rows).  So when Newton stops before NEWTON_TARGET, it is
restarted on each such face from the point turned onto it (onto_face), and the restart is
kept if its deviance is lower.

Convergence is judged on the deviance's own scale: at theta with gradient g and Hessian H,
the Newton decrement 0.5 g'H^{-1}g is the decrease of the deviance a Newton step predicts,
i.e. how far, in deviance units, the fit is from the minimum of the local quadratic model.
It does not depend on how theta is parametrised or on the size of the deviance (a gradient
norm of 0.005 at a deviance of 1e6 can be a perfect fit).  A point is converged when H has
no negative curvature beyond its numerical precision and the decrement is at most
DECREMENT_TOL (a flat direction, e.g. a rotation of a rank-deficient Lambda, counts with the
smallest curvature H can resolve, so a gradient along it is not ignored).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .errors import MixedModelError
from .profile import ProfiledDeviance, diagonal_positions, theta_index

#: the largest Newton decrement (predicted decrease of the deviance) of a converged fit
DECREMENT_TOL = 1e-6
#: Newton iterates until the decrement is below this (well inside DECREMENT_TOL)
NEWTON_TARGET = 1e-10
#: a diagonal entry of Lambda below this (relative) marks a boundary (singular) fit
SINGULAR_TOL = 1e-4
#: relative step of the forward differences of the gradient that give the Hessian
HESSIAN_STEP = 1e-6
#: curvatures below this fraction of the largest are not resolved by the Hessian
CURVATURE_FLOOR = 1e-6
#: a Newton run bounded below this many iterations is truncated on purpose: no fallbacks
FALLBACK_MIN_ITER = 20


@dataclass
class Convergence:
    """The convergence check at one theta."""

    decrement: float  # 0.5 g' H^{-1} g (inf where H has negative curvature)
    grad_norm: float
    n_theta: int
    minimum: bool  # no negative curvature beyond the Hessian's precision

    @property
    def converged(self) -> bool:
        return self.minimum and self.decrement <= DECREMENT_TOL

    def describe(self) -> str:
        if not self.minimum:
            what = "negative curvature (a saddle, not a minimum)"
        else:
            what = f"Newton decrement 0.5 g'H^-1 g = {self.decrement:.1e} deviance units"
        verdict = "converged" if self.converged else "NOT converged"
        over = f"{self.n_theta} covariance parameter" + ("s" if self.n_theta != 1 else "")
        return (
            f"{verdict} ({what}; tolerance {DECREMENT_TOL:.0e}; over {over}; "
            f"gradient norm {self.grad_norm:.1e})"
        )


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
    decrement: float
    criterion: str  # one line: what was checked, its value, the verdict


class _Counted:
    """The deviance with its gradient, counting evaluations."""

    def __init__(self, prof: ProfiledDeviance):
        self.prof = prof
        self.n_evals = 0

    def value(self, theta: np.ndarray) -> float:
        self.n_evals += 1
        try:
            return self.prof(theta)
        except np.linalg.LinAlgError:
            return np.inf

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        self.n_evals += 1
        try:
            return self.prof.value_and_grad(theta)
        except np.linalg.LinAlgError:
            return np.inf, np.full(theta.size, np.nan)

    def hessian(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Forward differences of the analytic gradient, symmetrised."""
        n = theta.size
        H = np.empty((n, n))
        for k in range(n):
            h = HESSIAN_STEP * max(abs(theta[k]), 0.1)
            t = theta.copy()
            t[k] += h
            H[:, k] = (self.value_and_grad(t)[1] - grad) / h
        return 0.5 * (H + H.T)


def assess(grad: np.ndarray, hess: np.ndarray) -> Convergence:
    """The Newton decrement and the verdict (see the module doc)."""
    gnorm = float(np.linalg.norm(grad))
    if not np.all(np.isfinite(grad)) or not np.all(np.isfinite(hess)):
        return Convergence(np.inf, gnorm, grad.size, False)
    evals, vecs = np.linalg.eigh(hess)
    floor = CURVATURE_FLOOR * max(float(np.abs(evals).max()), np.finfo(float).tiny)
    if evals.min() < -floor:
        return Convergence(np.inf, gnorm, grad.size, False)
    dec = 0.5 * float(np.sum((vecs.T @ grad) ** 2 / np.maximum(evals, floor)))
    return Convergence(dec, gnorm, grad.size, True)


def _descent_step(g: np.ndarray, H: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Newton's step where H is positive definite; otherwise each eigen-direction of H with
    negative curvature is followed downhill (at least a tenth of theta's scale: at a saddle
    where the deviance is even, e.g. a diagonal entry of Lambda at 0, the gradient along
    it is 0 and a Newton step would not move)."""
    evals, vecs = np.linalg.eigh(H)
    floor = 1e-8 * max(float(np.abs(evals).max()), np.finfo(float).tiny)
    along = vecs.T @ g
    coef = -along / np.maximum(np.abs(evals), floor)
    negative = evals < -floor
    if negative.any():
        push = 0.1 * max(0.1, float(np.abs(theta).max()))
        sign = np.where(along[negative] > 0, -1.0, 1.0)
        coef[negative] = sign * np.maximum(np.abs(coef[negative]), push)
    return vecs @ coef


def canonical_signs(theta: np.ndarray, q: int) -> np.ndarray:
    """Signs (+-1 per entry of theta) that flip every column of Lambda whose diagonal entry
    is negative: theta * signs gives the same Lambda Lambda', hence the same deviance (the
    gradient transforms the same way, the Hessian on both sides)."""
    signs = np.ones(theta.size)
    start = 0
    for j in range(q):
        stop = start + q - j
        if theta[start] < 0:
            signs[start:stop] = -1.0
        start = stop
    return signs


def _try_zero_last_column(fn: _Counted, old: np.ndarray, new: np.ndarray, dev, grad):
    """If the step shrank the last diagonal entry of Lambda (its column's only entry) by more
    than half towards 0, the point with that entry at 0 when its deviance is lower.

    A singular fit with the last variance at 0 (or a correlation at +-1) is approached
    slowly where the deviance is nearly flat in that entry; at exactly 0 it stays there
    (the deviance is even in the entry, so its gradient and its mixed second derivatives
    are 0) and Newton converges quadratically in the others."""
    k = old.size - 1
    scale = max(1.0, float(np.max(np.abs(new))))
    if not (0.0 < new[k] < 0.5 * abs(old[k]) and new[k] < 0.1 * scale):
        return new, dev, grad
    cand = new.copy()
    cand[k] = 0.0
    dz, gz = fn.value_and_grad(cand)
    if dz < dev:
        return cand, dz, gz
    return new, dev, grad


def _newton(fn: _Counted, theta: np.ndarray, max_iter: int):
    """Newton iterations from theta; returns (theta, deviance, gradient, Hessian, check).

    Once a Newton step is predicted to gain at most DECREMENT_TOL, the point it reaches is
    checked with the Hessian just used (the step is too small to change it measurably),
    which saves n_theta gradients; a fresh Hessian is computed if that check fails."""
    q = fn.prof.q
    dev, g = fn.value_and_grad(theta)
    if not np.isfinite(dev):
        raise MixedModelError("the deviance cannot be evaluated at the starting theta")
    H = None
    check = None
    for _ in range(max_iter):
        if H is None:
            H = fn.hessian(theta, g)
        check = assess(g, H)
        if check.minimum and check.decrement <= NEWTON_TARGET:
            break
        step = _descent_step(g, H, theta)
        cap = 2.0 * max(1.0, float(np.abs(theta).max()))
        longest = float(np.abs(step).max())
        if longest > cap:
            step *= cap / longest
        slope = min(float(g @ step), 0.0)
        t = 1.0
        for _ in range(40):
            dc, gc = fn.value_and_grad(theta + t * step)
            if np.isfinite(dc) and dc <= dev + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            break  # no decrease along the step: at the deviance's numerical precision
        signs = canonical_signs(theta + t * step, q)
        new, gc = (theta + t * step) * signs, gc * signs
        new, dc, gc = _try_zero_last_column(fn, theta, new, dc, gc)
        theta, g, dev = new, gc, dc
        final_step = t == 1.0 and check.minimum and check.decrement <= DECREMENT_TOL
        H = H * np.outer(signs, signs) if final_step else None
        check = None
    if check is None:
        H = fn.hessian(theta, g)
        check = assess(g, H)
    return theta, dev, g, H, check


def _snap_to_zero(fn: _Counted, theta, dev, H, check, diag: list[int]):
    """Diagonal entries of Lambda within SINGULAR_TOL of 0 set to 0, if the deviance does not
    rise beyond its rounding and the point is still converged (checked with the Hessian at
    theta: the move is too small to change it)."""
    scale = max(1.0, float(np.max(np.abs(theta))))
    small = [k for k in diag if 0.0 < theta[k] < SINGULAR_TOL * scale]
    if not small:
        return theta, dev, check
    cand = theta.copy()
    cand[small] = 0.0
    dc, gc = fn.value_and_grad(cand)
    if not dc <= dev + DECREMENT_TOL * 1e-3 + 1e-14 * abs(dev):
        return theta, dev, check
    cc = assess(gc, H)
    if cc.converged or not check.converged:
        return cand, dc, cc
    return theta, dev, check


def _escape_boundary(fn: _Counted, theta: np.ndarray, dev: float, diag: list[int]):
    """A point with a lower deviance than theta found by moving a zero diagonal entry
    of Lambda into the interior, or None (a last check that a singular fit is not a
    saddle that Newton's curvature test could not see)."""
    scale = max(1.0, float(np.max(np.abs(theta))))
    best, best_dev = None, dev - 1e-9 * max(1.0, abs(dev))
    for k in diag:
        if theta[k] > SINGULAR_TOL * scale:
            continue
        for delta in (1e-3, 1e-2, 0.05, 0.2, 1.0):
            cand = theta.copy()
            cand[k] = delta * scale
            dc = fn.value(cand)
            if dc < best_dev:
                best, best_dev = cand, dc
    return best


def onto_face(theta: np.ndarray, q: int, row: int) -> np.ndarray | None:
    """theta with the diagonal entry of Lambda in row `row` set to 0 and the row's other
    entries scaled up to keep the row's length (that random effect's variance), or None
    where the row has no other non-zero entry.

    With the variances fixed, the correlations of effect `row` with the earlier effects
    move along a circle in those entries, which Newton's quadratic model follows in short
    steps; its end, the face where effect `row` is a combination of the earlier ones (for
    q = 2 a correlation of +-1), is a single step away from here."""
    pos = theta_index(q)
    entries = [k for k, (i, _) in enumerate(pos) if i == row]
    diag, others = entries[-1], entries[:-1]
    rest = float(np.linalg.norm(theta[others]))
    if rest == 0.0:
        return None
    face = theta.copy()
    face[others] *= float(np.linalg.norm(theta[entries])) / rest
    face[diag] = 0.0
    return face


def _singular(theta: np.ndarray, diag: list[int]) -> bool:
    scale = max(1.0, float(np.max(np.abs(theta))))
    return bool(any(theta[k] < SINGULAR_TOL * scale for k in diag))


def moment_start(prof: ProfiledDeviance) -> np.ndarray:
    """A starting theta from moments of the pooled OLS residuals projected on each cluster's
    Z (r_j = Z_j'(y_j - X_j b_ols)): E[r_j r_j'] ~ S_j G S_j + sigma^2 S_j and
    E[RSS] ~ sum_j tr(S_j G) + N sigma^2, solved for G and sigma^2 by a few alternations.
    Crude (it ignores the estimation of beta) but near the optimum on large problems, where
    it saves Newton iterations; Lambda = I if it fails."""
    s, q = prof.s, prof.q
    default = np.array([1.0 if i == j else 0.0 for (i, j) in theta_index(q)])
    try:
        b_ols = np.linalg.solve(s.XtX, s.Xty)
        rss = s.yty - float(s.Xty @ b_ols)
        R = np.zeros((q, q))  # sum_j r_j r_j'
        SS = np.zeros((q * q, q * q))  # [(a, c), (b, d)]: sum_j S_ac S_bd
        for blk in prof.blocks:
            r = s.Zty[:, blk] - np.matmul(b_ols, s.ZtX[:, :, blk])
            R += r @ r.T
            S = s.ZtZ[:, :, blk].reshape(q * q, -1)
            SS += S @ S.T
        SS = SS.reshape(q, q, q, q)
        K = SS.transpose(0, 2, 1, 3).reshape(q * q, q * q)  # vec(S G S) = K vec(G)
        S_sum = s.ZtZ.sum(axis=2)
        sigma2 = rss / prof.N
        for _ in range(3):
            G = np.linalg.lstsq(K, (R - sigma2 * S_sum).ravel(), rcond=None)[0].reshape(q, q)
            G = 0.5 * (G + G.T)
            sigma2 = max((rss - float(np.sum(S_sum * G))) / prof.N, 1e-3 * rss / prof.N)
        evals, vecs = np.linalg.eigh(G / sigma2)
        evals = np.maximum(evals, 1e-2 * max(float(evals.max()), 1.0))
        lam = np.linalg.cholesky((vecs * evals) @ vecs.T)
        theta = np.array([lam[i, j] for (i, j) in theta_index(q)])
    except np.linalg.LinAlgError:
        return default
    if not np.all(np.isfinite(theta)) or not np.isfinite(prof(theta)):
        return default
    return theta


def optimise(
    prof: ProfiledDeviance, theta0: np.ndarray | None = None, max_iter: int = 100
) -> Optimum:
    """Minimise the profiled deviance over theta.

    Newton from theta0 (default: moment_start); probes off the boundary if a diagonal entry
    ends at 0; Nelder-Mead then Newton again only if Newton stops short of convergence.
    max_iter bounds each Newton run (a small value gives a truncated, unconverged fit)."""
    diag = diagonal_positions(prof.q)
    fn = _Counted(prof)
    if theta0 is None:
        theta0 = moment_start(prof)
    used = ["Newton"]
    theta, dev, _, H, check = _newton(fn, np.asarray(theta0, dtype=float).copy(), max_iter)
    if max_iter >= FALLBACK_MIN_ITER and not (check.minimum and check.decrement <= NEWTON_TARGET):
        for row in range(1, prof.q):
            start = onto_face(theta, prof.q, row)
            if start is None:
                continue
            t2, d2, _, H2, c2 = _newton(fn, start, max_iter)
            if d2 < dev:
                used.append("Newton (restart on the face of a correlation at +-1)")
                theta, dev, H, check = t2, d2, H2, c2
    for _ in range(3):
        start = _escape_boundary(fn, theta, dev, diag)
        if start is None:
            break
        used.append("Newton (restart off the boundary)")
        t2, d2, _, H2, c2 = _newton(fn, start, max_iter)
        if d2 >= dev:
            break
        theta, dev, H, check = t2, d2, H2, c2
    if not check.converged and max_iter >= FALLBACK_MIN_ITER:
        from scipy import optimize  # here: a fit that Newton converges never needs it

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            nm = optimize.minimize(
                fn.value,
                theta,
                method="Nelder-Mead",
                options={"xatol": 1e-10, "fatol": 1e-12, "maxfev": 5000},
            )
        used += ["Nelder-Mead", "Newton"]
        start = nm.x * canonical_signs(nm.x, prof.q)
        t2, d2, _, H2, c2 = _newton(fn, start, max_iter)
        if d2 <= dev or c2.converged:
            theta, dev, H, check = t2, d2, H2, c2
    theta, dev, check = _snap_to_zero(fn, theta, dev, H, check, diag)
    return _optimum(theta, dev, check, diag, fn.n_evals, used)


def _optimum(theta, dev, check: Convergence, diag, n_evals, used) -> Optimum:
    return Optimum(
        theta=theta,
        deviance=float(dev),
        grad_norm=check.grad_norm,
        converged=check.converged,
        singular=_singular(theta, diag),
        n_evals=n_evals,
        optimizers=used,
        message=check.describe(),
        decrement=check.decrement,
        criterion=check.describe(),
    )


def at_theta(prof: ProfiledDeviance, theta) -> Optimum:
    """No optimisation: the fit at a given theta, with the convergence check there."""
    th = np.asarray(theta, dtype=float).ravel()
    if th.size != prof.n_theta:
        raise MixedModelError(f"theta must have {prof.n_theta} entries, not {th.size}")
    diag = diagonal_positions(prof.q)
    if np.any(th[diag] < 0) or not np.all(np.isfinite(th)):
        raise MixedModelError("theta: the diagonal entries must be finite and >= 0")
    fn = _Counted(prof)
    dev, grad = fn.value_and_grad(th)
    check = assess(grad, fn.hessian(th, grad))
    opt = _optimum(th, dev, check, diag, fn.n_evals, ["none (theta given)"])
    opt.message = "evaluated at the given theta"
    return opt
