"""Per-cluster sufficient statistics of a linear mixed model, in one pass over the rows.

For y = X beta + Z b + e with one grouping factor, everything the profiled likelihood needs
is (Z_j'Z_j, Z_j'X_j, Z_j'y_j) for every cluster j, stacked component-major into arrays of
shape (q, q, J), (q, p, J) and (q, J) (see smallmat.py), plus X'X, X'y, y'y.  The sums are
np.bincount segment sums, so memory beyond the design columns stays at one or two row-length
temporaries.

When X has an intercept, y and the non-intercept columns of X are centred (by their
overall means) before the products are formed.  X_c = X T with T unit upper-triangular
and y_c = y - ybar * 1, so beta = T gamma + ybar e_1 and cov(beta) = T cov(gamma) T':
the centring is an exact reparametrisation (the REML determinant is unchanged because
det T = 1) that avoids cancellation in the cross-products.  Z is never centred (that
would change the model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .design import INTERCEPT, Design


@dataclass
class Sufficient:
    ZtZ: np.ndarray  # (q, q, J)
    ZtX: np.ndarray  # (q, p, J), X centred
    Zty: np.ndarray  # (q, J), y centred
    XtX: np.ndarray  # (p, p)
    Xty: np.ndarray  # (p,)
    yty: float
    counts: np.ndarray  # (J,) rows per cluster
    x_means: np.ndarray  # (p,) the centring of X (0 for the intercept / if not centred)
    y_mean: float
    intercept_pos: int | None  # position of the intercept in X, if centred
    n_obs: int

    @property
    def n_groups(self) -> int:
        return int(self.ZtZ.shape[2])

    @property
    def q(self) -> int:
        return int(self.ZtZ.shape[0])

    @property
    def p(self) -> int:
        return int(self.ZtX.shape[1])

    def uncentre_matrix(self) -> np.ndarray:
        """T with beta = T gamma (+ y_mean on the intercept)."""
        p = self.p
        T = np.eye(p)
        if self.intercept_pos is not None:
            T[self.intercept_pos, :] -= self.x_means
            T[self.intercept_pos, self.intercept_pos] = 1.0
        return T


def _segment_sum(codes: np.ndarray, weights: np.ndarray | None, n_groups: int) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=n_groups)


def compute_sufficient(design: Design) -> Sufficient:
    """One pass of segment sums over the rows of the design."""
    codes = design.codes
    J = design.n_groups
    N = design.n_obs
    xn, zn = design.x_names, design.z_names
    p, q = len(xn), len(zn)
    centre = INTERCEPT in xn
    y_mean = float(design.y.mean()) if centre else 0.0
    yc = design.y - y_mean if centre else design.y

    x_means = np.zeros(p)
    xcols: list[np.ndarray | None] = []
    for k, nm in enumerate(xn):
        col = design.columns[nm]
        if col is None:
            xcols.append(None)
            continue
        if centre:
            x_means[k] = col.mean()
            xcols.append(col - x_means[k])
        else:
            xcols.append(col)
    zcols = [design.columns[nm] for nm in zn]

    counts = _segment_sum(codes, None, J).astype(float)

    def seg_product(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray:
        if a is None and b is None:
            return counts.copy()
        if a is None or b is None:
            return _segment_sum(codes, b if a is None else a, J)
        tmp = np.multiply(a, b)
        out = _segment_sum(codes, tmp, J)
        del tmp
        return out

    ZtZ = np.empty((q, q, J))
    for a in range(q):
        for b in range(a, q):
            ZtZ[a, b] = seg_product(zcols[a], zcols[b])
            ZtZ[b, a] = ZtZ[a, b]
    ZtX = np.empty((q, p, J))
    for a in range(q):
        for b in range(p):
            ZtX[a, b] = seg_product(zcols[a], xcols[b])
    Zty = np.empty((q, J))
    for a in range(q):
        Zty[a] = seg_product(zcols[a], yc)

    def dot(a: np.ndarray | None, b: np.ndarray | None) -> float:
        if a is None and b is None:
            return float(N)
        if a is None or b is None:
            return float((b if a is None else a).sum())
        return float(np.dot(a, b))

    XtX = np.empty((p, p))
    for a in range(p):
        for b in range(a, p):
            XtX[a, b] = XtX[b, a] = dot(xcols[a], xcols[b])
    Xty = np.array([dot(xcols[a], yc) for a in range(p)])
    yty = float(np.dot(yc, yc))
    return Sufficient(
        ZtZ=ZtZ,
        ZtX=ZtX,
        Zty=Zty,
        XtX=XtX,
        Xty=Xty,
        yty=yty,
        counts=counts,
        x_means=x_means,
        y_mean=y_mean,
        intercept_pos=xn.index(INTERCEPT) if centre else None,
        n_obs=N,
    )


def varies_within(col: np.ndarray | None, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Boolean (J,): does the column take more than one value inside each cluster
    (exact comparison, as nlme does)."""
    if col is None:
        return np.zeros(n_groups, dtype=bool)
    # compare every row with one row of its cluster (which one does not matter: when a
    # fancy-index assignment repeats an index, one of the assigned values is kept)
    rep = np.zeros(n_groups, dtype=np.intp)
    rep[codes] = np.arange(codes.size)
    differs = col != col[rep][codes]
    return np.bincount(codes[differs], minlength=n_groups) > 0
