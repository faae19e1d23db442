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
from multilevel.classical.clusters import cluster_mean_varies

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
    data: pd.DataFrame, cluster: str, outcome: str, predictor: str, group: str | None, levels
) -> pd.DataFrame:
    """Within-cluster slope(s) from deviations from cluster means; one slope per group level
    (or one overall) with a common residual variance, as in the fixed-effects model
    ``outcome ~ cluster + predictor[:group]``."""
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


def _between(data, cluster, outcome, predictor, group, reference) -> pd.DataFrame:
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
    return _slopes(between_cluster(data, cluster, outcome, predictor, group, reference))


def three_effects(
    data: pd.DataFrame,
    cluster: str,
    outcome: str,
    predictor: str,
    group: str | None = None,
    reference=None,
) -> EffectsResult:
    """Within, between and pooled slopes of ``outcome`` on ``predictor``, overall and by
    ``group``. By group, each kind of slope comes from one model with a slope per group (and a
    residual variance common to the groups): the fixed-effects model with ``predictor:group``
    for within, the cluster-means regression ``* group`` for between, and
    ``outcome ~ predictor * group`` for pooled."""
    require_columns(data, cluster, outcome, predictor, group)
    cols = [c for c in (cluster, outcome, predictor, group) if c is not None]
    d = data.dropna(subset=cols)
    pieces = {
        ("overall", "within"): _within(d, cluster, outcome, predictor, None, None),
        ("overall", "between"): _between(d, cluster, outcome, predictor, None, None),
        ("overall", "pooled"): _slopes(pooled_ols(d, outcome, predictor)),
    }
    if group is not None:
        levels = group_levels(d, group, reference)
        pieces[("group", "within")] = _within(d, cluster, outcome, predictor, group, levels)
        pieces[("group", "between")] = _between(d, cluster, outcome, predictor, group, reference)
        pieces[("group", "pooled")] = _slopes(pooled_ols(d, outcome, predictor, group, reference))
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
