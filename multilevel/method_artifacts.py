"""From the classical methods' fits to the pipeline's artifacts: plain JSON results, report
tables (:class:`multilevel.tables.Table`) and values for the published-values registry
(pages 35-75 of the document).

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

Registry keys (``data/published.csv``) produced by :func:`method_values`, '/'-separated; a
``<term>`` is a coefficient named as R names it (``(Intercept)``, ``<predictor>``,
``<group><level>``, ``<predictor>:<group><level>``)::

  pooled/resid/{Min,1Q,Median,3Q,Max}        residual quantiles of the pooled fit
  pooled/coef/<term>/{estimate,se,t,p}       its coefficient table
  pooled/{sigma,df_resid,r_squared,adj_r_squared}
  pooled/F, pooled/F/{num_df,den_df,p}       its overall F test
  fe2a/test/{num_df,den_df,F,p}              joint Wald test of the group gap (Int, Slope)
  fe2a/test/<row>/{estimate,se,df,t,p}       each row of that test (Int, Slope)
  fe2b/test/...                              the same for the predictor:group coefficients
  {fe2a,fe2b}/{sigma,df_resid}
  twostage/{intercept,slope}/<term>/{estimate,se,t,p}   the two responses of the
                                             multivariate regression on the group
  twostage/df_resid, twostage/manova/<statistic>/{value,F,num_df,den_df,p}
  between/coef/<term>/{estimate,se,t,p}, between/{sigma,df_resid,r_squared}
                                             the cluster-means regression without group
  between_by_group/coef/<term>/...           the same with ``* group``

Only the keys the registry lists are written into a rule's values file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from multilevel.classical import (
    BetaEstimate,
    between_cluster,
    cluster_coefficients,
    fixed_effects_common_slope,
    fixed_effects_separate,
    group_levels,
    pooled_ols,
    two_stage,
)
from multilevel.coefficients import R_COEF_LAYOUT, WALD_LAYOUT, format_coef_table
from multilevel.config import DatasetSpec
from multilevel.effects import EffectsResult, pooled_decomposition, three_effects
from multilevel.formatting import (
    MISSING,
    df_text,
    fixed,
    json_clean,
    p_coef_column,
    p_nlme,
    p_summary_lm,
    plain,
    signif,
)
from multilevel.selection import LINES, PANELS, keep_selected, largest_clusters, with_selection
from multilevel.tables import Table
from multilevel.workflow_names import METHOD_KEYS

__all__ = [
    "METHODS",
    "MethodFit",
    "StoredResult",
    "effects_artifact",
    "fit_method",
    "method_artifact",
    "method_tables",
    "method_values",
    "stored_result",
    "summary_tables",
]

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

    @property
    def reference(self):
        return self.levels[0] if self.levels else None


def fit_method(name: str, long: pd.DataFrame, spec: DatasetSpec) -> MethodFit:
    """Fit method ``name`` (one of :data:`METHODS`) with the dataset's roles."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; use one of {METHODS}")
    r = spec.roles
    group, ref = r.group, r.group_reference
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
            return MethodFit(name, spec, pooled_ols(long, r.outcome, r.predictor))
        if long.groupby(r.cluster)[r.predictor].mean().nunique() < 2:
            return MethodFit(name, spec, skipped=_no_between(spec))
        overall = between_cluster(long, r.cluster, r.outcome, r.predictor)
        return MethodFit(name, spec, overall, overall)
    if name == "between" and long.groupby(r.cluster)[r.predictor].mean().nunique() < 2:
        return MethodFit(name, spec, skipped=_no_between(spec))
    levels = group_levels(long, group, ref)
    roles = {"cluster": r.cluster, "outcome": r.outcome, "predictor": r.predictor, "group": group}
    if name == "pooled":
        result = pooled_ols(long, r.outcome, r.predictor, group, ref)
    elif name == "fe2a":
        result = fixed_effects_separate(long, **roles, reference=ref)
    elif name == "fe2b":
        result = fixed_effects_common_slope(long, **roles, reference=ref)
    elif name == "twostage":
        result = two_stage(long, **roles, reference=ref)
    else:
        overall = between_cluster(long, r.cluster, r.outcome, r.predictor)
        result = between_cluster(long, **roles, reference=ref)
        return MethodFit(name, spec, result, overall, [str(v) for v in levels])
    return MethodFit(name, spec, result, None, [str(v) for v in levels])


def _no_between(spec: DatasetSpec) -> str:
    r = spec.roles
    return (
        f"Every {r.cluster} has the same mean {r.predictor} (a balanced design, or "
        f"{r.predictor} centred within {r.cluster}s), so there is no between-{r.cluster} "
        f"variation to estimate a between-{r.cluster} slope from."
    )


# --------------------------------------------------------------------------- values


def _ols_values(prefix: str, res) -> dict:
    out = {f"{prefix}/sigma": res.sigma, f"{prefix}/df_resid": res.df_resid}
    for q, v in res.resid_quantiles.items():
        out[f"{prefix}/resid/{q}"] = v
    for term, row in res.table.iterrows():
        for stat in ("estimate", "se", "t", "p"):
            out[f"{prefix}/coef/{term}/{stat}"] = row[stat]
    if math.isfinite(res.r_squared):
        out[f"{prefix}/r_squared"] = res.r_squared
        out[f"{prefix}/adj_r_squared"] = res.adj_r_squared
    if math.isfinite(res.fvalue):
        out[f"{prefix}/F"] = res.fvalue
        out[f"{prefix}/F/num_df"] = res.f_df[0]
        out[f"{prefix}/F/den_df"] = res.f_df[1]
        out[f"{prefix}/F/p"] = res.f_pvalue
    return out


def _test_values(prefix: str, test) -> dict:
    out = {
        f"{prefix}/test/num_df": test.num_df,
        f"{prefix}/test/den_df": test.den_df,
        f"{prefix}/test/F": test.F,
        f"{prefix}/test/p": test.p_value,
    }
    for row, vals in test.table.iterrows():
        for stat in ("estimate", "se", "df", "t", "p"):
            out[f"{prefix}/test/{row}/{stat}"] = vals[stat]
    return out


def method_values(fit: MethodFit) -> dict:
    """Every registry-style value this fit gives (see the module docstring for the keys)."""
    if fit.result is None:
        return {}
    res, name = fit.result, fit.name
    out: dict = {}
    if name == "pooled":
        out = _ols_values("pooled", res)
    elif name in ("fe2a", "fe2b"):
        out = {f"{name}/sigma": res.sigma, f"{name}/df_resid": res.df_resid}
        if res.test is not None:
            out.update(_test_values(name, res.test))
    elif name == "twostage":
        out = {"twostage/df_resid": res.df_resid}
        for response, table in res.responses.items():
            for term, row in table.iterrows():
                for stat in ("estimate", "se", "t", "p"):
                    out[f"twostage/{response}/{term}/{stat}"] = row[stat]
        for statistic, row in res.manova.iterrows():
            for col in ("value", "F", "num_df", "den_df", "p"):
                out[f"twostage/manova/{statistic}/{col}"] = row[col]
    elif name == "between":
        out = _ols_values("between", fit.overall)
        if fit.spec.roles.group is not None:
            out.update(_ols_values("between_by_group", res))
    return {k: json_clean(v) for k, v in out.items()}


# --------------------------------------------------------------------------- tables


def _term_meaning(term: str, fit: MethodFit) -> str:
    r = fit.spec.roles
    ref = fit.reference
    where = f" in {ref}" if ref is not None else ""
    if term == "(Intercept)":
        return f"{r.outcome}{where} at {r.predictor} = 0"
    if term == r.predictor:
        return f"slope of {r.predictor}{where}"
    for lv in fit.levels[1:]:
        if term == f"{r.group}{lv}":
            return f"{lv} - {ref} at {r.predictor} = 0"
        if term == f"{r.predictor}:{r.group}{lv}":
            return f"{lv} - {ref} in slope"
    return ""


def _response_meaning(term: str, response: str, fit: MethodFit) -> str:
    """What a coefficient of the two-stage regression of the cluster lines is."""
    cl, ref = fit.spec.roles.cluster, fit.reference
    if term == "(Intercept)":
        return f"mean {cl} {response} in {ref}"
    for lv in fit.levels[1:]:
        if term == f"{fit.spec.roles.group}{lv}":
            return f"{lv} - {ref} in mean {cl} {response}"
    return ""


def _coef_frame(table: pd.DataFrame, meaning=None) -> pd.DataFrame:
    frame = format_coef_table(table, R_COEF_LAYOUT)
    if meaning is not None:
        frame["what it is"] = [meaning(str(t)) for t in table.index]
    return frame


def _test_frames(test) -> tuple[pd.DataFrame, pd.DataFrame]:
    joint = pd.DataFrame(
        {
            "numDF": [str(test.num_df)],
            "denDF": [df_text(test.den_df)],
            "F value": [fixed(test.F, 5)],
            "p value": [p_nlme(test.p_value, decimals=5, missing=MISSING)],
        },
        index=pd.Index(["joint test"], name=""),
    )
    rows = format_coef_table(test.table, WALD_LAYOUT, index_name="hypothesis")
    return joint, rows


def _untested_frames(fit: MethodFit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The test tables of a fixed-effects fit without residual DF: the gaps, no test."""
    res, ref = fit.result, fit.reference
    na = "not computable"
    joint = pd.DataFrame(
        {"numDF": [MISSING], "denDF": [df_text(res.df_resid)], "F value": [na], "p value": [na]},
        index=pd.Index(["joint test"], name=""),
    )
    if fit.name == "fe2a":
        gaps = {lv: res.difference(lv, ref) for lv in fit.levels[1:]}
        suffix = {lv: "" if len(gaps) == 1 else f" {lv}" for lv in gaps}
        names = [f"{part}{suffix[lv]}" for part in ("Int", "Slope") for lv in gaps]
        est = [g.intercept for g in gaps.values()] + [g.slope for g in gaps.values()]
    else:
        names = [f"{fit.spec.roles.predictor}:{fit.spec.roles.group}{lv}" for lv in fit.levels[1:]]
        est = [float(res.params[n]) for n in names]
    rows = pd.DataFrame(
        {"Estimate": [fixed(v, 6) for v in est]}
        | {c: [na] * len(est) for c in ("Std. Error", "t value", "p value")},
        index=pd.Index(names, name="hypothesis"),
    )
    return joint, rows


def method_tables(fit: MethodFit) -> list[Table]:
    """The report tables of one method (none when it was skipped)."""
    if fit.result is None:
        return []
    res, name, r = fit.result, fit.name, fit.spec.roles
    ref = fit.reference
    gap = f"{', '.join(map(str, fit.levels[1:]))} minus {ref}" if ref is not None else ""
    if name == "pooled":
        quant = res.resid_quantiles
        stats_rows = [(f"residual {q}", fixed(v, 4)) for q, v in quant.items()]
        stats_rows += [
            ("residual standard error", f"{res.sigma:.4g}"),
            ("residual DF", df_text(res.df_resid)),
            ("multiple R-squared", fixed(res.r_squared, 4)),
            ("adjusted R-squared", fixed(res.adj_r_squared, 4)),
            ("F statistic", signif(res.fvalue, 4)),
            ("F DF", f"{df_text(res.f_df[0])} and {df_text(res.f_df[1])}"),
            ("F p-value", p_summary_lm(res.f_pvalue, missing=MISSING)),
        ]
        fit_frame = pd.DataFrame(
            {"value": [v for _, v in stats_rows]},
            index=pd.Index([k for k, _ in stats_rows], name="statistic"),
        )
        return [
            Table(
                "pooled_coef",
                f"Method 1, pooled OLS of {r.outcome} on {r.predictor}"
                + (f" * {r.group}" if r.group else "")
                + ": coefficients",
                _coef_frame(res.table, lambda t: _term_meaning(t, fit)),
                "Every observation counts as independent; clusters are ignored",
                "46",
            ),
            Table(
                "pooled_fit",
                "Method 1, pooled OLS: residuals and fit",
                fit_frame,
                "Residual quantiles and the overall F test of the pooled fit",
                "46",
            ),
        ]
    if name in ("fe2a", "fe2b"):
        joint, rows = _test_frames(res.test) if res.test is not None else _untested_frames(fit)
        notes = [res.note] if res.note else []
        if name == "fe2a":
            return [
                Table(
                    "fe2a_joint",
                    f"Method 2a, fixed effects: joint Wald test of the {r.group} gap",
                    joint,
                    f"H0: the equally weighted average {r.cluster} line is the same in every "
                    f"level of {r.group}",
                    "41",
                    notes,
                ),
                Table(
                    "fe2a_test",
                    f"Method 2a, fixed effects: the {r.group} gap ({gap}) in the averages of "
                    f"the {r.cluster} lines",
                    rows,
                    f"Int: gap in intercept at {r.predictor} = 0; Slope: gap in slope. "
                    f"Standard errors from within-{r.cluster} variability only",
                    "41",
                    notes + ([res.test.note] if res.test is not None and res.test.note else []),
                ),
            ]
        tables = [
            Table(
                "fe2b_test",
                f"Method 2b, fixed effects with one slope per {r.group}: the gap in slope",
                rows,
                f"A {r.cluster} intercept each; the {r.group} slopes weight {r.cluster}s by "
                f"their information (size and spread of {r.predictor})",
                "42",
                notes,
            )
        ]
        if len(rows) > 1:
            tables.insert(
                0,
                Table(
                    "fe2b_joint",
                    f"Method 2b: joint Wald test of the {r.group} slopes",
                    joint,
                    "",
                    "42",
                    notes,
                ),
            )
        return tables
    if name == "twostage":
        parts = []
        for response in ("intercept", "slope"):
            frame = _coef_frame(
                res.responses[response], lambda t, resp=response: _response_meaning(t, resp, fit)
            )
            frame.index = pd.Index([f"{response}: {t}" for t in frame.index], name="term")
            parts.append(frame)
        coef = pd.concat(parts)
        m = res.manova
        manova = pd.DataFrame(
            {
                "value": m["value"].map(lambda v: fixed(v, 5)),
                "F": m["F"].map(lambda v: fixed(v, 4)),
                "num DF": m["num_df"].map(df_text),
                "den DF": m["den_df"].map(df_text),
                "p": m["p"].map(lambda v: p_coef_column(v, missing=MISSING)),
            },
            index=pd.Index(list(m.index), name="statistic"),
        )
        return [
            Table(
                "twostage_coef",
                f"Method 3, two-stage: regression of the {r.cluster} intercepts and slopes "
                f"on {r.group}",
                coef,
                f"One observation per {r.cluster}; standard errors from between-{r.cluster} "
                f"variability, on {df_text(res.df_resid)} DF",
                "43",
                [
                    "The document prints only the slope response (its p. 43); the intercept "
                    "response is ours."
                ],
            ),
            Table(
                "twostage_manova",
                f"Method 3, two-stage: MANOVA test of {r.group} on (intercept, slope)",
                manova,
                "The four multivariate statistics; with two groups they give the same exact F",
                "43, 57",
            ),
        ]
    # between
    tables = [
        Table(
            "between_coef",
            f"Method 4, between-{r.cluster} regression of mean {r.outcome} on mean {r.predictor}",
            _coef_frame(fit.overall.table),
            f"One observation per {r.cluster}: {fit.overall.nobs} {r.cluster}s",
            "44",
        )
    ]
    if r.group is not None:
        tables.append(
            Table(
                "between_group_coef",
                f"Method 4 by {r.group}: mean {r.outcome} on mean {r.predictor} * {r.group}",
                _coef_frame(res.table, lambda t: _term_meaning(t, fit)),
                f"The between-{r.cluster} lines drawn in beta space",
                "64, 66",
            )
        )
    return tables


# --------------------------------------------------------------------------- artifacts


def _gaps(fit: MethodFit) -> dict:
    """Each non-reference level minus the reference, in (intercept, slope)."""
    if fit.result is None or len(fit.levels) < 2:
        return {}
    return {
        str(lv): fit.result.difference(lv, fit.reference).to_dict() | {"se": _se(fit, lv)}
        for lv in fit.levels[1:]
    }


def _se(fit: MethodFit, lv) -> list[float]:
    return [float(v) for v in fit.result.difference(lv, fit.reference).se]


def method_artifact(fit: MethodFit) -> dict:
    """The method's results artifact: what it estimates, estimates, covariance, DF, the group
    gaps, per-cluster lines (methods 2a, 3) and its report tables; JSON-serialisable."""
    r = fit.spec.roles
    out = {
        "method": fit.name,
        "title": title(fit.name, fit.spec),
        "short": SHORT[fit.name],
        "doc_pages": DOC_PAGES[fit.name],
        "roles": {
            "cluster": r.cluster,
            "outcome": r.outcome,
            "predictor": r.predictor,
            "group": r.group,
        },
        "status": "skipped" if fit.result is None else "fitted",
        "skipped": fit.skipped,
    }
    if fit.result is None:
        return json_clean(out)
    res = fit.result
    out.update(
        description=res.description,
        levels=fit.levels,
        reference=fit.reference,
        estimates=res.to_dict(),
        gaps=_gaps(fit),
        tables=[t.to_dict() for t in method_tables(fit)],
    )
    if fit.overall is not None and fit.overall is not res:
        out["overall"] = fit.overall.to_dict()
    coefs = getattr(res, "cluster_coefs", None)
    if coefs is not None:
        out["clusters"] = _cluster_records(coefs)
        out["dropped_clusters"] = [plain(c) for c in getattr(res, "dropped_clusters", [])]
    return json_clean(out)


def _cluster_records(coefs: pd.DataFrame) -> list[dict]:
    """One plain dict per cluster line (column by column: a row loop over 100,000 clusters
    costs seconds)."""
    columns = {"cluster": [plain(c) for c in coefs.index.tolist()]}
    for name in coefs.columns:
        values = coefs[name].tolist()  # numeric columns give plain Python numbers
        numeric = pd.api.types.is_numeric_dtype(coefs[name])
        columns[str(name)] = values if numeric else [plain(v) for v in values]
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


@dataclass
class StoredResult:
    """A method result rebuilt from its artifact, with what the beta-space pictures need:
    ``group_estimates()`` and ``difference()`` (between a level and the reference)."""

    estimates: dict[str, BetaEstimate]
    gaps: dict[str, BetaEstimate]
    reference: str | None

    def group_estimates(self) -> dict[str, BetaEstimate]:
        return dict(self.estimates)

    def difference(self, minuend, subtrahend) -> BetaEstimate:
        minuend, subtrahend = str(minuend), str(subtrahend)
        if subtrahend == self.reference and minuend in self.gaps:
            g = self.gaps[minuend]
            return BetaEstimate(f"{minuend} - {subtrahend}", g.centre, g.cov, g.df)
        if minuend == self.reference and subtrahend in self.gaps:
            g = self.gaps[subtrahend]
            return BetaEstimate(f"{minuend} - {subtrahend}", -g.centre, g.cov, g.df)
        raise KeyError(
            f"the artifact holds differences from the reference {self.reference!r} only, "
            f"not {minuend!r} - {subtrahend!r}"
        )


def _beta(d: dict) -> BetaEstimate:
    return BetaEstimate(
        d["label"],
        np.array([d["intercept"], d["slope"]], dtype=float),
        np.asarray(d["cov"], dtype=float),
        d["df"],
    )


def stored_result(artifact: dict, which: str = "estimates") -> StoredResult:
    """Rebuild a :class:`StoredResult` from a method artifact; ``which="overall"`` gives the
    between-cluster fit without group."""
    if artifact["status"] != "fitted":
        raise ValueError(f"method {artifact['method']} was skipped: {artifact['skipped']}")
    part = artifact[which] if which in artifact else artifact["estimates"]
    estimates = {k: _beta(v) for k, v in part["group_estimates"].items()}
    gaps = {k: _beta(v) for k, v in artifact["gaps"].items()} if which == "estimates" else {}
    return StoredResult(estimates, gaps, artifact.get("reference"))


def cluster_frame(artifact: dict, group: str | None) -> pd.DataFrame:
    """The per-cluster lines of a method artifact as ``classical.cluster_coefficients`` gives
    them (indexed by cluster, with intercept, slope and the group column)."""
    frame = pd.DataFrame(artifact["clusters"]).set_index("cluster")
    frame.index.name = artifact["roles"]["cluster"]
    if group is not None and group in frame:
        frame[group] = frame[group].astype(str)
    return frame


# --------------------------------------------------------------------------- effects


SUMMARY = {
    # (what it estimates, whom its SE generalises to, consistent?, efficient?, honest?)
    "pooled": (
        "a blend of the within- and between-{cluster} slopes",
        "no one: every observation is taken as independent",
        "No: a mixture of the within and between effects",
        "Moot: for what?",
        "No: ignores clustering; far fewer independent pieces of information than it assumes",
    ),
    "fe2a": (
        "the within-{cluster} slope, each {cluster} weighted equally",
        "new observations from these same {cluster}s",
        "Yes, for the within effect",
        "Not fully: equal weight whatever a {cluster}'s size and spread",
        "Only for these {cluster}s: SEs too small for new {cluster}s",
    ),
    "fe2b": (
        "the within-{cluster} slope, {cluster}s weighted by information",
        "new observations from these same {cluster}s",
        "Yes, for the within effect",
        "Yes",
        "Only for these {cluster}s: SEs too small for new {cluster}s",
    ),
    "twostage": (
        "the within-{cluster} slope, each {cluster} weighted equally",
        "the population of {cluster}s",
        "Yes, for the within effect",
        "No, unless size and spread of {predictor} are similar in every {cluster}",
        "Yes: generalises to new {cluster}s",
    ),
    "between": (
        "the between-{cluster} (ecological) slope",
        "the population of {cluster}s",
        "For the between effect only, which is rarely the one wanted",
        "No: ignores differences in size and spread (easily fixed)",
        "Yes",
    ),
}


def summary_tables(artifacts: dict[str, dict], spec: DatasetSpec) -> list[Table]:
    """The summary of methods (pages 73-75), one row per method, with each method's estimate
    and SE of the group gap (first non-reference level minus the reference) in intercept and
    in slope; and every method's line in each group (the points of the beta-space figures)."""
    r = spec.roles
    words = {"cluster": r.cluster, "predictor": r.predictor}
    rows, lines = [], []
    for name in METHODS:
        art = artifacts.get(name)
        what, population, consistent, efficient, honest = (s.format(**words) for s in SUMMARY[name])
        gap = ("", "", "", "")
        if art and art["status"] == "fitted" and art.get("gaps"):
            g = next(iter(art["gaps"].values()))
            gap = (
                fixed(g["intercept"], 3),
                fixed(g["se"][0], 3),
                fixed(g["slope"], 3),
                fixed(g["se"][1], 3),
            )
        elif art and art["status"] != "fitted":
            gap = ("skipped", "", "", "")
        label = title(name, spec).split(": ", 1)[1]
        rows.append([label, what, *gap, population, consistent, efficient, honest])
        if art and art["status"] == "fitted" and r.group is not None:
            for lv, est in art["estimates"]["group_estimates"].items():
                se = np.sqrt(np.diag(np.asarray(est["cov"], dtype=float)))
                lines.append(
                    [
                        f"{SHORT[name]}: {lv}",
                        fixed(est["intercept"], 4),
                        fixed(se[0], 4),
                        fixed(est["slope"], 4),
                        fixed(se[1], 4),
                        df_text(est["df"]),
                    ]
                )
    columns = [
        "estimates",
        "intercept gap",
        "SE",
        "slope gap",
        "SE",
        "SE generalises to",
        "consistent?",
        "efficient?",
        "honest?",
    ]
    summary = pd.DataFrame(
        [row[1:] for row in rows],
        index=pd.Index([row[0] for row in rows], name="method"),
        columns=columns,
    )
    ref = next((a["reference"] for a in artifacts.values() if a.get("reference")), None)
    others = next((a["levels"][1:] for a in artifacts.values() if a.get("levels")), [])
    caption = (
        f"Gaps are {others[0]} minus {ref}, at {r.predictor} = 0 (intercept) and in slope"
        if others
        else "The dataset has no group role: there is no group gap to estimate"
    )
    tables = [
        Table(
            "methods_summary",
            "Summary of methods",
            summary,
            caption,
            "73-75",
        )
    ]
    if lines:
        frame = pd.DataFrame(
            [row[1:] for row in lines],
            index=pd.Index([row[0] for row in lines], name="method: group"),
            columns=["intercept", "SE", "slope", "SE", "DF"],
        )
        tables.insert(
            0,
            Table(
                "group_lines",
                f"Each method's line of {r.outcome} on {r.predictor} in each {r.group}",
                frame,
                "The centres of the ellipses in the beta-space figures",
                "49, 53-54, 58-60, 64",
            ),
        )
    return tables


def fit_effects(long: pd.DataFrame, spec: DatasetSpec) -> EffectsResult:
    r = spec.roles
    return three_effects(long, r.cluster, r.outcome, r.predictor, r.group, r.group_reference)


def effects_tables(effects: EffectsResult, spec: DatasetSpec) -> list[Table]:
    r = spec.roles
    t = effects.table
    rows = []
    for scope in effects.scopes:
        row = []
        for effect in ("within", "between", "pooled"):
            row += [
                fixed(t.loc[(scope, effect), "estimate"], 4),
                fixed(t.loc[(scope, effect), "se"], 4),
            ]
        rows.append(row)
    frame = pd.DataFrame(
        rows,
        index=pd.Index(effects.scopes, name="scope"),
        columns=["within", "SE", "between", "SE", "pooled", "SE"],
    )
    return [
        Table(
            "three_effects",
            f"The three effects of {r.predictor} on {r.outcome}",
            frame,
            f"Slopes per unit of {r.predictor}: within {r.cluster}s (fixed-effects slope), "
            f"between {r.cluster}s (regression of {r.cluster} means) and pooled (ignoring "
            f"{r.cluster}s)" + (f"; overall and in each level of {r.group}" if r.group else ""),
            "67-69",
        )
    ]


def effects_artifact(
    long: pd.DataFrame, spec: DatasetSpec, artifacts: dict[str, dict]
) -> tuple[dict, list[Table]]:
    """The three effects, the paradox checks, the decomposition of the pooled slope and the
    summary of methods: the effects part's artifact and its tables."""
    r = spec.roles
    effects = fit_effects(long, spec)
    tables = effects_tables(effects, spec) + summary_tables(artifacts, spec)
    paradoxes = effects.paradoxes()
    art = {
        "roles": {
            "cluster": r.cluster,
            "outcome": r.outcome,
            "predictor": r.predictor,
            "group": r.group,
        },
        **effects.to_dict(),
        "any_paradox": any(p.holds for p in paradoxes),
        "all_checked": all(p.checked for p in paradoxes),
        "decomposition": pooled_decomposition(long, r.cluster, r.outcome, r.predictor),
        "methods": {
            name: {
                "title": a["title"],
                "status": a["status"],
                "skipped": a["skipped"],
            }
            for name, a in artifacts.items()
        },
        "tables": [t.to_dict() for t in tables],
    }
    return json_clean(art), tables


def registry_values(values: dict, keys) -> dict:
    """The subset of ``values`` whose keys the registry lists."""
    wanted = set(keys)
    return {k: v for k, v in values.items() if k in wanted and v is not None}


def cluster_coefficients_for(long: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Each cluster's OLS line (for pictures of a dataset without group, where no method
    artifact holds them)."""
    r = spec.roles
    coefs, _ = cluster_coefficients(long, r.cluster, r.outcome, r.predictor, r.group)
    return coefs


# --------------------------------------------------------------------------- figures


@dataclass
class FigureArtifact:
    """A figure to save as ``<key>.svg`` with the metadata the report shows."""

    key: str
    title: str
    caption: str
    doc_ref: str
    figure: object

    def meta(self, path) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "caption": self.caption,
            "doc_ref": self.doc_ref,
            "file": str(path),
        }


def cluster_order(long: pd.DataFrame, spec: DatasetSpec) -> tuple[list, dict | None]:
    """Cluster ids in the order of the informative label's categories (Figure 2), and each
    cluster's label; sorted ids and no labels when the dataset has no informative label."""
    cl, label = spec.roles.cluster, spec.id_label
    if not label or label not in long:
        return sorted(long[cl].unique().tolist()), None
    first = long.groupby(cl, sort=True)[label].first()
    col = long[label]
    if isinstance(col.dtype, pd.CategoricalDtype):
        rank = first.cat.codes.to_numpy() if isinstance(first.dtype, pd.CategoricalDtype) else None
        if rank is None:
            position = {c: i for i, c in enumerate(col.cat.categories)}
            rank = first.map(position).to_numpy()
    else:
        first = first.astype(str)
        rank = first.rank(method="dense").to_numpy()
    ordered = first.iloc[np.argsort(rank, kind="stable")]
    ids = [plain(c) for c in ordered.index]
    return ids, dict(zip(ids, ordered.astype(str), strict=True))


def _panel_selection(long: pd.DataFrame, spec: DatasetSpec, order: list, limit: int):
    """`order` restricted to the `limit` largest clusters, and a function that adds the
    caption's note on the selection (the caption unchanged when every cluster is shown)."""
    cl = spec.roles.cluster
    shown = keep_selected(order, largest_clusters(long[cl], limit))

    def note(caption: str, what: str = "Shown:") -> str:
        return with_selection(caption, len(shown), len(order), cl, what)

    return shown, note


def data_space_figures(long: pd.DataFrame, spec: DatasetSpec) -> list[FigureArtifact]:
    """Pictures of the data alone: pooled scatter (p. 36), panels by group (pp. 37-39) and
    one panel per cluster (Figures 2 and 3, pp. 14-15)."""
    from multilevel.plots import cluster_panels, group_panels, pooled_scatter

    r = spec.roles
    sub = r.labels[0] if r.labels else None
    out = [
        FigureArtifact(
            "pooled_scatter",
            f"{r.outcome} against {r.predictor}, every observation pooled",
            f"The least-squares line ignores the {r.cluster}s"
            + (f" and the {r.group}" if r.group else ""),
            "p. 36",
            pooled_scatter(long, r.outcome, r.predictor, title=""),
        )
    ]
    if r.group:
        out.append(
            FigureArtifact(
                "group_panels",
                f"{r.outcome} against {r.predictor} in each {r.group}",
                f"One panel per level of {r.group}, each with its least-squares line",
                "p. 38",
                group_panels(long, r.outcome, r.predictor, r.group),
            )
        )
        if sub:
            out.append(
                FigureArtifact(
                    "group_panels_subgroup",
                    f"... and by {sub} within each {r.group}",
                    f"Points and least-squares lines coloured by {sub}",
                    "pp. 37, 39",
                    group_panels(long, r.outcome, r.predictor, r.group, subgroup=sub),
                )
            )
    order, labels = cluster_order(long, spec)
    by = f" in the order of their label {spec.id_label}" if labels else ""
    shown, note = _panel_selection(long, spec, order, PANELS)
    out.append(
        FigureArtifact(
            "cluster_panels",
            f"One panel per {r.cluster}, with its least-squares line",
            note(f"{len(order)} {r.cluster}s{by}"),
            "Figure 2, p. 14",
            cluster_panels(long, r.cluster, r.outcome, r.predictor, order=shown, labels=labels),
        )
    )
    if sub:
        lines_by = f"least-squares lines coloured by {sub}"
        out.append(
            FigureArtifact(
                "cluster_panels_subgroup",
                f"One panel per {r.cluster}, by {sub}",
                note(f"As the previous figure, with points and {lines_by}"),
                "Figure 3, p. 15",
                cluster_panels(
                    long,
                    r.cluster,
                    r.outcome,
                    r.predictor,
                    order=shown,
                    labels=labels,
                    subgroup=sub,
                ),
            )
        )
    return out


def effects_figures(long: pd.DataFrame, spec: DatasetSpec) -> list[FigureArtifact]:
    """The picture of the three effects (pages 67-69; the document's pictures are missing
    from its PDF, this one is ours)."""
    from multilevel.plots import three_effects_picture

    r = spec.roles
    order = sorted(long[r.cluster].unique().tolist())
    shown, note = _panel_selection(long, spec, order, LINES)
    return [
        FigureArtifact(
            "three_effects",
            f"Within, between and pooled effects of {r.predictor}",
            note(
                f"Short black segments: the common within-{r.cluster} slope through each "
                f"{r.cluster} mean (open circles), over the {r.cluster}'s range of "
                f"{r.predictor}. Blue: the between-{r.cluster} line through the means. "
                "Dashed: the pooled line",
                "Segments only for",
            ),
            "pp. 67-69",
            three_effects_picture(
                long,
                r.cluster,
                r.outcome,
                r.predictor,
                title="",
                shown=shown if len(shown) < len(order) else None,
            ),
        )
    ]


def beta_space_figures(
    long: pd.DataFrame, spec: DatasetSpec, artifacts: dict[str, dict]
) -> list[FigureArtifact]:
    """The methods' fitted lines in data space (pp. 47-48, 51) and in beta space (Figures 4-7
    and pp. 49-66), from the method artifacts."""
    from multilevel.plots import (
        cluster_lines_by_group,
        cluster_panels,
        difference_ellipses,
        fitted_lines_by_group,
        group_ellipses,
    )

    r = spec.roles
    x = r.predictor
    fitted = {k: a for k, a in artifacts.items() if a["status"] == "fitted"}
    res = {k: stored_result(a) for k, a in fitted.items()}
    label = {k: SHORT[k] for k in METHODS}
    joint = "Joint 95% confidence ellipses of (intercept, slope)"
    if r.group is None:
        points = cluster_coefficients_for(long, spec)
        overall = {label[k]: res[k] for k in ("pooled", "between") if k in res}
        return [
            FigureArtifact(
                "beta_lines",
                f"Pooled and between-{r.cluster} lines in beta space",
                f"{joint}; open circles: each {r.cluster}'s own line",
                "Figure 5, p. 53; p. 64",
                group_ellipses(overall, predictor=x, points=points, title=""),
            )
        ]
    ref, other = fitted["pooled"]["reference"], fitted["pooled"]["levels"][1]
    clusters = cluster_frame(fitted["fe2a"], r.group)
    sign = (
        f"Differences are {other} minus {ref}; the document's difference figures show "
        f"{ref} minus {other}, the mirror image through the origin"
    )

    def pick(*names):
        return {label[n]: res[n] for n in names}

    order, labels = cluster_order(long, spec)
    shown, panel_note = _panel_selection(long, spec, order, PANELS)
    line_ids, line_note = _panel_selection(long, spec, order, LINES)
    pooled_lines = {str(lv): est.centre for lv, est in res["pooled"].group_estimates().items()}
    group_of = long.groupby(r.cluster, observed=True)[r.group].first().astype(str)
    pooled_line_of_cluster = {c: pooled_lines[group_of[c]] for c in shown}

    pooled_fe = pick("pooled", "fe2a")
    styles = {label["fe2a"]: "--", label["twostage"]: "-"}
    ts_kinds = {label["twostage"]: ["joint", "shadow"]}
    figures = [
        FigureArtifact(
            "pooled_lines",
            f"Method 1: the pooled fitted line in each {r.group}",
            f"Drawn over each {r.group}'s range of {x}",
            "pp. 47-48",
            fitted_lines_by_group(
                res["pooled"].group_estimates(), long, x, r.group, ylabel=f"fitted {r.outcome}"
            ),
        ),
        FigureArtifact(
            "cluster_lines",
            f"Method 2: each {r.cluster}'s least-squares line, by {r.group}",
            line_note(f"Each line over its {r.cluster}'s range of {x}", "Lines only for"),
            "p. 51",
            cluster_lines_by_group(
                clusters,
                long,
                r.cluster,
                x,
                r.group,
                ylabel=f"fitted {r.outcome}",
                shown=line_ids if len(line_ids) < len(order) else None,
            ),
        ),
        FigureArtifact(
            "cluster_panels_pooled",
            f"Methods 1 and 2 in each {r.cluster}: the pooled line and the {r.cluster}'s own line",
            panel_note(
                f"One panel per {r.cluster}: its data, its least-squares line (dark) and the "
                f"pooled fitted line of its {r.group} (orange)"
            ),
            "p. 52",
            cluster_panels(
                long,
                r.cluster,
                r.outcome,
                x,
                order=shown,
                labels=labels,
                ncols=7,
                reference=pooled_line_of_cluster,
                names=(f"{r.cluster}'s own line", f"pooled line of its {r.group}"),
            ),
        ),
        FigureArtifact(
            "beta_pooled",
            f"Pooled lines of each {r.group} in beta space",
            f"{joint}: a fitted line is a point (slope across, intercept up)",
            "Figure 4, p. 49",
            group_ellipses(pick("pooled"), predictor=x, title=""),
        ),
        FigureArtifact(
            "diff_pooled",
            f"The {r.group} gap in beta space, pooled OLS",
            f"{joint} of the gap. {sign}",
            "p. 50",
            difference_ellipses(pick("pooled"), other, ref, predictor=x, title=""),
        ),
        FigureArtifact(
            "beta_pooled_clusters",
            f"Pooled estimates with each {r.cluster}'s own line",
            f"{joint}; markers: each {r.cluster}'s least-squares line",
            "Figure 5, p. 53",
            group_ellipses(pick("pooled"), predictor=x, points=clusters, group=r.group, title=""),
        ),
        FigureArtifact(
            "beta_fe",
            f"Adding the {r.group} averages of the {r.cluster} lines (fixed effects)",
            f"{joint}; the fixed-effects ellipses use only within-{r.cluster} variability",
            "Figure 6, p. 54",
            group_ellipses(pooled_fe, predictor=x, points=clusters, group=r.group, title=""),
        ),
        FigureArtifact(
            "diff_fe",
            f"The {r.group} gap: pooled and fixed effects",
            f"{joint} of the gap. {sign}",
            "Figure 7, p. 55",
            difference_ellipses(pooled_fe, other, ref, predictor=x, title=""),
        ),
        FigureArtifact(
            "beta_fe_twostage",
            "Fixed effects (dashed) and two-stage (solid) ellipses",
            f"{joint}. Same centres; the two-stage ellipses are larger because their standard "
            f"errors include the variability between {r.cluster}s",
            "pp. 58-60",
            group_ellipses(
                pick("fe2a", "twostage"),
                predictor=x,
                points=clusters,
                group=r.group,
                linestyles=styles,
                title="",
            ),
        ),
        FigureArtifact(
            "diff_twostage",
            f"The {r.group} gap: pooled, fixed effects and two-stage",
            f"{joint} of the gap; for two-stage also the smaller ellipse whose shadows on the "
            f"axes are the 95% intervals of each gap. {sign}",
            "pp. 61-63",
            difference_ellipses(
                pick("pooled", "fe2a", "twostage"),
                other,
                ref,
                predictor=x,
                kinds=ts_kinds,
                title="",
            ),
        ),
    ]
    # The between-cluster model is missing in a balanced design (every cluster has the same
    # mean of the predictor): then there is nothing to add to the picture.
    if "between" in res:
        figures += [
            FigureArtifact(
                "beta_between",
                f"Adding the between-{r.cluster} model",
                f"{joint}. The pooled estimates lie between the within-{r.cluster} and the "
                f"between-{r.cluster} estimates",
                "p. 64",
                group_ellipses(
                    pick("pooled", "fe2a", "twostage", "between"),
                    predictor=x,
                    points=clusters,
                    group=r.group,
                    linestyles={**styles, label["pooled"]: ":", label["between"]: "-."},
                    title="",
                ),
            ),
            FigureArtifact(
                "diff_between",
                f"The {r.group} gap: every method",
                f"{joint} of the gap; two-stage also with its 95%-shadow ellipse. The pooled gap "
                f"lies between the within and between estimates. {sign}",
                "p. 66",
                difference_ellipses(
                    pick("pooled", "fe2a", "twostage", "between"),
                    other,
                    ref,
                    predictor=x,
                    kinds=ts_kinds,
                    title="",
                ),
            ),
        ]
    return figures
