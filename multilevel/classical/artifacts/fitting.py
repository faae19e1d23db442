"""Choosing and fitting one classical method for a dataset: the method keys, their titles in
the dataset's words and pages of the document, the fit (or why it is skipped), and the three
effects (pages 40-46 and 67-69 of the document).

One fit per method, named by a short key used in rule, file and registry names:

=============  ===============================================  ===========================
key            method (multilevel.classical)                    needs a group?
=============  ===============================================  ===========================
``pooled``     Method 1, ``pooled_ols`` (``outcome ~ predictor * group``)   no
``fe2a``       Method 2a, ``fixed_effects_separate``            yes
``fe2b``       Method 2b, ``fixed_effects_common_slope``        yes
``twostage``   Method 3, ``two_stage`` (cluster lines, MANOVA)  yes
``between``    Method 4, ``between_cluster`` (cluster means)    no
=============  ===============================================  ===========================

A dataset without a group role (``roles.group`` null) has no group comparison: the methods
that need one are *skipped*, and their artifact says so; pooled and between-cluster are then
fitted without group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

# each method's module is imported when the method is fitted (multilevel.classical's names
# are lazy): a job fitting pooled OLS does not load the within transformation's scipy.sparse
from multilevel import classical
from multilevel.classical.clusters import cluster_mean_varies, group_levels
from multilevel.config import DatasetSpec
from multilevel.data.covariates import describe_covariates
from multilevel.workflow_names import METHOD_KEYS

if TYPE_CHECKING:
    from multilevel.classical.effects import EffectsResult

METHODS = METHOD_KEYS
NEEDS_GROUP = frozenset({"fe2a", "fe2b", "twostage"})

TITLES = {
    "pooled": "Method 1: pooled OLS",
    "fe2a": "Method 2a: fixed effects, one line per {cluster}",
    "fe2b": "Method 2b: fixed effects, one slope per {group}",
    "twostage": "Method 3: two-stage (derived variables, MANOVA)",
    "between": "Method 4: between-{cluster} (ecological) regression",
}


def title(name: str, spec: DatasetSpec) -> str:
    """The method's title in the dataset's words."""
    r = spec.roles
    return TITLES[name].format(cluster=r.cluster, group=r.group or "group")


SHORT = {
    "pooled": "pooled",
    "fe2a": "fixed effects (2a)",
    "fe2b": "fixed effects (2b)",
    "twostage": "two-stage",
    "between": "between",
}
DOC_PAGES = {
    "pooled": "40, 46-50",
    "fe2a": "40-41, 51-56",
    "fe2b": "42",
    "twostage": "43, 57-63",
    "between": "44, 64-66",
}


# --------------------------------------------------------------------------- fitting


@dataclass
class MethodFit:
    """One method fitted to one dataset. ``result`` is the fit by group when the dataset has
    one; ``overall`` (between-cluster only) is the fit without group that page 44 prints;
    ``skipped`` says why there is no fit."""

    name: str
    spec: DatasetSpec
    result: object | None = None
    overall: object | None = None
    levels: list = field(default_factory=list)
    skipped: str = ""
    aliasing: str = ""  # method 2b: why the group has no main effect beside the clusters

    @property
    def reference(self):
        return self.levels[0] if self.levels else None


def fit_method(name: str, long: pd.DataFrame, spec: DatasetSpec) -> MethodFit:
    """Fit method ``name`` (one of :data:`METHODS`) with the dataset's roles."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; use one of {METHODS}")
    r = spec.roles
    group, ref = r.group, r.group_reference
    held = {"covariates": describe_covariates(long, r.cluster, r.covariates)}
    if group is None:
        if name in NEEDS_GROUP:
            return MethodFit(
                name,
                spec,
                skipped=(
                    f"The dataset has no group role, so there are no groups for "
                    f"{title(name, spec).split(': ')[1]} to compare."
                ),
            )
        if name == "pooled":
            return MethodFit(name, spec, classical.pooled_ols(long, r.outcome, r.predictor, **held))
        if not cluster_mean_varies(long, r.cluster, r.predictor):
            return MethodFit(name, spec, skipped=_no_between(spec))
        overall = classical.between_cluster(long, r.cluster, r.outcome, r.predictor, **held)
        return MethodFit(name, spec, overall, overall)
    if name == "between" and not cluster_mean_varies(long, r.cluster, r.predictor):
        return MethodFit(name, spec, skipped=_no_between(spec))
    levels = group_levels(long, group, ref)
    roles = {"cluster": r.cluster, "outcome": r.outcome, "predictor": r.predictor, "group": group}
    if name == "pooled":
        result = classical.pooled_ols(long, r.outcome, r.predictor, group, ref, **held)
    elif name == "fe2a":
        result = classical.fixed_effects_separate(long, **roles, reference=ref, **held)
    elif name == "fe2b":
        result = classical.fixed_effects_common_slope(long, **roles, reference=ref, **held)
        fit = MethodFit(name, spec, result, None, [str(v) for v in levels])
        fit.aliasing = group_aliasing(long, r.cluster, group, r.predictor)
        return fit
    elif name == "twostage":
        result = classical.two_stage(long, **roles, reference=ref, **held)
    else:
        overall = classical.between_cluster(long, r.cluster, r.outcome, r.predictor, **held)
        result = classical.between_cluster(long, **roles, reference=ref, **held)
        return MethodFit(name, spec, result, overall, [str(v) for v in levels])
    return MethodFit(name, spec, result, None, [str(v) for v in levels])


def group_aliasing(long: pd.DataFrame, cluster: str, group: str, predictor: str) -> str:
    """The answer to page 42's question, "why not just regress on the predictor, the cluster
    and the group?", for these data: when every cluster lies in one level of the group, the
    group's indicators are sums of cluster indicators (aliased with the cluster effects)."""
    levels_in = long.groupby(cluster, observed=True)[group].nunique()
    mixed = int((levels_in > 1).sum())
    if mixed:
        return (
            f"Here {mixed} {cluster}s contain more than one level of {group}, so {group} "
            f"varies within {cluster}s and a model with {cluster} and {group} effects can "
            f"estimate a {group} difference from the rows of those {cluster}s."
        )
    counts = long.groupby(group, observed=True)[cluster].nunique()
    counts = counts[counts > 0]
    listed = ", ".join(f"{n} {lv}" for lv, n in counts.items())
    return (
        f"Because every {cluster} lies in one level of {group} ({listed} {cluster}s), the "
        f"indicator of a level of {group} is the sum of the indicators of its {cluster}s: "
        f"{group} is aliased with the {cluster} effects. A model with both cannot tell a "
        f"difference between levels of {group} from differences among {cluster}s (R's lm "
        f"reports NA for {group}), so fixed effects can compare the levels of {group} only "
        f"through what varies within {cluster}s, the slope of {predictor} (this method), or "
        f"through averages of the {cluster}s' own lines (Method 2a)."
    )


def _no_between(spec: DatasetSpec) -> str:
    r = spec.roles
    return (
        f"Every {r.cluster} has the same mean {r.predictor} (a balanced design, or "
        f"{r.predictor} centred within {r.cluster}s), so there is no between-{r.cluster} "
        f"variation to estimate a between-{r.cluster} slope from."
    )


def fit_effects(long: pd.DataFrame, spec: DatasetSpec) -> EffectsResult:
    r = spec.roles
    held = describe_covariates(long, r.cluster, r.covariates)
    from multilevel.classical.effects import three_effects

    return three_effects(
        long, r.cluster, r.outcome, r.predictor, r.group, r.group_reference, covariates=held
    )
