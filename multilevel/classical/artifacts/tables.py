"""The classical methods' report tables (:class:`multilevel.report.tables.Table`): each method's
coefficient and test tables, the three effects and the summary of methods (pages 40-75 of the
document)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from multilevel.classical.artifacts.fitting import METHODS, SHORT, MethodFit, title
from multilevel.classical.results import GAP_ROWS
from multilevel.coefficients import R_COEF_LAYOUT, WALD_LAYOUT, format_coef_table
from multilevel.config import DatasetSpec
from multilevel.formatting import (
    MISSING,
    df_text,
    fixed,
    p_coef_column,
    p_nlme,
    p_report,
    p_summary_lm,
    signif,
)
from multilevel.levels import contrast_label, display_order, level_name
from multilevel.report.tables import Table

if TYPE_CHECKING:
    from multilevel.classical.effects import EffectsResult

GAP_PARTS = tuple(GAP_ROWS)


def _term_meaning(term: str, fit: MethodFit) -> str:
    r = fit.spec.roles
    ref = fit.reference
    where = f" in {level_name(r.group, ref)}" if ref is not None else ""
    if term == "(Intercept)":
        return f"{r.outcome}{where} at {r.predictor} = 0"
    if term == r.predictor:
        return f"slope of {r.predictor}{where}"
    for lv in fit.levels[1:]:
        if term == f"{r.group}{lv}":
            return f"{contrast_label(r.group, lv, ref)} at {r.predictor} = 0"
        if term == f"{r.predictor}:{r.group}{lv}":
            return f"{contrast_label(r.group, lv, ref)} in slope"
    return _covariate_meaning(term, fit)


def _covariate_meaning(term: str, fit: MethodFit) -> str:
    """A covariate's coefficient (a numeric covariate's name, or a categorical one's name
    followed by a level)."""
    if any(term.startswith(c) for c in fit.spec.roles.covariates):
        return "covariate, held constant"
    return ""


def _response_meaning(term: str, response: str, fit: MethodFit) -> str:
    """What a coefficient of the two-stage regression of the cluster lines is."""
    cl, ref, group = fit.spec.roles.cluster, fit.reference, fit.spec.roles.group
    if term == "(Intercept)":
        return f"mean {cl} {response} in {level_name(group, ref)}"
    for lv in fit.levels[1:]:
        if term == f"{group}{lv}":
            return f"{contrast_label(group, lv, ref)} in mean {cl} {response}"
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
    gap = (
        f"{', '.join(level_name(r.group, lv) for lv in fit.levels[1:])} minus "
        f"{level_name(r.group, ref)}"
        if ref is not None
        else ""
    )
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
                "The four multivariate statistics"
                + (
                    "; with two groups they give the same exact F"
                    if len(fit.levels) == 2
                    else f"; with {len(fit.levels)} groups each has its own F approximation "
                    "(Roy's is an upper bound, so its p-value is a lower bound), as R's "
                    "summary.manova prints them"
                ),
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


def _gap_cells(gap: dict | None) -> list[str]:
    if gap is None:
        return ["", "", "", ""]
    return [
        fixed(gap["intercept"], 3),
        fixed(gap["se"][0], 3),
        fixed(gap["slope"], 3),
        fixed(gap["se"][1], 3),
    ]


GAP_COLUMNS = ["intercept gap", "SE", "slope gap", "SE"]
QUALITIES = ["SE generalises to", "consistent?", "efficient?", "honest?"]


def summary_tables(artifacts: dict[str, dict], spec: DatasetSpec) -> list[Table]:
    """The summary of methods (pages 73-75), one row per method; every method's line in each
    group (the points of the beta-space figures); and the group gaps: with two groups, the
    gap (the other level minus the reference) in the summary itself; with more, a table of
    every level's gap and a table of the omnibus tests (k - 1 DF)."""
    r = spec.roles
    words = {"cluster": r.cluster, "predictor": r.predictor}
    fitted = {n: a for n, a in artifacts.items() if a and a["status"] == "fitted"}
    levels = next((a["levels"] for a in fitted.values() if a.get("levels")), [])
    ref, order = (levels[0], display_order(levels, r.group_order)) if levels else (None, [])
    others = [lv for lv in order if lv != ref]
    two = len(levels) == 2
    rows, lines, gaps, tests = [], [], [], []
    # the classical methods, then any other rows given (the hierarchical models)
    for name in [*METHODS, *(k for k in artifacts if k not in METHODS)]:
        art = artifacts.get(name)
        qualities = art.get("qualities") if art else None
        qualities = qualities or [s.format(**words) for s in SUMMARY[name]]
        what, population, consistent, efficient, honest = qualities
        label = (art["title"] if name not in METHODS else title(name, spec)).split(": ", 1)[1]
        short = art["short"] if name not in METHODS else SHORT[name]
        gap = [""] * 4
        if name in fitted and fitted[name].get("gaps"):
            gap = _gap_cells(next(iter(fitted[name]["gaps"].values())))
        elif art and art["status"] != "fitted":
            gap = ["skipped", "", "", ""]
        rows.append([label, what, *(gap if two or not levels else []), population])
        rows[-1] += [consistent, efficient, honest]
        if name not in fitted or r.group is None:
            continue
        estimates = fitted[name]["estimates"]["group_estimates"]
        for lv in order:
            est = estimates[lv]
            se = np.sqrt(np.diag(np.asarray(est["cov"], dtype=float)))
            lines.append(
                [
                    f"{short}: {level_name(r.group, lv)}",
                    fixed(est["intercept"], 4),
                    fixed(se[0], 4),
                    fixed(est["slope"], 4),
                    fixed(se[1], 4),
                    df_text(est["df"]),
                ]
            )
        for lv in others:
            gaps.append(
                [
                    f"{short}: {contrast_label(r.group, lv, ref)}",
                    *_gap_cells(fitted[name]["gaps"].get(lv)),
                ]
            )
        tests.append((short, fitted[name].get("gap_tests", {})))
    columns = ["estimates", *(GAP_COLUMNS if two or not levels else []), *QUALITIES]
    summary = pd.DataFrame(
        [row[1:] for row in rows],
        index=pd.Index([row[0] for row in rows], name="method"),
        columns=columns,
    )
    if not levels:
        caption = "The dataset has no group role: there is no group gap to estimate"
    elif two:
        caption = (
            f"Gaps are {contrast_label(r.group, levels[1], ref)}, at {r.predictor} = 0 "
            "(intercept) and in slope"
        )
    else:
        caption = (
            f"With {len(levels)} levels of {r.group} the gaps (each level minus "
            f"{level_name(r.group, ref)}) and their omnibus tests are in the next two tables"
        )
    tables = [Table("methods_summary", "Summary of methods", summary, caption, "73-75")]
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
                "The centres of the ellipses in the beta-space figures; "
                + MISSING
                + ": a line the method cannot estimate",
                "49, 53-54, 58-60, 64",
            ),
        )
    if gaps and not two:
        tables += _gap_tables(r, ref, gaps, tests)
    return tables


def _omnibus_cells(tests: dict) -> list[str]:
    cells = []
    for part in GAP_PARTS:
        t = tests.get(part)
        if not t or not t["num_df"]:
            cells += [MISSING, MISSING, MISSING]
            continue
        cells += [
            fixed(t["F"], 3),
            f"{t['num_df']}, {df_text(t['den_df'])}",
            p_report(t["p"]),
        ]
    return cells


def _omnibus_sentence(group: str, tests: list) -> str:
    """Which methods find the levels different, part by part, at the 5% level."""
    parts = []
    for part, what in (("slope", "slopes"), ("intercept", "intercepts")):
        said = {True: [], False: []}
        for name, t in tests:
            if t.get(part) and t[part]["num_df"] and np.isfinite(t[part]["p"]):
                said[bool(t[part]["p"] < 0.05)].append(name)
        if said[True] or said[False]:
            yes = ", ".join(said[True]) or "no method"
            no = f" (not by {', '.join(said[False])})" if said[True] and said[False] else ""
            parts.append(f"the {what} differ by {yes}{no}")
    tail = ""
    for name, t in tests:
        left = sorted({lv for v in t.values() for lv in v.get("left_out", [])})
        if left:
            names = " and ".join(level_name(group, lv) for lv in left)
            tail += (
                f" The {name} method cannot estimate the line of {names} (its predictor's "
                "cluster means do not vary there), so its tests compare the other levels only."
            )
    return ("At the 5% level, " + "; ".join(parts) + "." if parts else "") + tail


def _gap_tables(r, ref, gaps: list, tests: list) -> list[Table]:
    gap_frame = pd.DataFrame(
        [row[1:] for row in gaps],
        index=pd.Index([row[0] for row in gaps], name="method: difference"),
        columns=GAP_COLUMNS,
    )
    test_frame = pd.DataFrame(
        [_omnibus_cells(t) for _, t in tests],
        index=pd.Index([name for name, _ in tests], name="method"),
        columns=pd.MultiIndex.from_product(
            [["intercepts", "slopes", "both"], ["F", "DF", "p"]]
        ).map(lambda c: f"{c[0]}: {c[1]}"),
    )
    return [
        Table(
            "methods_gaps",
            f"Each level of {r.group} against {level_name(r.group, ref)}, by method",
            gap_frame,
            f"Gaps at {r.predictor} = 0 (intercept) and in slope, with their standard errors; "
            f"{MISSING}: not estimable by the method",
            "73-75",
        ),
        Table(
            "methods_omnibus",
            f"Omnibus tests of {r.group}, by method",
            test_frame,
            f"Wald F tests that every level of {r.group} has the reference's line: in "
            "intercept, in slope (each on k - 1 numerator DF) and in both (2(k - 1) DF), on "
            "the method's residual DF; the fixed-effects test of both is the joint test above, "
            "and the two-stage MANOVA is the multivariate counterpart of the test of both",
            "73-75",
            [_omnibus_sentence(r.group, tests)],
        ),
    ]


def effects_tables(effects: EffectsResult, spec: DatasetSpec) -> list[Table]:
    r = spec.roles
    t = effects.table
    levels = [sc for sc in effects.scopes if sc != "overall"]
    scopes = [sc for sc in effects.scopes if sc == "overall"]
    scopes += display_order(levels, r.group_order) if levels else []
    rows = []
    for scope in scopes:
        row = []
        for effect in ("within", "between", "pooled"):
            row += [
                fixed(t.loc[(scope, effect), "estimate"], 4),
                fixed(t.loc[(scope, effect), "se"], 4),
            ]
        rows.append(row)
    frame = pd.DataFrame(
        rows,
        index=pd.Index(
            [sc if sc == "overall" else level_name(r.group, sc) for sc in scopes], name="scope"
        ),
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
