"""Profiled (restricted) deviance of a one-factor linear mixed model, from sufficient stats.

Model: y_j = X_j beta + Z_j b_j + e_j, b_j ~ N(0, sigma^2 Lambda Lambda'), e_j ~ N(0, sigma^2 I),
with Lambda lower triangular (the relative covariance factor), its lower-triangle entries
theta taken column by column.  For a given theta, per cluster

    M_j = Lambda' Z_j'Z_j Lambda + I,   P_j = Lambda' Z_j'X_j,   p_j = Lambda' Z_j'y_j
    A   = X'X - sum_j P_j' M_j^{-1} P_j = X' V*^{-1} X      (V* = I + Z Lambda Lambda' Z')
    b   = X'y - sum_j P_j' M_j^{-1} p_j,   beta = A^{-1} b
    r^2 = y'y - sum_j p_j' M_j^{-1} p_j - b' beta          (penalised RSS)

and the profiled deviances (-2 log-likelihood with beta and sigma profiled out) are

    ML:   sum_j log|M_j| + N (1 + log(2 pi r^2 / N))
    REML: sum_j log|M_j| + log|A| + (N - p) (1 + log(2 pi r^2 / (N - p))).

The gradient with respect to Lambda follows from d log|V*| = tr(V*^{-1} dV*) and, for r^2,
from the envelope theorem:

    d/dLambda sum log|M_j| = 2 sum_j S_j Lambda M_j^{-1}                      (S_j = Z_j'Z_j)
    d/dLambda r^2          = -2 (sum_j w_j w_j') Lambda,  w_j = Z_j'V*_j^{-1}(y_j - X_j beta)
    d/dLambda log|A|       = -2 (sum_j H_j A^{-1} H_j') Lambda,  H_j = Z_j'V*_j^{-1} X_j

with Z_j'V*_j^{-1} = Z_j' - S_j Lambda M_j^{-1} Lambda' Z_j'.  As w_j = w0_j - H_j beta
(w0_j = Z_j'V*_j^{-1} y_j), both sums follow from three sums of products over the clusters
(sum w0 w0', sum w0 vec(H)', sum vec(H) vec(H)') that do not involve beta, so one pass over
the clusters gives the deviance and its gradient.

The pass goes over blocks of CHUNK clusters: the per-cluster q x q algebra is written out
elementwise on (block,) arrays (smallmat.py), the sums over clusters are small matrix
products, and the temporaries stay a few block-sized arrays whatever the number of
clusters.  Each evaluation costs O(J (q^3 + q^2 p^2) + p^3), independent of the number of
rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import smallmat as sm
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
    gradient: np.ndarray | None = None


#: clusters per block of the pass over the clusters, for q * p <= 4 (fewer when a cluster's
#: matrices are larger), so that the block's temporaries stay in the CPU's cache
CHUNK = 8192


def _lam_t_times(lam: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Lambda' X_j for every cluster, X a stack (q, ..., n); Lambda is lower triangular."""
    q = lam.shape[0]
    out = np.empty(X.shape)
    for c in range(q):
        acc = np.multiply(X[c], lam[c, c], out=out[c])
        for b in range(c + 1, q):
            if lam[b, c] != 0.0:
                acc += lam[b, c] * X[b]
    return out


class _Sums:
    """Sums over the clusters accumulated block by block."""

    def __init__(self, s: Sufficient, gradient: bool):
        q, p = s.q, s.p
        self.logdet_M = 0.0
        self.A = s.XtX.copy()
        self.b = s.Xty.copy()
        self.dd = 0.0
        if gradient:
            self.SLMinv = np.zeros((q, q))  # sum S_j Lambda M_j^{-1}
            self.ww = np.zeros((q, q))  # sum w0 w0'
            self.wH = np.zeros((q, q * p))  # sum w0 vec(H)'
            self.HH = np.zeros((q * p, q * p))  # sum vec(H) vec(H)'


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
        self._rows = np.array([i for i, _ in self.idx], dtype=np.intp)
        self._cols = np.array([j for _, j in self.idx], dtype=np.intp)
        self.dof = self.N - self.p if reml else self.N
        J = suff.n_groups
        size = max(min(512, CHUNK), CHUNK // max(1, self.q * self.p // 4))
        self.blocks = [slice(a, min(a + size, J)) for a in range(0, J, size)]

    def _core(self, lam, blk: slice):
        """One block's Lambda' S_j (LS), M_j^{-1}, sum of log|M_j|, and M_j^{-1} P_j, M_j^{-1} p_j
        with P_j = Lambda' Z_j'X_j, p_j = Lambda' Z_j'y_j."""
        s, q = self.s, self.q
        S, Zx, Zy = s.ZtZ[:, :, blk], s.ZtX[:, :, blk], s.Zty[:, blk]
        LS = _lam_t_times(lam, S)  # LS[c, a] = (S_j Lambda)[a, c]
        M = np.empty_like(LS)  # lower triangle of Lambda' S_j Lambda + I
        for c in range(q):
            for d in range(c + 1):
                acc = np.multiply(LS[c, d], lam[d, d], out=M[c, d])
                for b in range(d + 1, q):
                    if lam[b, d] != 0.0:
                        acc += LS[c, b] * lam[b, d]
            M[c, c] += 1.0
        Minv, logdet = sm.spd_inverse_logdet(M)
        P = _lam_t_times(lam, Zx)  # (q, p, n)
        Py = _lam_t_times(lam, Zy)  # (q, n)
        return LS, Minv, logdet, P, Py, sm.times_stack(Minv, P), sm.times_stack(Minv, Py)

    def _block(self, lam, blk: slice, sums: _Sums, gradient: bool):
        s, q, p = self.s, self.q, self.p
        LS, Minv, logdet, P, Py, Q, Qy = self._core(lam, blk)
        sums.logdet_M += logdet
        for a in range(q):
            sums.A -= P[a] @ Q[a].T
            sums.b -= P[a] @ Qy[a]
            sums.dd += float(Py[a] @ Qy[a])
        if not gradient:
            return
        for c in range(q):
            sums.SLMinv += LS[c] @ Minv[c].T
        # Z_j'V*^{-1} X_j = Z_j'X_j - S_j Lambda M_j^{-1} Lambda' Z_j'X_j, and the same for y
        H = np.array(s.ZtX[:, :, blk])
        w0 = np.array(s.Zty[:, blk])
        for a in range(q):
            for c in range(q):
                H[a] -= LS[c, a] * Q[c]
                w0[a] -= LS[c, a] * Qy[c]
        Hf = H.reshape(q * p, -1)
        sums.HH += Hf @ Hf.T
        sums.wH += w0 @ Hf.T
        sums.ww += w0 @ w0.T

    def evaluate(self, theta: np.ndarray, gradient: bool = False) -> Evaluation:
        """The deviance at theta (and its gradient)."""
        s, q = self.s, self.q
        lam = np.zeros((q, q))
        lam[self._rows, self._cols] = theta
        sums = _Sums(s, gradient)
        for blk in self.blocks:
            self._block(lam, blk, sums, gradient)
        A = sums.A
        RA = np.linalg.cholesky(A)
        beta = np.linalg.solve(A, sums.b)
        r2 = max(s.yty - sums.dd - float(sums.b @ beta), np.finfo(float).tiny)
        logdet_A = 2.0 * float(np.log(np.diag(RA)).sum())
        dev = sums.logdet_M + self.dof * (1.0 + np.log(2.0 * np.pi * r2 / self.dof))
        if self.reml:
            dev += logdet_A
        ev = Evaluation(
            theta=np.array(theta, dtype=float),
            lam=lam,
            deviance=float(dev),
            beta_c=beta,
            A=A,
            r2=float(r2),
            logdet_M=sums.logdet_M,
            logdet_A=logdet_A,
        )
        if gradient:
            ev.gradient = self._gradient(sums, lam, beta, A, r2)
        return ev

    def spherical_effects(self, ev: Evaluation) -> np.ndarray:
        """u_j = M_j^{-1} Lambda' Z_j'(y_j - X_j beta) for every cluster, (q, J): the random
        effects are b_j = Lambda u_j."""
        u = np.empty((self.q, self.s.n_groups))
        for blk in self.blocks:
            *_, Q, Qy = self._core(ev.lam, blk)
            u[:, blk] = Qy - np.matmul(ev.beta_c, Q)
        return u

    def cluster_terms(self, ev: Evaluation):
        """Each cluster's own terms at ev's theta: what it subtracts from X'X, X'y and y'y in
        A, b and r^2, P_j'M_j^{-1}P_j (p, p, J), P_j'M_j^{-1}p_j (p, J), p_j'M_j^{-1}p_j (J,),
        and log|M_j| (J,)."""
        J, p = self.s.n_groups, self.p
        XX, Xy, yy = np.zeros((p, p, J)), np.zeros((p, J)), np.zeros(J)
        logdet = np.empty(J)
        for blk in self.blocks:
            _, Minv, _, P, Py, Q, Qy = self._core(ev.lam, blk)
            logdet[blk] = -np.linalg.slogdet(np.moveaxis(Minv, 2, 0))[1]
            for a in range(self.q):
                XX[:, :, blk] += P[a][:, None, :] * Q[a][None, :, :]
                Xy[:, blk] += P[a] * Qy[a]
                yy[blk] += Py[a] * Qy[a]
        return XX, Xy, yy, logdet

    def conditional_inverses(self, ev: Evaluation) -> np.ndarray:
        """M_j^{-1} for every cluster, (q, q, J)."""
        out = np.empty((self.q, self.q, self.s.n_groups))
        for blk in self.blocks:
            out[:, :, blk] = self._core(ev.lam, blk)[1]
        return out

    def _gradient(self, sums: _Sums, lam, beta, A, r2) -> np.ndarray:
        q, p = self.q, self.p
        cross = sums.wH.reshape(q, q, p) @ beta  # sum_j w0_j (H_j beta)'
        B = np.zeros((q * p, q))  # vec(H_j)' B = (H_j beta)'
        for a in range(q):
            B[a * p : (a + 1) * p, a] = beta
        ww = sums.ww - cross - cross.T + B.T @ sums.HH @ B  # sum_j w_j w_j'
        g = 2.0 * sums.SLMinv - 2.0 * (self.dof / r2) * (ww @ lam)
        if self.reml:
            # sum_j H_j A^{-1} H_j': contract HH[(a, m), (b, n)] with A^{-1}[m, n]
            HH = sums.HH.reshape(q, p, q, p).transpose(0, 2, 1, 3).reshape(q * q, p * p)
            g -= 2.0 * (HH @ np.linalg.inv(A).ravel()).reshape(q, q) @ lam
        return g[self._rows, self._cols]

    def __call__(self, theta: np.ndarray) -> float:
        return self.evaluate(theta).deviance

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        ev = self.evaluate(theta, gradient=True)
        assert ev.gradient is not None
        return ev.deviance, ev.gradient
