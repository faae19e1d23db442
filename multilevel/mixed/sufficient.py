"""Per-cluster sufficient statistics of a linear mixed model, in one pass over the rows.

For y = X beta + Z b + e with one grouping factor, everything the profiled likelihood needs
is (Z_j'Z_j, Z_j'X_j, Z_j'y_j) for every cluster j, stacked component-major into arrays of
shape (q, q, J), (q, p, J) and (q, J) (see smallmat.py), plus X'X, X'y, y'y.  The sums are
segment sums over blocks of rows (segments.py), so memory beyond the design columns stays
at a few block-length temporaries.

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
from .segments import Block, Segments


@dataclass
class Sufficient:
    ZtZ: np.ndarray  # (q, q, J)
    ZtX: np.ndarray  # (q, p, J), X centred
    Zty: np.ndarray  # (q, J), y centred
    XtX: np.ndarray  # (p, p)
    Xty: np.ndarray  # (p,)
    yty: float
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


class _BlockProducts:
    """Per-cluster sums and overall sums of products of the columns of one block of rows.

    Columns are named by keys (None: the column of ones), so that a product needed twice
    (e.g. Z's x times X's intercept and Z's intercept times Z's x) is summed once."""

    def __init__(self, seg: Segments, block: Block, arrays: dict):
        self.seg, self.block, self.arrays = seg, block, arrays
        self.done: dict = {}

    def sums(self, ka, kb) -> np.ndarray:
        pair = tuple(sorted((ka, kb), key=str))
        if pair not in self.done:
            a, b = self.arrays.get(ka), self.arrays.get(kb)
            w = a if b is None else b if a is None else a * b
            self.done[pair] = self.seg.block_sums(self.block, w)
        return self.done[pair]

    def dot(self, ka, kb) -> float:
        a, b = self.arrays.get(ka), self.arrays.get(kb)
        if a is None and b is None:
            return float(self.block.rows.stop - self.block.rows.start)
        if a is None or b is None:
            return float((b if a is None else a).sum())
        # not np.dot: BLAS may start threads for a long dot product, which costs more than
        # it saves on a busy machine
        return float(np.multiply(a, b).sum())


def compute_sufficient(design: Design) -> Sufficient:
    """One pass over the rows, block by block (segments.py): per-cluster sums of the
    products of the design columns, and the overall X'X, X'y, y'y."""
    seg = Segments(design.codes, design.n_groups)
    J, N = design.n_groups, design.n_obs
    xn, zn = design.x_names, design.z_names
    p, q = len(xn), len(zn)
    centre = INTERCEPT in xn
    y_mean = float(design.y.mean()) if centre else 0.0
    xcols = [design.columns[nm] for nm in xn]
    zcols = [design.columns[nm] for nm in zn]
    x_means = np.array([0.0 if c is None or not centre else float(c.mean()) for c in xcols])
    zkeys = [None if c is None else ("raw", nm) for nm, c in zip(zn, zcols, strict=True)]
    xkeys = [
        None if c is None else ("centred" if centre else "raw", nm)
        for nm, c in zip(xn, xcols, strict=True)
    ]
    Y = ("y",)
    ZtZ, ZtX, Zty = np.zeros((q, q, J)), np.zeros((q, p, J)), np.zeros((q, J))
    XtX, Xty, yty = np.zeros((p, p)), np.zeros(p), 0.0
    for block in seg.blocks:
        rows, cl = block.rows, block.clusters
        arrays: dict = {Y: design.y[rows] - y_mean}
        for key, c, m in zip(xkeys, xcols, x_means, strict=True):
            if key is not None:
                arrays[key] = c[rows] - m if centre else c[rows]
        for key, c in zip(zkeys, zcols, strict=True):
            if key is not None:
                arrays[key] = c[rows]
        prod = _BlockProducts(seg, block, arrays)
        for a in range(q):
            for b in range(a, q):
                ZtZ[a, b, cl] += prod.sums(zkeys[a], zkeys[b])
            for b in range(p):
                ZtX[a, b, cl] += prod.sums(zkeys[a], xkeys[b])
            Zty[a, cl] += prod.sums(zkeys[a], Y)
        for a in range(p):
            for b in range(a, p):
                XtX[a, b] += prod.dot(xkeys[a], xkeys[b])
            Xty[a] += prod.dot(xkeys[a], Y)
        yty += prod.dot(Y, Y)
    for a in range(q):
        for b in range(a):
            ZtZ[a, b] = ZtZ[b, a]
    XtX = np.triu(XtX) + np.triu(XtX, 1).T
    return Sufficient(
        ZtZ=ZtZ,
        ZtX=ZtX,
        Zty=Zty,
        XtX=XtX,
        Xty=Xty,
        yty=yty,
        x_means=x_means,
        y_mean=y_mean,
        intercept_pos=xn.index(INTERCEPT) if centre else None,
        n_obs=N,
    )
