"""Wald tests of linear hypotheses ``L @ beta = 0`` on a fitted model.

``wald(fit, L)`` works with any fit that exposes

* ``params``: coefficient estimates (a pandas Series, or an array),
* ``cov_params()``: their estimated covariance (DataFrame or array),
* optionally ``cov_of(L)``: the covariance of ``L @ params`` for a (rows x coefficients)
  array, for a fit whose full covariance is too big to form (the fixed-effects fits of
  :mod:`multilevel.classical`, with a coefficient per cluster); it is used instead of
  ``cov_params()``,
* either ``df``: a per-coefficient denominator DF (a Series aligned with ``params``, as our
  mixed-model results provide), or ``df_resid``: one residual DF for all coefficients (as a
  statsmodels OLS result provides).

``L`` is a hypothesis matrix (rows are hypotheses, optionally named; a DataFrame's columns are
matched to coefficient names, absent coefficients get weight 0) or a regular expression: every
coefficient whose name matches is tested to be 0, one hypothesis row per coefficient.

Rows of ``L`` that are linear combinations of earlier rows are dropped from the joint F test
(its numerator DF is the rank of ``L``); the result says which rows were dropped. The per-row
table keeps every row, because a t test of each row is meaningful on its own.

When the fit is a statsmodels result with one residual DF, the t and F statistics come from its
own ``t_test`` and ``f_test``; otherwise they are computed here from ``params`` and
``cov_params()`` with the smallest DF of the coefficients a hypothesis involves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from multilevel.coefficients import coef_table
from multilevel.distributions import f_sf, t_ppf
from multilevel.formatting import R_MISSING, df_text, p_nlme, signif
from multilevel.size_guard import check_dense

__all__ = ["WaldResult", "wald", "hypothesis_matrix", "format_p"]


def format_p(p: float, digits: int = 5) -> str:
    """A p-value for printing: ``<.00001`` below ``10**-digits``, else ``digits`` decimals
    (:func:`multilevel.formatting.p_nlme` with ``digits`` decimals)."""
    return p_nlme(p, decimals=digits)


@dataclass
class WaldResult:
    """Outcome of a Wald test.

    ``num_df``, ``den_df``, ``F``, ``p_value`` describe the joint test of all (independent)
    rows; ``table`` has one row per hypothesis row with columns estimate, se, df, t, p, lower,
    upper (a ``level`` confidence interval); ``L`` is the full hypothesis matrix with
    coefficient names as columns; ``dropped`` names the rows left out of the joint test because
    they are linear combinations of the rows kept.
    """

    num_df: int
    den_df: float
    F: float
    p_value: float
    table: pd.DataFrame
    L: pd.DataFrame
    dropped: list[str] = field(default_factory=list)
    level: float = 0.95

    @classmethod
    def build(cls, est, se, tval, row_df, *, F, num_df, den_df, L, dropped, level) -> WaldResult:
        """The result from its per-row statistics and the joint F test."""
        q = t_ppf(0.5 + level / 2, row_df)
        table = coef_table(est, se, row_df, t=tval, index=L.index)
        table["lower"] = est - q * se
        table["upper"] = est + q * se
        p_value = float(f_sf(F, num_df, den_df))
        return cls(num_df, den_df, F, p_value, table, L, dropped, level)

    @classmethod
    def from_estimates(
        cls, est, cov, df, L: pd.DataFrame, *, level=0.95, den_df=None, keep=None
    ) -> WaldResult:
        """The Wald test of ``L beta = 0`` from small pieces: ``est = L beta``, its covariance
        ``cov = L V L'`` (rows x rows) and the DF of each row (one number or one per row).
        ``L`` names the rows (its columns may be any coefficients the rows are written in);
        rows that are linear combinations of earlier rows (or of ``keep``, the rows to use)
        are left out of the joint F test, whose denominator DF is ``den_df`` (default: the
        smallest row DF)."""
        est = np.asarray(est, dtype=float).ravel()
        cov = np.asarray(cov, dtype=float).reshape(len(est), len(est))
        row_df = np.broadcast_to(np.asarray(df, dtype=float), est.shape).copy()
        if keep is None:
            keep = _independent_rows(L.to_numpy(dtype=float))
        se = np.sqrt(np.diag(cov))
        with np.errstate(divide="ignore", invalid="ignore"):
            tval = est / se
        part = est[keep]
        F = float(part @ np.linalg.solve(cov[np.ix_(keep, keep)], part)) / len(keep)
        return cls.build(
            est,
            se,
            tval,
            row_df,
            F=F,
            num_df=len(keep),
            den_df=float(row_df.min()) if den_df is None else float(den_df),
            L=L,
            dropped=_dropped_rows(L, keep),
            level=level,
        )

    @property
    def note(self) -> str:
        if not self.dropped:
            return ""
        names = ", ".join(self.dropped)
        return (
            f"L has rank {self.num_df} < {len(self.L)} rows: row(s) {names} are linear "
            "combinations of the others and were left out of the joint F test."
        )

    def to_dict(self) -> dict:
        return {
            "num_df": self.num_df,
            "den_df": float(self.den_df),
            "F": float(self.F),
            "p_value": float(self.p_value),
            "level": self.level,
            "dropped": list(self.dropped),
            "note": self.note,
            "table": {
                str(name): {k: float(v) for k, v in row.items()}
                for name, row in self.table.iterrows()
            },
        }

    def __str__(self) -> str:
        head = pd.DataFrame(
            {
                "numDF": [self.num_df],
                "denDF": [df_text(self.den_df, missing=R_MISSING)],
                "F.value": [signif(self.F, 7, missing=R_MISSING)],
                "p.value": [format_p(self.p_value)],
            }
        )
        rows = pd.DataFrame(
            {
                "Estimate": self.table["estimate"].map(lambda v: signif(v, 7, R_MISSING)),
                "Std.Error": self.table["se"].map(lambda v: signif(v, 6, R_MISSING)),
                "DF": self.table["df"].map(lambda v: df_text(v, missing=R_MISSING)),
                "t-value": self.table["t"].map(lambda v: signif(v, 7, R_MISSING)),
                "p-value": self.table["p"].map(format_p),
                "Lower": self.table["lower"].map(lambda v: signif(v, 6, R_MISSING)),
                "Upper": self.table["upper"].map(lambda v: signif(v, 6, R_MISSING)),
            },
            index=self.table.index,
        )
        text = head.to_string(index=False) + "\n" + rows.to_string()
        if self.dropped:
            text += "\n" + self.note
        return text

    __repr__ = __str__


def _params(fit) -> pd.Series:
    params = fit.params
    if isinstance(params, pd.Series):
        return params.astype(float)
    params = np.asarray(params, dtype=float)
    return pd.Series(params, index=[f"b{i}" for i in range(len(params))])


def _cov(fit, names: pd.Index) -> np.ndarray:
    cov = fit.cov_params()
    if isinstance(cov, pd.DataFrame):
        return cov.loc[names, names].to_numpy(dtype=float)
    return np.asarray(cov, dtype=float)


def _per_coef_df(fit, names: pd.Index) -> pd.Series | None:
    df = getattr(fit, "df", None)
    if isinstance(df, pd.Series):
        return df.reindex(names).astype(float)
    return None


def hypothesis_matrix(L, names: pd.Index) -> pd.DataFrame:
    """Normalise ``L`` (pattern, vector, matrix or DataFrame) to a DataFrame whose columns are
    the coefficient ``names``."""
    if isinstance(L, str):
        where = [i for i, n in enumerate(names) if re.search(L, str(n))]
        if not where:
            raise ValueError(f"pattern {L!r} matches no coefficient; coefficients: {list(names)}")
        _guard(len(where), len(names))
        arr = np.zeros((len(where), len(names)))
        arr[np.arange(len(where)), where] = 1.0
        return pd.DataFrame(arr, index=pd.Index(names[where], dtype=object), columns=names)
    if isinstance(L, pd.Series):
        L = L.to_frame().T
    if isinstance(L, pd.DataFrame):
        unknown = [c for c in L.columns if c not in names]
        if unknown:
            raise ValueError(f"L has columns that are not coefficients: {unknown}")
        _guard(len(L), len(names))
        mat = L.reindex(columns=names, fill_value=0.0).astype(float)
        if not isinstance(L.index, pd.RangeIndex):
            return mat
        mat.index = pd.Index([f"L{i + 1}" for i in range(len(mat))], dtype=object)
        return mat
    arr = np.atleast_2d(np.asarray(L, dtype=float))
    if arr.shape[1] != len(names):
        raise ValueError(f"L has {arr.shape[1]} columns but the fit has {len(names)} coefficients")
    return pd.DataFrame(arr, index=[f"L{i + 1}" for i in range(len(arr))], columns=names)


def _guard(rows: int, coefficients: int) -> None:
    check_dense(
        "A Wald test's hypothesis matrix",
        (rows, coefficients),
        why=f"it has a column for each of the fit's {coefficients:,} coefficients",
        instead="test fewer rows at once (a pattern that matches fewer coefficients)",
    )


def _dropped_rows(mat: pd.DataFrame, keep: list[int]) -> list[str]:
    kept = set(keep)
    return [str(mat.index[i]) for i in range(len(mat)) if i not in kept]


def _independent_rows(mat: np.ndarray) -> list[int]:
    """Indices of a maximal set of linearly independent rows, earliest rows first."""
    keep: list[int] = []
    scale = max(1.0, float(np.abs(mat).max(initial=0.0)))
    for i in range(mat.shape[0]):
        trial = mat[keep + [i]]
        s = np.linalg.svd(trial, compute_uv=False)
        tol = max(trial.shape) * np.finfo(float).eps * scale * 1e3
        if s.size and s[-1] > tol:
            keep.append(i)
    return keep


def wald(fit, L, *, level: float = 0.95) -> WaldResult:
    """Wald test of ``L @ beta = 0``; see the module docstring for what ``fit`` and ``L`` may be."""
    params = _params(fit)
    names = params.index
    mat = hypothesis_matrix(L, names)
    arr = mat.to_numpy(dtype=float)
    if not np.any(arr):
        raise ValueError("L is all zeros: there is no hypothesis to test")
    keep = _independent_rows(arr)
    dropped = _dropped_rows(mat, keep)

    coef_df = _per_coef_df(fit, names)
    use_statsmodels = coef_df is None and hasattr(fit, "t_test") and hasattr(fit, "f_test")
    if not use_statsmodels:
        if coef_df is None:
            coef_df = pd.Series(float(fit.df_resid), index=names)
        dfs = coef_df.to_numpy()
        row_df = np.array([dfs[row != 0].min() for row in arr])
        den_df = float(dfs[np.any(arr[keep] != 0, axis=0)].min())
        cov_of = getattr(fit, "cov_of", None)
        if cov_of is not None:  # a fit whose covariance is too big to form (fixed effects)
            cov = cov_of(arr)
        else:
            cov = arr @ _cov(fit, names) @ arr.T
        return WaldResult.from_estimates(
            arr @ params.to_numpy(), cov, row_df, mat, level=level, den_df=den_df, keep=keep
        )
    tt = fit.t_test(arr)
    est = np.asarray(tt.effect, dtype=float).ravel()
    se = np.asarray(tt.sd, dtype=float).ravel()
    tval = np.asarray(tt.tvalue, dtype=float).ravel()
    ft = fit.f_test(arr[keep])
    return WaldResult.build(
        est,
        se,
        tval,
        np.full(len(arr), float(fit.df_resid)),
        F=float(np.squeeze(ft.fvalue)),
        num_df=int(ft.df_num),
        den_df=float(ft.df_denom),
        L=mat,
        dropped=dropped,
        level=level,
    )
