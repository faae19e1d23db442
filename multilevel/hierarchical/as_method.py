"""The hierarchical models as rows of the comparison of methods (the document's summary of
methods, p. 76, has the hierarchical model and the hierarchical model with contextual effects):
a ladder model's REML fit read as a method artifact, with each group's line, each level's gap
from the reference and the omnibus tests of the group, in the shape the summary tables and the
beta-space figures read (:mod:`multilevel.classical.artifacts.stored`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from multilevel.classical.results import GAP_ROWS, BetaEstimate, gap_test_record
from multilevel.config import DatasetSpec, Roles
from multilevel.formatting import json_clean
from multilevel.hierarchical.likelihood_ratio import USABLE

#: summary key -> (ladder model, the coefficient that is the slope, title, short name); the
#: ladder models are workflow_names.SUMMARY_MODEL_KEYS
MODELS = {
    "mixed": (
        "intercepts_slopes_outcomes",
        "{x}",
        "Hierarchical: the mixed model, random intercepts and slopes",
        "hierarchical",
    ),
    "mixed_contextual": (
        "contextual_full",
        "dvar({x})",
        "Hierarchical: the mixed model with contextual effects",
        "hierarchical + contextual",
    ),
}

#: (what it estimates, whom its SE generalises to, consistent?, efficient?, honest?)
QUALITIES = {
    "mixed": (
        "a precision-weighted blend of the within- and between-{cluster} slopes: the within "
        "slope only when there is no contextual effect",
        "the population of {cluster}s",
        "Only without a contextual effect",
        "Yes: each {cluster} weighted by its information",
        "Yes: generalises to new {cluster}s",
    ),
    "mixed_contextual": (
        "the within-{cluster} slope, the contextual effect beside it",
        "the population of {cluster}s",
        "Yes, for the within effect",
        "Yes",
        "Yes: generalises to new {cluster}s",
    ),
}


def model_as_method(key: str, model: dict, levels: list, roles: Roles) -> dict:
    """The ladder artifact ``model`` (of ``MODELS[key][0]``) as a method artifact; ``levels``:
    the group's levels, reference first."""
    r = roles
    _, slope, title, short = MODELS[key]
    words = {"cluster": r.cluster, "predictor": r.predictor}
    out = {
        "method": key,
        "title": title,
        "short": short,
        "qualities": [q.format(**words) for q in QUALITIES[key]],
        "status": "skipped",
        "skipped": "",
    }
    fit = model.get("fits", {}).get("REML")
    if model.get("status") not in USABLE or not fit or fit.get("status") not in USABLE:
        reason = model.get("reason") or (fit or {}).get("error") or model.get("status")
        return out | {"skipped": f"The model was not fitted: {reason}"}
    names = fit["fixed_names"]
    beta = np.array([fit["params"][n] for n in names], dtype=float)
    cov = np.array(fit["cov_params"], dtype=float)
    x = slope.format(x=r.predictor)

    def line(lv) -> tuple[np.ndarray, float]:
        L = np.zeros((2, len(names)))
        L[0, names.index("(Intercept)")] = 1.0
        L[1, names.index(x)] = 1.0
        if lv != levels[0]:
            L[0, names.index(f"{r.group}{lv}")] = 1.0
            L[1, names.index(f"{x}:{r.group}{lv}")] = 1.0
        used = [names[j] for j in np.flatnonzero(L.any(axis=0))]
        return L, min(fit["df"][n] for n in used)

    def estimate(label, L, df) -> BetaEstimate:
        return BetaEstimate(label, L @ beta, L @ cov @ L.T, df)

    group_estimates, gaps, blocks = {}, {}, []
    L_ref, df_ref = line(levels[0])
    for lv in levels:
        L, df = line(lv)
        group_estimates[str(lv)] = estimate(str(lv), L, df).to_dict()
        if lv != levels[0]:
            D = L - L_ref
            gap = estimate(f"{lv} - {levels[0]}", D, min(df, df_ref))
            gaps[str(lv)] = gap.to_dict() | {"se": [float(v) for v in gap.se]}
            blocks.append(D)
    out |= {
        "status": "fitted",
        "levels": [str(v) for v in levels],
        "reference": str(levels[0]),
        "estimates": {"group_estimates": group_estimates},
        "gaps": gaps,
        "gap_tests": _gap_tests(blocks, beta, cov, [fit["df"][n] for n in names]),
    }
    return json_clean(out)


def _gap_tests(blocks: list, beta: np.ndarray, cov: np.ndarray, df: list) -> dict:
    """Wald F tests of every gap being zero, on the smallest DF of the terms they involve
    (nlme's rule, as its anova gives it: the group's own terms are level-2, on the clusters'
    DF; its interactions with a level-1 predictor on the units' DF)."""
    tests = {}
    for part, rows in GAP_ROWS.items():
        L = np.vstack([D[rows] for D in blocks])
        den = min(d for d, used in zip(df, L.any(axis=0), strict=True) if used)
        tests[part] = gap_test_record(part, L @ beta, L @ cov @ L.T, den)
    return tests


def hierarchical_rows(model_paths, methods: dict, spec: DatasetSpec) -> dict:
    """``{summary key: method artifact}`` for the hierarchical models, from the ladder
    artifacts at ``model_paths`` (``results/<dataset>/mixed/<ladder key>.json``) and the
    classical method artifacts ``methods`` (for the group's levels); empty without a group,
    as there is then no gap to compare."""
    models = {Path(p).stem: json.loads(Path(p).read_text()) for p in model_paths}
    levels = next((a["levels"] for a in methods.values() if a.get("levels")), [])
    if not spec.roles.group or not levels:
        return {}
    return {
        key: model_as_method(key, models[ladder], levels, spec.roles)
        for key, (ladder, *_) in MODELS.items()
        if ladder in models
    }
