"""Methods 1 and 4: pooled OLS and the between-cluster regression, fitted by OLS
(:mod:`.least_squares`) on the pooled rows (N x 4) or on the cluster means (clusters x 4),
each with the covariates' columns added (:mod:`multilevel.data.covariates`): as they are on
the rows; on the cluster means, the cluster mean of a level-1 covariate's column (a
categorical one's share of each non-reference level) and a level-2 covariate as it is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical.clusters import cluster_means, group_levels, require_columns
from multilevel.classical.least_squares import least_squares
from multilevel.classical.results import OLSResult
from multilevel.coefficients import coef_table
from multilevel.data.covariates import Covariate, covariate_columns, covariate_design

__all__ = ["INTERCEPT", "aliased_columns", "pooled_ols", "between_cluster"]

INTERCEPT = "(Intercept)"


def aliased_columns(X: pd.DataFrame, tol: float = 1e-7) -> list[str]:
    """The columns of ``X`` that are linear combinations of the columns before them, as R's
    ``lm`` finds them (a column whose part orthogonal to the earlier kept columns is below
    ``tol`` times its length); their coefficients are not estimable."""
    basis: list[np.ndarray] = []
    aliased = []
    for name in X.columns:
        v = X[name].to_numpy(dtype=float).copy()
        length = np.linalg.norm(v)
        for _ in range(2):  # twice: classical Gram-Schmidt loses orthogonality once
            for q in basis:
                v -= (q @ v) * q
        rest = np.linalg.norm(v)
        if length == 0 or rest < tol * length:
            aliased.append(name)
        else:
            basis.append(v / rest)
    return aliased


def _ols(method: str, description: str, y: pd.Series, X: pd.DataFrame, group_L: dict) -> OLSResult:
    aliased = aliased_columns(X)
    kept = X.drop(columns=aliased)
    fit = least_squares(y.to_numpy(dtype=float), kept.to_numpy(dtype=float))
    # An aliased coefficient is not estimable: NaN, as R's NA (and so are the group lines
    # that need it: LinearMethodResult._beta).
    params = pd.Series(np.asarray(fit.params), index=kept.columns).reindex(X.columns)
    cov = pd.DataFrame(
        np.asarray(fit.cov_params()), index=kept.columns, columns=kept.columns
    ).reindex(index=X.columns, columns=X.columns)
    table = coef_table(params, np.sqrt(np.diag(cov)), fit.df_resid)
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
    data: pd.DataFrame,
    predictor: str,
    group: str | None,
    levels: list | None,
    held: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Design of ``~ predictor * group`` (plus the covariate columns ``held``, after the main
    effects as R orders them) with R's treatment coding and names, and the L matrices giving
    each group's (intercept, slope) at covariates 0."""
    x = data[predictor].astype(float).to_numpy()
    cols = {INTERCEPT: np.ones(len(data)), predictor: x}
    held_cols = {} if held is None else {c: held[c].to_numpy() for c in held.columns}
    group_L: dict = {}
    if group is None:
        X = pd.DataFrame({**cols, **held_cols}, index=data.index)
        group_L["all"] = pd.DataFrame(0.0, index=["intercept", "slope"], columns=X.columns)
        group_L["all"].loc["intercept", INTERCEPT] = 1.0
        group_L["all"].loc["slope", predictor] = 1.0
        return X, group_L
    g = data[group].to_numpy()
    dummies = [f"{group}{lv}" for lv in levels[1:]]
    for lv, name in zip(levels[1:], dummies, strict=True):
        cols[name] = (g == lv).astype(float)
    cols.update(held_cols)
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
    covariates: list[Covariate] = (),
) -> OLSResult:
    """Method 1: ``outcome ~ predictor * group + covariates`` by OLS, ignoring clusters
    (page 46)."""
    names = [c.name for c in covariates]
    require_columns(data, outcome, predictor, group, *names)
    d = data.dropna(subset=[c for c in (outcome, predictor, group, *names) if c is not None])
    levels = group_levels(d, group, reference) if group is not None else None
    held = covariate_design(d, covariates) if covariates else None
    X, group_L = _line_design(d, predictor, group, levels, held)
    by = f" separately in each level of {group}" if group else ""
    desc = (
        f"Pooled OLS: the marginal line of {outcome} on {predictor}{by}, ignoring clusters. It "
        "mixes within- and between-cluster associations, and its standard errors treat every "
        "observation as independent, so they are too small when clusters differ."
        + _held_sentence(covariates)
    )
    return _ols("Pooled OLS", desc, d[outcome], X, group_L)


def between_cluster(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None = None,
    reference=None,
    covariates: list[Covariate] = (),
) -> OLSResult:
    """Method 4 (page 44): OLS of the cluster means of ``outcome`` on the cluster means of
    ``predictor`` (one observation per cluster), optionally ``* group``, plus the cluster
    means of the covariates' columns. The document prints the model without group (page 44)
    and draws the model by group (pages 64, 66)."""
    names = [c.name for c in covariates]
    require_columns(data, cluster, outcome, predictor, group, *names)
    subset = [c for c in (cluster, outcome, predictor, group, *names) if c is not None]
    d = data.dropna(subset=subset)
    held = covariate_columns(covariates)
    if covariates:
        d = d.assign(**covariate_design(d, covariates))  # a numeric one keeps its name
    means = cluster_means(d, cluster, [outcome, predictor, *held], group)
    levels = group_levels(means, group, reference) if group is not None else None
    X, group_L = _line_design(means, predictor, group, levels, means[held] if held else None)
    by = f" in each level of {group}" if group else ""
    desc = (
        f"Between-{cluster} (ecological) regression: the line through the {cluster} means of "
        f"{outcome} and {predictor}{by}. It estimates the between-{cluster} (contextual plus "
        f"within) association, not the within-{cluster} slope."
        + _held_sentence(covariates, f" ({cluster} means of level-1 covariates)")
    )
    res = _ols("Between-cluster (means) OLS", desc, means[outcome], X, group_L)
    return res


def _held_sentence(covariates: list[Covariate], how: str = "") -> str:
    """The sentence saying which covariates are held constant (empty without any)."""
    if not covariates:
        return ""
    names = ", ".join(c.name for c in covariates)
    return (
        f" Covariates held constant{how}: {names}; the lines are drawn at covariates 0 (a "
        "categorical one at its reference level)."
    )
