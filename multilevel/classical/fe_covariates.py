"""Covariates in the fixed-effects fits (methods 2a and 2b), still from per-cluster sums.

A level-2 covariate is constant within each cluster, so the cluster effects absorb it (R's
``lm`` reports it aliased, NA): the fits leave it out and say so. The level-1 covariates'
columns Z get common coefficients gamma. By Frisch-Waugh, gamma is the within regression of
the outcome on Z, each taken net of what the cluster effects and the predictor's slopes
explain: within deviations for 2b (jointly with the group slopes), within deviations net of
each cluster's own line in x for 2a. The cluster pieces (cluster means of y, each cluster's
own slope of y on x) are projections orthogonal to those residuals, hence uncorrelated with
gamma: the coefficients stay ``A u`` with the correlated pieces in one small dense block
(:class:`~multilevel.classical.within.WithinFit`). Every step is O(rows q^2 + clusters q).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from multilevel.classical.clusters import ClusterStats
from multilevel.data.covariates import Covariate, covariate_design
from multilevel.errors import DataError

__all__ = [
    "HeldWithin",
    "absorbed_sentence",
    "aliased_sentence",
    "estimable",
    "extend_design",
    "held_within",
    "solve_within",
]


@dataclass
class HeldWithin:
    """The level-1 covariates' design columns ``names``: per-cluster means ``zbar``
    (clusters x q) and the rows' deviations from them ``dz`` (rows x q)."""

    names: list[str]
    zbar: np.ndarray
    dz: np.ndarray
    #: each column's raw sum of squares: what "aliased" is measured against
    norms2: np.ndarray

    def slopes_on_x(self, stats: ClusterStats) -> np.ndarray:
        """Each cluster's OLS slope of every column on the predictor (0 where x does not
        vary): what the cluster's own line in x explains of it."""
        J = len(stats.ids)
        sxz = np.column_stack(
            [np.bincount(stats.codes, weights=stats.dx * z, minlength=J) for z in self.dz.T]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(stats.varies[:, None], sxz / stats.sxx[:, None], 0.0)

    def subset(self, keep: np.ndarray) -> HeldWithin:
        return HeldWithin(
            [n for n, k in zip(self.names, keep, strict=True) if k],
            self.zbar[:, keep],
            self.dz[:, keep],
            self.norms2[keep],
        )


def estimable(W: np.ndarray, norms2: np.ndarray) -> np.ndarray:
    """Which columns of ``W`` R's lm would estimate, in order: a column is aliased when what
    is left of it after the columns kept before it is below 1e-7 of its norm
    ``sqrt(norms2)``."""
    A = W.T @ W
    keep = np.zeros(A.shape[0], dtype=bool)
    for k in range(A.shape[0]):
        d = A[k, k]
        if not d > 1e-14 * norms2[k]:
            continue
        keep[k] = True
        col = A[:, k].copy()
        A -= np.outer(col, col) / d
    return keep


def held_within(data: pd.DataFrame, stats: ClusterStats, covariates: list[Covariate]) -> HeldWithin:
    """The level-1 ``covariates`` of ``data`` (rows in the order of ``stats``)."""
    Z = covariate_design(data, covariates)
    J = len(stats.ids)
    n = stats.n[:, None]
    zbar = (
        np.column_stack(
            [np.bincount(stats.codes, weights=Z[c].to_numpy(), minlength=J) for c in Z.columns]
        )
        / n
    )
    raw = Z.to_numpy()
    return HeldWithin(list(Z.columns), zbar, raw - zbar[stats.codes], np.sum(raw * raw, axis=0))


def solve_within(
    W: np.ndarray, y: np.ndarray, names: list[str], cluster: str, norms2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS of the within residuals ``y`` on the columns ``W`` (named ``names``): the
    coefficients, their covariance in units of the residual variance, and the residuals.
    A DataError when a column is aliased, as R's lm judges it: what is left of it is below
    1e-7 of its norm ``sqrt(norms2)`` (nothing of it varies within clusters beyond what the
    cluster effects, the predictor and the other columns explain)."""
    WtW = W.T @ W
    left = np.diag(WtW).copy()
    if W.shape[1] > 1 and np.all(left > 0):
        # what each column keeps after all the others: 1 / diag of the inverse
        with np.errstate(divide="ignore", invalid="ignore"):
            left = 1.0 / np.diag(np.linalg.pinv(WtW))
    aliased = ~(left > 1e-14 * np.asarray(norms2, dtype=float))
    if aliased.any():
        flat = [n for n, a in zip(names, aliased, strict=True) if a]
        raise DataError(
            f"the covariate column(s) {flat} do not vary within {cluster}s beyond what the "
            f"{cluster} effects and the predictor explain, so the fixed-effects fits cannot "
            "estimate them; remove them from roles.covariates",
            column=flat[0],
        )
    V = np.linalg.inv(WtW)
    theta = V @ (W.T @ y)
    return theta, V, y - W @ theta


def extend_design(A: sp.csr_matrix, C: np.ndarray) -> sp.csr_matrix:
    """``[[A, C], [0, I]]``: the coefficients ``A u + C gamma`` followed by gamma itself."""
    q = C.shape[1]
    top = sp.hstack([A, sp.csr_matrix(C)])
    bottom = sp.hstack([sp.csr_matrix((q, A.shape[1])), sp.identity(q, format="csr")])
    return sp.vstack([top, bottom]).tocsr()


def absorbed_sentence(absorbed: list[Covariate], cluster: str) -> str:
    """The description's sentence on level-2 covariates (empty without any)."""
    if not absorbed:
        return ""
    names = ", ".join(c.name for c in absorbed)
    return (
        f" Level-2 covariates ({names}) are constant within each {cluster}, so the {cluster} "
        "effects absorb them: they are not in this model (their effect is not estimable "
        f"beside the {cluster} effects)."
    )


def aliased_sentence(aliased: list[str], cluster: str) -> str:
    """The description's sentence on level-1 covariate columns the fit could not estimate."""
    if not aliased:
        return ""
    return (
        f" The covariate column(s) {', '.join(aliased)} do not vary within {cluster}s beyond "
        f"what each {cluster}'s effects explain, so they are not estimable here (R's lm gives "
        "NA) and are left out."
    )
