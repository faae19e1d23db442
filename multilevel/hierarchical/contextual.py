"""Within, between (compositional) and contextual effects of a level-1 predictor in mixed
models with a cluster-mean term (document pages 120 and 147-148; Lab 1's "Hausman test").

In ``Y ~ cvar(X) + dvar(X)`` (random ``~ 1 + dvar(X)``) the coefficient of dvar(X) is the
*within-cluster* effect (a unit change of X relative to the cluster's mean) and that of cvar(X)
the *between-cluster* or *compositional* effect (a unit change of the cluster mean, the
students moving with it). Their difference, between minus within, is the *contextual* effect:
the change in Y for a unit change of the cluster mean with the student's own X held fixed. It
is the coefficient of cvar(X) in the equivalent model ``Y ~ cvar(X) + X``.

A model with X alone and a random intercept assumes the contextual effect is zero: its single
slope is then a precision-weighted blend of the within and between slopes, biased for the
within effect when they differ. The Wald test of the contextual effect is the regression form
(Mundlak 1978) of Hausman's (1978) test of that assumption: a significant contextual effect says
the plain random-effects slope is biased.

Everything here works on the stored fit records (``params``, ``cov_params``, ``df``,
``fixed_names``) of :mod:`multilevel.hierarchical.ladder`, with linear combinations of the
coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.coefficients import coef_table
from multilevel.distributions import t_ppf
from multilevel.formatting import p_report
from multilevel.levels import level_name

__all__ = ["combination", "contextual_effects", "verdict"]

COLUMNS = ["scope", "effect", "estimate", "se", "df", "t", "p", "lower", "upper"]


def combination(rec: dict, weights: dict[str, float], level: float = 0.95) -> dict:
    """Estimate, SE, DF (smallest among the coefficients involved, as nlme's), t, p and
    interval of ``sum(weights[name] * beta[name])`` from a stored fit record."""
    names = rec["fixed_names"]
    L = np.array([weights.get(n, 0.0) for n in names])
    unknown = set(weights) - set(names)
    if unknown:
        raise KeyError(f"not coefficients of the model: {sorted(unknown)}")
    beta = np.array([rec["params"][n] for n in names])
    V = np.asarray(rec["cov_params"], dtype=float)
    est = float(L @ beta)
    se = float(np.sqrt(L @ V @ L))
    df = float(min(rec["df"][n] for n in names if weights.get(n, 0.0) != 0.0))
    row = coef_table([est], [se], df).iloc[0]
    q = t_ppf(0.5 + level / 2, df)
    return {
        "estimate": est,
        "se": se,
        "df": df,
        "t": float(row["t"]),
        "p": float(row["p"]),
        "lower": est - q * se,
        "upper": est + q * se,
    }


def _effects(rec: dict, cvar: str, dvar: str, suffix: str = "", base=None) -> dict:
    """within, between, contextual for one scope; ``suffix`` names a group indicator whose
    interaction coefficients are added (the group's own slopes)."""
    within = {dvar: 1.0}
    between = {cvar: 1.0}
    if suffix:
        within[f"{dvar}:{suffix}"] = 1.0
        between[f"{cvar}:{suffix}"] = 1.0
    contextual = dict(between)
    for k, v in within.items():
        contextual[k] = contextual.get(k, 0.0) - v
    return {
        "within": combination(rec, within),
        "between": combination(rec, between),
        "contextual": combination(rec, contextual),
    }


def contextual_effects(
    cwg: dict | None,
    full: dict | None,
    predictor_term: str,
    group: str | None = None,
    levels: list[str] | None = None,
    plain: dict | None = None,
) -> pd.DataFrame:
    """One row per (scope, effect): scope "overall" from the ``Y ~ cvar(X) + dvar(X)`` fit
    ``cwg`` and one scope per group level from the ``(cvar(X) + dvar(X)) * W`` fit ``full``;
    ``plain`` (the one-way ANCOVA fit, X with a random intercept) adds its single slope as the
    effect "random-effects slope (assumes no contextual effect)". ``predictor_term`` is X as
    the formula writes it (``ses``)."""
    cvar, dvar = f"cvar({predictor_term})", f"dvar({predictor_term})"
    rows = []
    if cwg is not None:
        for name, r in _effects(cwg, cvar, dvar).items():
            rows.append({"scope": "overall", "effect": name, **r})
    if plain is not None:
        r = combination(plain, {predictor_term: 1.0})
        rows.append({"scope": "overall", "effect": "random-effects slope", **r})
    if full is not None and group and levels:
        for i, lv in enumerate(levels):
            suffix = "" if i == 0 else f"{group}{lv}"
            for name, r in _effects(full, cvar, dvar, suffix).items():
                rows.append({"scope": level_name(group, lv), "effect": name, **r})
    return pd.DataFrame(rows, columns=COLUMNS)


def verdict(effects: pd.DataFrame, predictor: str, alpha: float = 0.05) -> str:
    """A sentence on the overall contextual effect and what it says about the plain
    random-effects slope."""
    row = effects[(effects["scope"] == "overall") & (effects["effect"] == "contextual")]
    if row.empty:
        return ""
    r = row.iloc[0]
    shown = p_report(r["p"])
    p = "p < 0.0001" if shown.startswith("<") else f"p = {shown}"
    head = (
        f"The contextual effect of {predictor} is {r['estimate']:.3f} (SE {r['se']:.3f}, "
        f"t = {r['t']:.2f} on {r['df']:.0f} DF, {p})"
    )
    if r["p"] < alpha:
        return (
            f"{head}: the between-cluster effect differs from the within-cluster effect, so "
            "a model with the predictor alone and a random intercept, which assumes they are "
            "equal, gives a biased estimate of the within-cluster effect (the Hausman-type "
            "check fails)."
        )
    return (
        f"{head}: the data do not show a difference between the between-cluster and the "
        "within-cluster effects, so the plain random-effects slope is not shown to be biased "
        "(the Hausman-type check passes; absence of evidence, not proof of equality)."
    )
