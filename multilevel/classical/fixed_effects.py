"""Methods 2a and 2b: fixed effects, with the cluster effects absorbed by the within
transformation (deviations from the cluster means) instead of a dense rows x clusters dummy
matrix. The numbers, names and DF are those of the dummy-variable fits in R
(``lm(y ~ cluster/x - 1)`` and ``lm(y ~ x + cluster + x:group)``); time and memory are
O(rows + clusters). See :mod:`multilevel.classical.within` for the covariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from multilevel.classical.clusters import (
    ClusterStats,
    cluster_constant,
    cluster_lines,
    cluster_stats,
    group_levels,
    report_dropped,
    require_columns,
)
from multilevel.classical.fe_covariates import (
    absorbed_sentence,
    aliased_sentence,
    estimable,
    extend_design,
    held_within,
    solve_within,
)
from multilevel.classical.results import FixedEffectsResult
from multilevel.classical.wald import WaldResult
from multilevel.classical.within import WithinFit
from multilevel.coefficients import coef_table
from multilevel.data.covariates import Covariate
from multilevel.distributions import f_sf
from multilevel.errors import DataError

__all__ = ["fixed_effects_separate", "fixed_effects_common_slope"]

INTERCEPT = "(Intercept)"
QUANTILES = ["Min", "1Q", "Median", "3Q", "Max"]


def _names(cluster: str, ids: pd.Index, suffix: str = "") -> pd.Index:
    return pd.Index(f"{cluster}[" + ids.astype(str) + "]" + suffix, dtype=object)


def _sparse(rows, cols, values, shape) -> sp.csr_matrix:
    """Sum duplicate (row, col) entries, as a coefficient may appear twice in a row."""
    return sp.coo_matrix((values, (rows, cols)), shape=shape).tocsr()


def _group_codes(groups: pd.Series, levels: list) -> np.ndarray:
    codes = pd.Categorical(np.asarray(groups, dtype=object), categories=levels).codes
    return codes.astype(np.intp)


def _no_error_df(why: str) -> str:
    return (
        f"There are no residual degrees of freedom ({why}), so the error variance cannot be "
        "estimated: the standard errors and the Wald test are not computable."
    )


def _result(method, desc, fit: WithinFit, resid, group_L, test, coefs, dropped, note, **extra):
    table = coef_table(fit.params, fit.bse, fit.df_resid)
    table.index = fit.params.index
    return FixedEffectsResult(
        method=method,
        description=desc,
        params=fit.params,
        cov=None,
        df_resid=fit.df_resid,
        table=table,
        group_L=group_L,
        nobs=fit.nobs,
        resid_quantiles=pd.Series(np.quantile(resid, [0, 0.25, 0.5, 0.75, 1.0]), index=QUANTILES),
        sigma=float(np.sqrt(fit.scale)),
        fit=fit,
        test=test,
        cluster_coefs=coefs,
        dropped_clusters=dropped,
        note=note,
        **extra,
    )


def _scale(resid: np.ndarray, df_resid: float) -> float:
    return float(resid @ resid) / df_resid if df_resid > 0 else float("nan")


def _wald(fit: WithinFit, rows: sp.csr_matrix, L: pd.DataFrame, level: float) -> WaldResult:
    """The Wald test of the sparse ``rows`` of coefficients; ``L`` names the rows and writes
    them in the few quantities they compare."""
    est = rows @ fit.params.to_numpy()
    return WaldResult.from_estimates(est, fit.cov_of(rows), fit.df_resid, L, level=level)


# --------------------------------------------------------------------------- method 2a


def fixed_effects_separate(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
    level: float = 0.95,
    covariates: list[Covariate] = (),
) -> FixedEffectsResult:
    """Method 2a: one intercept and one slope per cluster (``outcome ~ cluster/predictor - 1``,
    plus common coefficients of the level-1 ``covariates``; level-2 ones are absorbed),
    then the Wald test that the equally weighted average cluster line is the same in every
    group (page 41). The test's rows are the non-reference level minus the reference level
    ("Int", "Slope"; suffixed by the level when the group has more than two levels).

    Each cluster's line is its own OLS line; the pooled residual variance is the total
    residual sum of squares over N - 2J; the lines of different clusters are uncorrelated,
    each with its 2 x 2 covariance. Clusters whose predictor takes fewer than two distinct
    values are dropped (and counted in the description)."""
    held_names = [c.name for c in covariates]
    require_columns(data, cluster, outcome, predictor, group, *held_names)
    d = data.dropna(subset=[cluster, outcome, predictor, group, *held_names])
    within = [c for c in covariates if c.level == 1]
    absorbed = [c for c in covariates if c.level == 2]
    stats = cluster_stats(d, cluster, outcome, predictor)
    coefs, dropped = cluster_lines(stats, cluster_constant(d, cluster, group))
    note = report_dropped(dropped, cluster, predictor)
    levels = group_levels(coefs, group, reference)
    kept = stats.varies
    J = int(kept.sum())
    ids = stats.ids[kept]
    n, xbar, sxx = stats.n[kept], stats.xbar[kept], stats.sxx[kept]
    slope = coefs["slope"].to_numpy()
    every_slope = np.zeros(len(stats.ids))
    every_slope[kept] = slope
    rows = kept[stats.codes]
    resid = (stats.dy - every_slope[stats.codes] * stats.dx)[rows]
    N = int(rows.sum())
    # theta = (a_c, b_c) = A (ybar_c, b_c): a_c = ybar_c - xbar_c b_c
    c = np.arange(J)
    A = _sparse(
        np.concatenate([c, c, J + c]),
        np.concatenate([c, J + c, J + c]),
        np.concatenate([np.ones(J), -xbar, np.ones(J)]),
        (2 * J, 2 * J),
    )
    names = _names(cluster, ids).append(_names(cluster, ids, f":{predictor}"))
    u = [stats.ybar[kept], slope]
    dense = None
    held = held_within(d, stats, within) if within else None
    aliased = []
    if held is not None:
        # gamma from the rows net of each cluster's own line; then
        # b_c = b_c(y) - b_c(Z) gamma, a_c = ybar_c - xbar_c b_c(y) - (zbar_c - xbar_c b_c(Z)) gamma
        bz = held.slopes_on_x(stats)
        Zt = (held.dz - bz[stats.codes] * stats.dx[:, None])[rows]
        keep = estimable(Zt, held.norms2)
        aliased = [name for name, k in zip(held.names, keep, strict=True) if not k]
        held, bz, Zt = held.subset(keep), bz[:, keep], Zt[:, keep]
    if held is not None and held.names:
        gamma, dense, resid = solve_within(Zt, resid, held.names, cluster, held.norms2)
        zk, bk = held.zbar[kept], bz[kept]
        A = extend_design(A, np.vstack([-(zk - xbar[:, None] * bk), -bk]))
        u.append(gamma)
        names = names.append(pd.Index(held.names, dtype=object))
    df_resid = float(N - A.shape[0])
    fit = WithinFit(
        names,
        A,
        np.concatenate(u),
        np.concatenate([1.0 / n, 1.0 / sxx]),
        _scale(resid, df_resid),
        df_resid,
        N,
        dense,
    )
    if dense is not None:
        coefs = _adjusted_lines(coefs, fit, J, xbar, sxx, dense, A)
    gcode = _group_codes(coefs[group], levels)
    group_L = {}
    for i, lv in enumerate(levels):
        members = np.flatnonzero(gcode == i)
        w = np.full(len(members), 1.0 / len(members))
        group_L[lv] = _sparse(
            np.repeat([0, 1], len(members)),
            np.concatenate([members, J + members]),
            np.concatenate([w, w]),
            (2, A.shape[0]),
        )
    desc = (
        f"Fixed effects (one line per {cluster}): compares the groups' equally weighted averages "
        f"of the {cluster} lines. It estimates the within-{cluster} relation, and its standard "
        f"errors use only within-{cluster} variability, so they hold for new observations from "
        f"these same {cluster}s, not for the population of {cluster}s."
        + _within_sentence(within, cluster)
        + absorbed_sentence(absorbed, cluster)
        + aliased_sentence(aliased, cluster)
        + note
    )
    test, why = None, ""
    if df_resid > 0:
        test = _wald(fit, *_gap_rows(group_L, levels), level)
    else:
        why = _no_error_df(f"every {cluster} line fits its two observations exactly")
    return _result(
        "Fixed effects: separate lines",
        desc,
        fit,
        resid,
        group_L,
        test,
        coefs,
        dropped,
        why,
        absorbed=[c.name for c in absorbed],
        covariate_columns=held.names if held is not None else [],
    )


def _adjusted_lines(coefs, fit: WithinFit, J, xbar, sxx, dense, A) -> pd.DataFrame:
    """The clusters' lines of method 2a with covariates (at covariates 0): each cluster's
    intercept and slope with their SEs and covariance from the fit, not its own OLS line."""
    out = coefs.copy()
    params, bse = fit.params.to_numpy(), fit.bse.to_numpy()
    C = A[:, 2 * J :].toarray()
    own = -xbar / sxx  # cov(a_c, b_c) of the cluster pieces, in units of the scale
    out["intercept"], out["slope"] = params[:J], params[J : 2 * J]
    out["intercept_se"], out["slope_se"] = bse[:J], bse[J : 2 * J]
    out["cov_is"] = fit.scale * (own + np.sum((C[:J] @ dense) * C[J : 2 * J], axis=1))
    return out


def _within_sentence(within: list[Covariate], cluster: str) -> str:
    if not within:
        return ""
    names = ", ".join(c.name for c in within)
    return (
        f" The level-1 covariates ({names}) have one coefficient each, common to every "
        f"{cluster}; the lines are drawn at covariates 0 (a categorical one at its reference "
        "level)."
    )


def _gap_rows(group_L: dict, levels: list) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """Rows "Int" then "Slope" (suffixed by the level when there are more than two levels):
    each level's average line minus the reference's, as sparse rows over the coefficients and
    as a small L over the levels' average lines."""
    ref = levels[0]
    suffix = {lv: "" if len(levels) == 2 else f" {lv}" for lv in levels[1:]}
    columns = [f"{part} {lv}" for part in ("intercept", "slope") for lv in levels]
    rows, names = [], []
    small = []
    for j, part in enumerate(("Int", "Slope")):
        for lv in levels[1:]:
            rows.append(group_L[lv][j] - group_L[ref][j])
            names.append(part + suffix[lv])
            line = pd.Series(0.0, index=columns)
            what = "intercept" if j == 0 else "slope"
            line[f"{what} {lv}"], line[f"{what} {ref}"] = 1.0, -1.0
            small.append(line)
    L = pd.DataFrame(small, index=pd.Index(names, dtype=object))
    return sp.vstack(rows).tocsr(), L


# --------------------------------------------------------------------------- method 2b


def fixed_effects_common_slope(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str,
    reference=None,
    level: float = 0.95,
    covariates: list[Covariate] = (),
) -> FixedEffectsResult:
    """Method 2b: one intercept per cluster and one slope per group
    (``outcome ~ predictor + cluster + predictor:group``, plus common coefficients of the
    level-1 ``covariates``; level-2 ones are absorbed), with the Wald test of the
    ``predictor:group`` coefficients (page 42).

    The slope of group g is the within regression's ``Sxy_g / Sxx_g`` (sums over its
    clusters), cluster c's intercept ``a_c = ybar_c - xbar_c b_g``; the coefficients are those
    of R's treatment coding: ``(Intercept)`` is the first cluster's intercept, ``cluster[c]``
    the difference a_c - a_1, the predictor the reference group's slope. With level-1
    covariates the group slopes and the covariates' coefficients come from one within
    regression, and ``a_c = ybar_c - xbar_c b_g - zbar_c gamma``."""
    held_names = [c.name for c in covariates]
    require_columns(data, cluster, outcome, predictor, group, *held_names)
    d = data.dropna(subset=[cluster, outcome, predictor, group, *held_names])
    within = [c for c in covariates if c.level == 1]
    absorbed = [c for c in covariates if c.level == 2]
    levels = group_levels(d, group, reference)
    groups = cluster_constant(d, cluster, group)
    stats = cluster_stats(d, cluster, outcome, predictor)
    k, J = len(levels), len(stats.ids)
    gcode = _group_codes(groups, levels)
    slopes = _group_slopes(stats, gcode, levels, cluster, predictor, group)
    sxx_g = np.bincount(gcode, weights=stats.sxx, minlength=k)
    resid = stats.dy - slopes[gcode][stats.codes] * stats.dx
    N = len(resid)
    inter = [f"{predictor}:{group}{lv}" for lv in levels[1:]]
    names = pd.Index([INTERCEPT, predictor], dtype=object)
    names = names.append(_names(cluster, stats.ids[1:])).append(pd.Index(inter, dtype=object))
    A = _common_slope_design(stats.xbar, gcode, J, k)
    u, d_pieces, dense = [stats.ybar, slopes], [1.0 / stats.n, 1.0 / sxx_g], None
    held = held_within(d, stats, within) if within else None
    aliased = []
    if held is not None:
        by_group = (gcode[stats.codes][:, None] == np.arange(k)) * stats.dx[:, None]
        norms2 = np.concatenate([np.sum(by_group**2, axis=0), held.norms2])
        keep = estimable(np.column_stack([by_group, held.dz]), norms2)
        keep[:k] = True  # a level whose slope is aliased fails in solve_within, with its name
        aliased = [name for name, kk in zip(held.names, keep[k:], strict=True) if not kk]
        held, norms2 = held.subset(keep[k:]), norms2[keep]
    if held is not None and held.names:
        W = np.column_stack([by_group, held.dz])
        theta, dense, resid = solve_within(W, stats.dy, [*levels, *held.names], cluster, norms2)
        slopes, gamma = theta[:k], theta[k:]
        # (Intercept) = a_1 and cluster[c] = a_c - a_1 take -zbar_1 gamma and
        # -(zbar_c - zbar_1) gamma
        zbar = held.zbar
        C = np.zeros((J + k, len(held.names)))
        C[0] = -zbar[0]
        C[2 : J + 1] = -(zbar[1:] - zbar[0])
        A = extend_design(A, C)
        u, d_pieces = [stats.ybar, slopes, gamma], [1.0 / stats.n]
        names = names.append(pd.Index(held.names, dtype=object))
    p = A.shape[0]
    df_resid = float(N - p)
    fit = WithinFit(
        names,
        A,
        np.concatenate(u),
        np.concatenate(d_pieces),
        _scale(resid, df_resid),
        df_resid,
        N,
        dense,
    )
    group_L = {}
    for i, lv in enumerate(levels):
        members = np.flatnonzero(gcode == i)
        members = members[members > 0]  # the first cluster is the intercept itself
        rows = [0, 1] + [0] * len(members) + ([1] if i > 0 else [])
        cols = [0, 1, *(1 + members)] + ([J + i] if i > 0 else [])
        w = [1.0, 1.0] + [1.0 / np.sum(gcode == i)] * len(members) + ([1.0] if i > 0 else [])
        group_L[lv] = _sparse(rows, cols, w, (2, p))
    desc = (
        f"Fixed effects (a {cluster} intercept, one slope per {group}): the {group} slopes "
        f"are weighted averages of within-{cluster} slopes, giving more weight to {cluster}s "
        f"with more observations and more spread in {predictor}; between-{cluster} "
        "variability plays no role in the standard errors."
        + _within_sentence(within, cluster)
        + absorbed_sentence(absorbed, cluster)
        + aliased_sentence(aliased, cluster)
    )
    coefs, dropped = cluster_lines(stats, groups)
    test, why = None, ""
    if df_resid > 0:
        tested = _sparse(np.arange(k - 1), J + 1 + np.arange(k - 1), np.ones(k - 1), (k - 1, p))
        L = pd.DataFrame(np.eye(k - 1), index=pd.Index(inter, dtype=object), columns=inter)
        test = _wald(fit, tested, L, level)
    else:
        why = _no_error_df(f"{N} observations for {p} coefficients")
    y = d[outcome].to_numpy(dtype=float)
    extra = _overall_f(y, resid, df_resid, p - 1)
    return _result(
        "Fixed effects: common slope within group",
        desc,
        fit,
        resid,
        group_L,
        test,
        coefs,
        dropped,
        why,
        absorbed=[c.name for c in absorbed],
        covariate_columns=held.names if held is not None else [],
        **extra,
    )


def _group_slopes(stats: ClusterStats, gcode, levels, cluster, predictor, group) -> np.ndarray:
    """The within-cluster slope of each group level; a DataError when a level has no cluster
    in which the predictor varies."""
    k = len(levels)
    sxx_g = np.bincount(gcode, weights=stats.sxx, minlength=k)
    sxy_g = np.bincount(gcode, weights=stats.sxy, minlength=k)
    flat = [lv for lv, s in zip(levels, sxx_g, strict=True) if not s > 0]
    if flat:
        raise DataError(
            f"no {cluster} in level(s) {flat} of {group} has two distinct values of "
            f"{predictor}, so the within-{cluster} slope of that level is not estimable; "
            f"remove the level or use a dataset where {predictor} varies within {cluster}s",
            column=predictor,
        )
    return sxy_g / sxx_g


def _common_slope_design(xbar: np.ndarray, gcode: np.ndarray, J: int, k: int) -> sp.csr_matrix:
    """A with theta = A (ybar_1..ybar_J, b_1..b_k) for R's coefficients
    ((Intercept), predictor, cluster[2..J], predictor:group[2..k])."""
    c = np.arange(1, J)
    first = int(gcode[0])
    rows = [[0, 0], [1]]
    cols = [[0, J + first], [J]]
    vals = [[1.0, -xbar[0]], [1.0]]
    # cluster[c] = (ybar_c - xbar_c b_gc) - (ybar_1 - xbar_1 b_g1)
    for col, val in ((c, 1.0), (J + gcode[1:], -xbar[1:]), (0, -1.0), (J + first, xbar[0])):
        rows.append(1 + c)
        cols.append(np.broadcast_to(col, c.shape))
        vals.append(np.broadcast_to(val, c.shape))
    j = np.arange(1, k)
    rows += [J + j, J + j]
    cols += [J + j, np.full(k - 1, J)]
    vals += [np.ones(k - 1), -np.ones(k - 1)]
    return _sparse(
        np.concatenate([np.asarray(r) for r in rows]),
        np.concatenate([np.asarray(r) for r in cols]),
        np.concatenate([np.asarray(v, dtype=float) for v in vals]),
        (J + k, J + k),
    )


def _overall_f(y: np.ndarray, resid: np.ndarray, df_resid: float, df_model: float) -> dict:
    """R-squared and the overall F test of a model with an intercept, as summary.lm gives."""
    tss = float(np.sum((y - y.mean()) ** 2))
    rss = float(resid @ resid)
    if not df_resid > 0:
        return {}
    r2 = 1.0 - rss / tss
    fvalue = ((tss - rss) / df_model) / (rss / df_resid)
    return {
        "r_squared": r2,
        "adj_r_squared": 1.0 - (1.0 - r2) * (len(y) - 1) / df_resid,
        "fvalue": fvalue,
        "f_df": (float(df_model), float(df_resid)),
        "f_pvalue": float(f_sf(fvalue, df_model, df_resid)),
    }
