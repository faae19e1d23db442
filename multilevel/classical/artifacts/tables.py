"""The classical methods' report tables (:class:`multilevel.report.tables.Table`): each method's
coefficient and test tables, the three effects and the summary of methods (pages 40-75 of the
document)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical.artifacts.fitting import METHODS, SHORT, MethodFit, title
from multilevel.classical.effects import EffectsResult
from multilevel.coefficients import R_COEF_LAYOUT, WALD_LAYOUT, format_coef_table
from multilevel.config import DatasetSpec
from multilevel.formatting import (
    MISSING,
    df_text,
    fixed,
    p_coef_column,
    p_nlme,
    p_summary_lm,
    signif,
)
from multilevel.report.tables import Table


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
    return _covariate_meaning(term, fit)


def _covariate_meaning(term: str, fit: MethodFit) -> str:
    """A covariate's coefficient (a numeric covariate's name, or a categorical one's name
    followed by a level)."""
    if any(term.startswith(c) for c in fit.spec.roles.covariates):
        return "covariate, held constant"
    return ""


def _response_meaning(term: str, response: str, fit: MethodFit) -> str:
    """What a coefficient of the two-stage regression of the cluster lines is."""
    cl, ref = fit.spec.roles.cluster, fit.reference
    if term == "(Intercept)":
        return f"mean {cl} {response} in {ref}"
    for lv in fit.levels[1:]:
        if term == f"{fit.spec.roles.group}{lv}":
            return f"{lv} - {ref} in mean {cl} {response}"
    return _covariate_meaning(term, fit)


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


def _fe_covariates_table(fit: MethodFit) -> list[Table]:
    """The covariates' coefficients of a fixed-effects fit, and the level-2 covariates the
    cluster effects absorb (rows without estimates)."""
    res, r = fit.result, fit.spec.roles
    table = res.table.loc[list(res.covariate_columns)]
    absorbed = pd.DataFrame(np.nan, index=list(res.absorbed), columns=table.columns)
    frame = _coef_frame(pd.concat([table, absorbed]))
    frame["what it is"] = ["common to every " + r.cluster] * len(table) + [
        f"absorbed by the {r.cluster} effects: not estimable"
    ] * len(absorbed)
    label = "2a" if fit.name == "fe2a" else "2b"
    return [
        Table(
            f"{fit.name}_covariates",
            f"Method {label}, fixed effects: the covariates",
            frame,
            f"Level-1 covariates have one coefficient each, common to every {r.cluster}; "
            f"a level-2 covariate is constant within each {r.cluster}, so the {r.cluster} "
            f"effects absorb it. Standard errors from within-{r.cluster} variability only, on "
            f"{df_text(res.df_resid)} DF",
        )
    ]


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
        held = _fe_covariates_table(fit) if r.covariates else []
        if name == "fe2a":
            return held + [
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
        return held + tables
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
