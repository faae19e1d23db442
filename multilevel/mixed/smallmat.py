"""Algebra on stacks of small matrices, one per cluster, stored component-major.

A stack of J matrices of shape (q, m) is an array of shape (q, m, J): entry [a, b] is a
contiguous (J,) array over the clusters.  Every routine loops over the q (and m) components
in Python and does elementwise work on (J,) rows, so for q = 1 or 2 it is the closed form
written out (e.g. a 2 x 2 Cholesky is three elementwise expressions), and the cost is
O(J q^3) with no per-cluster Python loop, no einsum and no temporaries beyond a few (J,)
rows.  Trailing dimensions between the matrix indices and J are carried along (a (q, J)
stack of vectors works the same way as a (q, 1, J) stack of matrices).
"""

from __future__ import annotations

import numpy as np


def cholesky(M: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of a (q, q, J) stack of symmetric positive-definite matrices."""
    q = M.shape[0]
    L = np.zeros_like(M)
    for k in range(q):
        s = M[k, k].copy()
        for m in range(k):
            s -= L[k, m] * L[k, m]
        np.sqrt(s, out=L[k, k])
        for i in range(k + 1, q):
            t = M[i, k].copy()
            for m in range(k):
                t -= L[i, m] * L[k, m]
            np.divide(t, L[k, k], out=L[i, k])
    return L


def forward(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """X with L X = B, for a lower-triangular stack L (q, q, J) and B (q, ..., J)."""
    q = L.shape[0]
    X = np.empty_like(B)
    for i in range(q):
        acc = B[i].copy()
        for k in range(i):
            acc -= L[i, k] * X[k]
        np.divide(acc, L[i, i], out=X[i])
    return X


def inverse_from_cholesky(L: np.ndarray) -> np.ndarray:
    """M^{-1} = L^{-T} L^{-1} for each cluster, from the Cholesky factors L (q, q, J)."""
    q, _, J = L.shape
    eye = np.zeros_like(L)
    for k in range(q):
        eye[k, k] = 1.0
    Linv = forward(L, eye)  # lower triangular
    out = np.empty_like(L)
    for a in range(q):
        for b in range(a + 1):
            s = Linv[a, a] * Linv[a, b]
            for k in range(a + 1, q):
                s = s + Linv[k, a] * Linv[k, b]
            out[a, b] = s
            out[b, a] = s
    return out


def spd_inverse_logdet(M: np.ndarray) -> tuple[np.ndarray, float]:
    """Inverses of a (q, q, J) stack of symmetric positive-definite matrices (only the lower
    triangle of M is read) and the sum of their log-determinants.  Closed forms for q = 1
    and q = 2 (determinant and adjugate), Cholesky factors otherwise."""
    q = M.shape[0]
    if q == 1:
        return 1.0 / M, float(np.log(M[0, 0]).sum())
    if q == 2:
        det = M[0, 0] * M[1, 1]
        det -= M[1, 0] * M[1, 0]
        inv = np.empty_like(M)
        rdet = np.divide(1.0, det, out=det)
        np.multiply(M[1, 1], rdet, out=inv[0, 0])
        np.multiply(M[0, 0], rdet, out=inv[1, 1])
        np.multiply(M[1, 0], rdet, out=inv[1, 0])
        np.negative(inv[1, 0], out=inv[1, 0])
        inv[0, 1] = inv[1, 0]
        return inv, -float(np.log(rdet).sum())
    L = cholesky(M)
    diag = L[0, 0].copy()
    for k in range(1, q):
        diag *= L[k, k]
    return inverse_from_cholesky(L), 2.0 * float(np.log(diag).sum())


def times_stack(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A_j B_j for every cluster: A (q, r, J), B (r, ..., J) -> (q, ..., J)."""
    q, r = A.shape[0], A.shape[1]
    out = np.empty((q,) + B.shape[1:])
    for a in range(q):
        acc = np.multiply(A[a, 0], B[0], out=out[a])
        for c in range(1, r):
            acc += A[a, c] * B[c]
    return out


def times_matrix(stack: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Each cluster's matrix (q, m, J) times a common m x r matrix R: shape (q, r, J)."""
    return np.matmul(R.T, stack)


def matrix_times(R: np.ndarray, stack: np.ndarray) -> np.ndarray:
    """A common r x q matrix R times each cluster's matrix (q, ..., J): shape (r, ..., J)."""
    return np.tensordot(R, stack, axes=(1, 0))
