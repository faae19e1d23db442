"""Derivatives of a REML fit with respect to its variance parameters, from per-cluster sums.

The small-sample rules (Satterthwaite, Kenward-Roger; ddf.py) need, at the estimate, how the
covariance of the fixed effects and the REML likelihood move with the variance parameters.
They are taken in the linear parametrisation of the marginal covariance

    Sigma = sum_r gamma_r G_r,   gamma = (entries of G, lower triangle by columns; sigma^2),

G_r = Z D_r Z' for an entry of G (D_r has ones at (a, b) and (b, a)) and G_r = I for sigma^2,
which is the parametrisation of Kenward and Roger (1997) in which d^2 Sigma = 0.

With V = V* = Sigma / sigma^2 = I + Z Lambda Lambda' Z', per cluster C = Lambda M^{-1} Lambda'
(so V^{-1} = I - Z C Z'), S = Z'Z, F = Z'X, N = I - S C, and r = y - X beta:

    Z'V^{-1}X = H = N F,  Z'V^{-1}Z = K = N S,  Z'V^{-1}r = w = N Z'r,  Z'V^{-2}(.) = N Z'V^{-1}(.)
    X'V^{-2}X = A - sum F'C H,   X'V^{-3}X = X'V^{-2}X - sum H'C H     (A = X'V^{-1}X)
    r'V^{-1}r = r^2 (penalised RSS), r'V^{-2}r = r^2 - sum (Z'r)'C w, r'V^{-3}r = that - sum w'C w
    tr V^{-2} = N_obs - 2 sum tr(S C) + sum tr(S C S C)

so every quantity below is a sum over clusters of products of q x q and q x p matrices:
O(J (q^3 + q^2 p^2)) time and O(block) memory, whatever the number of rows.  With
Sigma^{-1} = V^{-1} / sigma^2 and Phi = sigma^2 A^{-1} (vcov of the fixed effects):

    P_r    = -X'Sigma^{-1} G_r Sigma^{-1} X                  (= d(X'Sigma^{-1}X)/d gamma_r)
    Q_rs   =  X'Sigma^{-1} G_r Sigma^{-1} G_s Sigma^{-1} X
    E_rs   =  tr(Pi G_r Pi G_s)   (Pi = Sigma^{-1} - Sigma^{-1} X Phi X' Sigma^{-1}), i.e.
              tr(Sigma^{-1} G_r Sigma^{-1} G_s) - 2 tr(Phi Q_rs) + tr(Phi P_r Phi P_s)
    Hess_rs = -E_rs + 2 y'Pi G_r Pi G_s Pi y   (observed Hessian of the REML deviance -2 l_R)

E is twice the expected REML information; Hess is the observed one (the REML deviance is
linear-in-gamma's Sigma, so no second derivative of Sigma enters).  Everything is in the
centred coordinates of sufficient.py; ``to_original`` maps a contrast to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import smallmat as sm
from .errors import MixedModelError
from .profile import Evaluation, ProfiledDeviance


@dataclass
class VarianceDerivatives:
    names: list[str]  # gamma's entries: "var(a)", "cov(a,b)", ..., "sigma^2"
    gamma: np.ndarray
    phi: np.ndarray  # vcov of the fixed effects (centred coordinates)
    P: list[np.ndarray]
    Q: list[list[np.ndarray]]
    expected: np.ndarray  # E: twice the expected REML information in gamma
    hessian: np.ndarray  # observed Hessian of the REML deviance in gamma

    def jacobian(self) -> list[np.ndarray]:
        """d Phi / d gamma_r = -Phi P_r Phi."""
        return self._jacobian

    # Cached: every contrast of a fit (one per fixed effect) needs the same matrices.
    @cached_property
    def _jacobian(self) -> list[np.ndarray]:
        return [-self.phi @ P @ self.phi for P in self.P]

    @cached_property
    def inverse_expected(self) -> np.ndarray:
        """W = 2 E^{-1}, the inverse expected information (Kenward-Roger)."""
        return 2.0 * np.linalg.inv(self.expected)

    @cached_property
    def inverse_hessian(self) -> np.ndarray:
        """Cov(gamma) = 2 Hess^{-1}, the inverse observed information (Satterthwaite)."""
        return 2.0 * np.linalg.inv(self.hessian)


def _pairs(q: int) -> list[tuple[int, int]]:
    return [(i, j) for j in range(q) for i in range(j, q)]


def _d_times(a: int, b: int, X: np.ndarray) -> np.ndarray:
    """D X for D with ones at (a, b) and (b, a), X a stack (q, ..., n)."""
    out = np.zeros_like(X)
    out[a] = X[b]
    out[b] = X[a]
    return out


def _cross(U: np.ndarray, W: np.ndarray) -> np.ndarray:
    """sum_j U_j' W_j for stacks (q, m, n) and (q, k, n) (vectors: (q, n))."""
    if U.ndim == 2:
        U = U[:, None, :]
    if W.ndim == 2:
        W = W[:, None, :]
    # np.tensordot(U, W, axes=([0, 2], [0, 2])) written out (its transposes, reshapes and one
    # dot, so the same sums): its argument handling cost more than the product here
    q, m, n = U.shape
    return np.dot(U.transpose(1, 0, 2).reshape(m, q * n), W.transpose(0, 2, 1).reshape(q * n, -1))


def _trace_product(U: np.ndarray, W: np.ndarray) -> float:
    """sum_j tr(U_j W_j) for (q, q, n) stacks."""
    return float((U * np.swapaxes(W, 0, 1)).sum())


class _Accumulator:
    """Sums over the clusters, in V* units, indexed by gamma's entries (the last is sigma^2,
    whose terms are completed from the overall sums after the pass)."""

    def __init__(self, q: int, p: int):
        self.pairs = _pairs(q)
        k = len(self.pairs) + 1
        self.k = k
        self.one = [np.zeros((p, p)) for _ in range(k)]  # X'V^-1 G_r V^-1 X
        self.two = [[np.zeros((p, p)) for _ in range(k)] for _ in range(k)]
        self.trace = np.zeros((k, k))  # tr(V^-1 G_r V^-1 G_s)
        self.resid = np.zeros((k, k))  # (G_r u)'V^-1 (G_s u), u = V^-1 r
        self.xres = [np.zeros(p) for _ in range(k)]  # X'V^-1 G_r u
        self.FCH = np.zeros((p, p))
        self.FCw = np.zeros(p)
        self.HCH = np.zeros((p, p))
        self.zCw = 0.0
        self.wCw = 0.0
        self.trSC = 0.0
        self.trSCSC = 0.0


def _block(
    prof: ProfiledDeviance, ev: Evaluation, Minv: np.ndarray, blk: slice, acc: _Accumulator
) -> None:
    s, lam, q = prof.s, ev.lam, prof.q
    S, F = s.ZtZ[:, :, blk], s.ZtX[:, :, blk]
    C = sm.matrix_times(lam, sm.times_matrix(Minv, lam.T))
    SC = sm.times_stack(S, C)
    N = -SC
    for a in range(q):
        N[a, a] += 1.0
    H = sm.times_stack(N, F)
    K = sm.times_stack(N, S)
    z = s.Zty[:, blk] - np.tensordot(ev.beta_c, F, axes=(0, 1))
    w = sm.times_stack(N, z)
    CH, Cw = sm.times_stack(C, H), sm.times_stack(C, w)
    acc.FCH += _cross(F, CH)
    acc.FCw += _cross(F, Cw)[:, 0]
    acc.HCH += _cross(H, CH)
    acc.zCw += float((z * Cw).sum())
    acc.wCw += float((w * Cw).sum())
    acc.trSC += float(sum(SC[a, a].sum() for a in range(q)))
    acc.trSCSC += _trace_product(SC, SC)
    DH = [_d_times(a, b, H) for a, b in acc.pairs]
    Dw = [_d_times(a, b, w) for a, b in acc.pairs]
    DK = [_d_times(a, b, K) for a, b in acc.pairs]
    NH, Nw, NK = sm.times_stack(N, H), sm.times_stack(N, w), sm.times_stack(N, K)
    res = len(acc.pairs)
    for r in range(res):
        acc.one[r] += _cross(H, DH[r])
        acc.xres[r] += _cross(H, Dw[r])[:, 0]
        KDH, KDw = sm.times_stack(K, DH[r]), sm.times_stack(K, Dw[r])
        for t in range(r, res):
            acc.two[r][t] += _cross(DH[t], KDH).T
            acc.trace[r, t] += _trace_product(DK[r], DK[t])
            acc.resid[r, t] += float((Dw[t] * KDw).sum())
        acc.two[r][res] += _cross(DH[r], NH)
        DNK = _d_times(*acc.pairs[r], NK)
        acc.trace[r, res] += float(sum(DNK[a, a].sum() for a in range(q)))
        acc.resid[r, res] += float((Dw[r] * Nw).sum())


def variance_derivatives(
    prof: ProfiledDeviance, ev: Evaluation, sigma2: float, q_names: list[str]
) -> VarianceDerivatives:
    """P, Q, the expected and the observed REML information in gamma at a REML estimate."""
    if not prof.reml:
        raise MixedModelError(
            "the Satterthwaite and Kenward-Roger degrees of freedom are computed for REML "
            "fits only (as lmerTest and pbkrtest); refit with method='REML'"
        )
    q, p = prof.q, prof.p
    acc = _Accumulator(q, p)
    Minv = prof.conditional_inverses(ev)
    for blk in prof.blocks:
        _block(prof, ev, Minv[:, :, blk], blk, acc)
    k, res = acc.k, acc.k - 1
    A = ev.A
    XV2X = A - acc.FCH
    acc.one[res] = XV2X
    acc.two[res][res] = XV2X - acc.HCH
    acc.trace[res, res] = prof.N - 2.0 * acc.trSC + acc.trSCSC
    acc.resid[res, res] = ev.r2 - acc.zCw - acc.wCw
    # X'V^-2 r = X'V^-1 r - sum F'C w, and X'V^-1 r = 0 at the GLS estimate of beta
    acc.xres[res] = -acc.FCw
    for r in range(k):
        for t in range(r):
            acc.two[r][t] = acc.two[t][r].T
            acc.trace[r, t] = acc.trace[t, r]
            acc.resid[r, t] = acc.resid[t, r]
    s2 = sigma2
    Ainv = np.linalg.inv(A)
    phi = s2 * Ainv
    P = [-m / s2**2 for m in acc.one]
    Q = [[m / s2**3 for m in row] for row in acc.two]
    E = np.empty((k, k))
    Hy = np.empty((k, k))
    for r in range(k):
        for t in range(k):
            E[r, t] = (
                acc.trace[r, t] / s2**2
                - 2.0 * (phi * Q[r][t]).sum()
                + ((phi @ P[r]) * (phi @ P[t]).T).sum()
            )
            Hy[r, t] = (acc.resid[r, t] - acc.xres[r] @ Ainv @ acc.xres[t]) / s2**3
    G = s2 * ev.lam @ ev.lam.T
    names = [
        f"var({q_names[i]})" if i == j else f"cov({q_names[j]},{q_names[i]})" for i, j in acc.pairs
    ]
    gamma = np.array([G[i, j] for i, j in acc.pairs] + [s2])
    return VarianceDerivatives(
        names=names + ["sigma^2"],
        gamma=gamma,
        phi=phi,
        P=P,
        Q=Q,
        expected=0.5 * (E + E.T),
        hessian=0.5 * ((2.0 * Hy - E) + (2.0 * Hy - E).T),
    )
