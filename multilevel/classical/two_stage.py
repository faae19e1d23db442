"""Method 3: the two-stage (derived variables) approach, from the clusters' own OLS lines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical.clusters import (
    cluster_coefficients,
    group_levels,
    report_dropped,
    require_columns,
)
from multilevel.classical.manova import manova_statistics
from multilevel.classical.ols import INTERCEPT
from multilevel.classical.results import TwoStageResult
from multilevel.coefficients import coef_table
from multilevel.errors import DataError

__all__ = ["two_stage"]


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
    note = report_dropped(dropped, cluster, predictor)
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
    manova = manova_statistics(Y, X, tested=list(range(1, k)))
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
