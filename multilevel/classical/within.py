"""The coefficients of a fixed-effects (cluster dummies) model without its dense matrices.

With cluster effects absorbed by the within transformation, every coefficient of the dummy
model is a linear combination ``theta = A u`` of pieces ``u`` that are uncorrelated under the
model: the cluster means of the outcome (variance sigma^2 / n_c) and the within-cluster slopes
(variance sigma^2 / Sxx). So ``cov(theta) = sigma^2 A diag(d) A'`` with a sparse ``A`` of
O(clusters) entries, and for any hypothesis matrix ``L``,
``cov(L theta) = sigma^2 (L A) diag(d) (L A)'`` costs O(rows of L x clusters): the
sum over clusters of each cluster's small block, weighted. Only :meth:`WithinFit.cov_params`
builds the dense (coefficients x coefficients) matrix, and only behind the size guard.

With level-1 covariates the last few pieces (the common slopes and covariate coefficients of
the within regression) are correlated with one another, though not with the others: their
covariance is a small dense block, ``cov(theta) = sigma^2 (A1 diag(d) A1' + A2 V A2')`` with
``A = [A1 A2]``; ``A2`` has one column per such piece, so the cost stays O(clusters).
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

    ``A`` is (coefficients x pieces), ``u`` the pieces' estimates, ``d`` the variances of the
    first ``len(d)`` pieces and ``dense`` (optional) the covariance of the remaining ones, in
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
        dense: np.ndarray | None = None,
    ):
        self.A = sp.csr_matrix(A)
        self.d = np.asarray(d, dtype=float)
        m = len(self.d)
        self.dense = None if dense is None else np.atleast_2d(np.asarray(dense, dtype=float))
        self._A1 = self.A if dense is None else self.A[:, :m]
        self._A2 = None if dense is None else self.A[:, m:]
        self.scale = float(scale)
        self.df_resid = float(df_resid)
        self.nobs = int(nobs)
        self.params = pd.Series(self.A @ np.asarray(u, dtype=float), index=names)

    @property
    def bse(self) -> pd.Series:
        var = self._A1.multiply(self._A1) @ self.d
        if self.dense is not None:
            var = var + np.asarray(self._A2.multiply(self._A2 @ self.dense).sum(axis=1)).ravel()
        return pd.Series(np.sqrt(self.scale * var), index=self.params.index)

    def cov_of(self, L) -> np.ndarray:
        """Covariance of ``L @ params`` for ``L`` (rows x coefficients: a DataFrame with
        coefficient names as columns, an array or a sparse matrix)."""
        if isinstance(L, pd.DataFrame):
            L = L.reindex(columns=self.params.index, fill_value=0.0).to_numpy(dtype=float)
        if sp.issparse(L):
            M = sp.csr_matrix(L) @ self.A
            m = len(self.d)
            M1 = M if self.dense is None else M[:, :m]
            cov = np.asarray((M1.multiply(self.scale * self.d) @ M1.T).toarray())
            return cov + self._dense_part(np.asarray(M[:, m:].toarray()))
        L = np.atleast_2d(np.asarray(L, dtype=float))
        check_dense(
            "A Wald test on the fixed-effects coefficients",
            (L.shape[0], self.A.shape[1]),
            why="each hypothesis row is expanded over every cluster",
            instead="test fewer rows at once, or give L as a sparse matrix",
        )
        M = np.asarray((self.A.T @ L.T).T)
        m = len(self.d)
        return (M[:, :m] * (self.scale * self.d)) @ M[:, :m].T + self._dense_part(M[:, m:])

    def _dense_part(self, M2: np.ndarray) -> np.ndarray | float:
        """``scale M2 V M2'`` for the rows ``M2`` over the correlated pieces (0 without)."""
        if self.dense is None:
            return 0.0
        return self.scale * (M2 @ self.dense @ M2.T)

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
        V = (self._A1.multiply(self.scale * self.d) @ self._A1.T).toarray()
        if self.dense is not None:
            V = V + self._dense_part(np.asarray(self._A2.toarray()))
        return pd.DataFrame(V, index=self.params.index, columns=self.params.index)
