"""The classical (non-mixed) ways of analysing clustered data with one level-1 predictor and a
level-2 grouping factor (pages 40-46 and 73-75 of the document):

1. ``pooled_ols``: ignore the clusters, ``outcome ~ predictor * group`` by OLS;
2. a. ``fixed_effects_separate``: an intercept and a slope per cluster, then a Wald test of the
      difference between groups in the equally weighted averages of the cluster lines;
   b. ``fixed_effects_common_slope``: an intercept per cluster and one slope per group;
3. ``two_stage``: OLS line per cluster, then a multivariate regression (MANOVA) of the cluster
   intercepts and slopes on the group;
4. ``between_cluster``: OLS of the cluster means of the outcome on those of the predictor
   (optionally by group).

Nothing here knows a dataset's column names: every function takes the DataFrame and the names
of the columns playing each role. Coefficients are named as R names them (``(Intercept)``,
``<predictor>``, ``<group><level>``, ``<predictor>:<group><level>``) so that results line up
with the document's printed output.

Each function returns a dataclass with ``params``, ``cov_params()``, ``df_resid``, a coefficient
``table`` (estimate, se, df, t, p), a ``description`` of what the method estimates, and
``group_estimates()`` / ``difference()`` giving the (intercept, slope) of each group as a
:class:`BetaEstimate` for beta-space pictures. ``to_dict()`` gives plain JSON-able data.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from multilevel.distributions import t_sf
from multilevel.errors import DataError
from multilevel.wald import WaldResult, wald

__all__ = [
    "BetaEstimate",
    "LinearMethodResult",
    "OLSResult",
    "FixedEffectsResult",
    "TwoStageResult",
    "cluster_coefficients",
    "cluster_means",
    "group_levels",
    "require_columns",
    "pooled_ols",
    "fixed_effects_separate",
    "fixed_effects_common_slope",
    "two_stage",
    "between_cluster",
]

INTERCEPT = "(Intercept)"


# --------------------------------------------------------------------------- small helpers


def require_columns(data: pd.DataFrame, *columns: str | None) -> None:
    """Raise a DataError naming the first of ``columns`` (None entries are skipped) that
    ``data`` lacks."""
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise DataError(
            f"data has no column(s) {missing}; its columns are {list(data.columns)}",
            column=missing[0],
        )


def group_levels(data: pd.DataFrame, group: str, reference=None) -> list:
    """Levels of ``group`` with the reference level first. A categorical column keeps its
    category order (so its first category is the default reference, as in R); otherwise the
    sorted distinct values are used."""
    col = data[group]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        levels = [c for c in col.cat.categories if c in present]
    else:
        levels = sorted(col.dropna().unique().tolist())
    if len(levels) < 2:
        raise DataError(f"needs at least two levels, found {levels}", column=group)
    if reference is None:
        return levels
    if reference not in levels:
        raise DataError(f"reference level {reference!r} is not one of {levels}", column=group)
    return [reference] + [lv for lv in levels if lv != reference]


def _coef_table(est, se, df) -> pd.DataFrame:
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    t = est / se
    df = np.broadcast_to(np.asarray(df, dtype=float), est.shape)
    return pd.DataFrame({"estimate": est, "se": se, "df": df, "t": t, "p": 2 * t_sf(abs(t), df)})


def _frame_dict(frame: pd.DataFrame) -> dict:
    return {
        str(i): {
            str(k): (float(v) if isinstance(v, int | float | np.number) else str(v))
            for k, v in row.items()
        }
        for i, row in frame.iterrows()
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
    """Common part of every method's result; see the module docstring."""

    method: str
    description: str
    params: pd.Series
    cov: pd.DataFrame
    df_resid: float
    table: pd.DataFrame
    group_L: dict = field(default_factory=dict, repr=False)

    def cov_params(self) -> pd.DataFrame:
        return self.cov

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov)), index=self.params.index)

    def _beta(self, label: str, L: pd.DataFrame) -> BetaEstimate:
        A = L.reindex(columns=self.params.index, fill_value=0.0).to_numpy(dtype=float)
        V = self.cov.to_numpy(dtype=float)
        return BetaEstimate(str(label), A @ self.params.to_numpy(), A @ V @ A.T, self.df_resid)

    def group_estimates(self) -> dict[str, BetaEstimate]:
        """(intercept, slope) of each group level, as this method estimates them."""
        return {str(k): self._beta(str(k), L) for k, L in self.group_L.items()}

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
            "cov": self.cov.to_numpy().tolist(),
            "table": _frame_dict(self.table),
            "group_estimates": {k: v.to_dict() for k, v in self.group_estimates().items()},
        }
        return out


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
        tab = pd.DataFrame(
            {
                "Estimate": self.table["estimate"].map(lambda v: f"{v:.4f}"),
                "Std. Error": self.table["se"].map(lambda v: f"{v:.4f}"),
                "t value": self.table["t"].map(lambda v: f"{v:.3f}"),
                "Pr(>|t|)": self.table["p"].map(_r_p),
            },
            index=self.table.index,
        )
        lines = [
            f"{self.method}",
            "Residuals:",
            pd.DataFrame([q.map(lambda v: f"{v:.4f}").to_numpy()], columns=q.index).to_string(
                index=False
            ),
            "",
            "Coefficients:",
            tab.to_string(),
            "",
            f"Residual standard error: {self.sigma:.4g} on {self.df_resid:.0f} degrees of freedom",
        ]
        if np.isfinite(self.fvalue):
            lines += [
                f"Multiple R-squared: {self.r_squared:.4f}, "
                f"Adjusted R-squared: {self.adj_r_squared:.4f}",
                f"F-statistic: {self.fvalue:.4g} on {self.f_df[0]:.0f} and {self.f_df[1]:.0f} DF, "
                f"p-value: {_r_p(self.f_pvalue)}",
            ]
        return "\n".join(lines)


def _r_p(p: float) -> str:
    return "< 2.2e-16" if p < 2.2e-16 else f"{p:.3g}"


@dataclass
class FixedEffectsResult(OLSResult):
    """A fixed-effects (cluster dummies) OLS fit with its Wald test of the group difference."""

    test: WaldResult | None = None
    cluster_coefs: pd.DataFrame | None = None
    dropped_clusters: list = field(default_factory=list)

    @classmethod
    def from_ols(cls, base: OLSResult, test, cluster_coefs, dropped) -> FixedEffectsResult:
        """The OLS fit `base` with its test and the per-cluster lines."""
        fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
        return cls(**fields, test=test, cluster_coefs=cluster_coefs, dropped_clusters=dropped)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["test"] = None if self.test is None else self.test.to_dict()
        out["dropped_clusters"] = [str(c) for c in self.dropped_clusters]
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

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["responses"] = {k: _frame_dict(v) for k, v in self.responses.items()}
        out["manova"] = _frame_dict(self.manova)
        out["resid_cov"] = self.resid_cov.to_numpy().tolist()
        out["dropped_clusters"] = [str(c) for c in self.dropped_clusters]
        return out


# --------------------------------------------------------------------------- per-cluster data


def cluster_coefficients(
    data: pd.DataFrame, cluster: str, outcome: str, predictor: str, group: str | None = None
) -> tuple[pd.DataFrame, list]:
    """OLS line of ``outcome`` on ``predictor`` within each cluster (like ``lmList``).

    Returns ``(coefs, dropped)``: ``coefs`` is indexed by cluster (sorted) with columns n,
    intercept, slope, intercept_se, slope_se, sigma, cov_is (covariance of intercept and slope)
    and, if given, the cluster's ``group``; ``dropped`` lists the clusters whose slope is not
    estimable (fewer than two distinct predictor values); they are not in ``coefs``."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data[[cluster, outcome, predictor]].dropna()
    g = d.groupby(cluster, sort=True)
    n = g[outcome].size()
    xbar = g[predictor].mean()
    ybar = g[outcome].mean()
    dx = d[predictor] - d[cluster].map(xbar)
    dy = d[outcome] - d[cluster].map(ybar)
    sxx = (dx * dx).groupby(d[cluster]).sum()
    sxy = (dx * dy).groupby(d[cluster]).sum()
    syy = (dy * dy).groupby(d[cluster]).sum()
    nuniq = g[predictor].nunique()
    ok = nuniq >= 2
    dropped = n.index[~ok].tolist()
    slope = sxy[ok] / sxx[ok]
    rss = (syy[ok] - slope * sxy[ok]).clip(lower=0.0)
    resid_df = n[ok] - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = (rss / resid_df).where(resid_df > 0)
    x0 = xbar[ok]
    coefs = pd.DataFrame(
        {
            "n": n[ok].astype(int),
            "intercept": ybar[ok] - slope * x0,
            "slope": slope,
            "intercept_se": np.sqrt(s2 * (1.0 / n[ok] + x0**2 / sxx[ok])),
            "slope_se": np.sqrt(s2 / sxx[ok]),
            "cov_is": -s2 * x0 / sxx[ok],
            "sigma": np.sqrt(s2),
        }
    )
    if group is not None:
        coefs[group] = _cluster_constant(data, cluster, group).reindex(coefs.index)
    return coefs, dropped


def _cluster_constant(data: pd.DataFrame, cluster: str, column: str) -> pd.Series:
    """The value of a level-2 ``column`` in each cluster; it must not vary within a cluster."""
    nvals = data.groupby(cluster, sort=True)[column].nunique(dropna=False)
    bad = nvals.index[nvals > 1].tolist()
    if bad:
        raise DataError(
            f"a level-2 column must be constant within each {cluster}, but it varies",
            column=column,
            rows=bad,
            row_label=f"{cluster}s",
        )
    out = data.groupby(cluster, sort=True, observed=True)[column].first()
    if isinstance(data[column].dtype, pd.CategoricalDtype):
        out = out.astype(data[column].dtype)
    return out


def cluster_means(
    data: pd.DataFrame, cluster: str, columns: list[str], group: str | None = None
) -> pd.DataFrame:
    """One row per cluster (sorted): the means of ``columns`` and the cluster's ``group``
    (like spida's ``up(data, ~cluster, all = TRUE)`` for these columns)."""
    require_columns(data, cluster, group, *columns)
    out = data.groupby(cluster, sort=True)[columns].mean()
    if group is not None:
        out[group] = _cluster_constant(data, cluster, group).reindex(out.index)
    return out


def _report_dropped(dropped: list, cluster: str, predictor: str) -> str:
    if not dropped:
        return ""
    warnings.warn(
        f"{len(dropped)} cluster(s) of {cluster!r} dropped: the slope on {predictor!r} is not "
        f"estimable (fewer than two distinct values): {dropped}",
        stacklevel=3,
    )
    return (
        f" {len(dropped)} {cluster}(s) with fewer than two distinct values of {predictor} were "
        f"dropped: {', '.join(map(str, dropped))}."
    )


# --------------------------------------------------------------------------- OLS machinery


def _ols(method: str, description: str, y: pd.Series, X: pd.DataFrame, group_L: dict) -> OLSResult:
    from statsmodels.regression.linear_model import OLS  # here: most jobs never fit

    fit = OLS(y.to_numpy(dtype=float), X.astype(float)).fit()
    params = pd.Series(np.asarray(fit.params), index=X.columns)
    cov = pd.DataFrame(np.asarray(fit.cov_params()), index=X.columns, columns=X.columns)
    table = _coef_table(params, np.sqrt(np.diag(cov)), fit.df_resid)
    table.index = X.columns
    has_const = INTERCEPT in X.columns
    q = np.quantile(np.asarray(fit.resid), [0, 0.25, 0.5, 0.75, 1.0])
    fvalue = f_p = float("nan")
    f_df = (float("nan"), float("nan"))
    if has_const and X.shape[1] > 1:
        fvalue, f_p = float(fit.fvalue), float(fit.f_pvalue)
        f_df = (float(fit.df_model), float(fit.df_resid))
    return OLSResult(
        method=method,
        description=description,
        params=params,
        cov=cov,
        df_resid=float(fit.df_resid),
        table=table,
        group_L=group_L,
        nobs=int(fit.nobs),
        resid_quantiles=pd.Series(q, index=["Min", "1Q", "Median", "3Q", "Max"]),
        sigma=float(np.sqrt(fit.scale)),
        r_squared=float(fit.rsquared) if has_const else float("nan"),
        adj_r_squared=float(fit.rsquared_adj) if has_const else float("nan"),
        fvalue=fvalue,
        f_df=f_df,
        f_pvalue=f_p,
        fit=fit,
    )


def _line_design(
    data: pd.DataFrame, predictor: str, group: str | None, levels: list | None
) -> tuple[pd.DataFrame, dict]:
    """Design of ``~ predictor * group`` with R's treatment coding and names, and the L
    matrices giving each group's (intercept, slope)."""
    x = data[predictor].astype(float).to_numpy()
    cols = {INTERCEPT: np.ones(len(data)), predictor: x}
    group_L: dict = {}
    if group is None:
        X = pd.DataFrame(cols, index=data.index)
        group_L["all"] = pd.DataFrame(
            [[1.0, 0.0], [0.0, 1.0]], index=["intercept", "slope"], columns=X.columns
        )
        return X, group_L
    g = data[group].to_numpy()
    dummies = [f"{group}{lv}" for lv in levels[1:]]
    for lv, name in zip(levels[1:], dummies, strict=True):
        cols[name] = (g == lv).astype(float)
    for lv, name in zip(levels[1:], dummies, strict=True):
        cols[f"{predictor}:{name}"] = (g == lv) * x
    X = pd.DataFrame(cols, index=data.index)
    for i, lv in enumerate(levels):
        L = pd.DataFrame(0.0, index=["intercept", "slope"], columns=X.columns)
        L.loc["intercept", INTERCEPT] = 1.0
        L.loc["slope", predictor] = 1.0
        if i > 0:
            L.loc["intercept", dummies[i - 1]] = 1.0
            L.loc["slope", f"{predictor}:{dummies[i - 1]}"] = 1.0
        group_L[lv] = L
    return X, group_L


# --------------------------------------------------------------------------- the methods


def pooled_ols(
    data: pd.DataFrame,
    outcome: str,
    predictor: str,
    group: str | None = None,
    reference=None,
) -> OLSResult:
    """Method 1: ``outcome ~ predictor * group`` by OLS, ignoring clusters (page 46)."""
    require_columns(data, outcome, predictor, group)
    d = data.dropna(subset=[c for c in (outcome, predictor, group) if c is not None])
    levels = group_levels(d, group, reference) if group is not None else None
    X, group_L = _line_design(d, predictor, group, levels)
    by = f" separately in each level of {group}" if group else ""
    desc = (
        f"Pooled OLS: the marginal line of {outcome} on {predictor}{by}, ignoring clusters. It "
        "mixes within- and between-cluster associations, and its standard errors treat every "
        "observation as independent, so they are too small when clusters differ."
    )
    return _ols("Pooled OLS", desc, d[outcome], X, group_L)


def fixed_effects_separate(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
    level: float = 0.95,
) -> FixedEffectsResult:
    """Method 2a: one intercept and one slope per cluster (``outcome ~ cluster/predictor - 1``),
    then the Wald test that the equally weighted average cluster line is the same in every
    group (page 41). The test's rows are the non-reference level minus the reference level
    ("Int", "Slope"; suffixed by the level when the group has more than two levels)."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data.dropna(subset=[cluster, outcome, predictor, group])
    coefs, dropped = cluster_coefficients(d, cluster, outcome, predictor, group)
    note = _report_dropped(dropped, cluster, predictor)
    d = d[d[cluster].isin(coefs.index)]
    levels = group_levels(d, group, reference)
    ids = coefs.index.tolist()
    cl = d[cluster].to_numpy()
    x = d[predictor].astype(float).to_numpy()
    int_names = [f"{cluster}[{c}]" for c in ids]
    slope_names = [f"{cluster}[{c}]:{predictor}" for c in ids]
    cols = {}
    for c, name in zip(ids, int_names, strict=True):
        cols[name] = (cl == c).astype(float)
    for c, name in zip(ids, slope_names, strict=True):
        cols[name] = (cl == c) * x
    X = pd.DataFrame(cols, index=d.index)
    grp_of = coefs[group]
    group_L = {}
    for lv in levels:
        w = (grp_of == lv).to_numpy(dtype=float)
        w = w / w.sum()
        L = pd.DataFrame(0.0, index=["intercept", "slope"], columns=X.columns)
        L.loc["intercept", int_names] = w
        L.loc["slope", slope_names] = w
        group_L[lv] = L
    desc = (
        f"Fixed effects (one line per {cluster}): compares the groups' equally weighted averages "
        f"of the {cluster} lines. It estimates the within-{cluster} relation, and its standard "
        f"errors use only within-{cluster} variability, so they hold for new observations from "
        f"these same {cluster}s, not for the population of {cluster}s." + note
    )
    base = _ols("Fixed effects: separate lines", desc, d[outcome], X, group_L)
    rows = []
    for lv in levels[1:]:
        diff = group_L[lv] - group_L[levels[0]]
        suffix = "" if len(levels) == 2 else f" {lv}"
        rows.append(diff.rename(index={"intercept": "Int" + suffix, "slope": "Slope" + suffix}))
    Ldiff = pd.concat(rows)
    order = [r for r in Ldiff.index if r.startswith("Int")] + [
        r for r in Ldiff.index if r.startswith("Slope")
    ]
    test = wald(base.fit, Ldiff.loc[order], level=level)
    return FixedEffectsResult.from_ols(base, test, coefs, dropped)


def fixed_effects_common_slope(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
    level: float = 0.95,
) -> FixedEffectsResult:
    """Method 2b: one intercept per cluster and one slope per group
    (``outcome ~ predictor + cluster + predictor:group``), with the Wald test of the
    ``predictor:group`` coefficients (page 42)."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data.dropna(subset=[cluster, outcome, predictor, group])
    levels = group_levels(d, group, reference)
    grp_of = _cluster_constant(d, cluster, group)
    ids = grp_of.index.tolist()
    cl = d[cluster].to_numpy()
    x = d[predictor].astype(float).to_numpy()
    g = d[group].to_numpy()
    cols = {INTERCEPT: np.ones(len(d)), predictor: x}
    dummy_names = [f"{cluster}[{c}]" for c in ids[1:]]
    for c, name in zip(ids[1:], dummy_names, strict=True):
        cols[name] = (cl == c).astype(float)
    inter = [f"{predictor}:{group}{lv}" for lv in levels[1:]]
    for lv, name in zip(levels[1:], inter, strict=True):
        cols[name] = (g == lv) * x
    X = pd.DataFrame(cols, index=d.index)
    group_L = {}
    for i, lv in enumerate(levels):
        members = [c for c in ids if grp_of[c] == lv]
        L = pd.DataFrame(0.0, index=["intercept", "slope"], columns=X.columns)
        L.loc["intercept", INTERCEPT] = 1.0
        for c in members:
            if c != ids[0]:
                L.loc["intercept", f"{cluster}[{c}]"] = 1.0 / len(members)
        L.loc["slope", predictor] = 1.0
        if i > 0:
            L.loc["slope", inter[i - 1]] = 1.0
        group_L[lv] = L
    desc = (
        f"Fixed effects (a {cluster} intercept, one slope per {group}): the {group} slopes "
        f"are weighted averages of within-{cluster} slopes, giving more weight to {cluster}s "
        f"with more observations and more spread in {predictor}; between-{cluster} "
        "variability plays no role in the standard errors."
    )
    base = _ols("Fixed effects: common slope within group", desc, d[outcome], X, group_L)
    test = wald(base.fit, "^" + re.escape(f"{predictor}:{group}"), level=level)
    coefs, dropped = cluster_coefficients(d, cluster, outcome, predictor, group)
    return FixedEffectsResult.from_ols(base, test, coefs, dropped)


def two_stage(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
) -> TwoStageResult:
    """Method 3 (pages 43, 57): OLS line in each cluster, then the multivariate regression of
    the cluster intercepts and slopes on ``group`` and its MANOVA test."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data.dropna(subset=[cluster, outcome, predictor, group])
    coefs, dropped = cluster_coefficients(d, cluster, outcome, predictor, group)
    note = _report_dropped(dropped, cluster, predictor)
    levels = group_levels(coefs, group, reference)
    terms = [INTERCEPT] + [f"{group}{lv}" for lv in levels[1:]]
    g = coefs[group].to_numpy()
    X = np.column_stack([np.ones(len(coefs))] + [(g == lv).astype(float) for lv in levels[1:]])
    Y = coefs[["intercept", "slope"]].to_numpy(dtype=float)
    n, k = X.shape
    if n - k < 2:
        raise DataError(
            f"two_stage needs at least {k + 2} {cluster}s with estimable slopes, has {n}",
            column=cluster,
        )
    XtX_inv = np.linalg.inv(X.T @ X)
    B = XtX_inv @ X.T @ Y
    E = Y - X @ B
    dfe = float(n - k)
    Sigma = E.T @ E / dfe
    responses = {}
    for j, resp in enumerate(["intercept", "slope"]):
        tab = _coef_table(B[:, j], np.sqrt(Sigma[j, j] * np.diag(XtX_inv)), dfe)
        tab.index = terms
        responses[resp] = tab
    names = [f"[{r}] {t}" for r in ("intercept", "slope") for t in terms]
    params = pd.Series(B.T.ravel(), index=names)
    cov = pd.DataFrame(np.kron(Sigma, XtX_inv), index=names, columns=names)
    table = pd.concat([responses["intercept"], responses["slope"]])
    table.index = names
    group_L = {}
    for i, lv in enumerate(levels):
        L = pd.DataFrame(0.0, index=["intercept", "slope"], columns=names)
        L.loc["intercept", f"[intercept] {INTERCEPT}"] = 1.0
        L.loc["slope", f"[slope] {INTERCEPT}"] = 1.0
        if i > 0:
            L.loc["intercept", f"[intercept] {terms[i]}"] = 1.0
            L.loc["slope", f"[slope] {terms[i]}"] = 1.0
        group_L[lv] = L
    contrast = np.zeros((k - 1, k))
    contrast[:, 1:] = np.eye(k - 1)
    from statsmodels.multivariate.manova import MANOVA

    mv = MANOVA(pd.DataFrame(Y, columns=["intercept", "slope"]), pd.DataFrame(X, columns=terms))
    stat = mv.mv_test(hypotheses=[(group, contrast)]).results[group]["stat"]
    manova = pd.DataFrame(
        {
            "value": stat["Value"].astype(float).to_numpy(),
            # statsmodels computes the DFs in floating point (37.00000000000001)
            "num_df": stat["Num DF"].astype(float).to_numpy().round(9),
            "den_df": stat["Den DF"].astype(float).to_numpy().round(9),
            "F": stat["F Value"].astype(float).to_numpy(),
            "p": stat["Pr > F"].astype(float).to_numpy(),
        },
        index=["Wilks", "Pillai", "Hotelling-Lawley", "Roy"],
    )
    desc = (
        f"Two-stage (derived variables): each {cluster}'s OLS intercept and slope are treated "
        f"as one multivariate observation and compared across {group} levels. It estimates the "
        f"within-{cluster} relation with equal weight per {cluster}; its standard errors come "
        f"from between-{cluster} variability, so inference generalises to new {cluster}s." + note
    )
    return TwoStageResult(
        method="Two-stage (MANOVA)",
        description=desc,
        params=params,
        cov=cov,
        df_resid=dfe,
        table=table,
        group_L=group_L,
        responses=responses,
        manova=manova,
        resid_cov=pd.DataFrame(Sigma, index=["intercept", "slope"], columns=["intercept", "slope"]),
        cluster_coefs=coefs,
        dropped_clusters=dropped,
    )


def between_cluster(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None = None,
    reference=None,
) -> OLSResult:
    """Method 4 (page 44): OLS of the cluster means of ``outcome`` on the cluster means of
    ``predictor`` (one observation per cluster), optionally ``* group``. The document prints
    the model without group (page 44) and draws the model by group (pages 64, 66)."""
    require_columns(data, cluster, outcome, predictor, group)
    d = data.dropna(subset=[c for c in (cluster, outcome, predictor, group) if c is not None])
    means = cluster_means(d, cluster, [outcome, predictor], group)
    levels = group_levels(means, group, reference) if group is not None else None
    X, group_L = _line_design(means, predictor, group, levels)
    by = f" in each level of {group}" if group else ""
    desc = (
        f"Between-{cluster} (ecological) regression: the line through the {cluster} means of "
        f"{outcome} and {predictor}{by}. It estimates the between-{cluster} (contextual plus "
        f"within) association, not the within-{cluster} slope."
    )
    res = _ols("Between-cluster (means) OLS", desc, means[outcome], X, group_L)
    return res
