"""Profiled (restricted) deviance of a one-factor linear mixed model, from sufficient stats.

Model: y_j = X_j beta + Z_j b_j + e_j, b_j ~ N(0, sigma^2 Lambda Lambda'), e_j ~ N(0, sigma^2 I),
with Lambda lower triangular (the relative covariance factor), its lower-triangle entries
theta taken column by column.  For a given theta, per cluster

    M_j = Lambda' Z_j'Z_j Lambda + I = L_j L_j'          (q x q Cholesky)
    c_j = L_j^{-1} Lambda' Z_j'X_j,  d_j = L_j^{-1} Lambda' Z_j'y_j
    A   = X'X - sum_j c_j'c_j = X' V*^{-1} X              (V* = I + Z Lambda Lambda' Z')
    beta = A^{-1} (X'y - sum_j c_j'd_j)
    r^2 = y'y - sum_j d_j'd_j - (X'y - sum_j c_j'd_j)' beta   (penalised RSS)

and the profiled deviances (-2 log-likelihood with beta and sigma profiled out) are

    ML:   sum_j log|M_j| + N (1 + log(2 pi r^2 / N))
    REML: sum_j log|M_j| + log|A| + (N - p) (1 + log(2 pi r^2 / (N - p))).

The gradient with respect to Lambda follows from d log|V*| = tr(V*^{-1} dV*) and, for r^2,
from the envelope theorem; with W_j = Z_j'V*_j^{-1} = (Z_j'Z_j) Lambda M_j^{-1} ... :

    d/dLambda sum log|M_j| = 2 sum_j S_j Lambda M_j^{-1}                      (S_j = Z_j'Z_j)
    d/dLambda r^2          = -2 (sum_j w_j w_j') Lambda,  w_j = Z_j'V*_j^{-1}(y_j - X_j beta)
    d/dLambda log|A|       = -2 (sum_j H_j A^{-1} H_j') Lambda,  H_j = Z_j'V*_j^{-1} X_j

Each evaluation costs O(J q^3 + J q^2 p + p^3), independent of the number of rows; the q x q
work is batched over clusters with numpy (loops over the q columns only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sufficient import Sufficient


def theta_index(q: int) -> list[tuple[int, int]]:
    """Positions (row, col) in Lambda of theta's entries: lower triangle, column by column."""
    return [(i, j) for j in range(q) for i in range(j, q)]


def lambda_from_theta(theta: np.ndarray, q: int) -> np.ndarray:
    lam = np.zeros((q, q))
    for t, (i, j) in zip(theta, theta_index(q), strict=True):
        lam[i, j] = t
    return lam


def diagonal_positions(q: int) -> list[int]:
    return [k for k, (i, j) in enumerate(theta_index(q)) if i == j]


def batched_cholesky(M: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of a stack (J, q, q) of symmetric positive-definite matrices."""
    J, q, _ = M.shape
    if q == 1:
        return np.sqrt(M)
    L = np.zeros_like(M)
    for k in range(q):
        s = M[:, k, k] - np.einsum("ji,ji->j", L[:, k, :k], L[:, k, :k])
        L[:, k, k] = np.sqrt(s)
        for i in range(k + 1, q):
            t = M[:, i, k] - np.einsum("ji,ji->j", L[:, i, :k], L[:, k, :k])
            L[:, i, k] = t / L[:, k, k]
    return L


def batched_forward(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Solve L X = B for stacked lower-triangular L (J, q, q), B (J, q, m)."""
    J, q, _ = L.shape
    if q == 1:
        return B / L
    X = np.empty_like(B)
    for i in range(q):
        acc = B[:, i, :] - np.einsum("jk,jkm->jm", L[:, i, :i], X[:, :i, :])
        X[:, i, :] = acc / L[:, i, i, None]
    return X


def batched_backward(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Solve L' X = B for stacked lower-triangular L (J, q, q), B (J, q, m)."""
    J, q, _ = L.shape
    if q == 1:
        return B / L
    X = np.empty_like(B)
    for i in range(q - 1, -1, -1):
        acc = B[:, i, :] - np.einsum("jk,jkm->jm", L[:, i + 1 :, i], X[:, i + 1 :, :])
        X[:, i, :] = acc / L[:, i, i, None]
    return X


@dataclass
class Evaluation:
    """Everything the profiled deviance computes at one theta (centred coordinates)."""

    theta: np.ndarray
    lam: np.ndarray
    deviance: float
    beta_c: np.ndarray  # fixed effects in centred coordinates
    A: np.ndarray  # X' V*^{-1} X  (centred X)
    r2: float
    logdet_M: float
    logdet_A: float
    L: np.ndarray  # (J, q, q)
    u: np.ndarray  # (J, q) spherical random effects: b_j = sigma-free Lambda u_j
    gradient: np.ndarray | None = None


class ProfiledDeviance:
    """Callable profiled deviance (and gradient) in theta."""

    def __init__(self, suff: Sufficient, reml: bool):
        self.s = suff
        self.reml = reml
        self.q = suff.q
        self.p = suff.p
        self.N = suff.n_obs
        self.idx = theta_index(self.q)
        self.n_theta = len(self.idx)
        self.dof = self.N - self.p if reml else self.N

    def evaluate(self, theta: np.ndarray, gradient: bool = False) -> Evaluation:
        s = self.s
        q = self.q
        lam = lambda_from_theta(np.asarray(theta, dtype=float), q)
        SL = np.einsum("jab,bc->jac", s.ZtZ, lam)  # S_j Lambda
        M = np.einsum("ba,jbc->jac", lam, SL)
        M[:, np.arange(q), np.arange(q)] += 1.0
        L = batched_cholesky(M)
        logdet_M = 2.0 * float(np.log(np.diagonal(L, axis1=1, axis2=2)).sum())
        LtZX = np.einsum("ba,jbp->jap", lam, s.ZtX)
        LtZy = s.Zty @ lam  # (J, q): rows are (Lambda' Z'y_j)'
        C = batched_forward(L, LtZX)
        d = batched_forward(L, LtZy[:, :, None])[:, :, 0]
        A = s.XtX - np.einsum("jqa,jqb->ab", C, C)
        b = s.Xty - np.einsum("jqa,jq->a", C, d)
        RA = np.linalg.cholesky(A)
        beta = np.linalg.solve(RA.T, np.linalg.solve(RA, b))
        r2 = s.yty - float(np.einsum("jq,jq->", d, d)) - float(b @ beta)
        r2 = max(r2, np.finfo(float).tiny)
        logdet_A = 2.0 * float(np.log(np.diag(RA)).sum())
        dev = logdet_M + self.dof * (1.0 + np.log(2.0 * np.pi * r2 / self.dof))
        if self.reml:
            dev += logdet_A
        # spherical random effects u_j = M_j^{-1} Lambda' Z_j'(y_j - X_j beta)
        #                              = L_j^{-T} (d_j - c_j beta)
        u = batched_backward(L, (d - C @ beta)[:, :, None])[:, :, 0]
        ev = Evaluation(
            theta=np.array(theta, dtype=float),
            lam=lam,
            deviance=float(dev),
            beta_c=beta,
            A=A,
            r2=float(r2),
            logdet_M=logdet_M,
            logdet_A=logdet_A,
            L=L,
            u=u,
        )
        if gradient:
            ev.gradient = self._gradient(ev, SL)
        return ev

    def _gradient(self, ev: Evaluation, SL: np.ndarray) -> np.ndarray:
        s = self.s
        q = self.q
        lam = ev.lam
        eye = np.broadcast_to(np.eye(q), ev.L.shape)
        Linv = batched_forward(ev.L, eye.copy())
        Minv = np.einsum("jka,jkb->jab", Linv, Linv)  # L^{-T} L^{-1}
        SLMinv = np.einsum("jab,jbc->jac", SL, Minv)
        g = 2.0 * SLMinv.sum(axis=0)
        Ztr = s.Zty - s.ZtX @ ev.beta_c  # (J, q)
        w = Ztr - np.einsum("jab,jb->ja", SLMinv, Ztr @ lam)
        g += -2.0 * (self.dof / ev.r2) * (w.T @ w) @ lam
        if self.reml:
            H = s.ZtX - np.einsum("jab,jbp->jap", SLMinv, np.einsum("ba,jbp->jap", lam, s.ZtX))
            Ainv = np.linalg.inv(ev.A)
            g += -2.0 * np.einsum("jap,pr,jbr->ab", H, Ainv, H) @ lam
        return np.array([g[i, j] for (i, j) in self.idx])

    def __call__(self, theta: np.ndarray) -> float:
        return self.evaluate(theta).deviance

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        ev = self.evaluate(theta, gradient=True)
        assert ev.gradient is not None
        return ev.deviance, ev.gradient
