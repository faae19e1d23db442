"""BLUEs and BLUPs of each cluster's coefficients, and shrinkage (document pages 134-173).

BLUE: a cluster's own least-squares estimate (in the one-way model, its mean; with a slope, its
OLS line). BLUP: the mixed model's prediction, ``coef()`` = fixed part + predicted random
effect. In the one-way model the BLUP is the BLUE pulled towards the GLS mean by the factor

    shrink_j = 1 / (1 + sigma^2 / (n_j g00))        (page 134)

and, with random intercepts and slopes, the BLUP of the line is the inverse-variance weighted
combination of the population line for the cluster's group and the cluster's BLUE (page 170):

    tilde beta_j = (G^-1 + X_j'X_j / sigma^2)^-1 (G^-1 gamma_j + X_j'X_j / sigma^2 hat beta_j).

``line_coefficients`` turns a fit's coefficients into each cluster's (intercept, slope) of the
predictor, whatever the group coding, by evaluating the model's columns at predictor 0 and 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical import cluster_coefficients
from multilevel.mixed.design import INTERCEPT

__all__ = [
    "display_labels",
    "shrink_factor",
    "shrunk",
    "oneway_cluster_table",
    "column_value",
    "line_coefficients",
    "population_lines",
    "blue_blup_lines",
    "posterior_line",
]


def display_labels(data: pd.DataFrame, cluster: str, id_label: str | None = None) -> pd.Series:
    """Each cluster's display label (index: cluster), in display order: the informative
    label's category order when there is one, else the sorted cluster ids."""
    if id_label and id_label in data.columns:
        pairs = data[[cluster, id_label]].drop_duplicates().set_index(cluster)[id_label]
        if isinstance(pairs.dtype, pd.CategoricalDtype):
            pairs = pairs.iloc[np.argsort(pairs.cat.codes.to_numpy(), kind="stable")]
        else:
            pairs = pairs.sort_values(kind="stable")
        return pairs.astype(str)
    ids = sorted(data[cluster].unique())
    return pd.Series([str(i) for i in ids], index=ids)


def shrink_factor(n, sigma2: float, g00: float):
    """The weight of the cluster's own mean in its BLUP: 1 / (1 + sigma^2 / (n g00))."""
    return 1.0 / (1.0 + sigma2 / (np.asarray(n, dtype=float) * g00))


def shrunk(blue, n, gamma: float, sigma2: float, g00: float):
    """The one-way BLUP: the BLUE shrunk towards the GLS mean ``gamma``."""
    w = shrink_factor(n, sigma2, g00)
    return gamma + w * (np.asarray(blue, dtype=float) - gamma)


def oneway_cluster_table(
    data: pd.DataFrame,
    fit,
    cluster: str,
    outcome: str,
    predictor: str,
    labels: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per cluster (pages 159-160): mean of the predictor, mean of the outcome, n, the
    OLS estimate (the BLUE, equal to the cluster mean; with covariates in the fixed part, the
    cluster mean net of their fitted effect), the BLUP (``coef``), the predicted
    random effect and the shrinkage factor. ``fit`` is the one-way model's results;
    ``labels`` maps clusters to display labels (index order is kept)."""
    g = data.groupby(cluster, sort=True, observed=True)
    table = pd.DataFrame(
        {
            "predictor_mean": g[predictor].mean(),
            "outcome_mean": g[outcome].mean(),
            "n": g[outcome].size().astype(int),
        }
    )
    table["ols"] = table["outcome_mean"]
    if len(fit.params) > 1:
        # with covariates the BLUE is the cluster mean net of the covariates' fitted effect
        # (at covariates 0, as the BLUP): then BLUP = gamma + shrink (BLUE - gamma) still holds
        held = fit.fitted(0).to_numpy() - float(fit.params[INTERCEPT])
        net = pd.Series(data[outcome].to_numpy() - held, index=data.index)
        table["ols"] = net.groupby(data[cluster].to_numpy(), sort=True).mean()
    coef = fit.coef()[INTERCEPT]
    coef.index = coef.index.astype(table.index.dtype)
    table["blup"] = coef.reindex(table.index)
    table["ranef"] = table["blup"] - float(fit.params[INTERCEPT])
    g00 = float(fit.G.iloc[0, 0])
    table["shrink"] = shrink_factor(table["n"], fit.sigma**2, g00)
    if labels is not None:
        table.insert(0, "label", labels.reindex(table.index).astype(str))
    return table


def column_value(
    name: str, x: float, level: str | None, group: str | None, levels=(), predictor=None
) -> float:
    """The value of the design column ``name`` at predictor value ``x`` in group ``level``: a
    product over its ':'-separated parts of 1 (intercept), an indicator (a part naming the
    group and one of its ``levels``) or x (the predictor). Given the ``predictor``'s name, any
    other part is a covariate, held at 0 (its reference level when categorical). Models in
    cvar() are not lines in x alone and are refused."""
    indicators = {f"{group}{lv}": lv for lv in levels} if group else {}
    value = 1.0
    for part in name.split(":"):
        if part == INTERCEPT:
            continue
        if part in indicators:
            value *= 1.0 if indicators[part] == level else 0.0
        elif part.startswith("cvar("):
            raise ValueError(f"column {name!r}: a cluster-mean term is not a line in x")
        elif predictor is None or part == predictor:
            value *= x
        else:
            value = 0.0
    return value


def line_coefficients(
    coef: pd.Series, level: str | None, group: str | None, levels=(), predictor=None
) -> tuple[float, float]:
    """(intercept, slope) of the line a coefficient vector implies in group ``level`` (with
    the covariates at 0 when ``predictor`` is given)."""
    at0 = sum(v * column_value(n, 0.0, level, group, levels, predictor) for n, v in coef.items())
    at1 = sum(v * column_value(n, 1.0, level, group, levels, predictor) for n, v in coef.items())
    return float(at0), float(at1 - at0)


def population_lines(fit, group: str | None, levels: list[str], predictor=None) -> pd.DataFrame:
    """The mean line of each group (fixed effects only; covariates at 0 when ``predictor`` is
    given)."""
    rows = {
        lv: line_coefficients(fit.params, lv, group, levels, predictor) for lv in levels or [None]
    }
    return pd.DataFrame(rows, index=["intercept", "slope"]).T


def cluster_groups(data: pd.DataFrame, cluster: str, group: str | None) -> pd.Series:
    if not group:
        return pd.Series(None, index=sorted(data[cluster].unique()), dtype=object)
    first = data.groupby(cluster, sort=True, observed=True)[group].first()
    return first.astype(str)


def _net_of_covariates(fit, predictor: str, group: str | None, levels) -> np.ndarray | None:
    """Each row's fitted effect of the covariates' columns (every column that is not the
    intercept, the predictor, a group indicator or a product of them); None without any."""
    indicators = {f"{group}{lv}" for lv in levels} if group else set()
    plain = {INTERCEPT, predictor, *indicators}
    held = [n for n in fit.params.index if any(p not in plain for p in n.split(":"))]
    if not held:
        return None
    return sum(float(fit.params[n]) * fit.design.columns[n] for n in held)


def blue_blup_lines(
    data: pd.DataFrame, fit, cluster: str, outcome: str, predictor: str, group: str | None
) -> pd.DataFrame:
    """Per cluster: the group, n, the BLUE (each cluster's OLS intercept and slope; with
    covariates in the fixed part, of the outcome net of their fitted effect) and the BLUP (the
    mixed model's cluster line, covariates at 0). Clusters whose OLS slope is not estimable
    have NaN BLUEs."""
    groups = cluster_groups(data, cluster, group)
    levels = [str(v) for v in dict.fromkeys(groups.dropna())]
    held = _net_of_covariates(fit, predictor, group, levels)
    if held is not None:
        rows = data.loc[fit.design.row_index]
        data = rows.assign(**{outcome: rows[outcome].to_numpy(dtype=float) - held})
    blue, _ = cluster_coefficients(data, cluster, outcome, predictor)
    coef = fit.coef()
    coef.index = coef.index.astype(groups.index.dtype)
    coef = coef.reindex(groups.index)
    b0 = np.full(len(groups), np.nan)
    b1 = np.full(len(groups), np.nan)
    # line_coefficients for all the clusters of a group at once: the same sums, in the same
    # order, on columns of coefficients instead of one cluster's
    for level in dict.fromkeys(groups.tolist()):
        # without a group every cluster's group is missing (pandas stores None as NaN)
        rows = (groups == level).to_numpy() if pd.notna(level) else groups.isna().to_numpy()
        at0, at1 = 0, 0
        for name in coef.columns:
            values = coef[name].to_numpy(dtype=float)[rows]
            at0 = at0 + values * column_value(name, 0.0, level, group, levels, predictor)
            at1 = at1 + values * column_value(name, 1.0, level, group, levels, predictor)
        b0[rows], b1[rows] = at0, at1 - at0
    out = pd.DataFrame({"blup_intercept": b0, "blup_slope": b1}, index=groups.index)
    out.index.name = "cluster"
    out.insert(0, "group", groups)
    out.insert(1, "n", data.groupby(cluster, sort=True, observed=True).size())
    out["blue_intercept"] = blue["intercept"].reindex(out.index)
    out["blue_slope"] = blue["slope"].reindex(out.index)
    return out


def posterior_line(
    blue: np.ndarray, xtx: np.ndarray, gamma: np.ndarray, G: np.ndarray, sigma2: float
) -> np.ndarray:
    """The inverse-variance weighted combination of the population line ``gamma`` (variance
    G) and the cluster's BLUE (variance sigma^2 (X'X)^-1), page 170."""
    prec_pop = np.linalg.inv(G)
    prec_own = xtx / sigma2
    return np.linalg.solve(prec_pop + prec_own, prec_pop @ gamma + prec_own @ blue)
