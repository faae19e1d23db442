"""The three effects of a level-1 predictor in clustered data (pages 67-72 of the document).

* within-cluster (conditional) effect: the slope of the outcome on the predictor within
  clusters, i.e. the fixed-effects / centred-within-cluster slope: the OLS slope of
  within-cluster deviations of the outcome on those of the predictor;
* between-cluster (ecological) effect: the OLS slope of the cluster means of the outcome on
  the cluster means of the predictor, one observation per cluster;
* pooled (marginal) effect: the OLS slope of the outcome on the predictor ignoring clusters.

``three_effects`` estimates all three, overall and (if a group is given) in each group, with
standard errors; ``paradoxes`` checks Robinson's paradox (within and between effects of
opposite sign) and Simpson's paradox (within and pooled effects of opposite sign) and says
what each check found in a plain sentence.

A fact used by the checks' explanations (our addition, not printed in the document): the
pooled slope is a weighted average of the within slope and the cluster-size weighted between
slope, with weights the within- and between-cluster sums of squares of the predictor
(``pooled_decomposition``). With equal cluster sizes the weighted between slope is the
between slope above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.classical import between_cluster, group_levels, pooled_ols, require_columns
from multilevel.classical.clusters import cluster_mean_varies, cluster_stats
from multilevel.data.covariates import Covariate

__all__ = ["EffectsResult", "Paradox", "three_effects", "paradoxes", "pooled_decomposition"]

EFFECTS = ("within", "between", "pooled")


@dataclass
class Paradox:
    name: str
    scope: str
    holds: bool
    sentence: str
    checked: bool = True  # False when one of the two effects does not exist

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "scope": self.scope,
            "holds": self.holds,
            "sentence": self.sentence,
            "checked": self.checked,
        }


@dataclass
class EffectsResult:
    """``table`` has one row per (scope, effect) with estimate, se, df; scope is "overall" or a
    group level. ``roles`` records the column names, for sentences."""

    table: pd.DataFrame
    roles: dict

    def effect(self, effect: str, scope: str = "overall") -> float:
        return float(self.table.loc[(scope, effect), "estimate"])

    @property
    def scopes(self) -> list[str]:
        return list(dict.fromkeys(self.table.index.get_level_values("scope")))

    def paradoxes(self) -> list[Paradox]:
        return paradoxes(self)

    def to_dict(self) -> dict:
        rows = [
            {"scope": s, "effect": e, **{k: float(v) for k, v in row.items()}}
            for (s, e), row in self.table.iterrows()
        ]
        return {
            "roles": dict(self.roles),
            "effects": rows,
            "paradoxes": [p.to_dict() for p in self.paradoxes()],
        }


def _within(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None,
    levels,
    covariates: list[Covariate] = (),
) -> pd.DataFrame:
    """Within-cluster slope(s) from deviations from cluster means; one slope per group level
    (or one overall) with a common residual variance, as in the fixed-effects model
    ``outcome ~ cluster + predictor[:group]`` (``+ covariates``: level-1 ones held constant
    in the within regression, level-2 ones absorbed by the cluster effects)."""
    within = [c for c in covariates if c.level == 1]
    if within:
        return _within_held(data, cluster, outcome, predictor, group, levels, within)
    dx = data[predictor] - data.groupby(cluster)[predictor].transform("mean")
    dy = data[outcome] - data.groupby(cluster)[outcome].transform("mean")
    keys = data[group] if group is not None else pd.Series("overall", index=data.index)
    scopes = levels if group is not None else ["overall"]
    rss = 0.0
    out = {}
    for s in scopes:
        m = (keys == s).to_numpy()
        sxx = float((dx[m] ** 2).sum())
        slope = float((dx[m] * dy[m]).sum()) / sxx
        rss += float(((dy[m] - slope * dx[m]) ** 2).sum())
        out[s] = (slope, sxx)
    df = len(data) - data[cluster].nunique() - len(scopes)
    s2 = rss / df
    return pd.DataFrame(
        {
            "estimate": [out[s][0] for s in scopes],
            "se": [np.sqrt(s2 / out[s][1]) for s in scopes],
            "df": float(df),
        },
        index=[str(s) for s in scopes],
    )


def _within_held(data, cluster, outcome, predictor, group, levels, within) -> pd.DataFrame:
    """:func:`_within` with level-1 covariates: the slopes and the covariates' coefficients
    from one within regression (as fixed_effects_common_slope)."""
    # here: scipy.sparse's within regression, for level-1 covariates only
    from multilevel.classical.fe_covariates import held_within, solve_within

    stats = cluster_stats(data, cluster, outcome, predictor)
    scopes = levels if group is not None else ["overall"]
    if group is None:
        code = np.zeros(len(data), dtype=int)
    else:
        code = pd.Categorical(data[group].astype(str), [str(v) for v in scopes]).codes
    held = held_within(data, stats, within)
    W = np.column_stack([(code[:, None] == np.arange(len(scopes))) * stats.dx[:, None], held.dz])
    norms2 = np.concatenate([np.sum(W[:, : len(scopes)] ** 2, axis=0), held.norms2])
    names = [*map(str, scopes), *held.names]
    theta, V, resid = solve_within(W, stats.dy, names, cluster, norms2)
    df = len(data) - len(stats.ids) - W.shape[1]
    s2 = float(resid @ resid) / df
    k = len(scopes)
    return pd.DataFrame(
        {"estimate": theta[:k], "se": np.sqrt(s2 * np.diag(V)[:k]), "df": float(df)},
        index=[str(s) for s in scopes],
    )


def _slopes(result) -> pd.DataFrame:
    est = result.group_estimates()
    return pd.DataFrame(
        {
            "estimate": [e.slope for e in est.values()],
            "se": [float(e.se[1]) for e in est.values()],
            "df": [float("nan") if e.df is None else float(e.df) for e in est.values()],
        },
        index=list(est),
    )


def _between(data, cluster, outcome, predictor, group, reference, covariates=()) -> pd.DataFrame:
    """Between-cluster slope(s); NaN where the cluster means of ``predictor`` do not vary
    (overall or within a group: the slope is aliased, as R's lm finds it): a balanced design,
    such as the same days for every subject, has no between-cluster variation to estimate a
    slope from."""
    if not cluster_mean_varies(data, cluster, predictor):
        levels = group_levels(data, group, reference) if group is not None else ["overall"]
        nan = float("nan")
        return pd.DataFrame(
            {"estimate": nan, "se": nan, "df": nan}, index=[str(lv) for lv in levels]
        )
    return _slopes(between_cluster(data, cluster, outcome, predictor, group, reference, covariates))


def three_effects(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None = None,
    reference=None,
    covariates: list[Covariate] = (),
) -> EffectsResult:
    """Within, between and pooled slopes of ``outcome`` on ``predictor``, overall and by
    ``group``, with the ``covariates`` held constant. By group, each kind of slope comes from
    one model with a slope per group (and a residual variance common to the groups): the
    fixed-effects model with ``predictor:group`` for within, the cluster-means regression
    ``* group`` for between, and ``outcome ~ predictor * group`` for pooled."""
    names = [c.name for c in covariates]
    require_columns(data, cluster, outcome, predictor, group, *names)
    cols = [c for c in (cluster, outcome, predictor, group, *names) if c is not None]
    d = data.dropna(subset=cols)
    cov = covariates
    pieces = {
        ("overall", "within"): _within(d, cluster, outcome, predictor, None, None, cov),
        ("overall", "between"): _between(d, cluster, outcome, predictor, None, None, cov),
        ("overall", "pooled"): _slopes(pooled_ols(d, outcome, predictor, covariates=cov)),
    }
    if group is not None:
        levels = group_levels(d, group, reference)
        pieces[("group", "within")] = _within(d, cluster, outcome, predictor, group, levels, cov)
        pieces[("group", "between")] = _between(
            d, cluster, outcome, predictor, group, reference, cov
        )
        pieces[("group", "pooled")] = _slopes(
            pooled_ols(d, outcome, predictor, group, reference, cov)
        )
    rows = []
    for (kind, effect), frame in pieces.items():
        for scope, row in frame.iterrows():
            name = "overall" if kind == "overall" else str(scope)
            rows.append({"scope": name, "effect": effect, **row.to_dict()})
    table = pd.DataFrame(rows)
    order = {s: i for i, s in enumerate(dict.fromkeys(["overall", *table["scope"]]))}
    rank = table["scope"].map(order) * len(EFFECTS) + table["effect"].map(EFFECTS.index)
    table = table.iloc[np.argsort(rank.to_numpy(), kind="stable")].set_index(["scope", "effect"])
    roles = {"cluster": cluster, "outcome": outcome, "predictor": predictor, "group": group}
    return EffectsResult(table, roles)


def no_effect_reason(effect: str, cluster: str, predictor: str) -> str:
    """Why an effect of the predictor cannot be estimated, in words."""
    if effect == "between":
        return (
            f"the {cluster} means of {predictor} do not vary (a balanced design, or "
            f"{predictor} centred within {cluster}s)"
        )
    return f"{predictor} does not vary within any {cluster}"


def _trend(v: float) -> str:
    if v > 0:
        return "rises"
    if v < 0:
        return "falls"
    return "does not change"


def paradoxes(effects: EffectsResult) -> list[Paradox]:
    """Robinson's and Simpson's paradox checks for every scope of ``effects``."""
    r = effects.roles
    cl, y, x = r["cluster"], r["outcome"], r["predictor"]
    out = []
    for scope in effects.scopes:
        w = effects.effect("within", scope)
        where = "" if scope == "overall" else f" (in {r['group']} {scope})"
        for name, other, label in (
            ("Robinson", "between", f"between {cl}s, comparing {cl} means,"),
            ("Simpson", "pooled", f"across {cl}s, pooling all observations,"),
        ):
            o = effects.effect(other, scope)
            if not (np.isfinite(w) and np.isfinite(o)):
                missing = other if np.isfinite(w) else "within"
                sentence = (
                    f"{name}'s paradox cannot be checked{where}: there is no {missing} effect "
                    f"to compare, because {no_effect_reason(missing, cl, x)}."
                )
                out.append(Paradox(f"{name}'s paradox", scope, False, sentence, checked=False))
                continue
            holds = bool(w * o < 0)
            verdict = "holds" if holds else "does not hold"
            because = "opposite signs" if holds else "the same sign"
            sentence = (
                f"{name}'s paradox {verdict}{where}: within {cl}s, {y} {_trend(w)} by "
                f"{abs(w):.3g} per unit of {x}, while {label} it {_trend(o)} by "
                f"{abs(o):.3g}; the two effects have {because}."
            )
            out.append(Paradox(f"{name}'s paradox", scope, holds, sentence))
    return out


def pooled_decomposition(
    data: pd.DataFrame, cluster: str, outcome: str, predictor: str
) -> dict[str, float]:
    """The pooled slope as a weighted average of the within slope and the cluster-size
    weighted between slope: ``pooled = w * within + (1 - w) * between_weighted`` with
    ``w = SSW / (SSW + SSB)``, the within- and between-cluster sums of squares of the
    predictor. Returns all five numbers."""
    require_columns(data, cluster, outcome, predictor)
    d = data.dropna(subset=[cluster, outcome, predictor])
    g = d.groupby(cluster)
    xm = g[predictor].transform("mean")
    ym = g[outcome].transform("mean")
    dxw, dyw = d[predictor] - xm, d[outcome] - ym
    dxb, dyb = xm - d[predictor].mean(), ym - d[outcome].mean()
    ssw, ssb = float((dxw**2).sum()), float((dxb**2).sum())
    within = float((dxw * dyw).sum()) / ssw
    # no between-cluster spread of the predictor (a balanced design): no between slope
    between_w = float((dxb * dyb).sum()) / ssb if ssb > 0 else float("nan")
    dx, dy = d[predictor] - d[predictor].mean(), d[outcome] - d[outcome].mean()
    pooled = float((dx * dy).sum() / (dx**2).sum())
    return {
        "pooled": pooled,
        "within": within,
        "between_weighted": between_w,
        "weight_within": ssw / (ssw + ssb),
        "weight_between": ssb / (ssw + ssb),
    }
