"""The coefficients of a fixed-effects (cluster dummies) model without its dense matrices.

With cluster effects absorbed by the within transformation, every coefficient of the dummy
model is a linear combination ``theta = A u`` of pieces ``u`` that are uncorrelated under the
model: the cluster means of the outcome (variance sigma^2 / n_c) and the within-cluster slopes
(variance sigma^2 / Sxx). So ``cov(theta) = sigma^2 A diag(d) A'`` with a sparse ``A`` of
O(clusters) entries, and for any hypothesis matrix ``L``,
``cov(L theta) = sigma^2 (L A) diag(d) (L A)'`` costs O(rows of L x clusters): the
sum over clusters of each cluster's small block, weighted. Only :meth:`WithinFit.cov_params`
builds the dense (coefficients x coefficients) matrix, and only behind the size guard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from multilevel.size_guard import check_dense

__all__ = ["WithinFit"]


class WithinFit:
    """A fit with ``params`` (R's names), ``df_resid``, ``bse``, ``cov_of(L)`` and
    ``cov_params()``: enough for :func:`multilevel.classical.wald.wald`.

    ``A`` is (coefficients x pieces), ``u`` the pieces' estimates, ``d`` their variances in
    units of ``scale`` (the residual variance; NaN when there are no residual DF)."""

    def __init__(
        self,
        names: pd.Index,
        A: sp.csr_matrix,
        u: np.ndarray,
        d: np.ndarray,
        scale: float,
        df_resid: float,
        nobs: int,
    ):
        self.A = sp.csr_matrix(A)
        self.d = np.asarray(d, dtype=float)
        self.scale = float(scale)
        self.df_resid = float(df_resid)
        self.nobs = int(nobs)
        self.params = pd.Series(self.A @ np.asarray(u, dtype=float), index=names)

    @property
    def bse(self) -> pd.Series:
        var = self.A.multiply(self.A) @ self.d
        return pd.Series(np.sqrt(self.scale * var), index=self.params.index)

    def cov_of(self, L) -> np.ndarray:
        """Covariance of ``L @ params`` for ``L`` (rows x coefficients: a DataFrame with
        coefficient names as columns, an array or a sparse matrix)."""
        if isinstance(L, pd.DataFrame):
            L = L.reindex(columns=self.params.index, fill_value=0.0).to_numpy(dtype=float)
        if sp.issparse(L):
            M = sp.csr_matrix(L) @ self.A
            return np.asarray((M.multiply(self.scale * self.d) @ M.T).toarray())
        L = np.atleast_2d(np.asarray(L, dtype=float))
        check_dense(
            "A Wald test on the fixed-effects coefficients",
            (L.shape[0], self.A.shape[1]),
            why="each hypothesis row is expanded over every cluster",
            instead="test fewer rows at once, or give L as a sparse matrix",
        )
        M = np.asarray((self.A.T @ L.T).T)
        return (M * (self.scale * self.d)) @ M.T

    def cov_params(self) -> pd.DataFrame:
        """The dense covariance of every coefficient (guarded: it grows as clusters^2)."""
        p = len(self.params)
        check_dense(
            "The fixed-effects covariance matrix (cov_params)",
            (p, p),
            why=(
                f"it has a row and a column for each of the {p:,} coefficients, most of "
                "them one per cluster"
            ),
            instead=(
                "use difference(), group_estimates(), the result's test or fit.cov_of(L) "
                "for the few combinations you need; they never form this matrix"
            ),
        )
        V = (self.A.multiply(self.scale * self.d) @ self.A.T).toarray()
        return pd.DataFrame(V, index=self.params.index, columns=self.params.index)
