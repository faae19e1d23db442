"""Method 3: the two-stage (derived variables) approach, from the clusters' own OLS lines.

With covariates, the level-1 ones enter each cluster's regression
(:mod:`multilevel.classical.adjusted_lines`: a covariate constant within a cluster is dropped
there, and such clusters are counted) and the level-2 ones the second stage, beside the group;
the MANOVA tests the group given them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical.adjusted_lines import adjusted_cluster_lines
from multilevel.classical.clusters import (
    cluster_coefficients,
    cluster_constant,
    group_levels,
    report_dropped,
    require_columns,
)
from multilevel.classical.manova import manova_statistics
from multilevel.classical.ols import INTERCEPT
from multilevel.classical.results import TwoStageResult
from multilevel.coefficients import coef_table
from multilevel.data.covariates import Covariate, covariate_columns, covariate_design
from multilevel.errors import DataError

__all__ = ["two_stage"]


def two_stage(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
    covariates: list[Covariate] = (),
) -> TwoStageResult:
    """Method 3 (pages 43, 57): OLS line in each cluster (with the level-1 ``covariates``),
    then the multivariate regression of the cluster intercepts and slopes on ``group`` (and
    the level-2 ``covariates``) and its MANOVA test of the group."""
    names = [c.name for c in covariates]
    require_columns(data, cluster, outcome, predictor, group, *names)
    d = data.dropna(subset=[cluster, outcome, predictor, group, *names])
    within = [c for c in covariates if c.level == 1]
    between = [c for c in covariates if c.level == 2]
    if within:
        held = covariate_design(d, within)
        lines = adjusted_cluster_lines(d, cluster, outcome, predictor, held)
        coefs, dropped, not_estimable = lines.coefs, lines.dropped, lines.not_estimable
        coefs[group] = cluster_constant(d, cluster, group).reindex(coefs.index)
        note = report_dropped(dropped, cluster, predictor) + _not_estimable_sentence(
            lines.not_estimable, cluster
        )
    else:
        coefs, dropped = cluster_coefficients(d, cluster, outcome, predictor, group)
        note = report_dropped(dropped, cluster, predictor)
        not_estimable = {}
    levels = group_levels(coefs, group, reference)
    second = covariate_columns(between)
    terms = [INTERCEPT] + [f"{group}{lv}" for lv in levels[1:]] + second
    g = coefs[group].to_numpy()
    Z = [_cluster_values(d, cluster, between, coefs.index)] if between else []
    X = np.column_stack([np.ones(len(coefs))] + [(g == lv).astype(float) for lv in levels[1:]] + Z)
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
        tab = coef_table(B[:, j], np.sqrt(Sigma[j, j] * np.diag(XtX_inv)), dfe)
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
    manova = manova_statistics(Y, X, tested=list(range(1, len(levels))))
    desc = (
        f"Two-stage (derived variables): each {cluster}'s OLS intercept and slope are treated "
        f"as one multivariate observation and compared across {group} levels. It estimates the "
        f"within-{cluster} relation with equal weight per {cluster}; its standard errors come "
        f"from between-{cluster} variability, so inference generalises to new {cluster}s."
        + _covariates_sentence(within, between, cluster)
        + note
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
        not_estimable=not_estimable,
    )


def _cluster_values(
    data: pd.DataFrame, cluster: str, covariates: list[Covariate], index: pd.Index
) -> np.ndarray:
    """The level-2 covariates' design columns, one row per cluster of ``index``."""
    design = covariate_design(data, covariates)
    design[cluster] = data[cluster].to_numpy()
    return design.groupby(cluster, sort=True).first().reindex(index).to_numpy(dtype=float)


def _covariates_sentence(within: list[Covariate], between: list[Covariate], cluster: str) -> str:
    parts = []
    if within:
        names = ", ".join(c.name for c in within)
        parts.append(f" Each {cluster}'s line holds its level-1 covariates constant ({names}).")
    if between:
        names = ", ".join(c.name for c in between)
        parts.append(
            f" The second stage holds the level-2 covariates constant ({names}); the MANOVA "
            "tests the group given them."
        )
    return "".join(parts)


def _not_estimable_sentence(not_estimable: dict[str, int], cluster: str) -> str:
    """Which covariate columns were dropped from how many clusters' regressions."""
    counted = [f"{name} in {n} {cluster}(s)" for name, n in not_estimable.items() if n]
    if not counted:
        return ""
    return (
        " Not estimable within a cluster (constant there, or aliased with the columns before "
        f"it), so dropped from that cluster's regression: {'; '.join(counted)}."
    )
