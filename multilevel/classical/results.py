"""The result objects of the classical methods (see :mod:`multilevel.classical`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from multilevel.classical.wald import WaldResult
from multilevel.coefficients import R_COEF_LAYOUT, format_coef_table
from multilevel.formatting import R_MISSING, p_summary_lm

__all__ = [
    "BetaEstimate",
    "LinearMethodResult",
    "OLSResult",
    "FixedEffectsResult",
    "TwoStageResult",
    "frame_dict",
]


def _number_or_text(v):
    return float(v) if isinstance(v, int | float | np.number) else str(v)


def frame_dict(frame: pd.DataFrame) -> dict:
    """``{row: {column: value}}`` with plain floats and strings, built column by column (a
    fixed-effects table has a row per cluster coefficient)."""
    columns = [str(c) for c in frame.columns]
    values = [
        frame[c].astype(float).tolist()
        if pd.api.types.is_numeric_dtype(frame[c])
        else [_number_or_text(v) for v in frame[c].tolist()]
        for c in frame.columns
    ]
    return {
        str(i): dict(zip(columns, row, strict=True))
        for i, row in zip(frame.index, zip(*values, strict=True), strict=True)
    }


@dataclass
class BetaEstimate:
    """An estimated (intercept, slope) pair: a point in beta space with its covariance.

    ``df`` is the DF of the t/F reference distribution (``None``: normal / chi-square)."""

    label: str
    centre: np.ndarray
    cov: np.ndarray
    df: float | None = None

    @property
    def intercept(self) -> float:
        return float(self.centre[0])

    @property
    def slope(self) -> float:
        return float(self.centre[1])

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def estimable(self) -> bool:
        """False when the line needs a coefficient the data cannot estimate (aliased)."""
        return bool(np.all(np.isfinite(self.centre)))

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "intercept": self.intercept,
            "slope": self.slope,
            "cov": np.asarray(self.cov).tolist(),
            "df": None if self.df is None else float(self.df),
        }


@dataclass
class LinearMethodResult:
    """Common part of every method's result; see :mod:`multilevel.classical`.

    ``group_L`` maps each group level to the 2-row matrix giving its (intercept, slope) from
    ``params``: a DataFrame with coefficient names as columns, or (fixed effects, with a
    coefficient per cluster) a sparse matrix aligned with ``params``."""

    method: str
    description: str
    params: pd.Series
    cov: pd.DataFrame | None
    df_resid: float
    table: pd.DataFrame
    group_L: dict = field(default_factory=dict, repr=False)

    def cov_params(self) -> pd.DataFrame:
        return self.cov

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov)), index=self.params.index)

    def _cov_of(self, L) -> np.ndarray:
        """Covariance of ``L @ params`` for an array ``L`` aligned with ``params``."""
        return L @ self.cov.to_numpy(dtype=float) @ L.T

    def _beta(self, label: str, L) -> BetaEstimate:
        if isinstance(L, pd.DataFrame):
            L = L.reindex(columns=self.params.index, fill_value=0.0).to_numpy(dtype=float)
        params = self.params.to_numpy(dtype=float)
        aliased = np.isnan(params)
        if aliased.any():
            # A line that needs an aliased (not estimable) coefficient is not estimable.
            needs = np.asarray(abs(L[:, aliased]).sum(axis=1)).ravel() > 0
            if needs.any():
                nan = np.full(L.shape[0], np.nan)
                return BetaEstimate(str(label), nan, np.full((L.shape[0],) * 2, np.nan))
            L = L[:, ~aliased]
            cov = self.cov.to_numpy(dtype=float)[np.ix_(~aliased, ~aliased)]
            centre = np.asarray(L @ params[~aliased]).ravel()
            return BetaEstimate(str(label), centre, L @ cov @ L.T, self.df_resid)
        centre = np.asarray(L @ params).ravel()
        return BetaEstimate(str(label), centre, np.asarray(self._cov_of(L)), self.df_resid)

    def group_estimates(self) -> dict[str, BetaEstimate]:
        """(intercept, slope) of each group level, as this method estimates them."""
        return {str(k): self._beta(str(k), L) for k, L in self.group_L.items()}

    def gap_test(self, reference, part: str = "both") -> dict:
        """The omnibus Wald F test that every group's line equals the reference's in
        ``part`` ("intercept", "slope" or "both"): k - 1 numerator DF for one part, 2(k - 1)
        for both, on the method's residual DF. A level whose line the method cannot estimate
        is left out and counted in ``left_out``."""
        rows = GAP_ROWS[part]
        blocks, left_out = [], []
        for lv, L in self.group_L.items():
            if lv == reference:
                continue
            D = L - self.group_L[reference]
            if not self._beta(str(lv), D).estimable:
                left_out.append(str(lv))
                continue
            blocks.append(D.iloc[rows] if isinstance(D, pd.DataFrame) else D[rows])
        if not blocks:
            return gap_test_record(part, np.empty(0), np.empty((0, 0)), self.df_resid, left_out)
        if isinstance(blocks[0], pd.DataFrame):
            stacked = pd.concat(blocks)
        else:
            from scipy import sparse

            stacked = sparse.vstack(blocks).tocsr()
        est = self._beta(part, stacked)
        return gap_test_record(part, est.centre, est.cov, self.df_resid, left_out)

    def difference(self, minuend, subtrahend) -> BetaEstimate:
        """(intercept, slope) of level ``minuend`` minus those of level ``subtrahend``."""
        L = self.group_L[minuend] - self.group_L[subtrahend]
        return self._beta(f"{minuend} - {subtrahend}", L)

    def to_dict(self) -> dict:
        out = {
            "method": self.method,
            "description": self.description,
            "df_resid": float(self.df_resid),
            "params": {str(k): float(v) for k, v in self.params.items()},
            "table": frame_dict(self.table),
            "group_estimates": {k: v.to_dict() for k, v in self.group_estimates().items()},
        }
        if self.cov is not None:
            out["cov"] = self.cov.to_numpy().tolist()
        return out


#: The rows of a group's (intercept, slope) that each omnibus test of the group takes.
GAP_ROWS = {"intercept": [0], "slope": [1], "both": [0, 1]}


def gap_test_record(part: str, est, cov, den_df: float, left_out=()) -> dict:
    """The omnibus test that every gap in ``est`` (with covariance ``cov``) is zero, as a plain
    record: the Wald F of :meth:`WaldResult.from_estimates` on ``den_df``; F and p are NaN when
    there is nothing to test or no finite covariance or DF to test it with."""
    est = np.asarray(est, dtype=float).ravel()
    out = {"part": part, "F": float("nan"), "num_df": len(est), "den_df": float(den_df)}
    out |= {"p": float("nan"), "left_out": list(left_out)}
    if not len(est) or not np.all(np.isfinite(cov)) or not np.isfinite(den_df):
        return out
    rows = list(range(len(est)))
    test = WaldResult.from_estimates(
        est, cov, den_df, pd.DataFrame(index=rows), den_df=den_df, keep=rows
    )
    return out | {"F": float(test.F), "p": float(test.p_value)}


def _coefficients_heading(params: pd.Series) -> str:
    n = int(params.isna().sum())
    return f"Coefficients: ({n} not defined because of singularities)" if n else "Coefficients:"


@dataclass
class OLSResult(LinearMethodResult):
    """An OLS fit summarised as R's ``summary.lm`` prints it."""

    nobs: int = 0
    resid_quantiles: pd.Series | None = None
    sigma: float = float("nan")
    r_squared: float = float("nan")
    adj_r_squared: float = float("nan")
    fvalue: float = float("nan")
    f_df: tuple[float, float] = (float("nan"), float("nan"))
    f_pvalue: float = float("nan")
    fit: object = field(default=None, repr=False)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.update(
            nobs=int(self.nobs),
            resid_quantiles={k: float(v) for k, v in self.resid_quantiles.items()},
            sigma=float(self.sigma),
            r_squared=float(self.r_squared),
            adj_r_squared=float(self.adj_r_squared),
            fvalue=float(self.fvalue),
            f_df=[float(v) for v in self.f_df],
            f_pvalue=float(self.f_pvalue),
        )
        return out

    def summary(self) -> str:
        """Text in the layout of R's ``summary(lm)``."""
        q = self.resid_quantiles
        tab = format_coef_table(self.table, R_COEF_LAYOUT, missing=R_MISSING, index_name=None)
        lines = [
            f"{self.method}",
            "Residuals:",
            pd.DataFrame([q.map(lambda v: f"{v:.4f}").to_numpy()], columns=q.index).to_string(
                index=False
            ),
            "",
            _coefficients_heading(self.params),
            tab.to_string(),
            "",
            f"Residual standard error: {self.sigma:.4g} on {self.df_resid:.0f} degrees of freedom",
        ]
        if np.isfinite(self.fvalue):
            lines += [
                f"Multiple R-squared: {self.r_squared:.4f}, "
                f"Adjusted R-squared: {self.adj_r_squared:.4f}",
                f"F-statistic: {self.fvalue:.4g} on {self.f_df[0]:.0f} and {self.f_df[1]:.0f} DF, "
                f"p-value: {p_summary_lm(self.f_pvalue)}",
            ]
        return "\n".join(lines)


@dataclass
class FixedEffectsResult(OLSResult):
    """A fixed-effects fit (cluster effects absorbed by the within transformation) with its
    Wald test of the group difference.

    ``fit`` is a :class:`~multilevel.classical.within.WithinFit`: the coefficients of the
    cluster-dummy model under R's names, with their covariance kept in factored form, so that
    ``difference()``, ``group_estimates()`` and the test never form a dense clusters x
    clusters matrix (``cov_params()`` does, behind the size guard). ``test`` is None, and
    ``note`` says why, when there are no residual degrees of freedom to estimate the error
    variance from."""

    test: WaldResult | None = None
    cluster_coefs: pd.DataFrame | None = None
    dropped_clusters: list = field(default_factory=list)
    note: str = ""
    #: level-2 covariates left out: the cluster effects absorb them
    absorbed: list = field(default_factory=list)
    #: the coefficients of the level-1 covariates (common to every cluster)
    covariate_columns: list = field(default_factory=list)

    def cov_params(self) -> pd.DataFrame:
        return self.fit.cov_params()

    @property
    def bse(self) -> pd.Series:
        return self.fit.bse

    def _cov_of(self, L) -> np.ndarray:
        return self.fit.cov_of(L)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["test"] = None if self.test is None else self.test.to_dict()
        out["dropped_clusters"] = [str(c) for c in self.dropped_clusters]
        if self.note:
            out["note"] = self.note
        if self.absorbed:
            out["absorbed"] = list(self.absorbed)
        return out


@dataclass
class TwoStageResult(LinearMethodResult):
    """Cluster-by-cluster OLS, then a multivariate regression of the cluster (intercept, slope)
    on the group. ``responses`` maps "intercept" and "slope" to each response's coefficient
    table; ``manova`` holds the four multivariate statistics for the group term;
    ``resid_cov`` is the between-cluster residual covariance of (intercept, slope)."""

    responses: dict = field(default_factory=dict)
    manova: pd.DataFrame | None = None
    resid_cov: pd.DataFrame | None = None
    cluster_coefs: pd.DataFrame | None = None
    dropped_clusters: list = field(default_factory=list)
    #: level-1 covariate column -> number of clusters whose regression could not estimate it
    not_estimable: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self.not_estimable:
            out["not_estimable"] = {k: int(v) for k, v in self.not_estimable.items()}
        out["responses"] = {k: frame_dict(v) for k, v in self.responses.items()}
        out["manova"] = frame_dict(self.manova)
        out["resid_cov"] = self.resid_cov.to_numpy().tolist()
        out["dropped_clusters"] = [str(c) for c in self.dropped_clusters]
        return out
