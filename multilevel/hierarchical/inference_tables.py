"""The hierarchical chapter's inference tables and the numbers its sentences use, from the
artifact of :func:`multilevel.hierarchical.inference.inference_artifact`."""

from __future__ import annotations

import pandas as pd

from multilevel.formatting import MISSING, df_text, fixed, p_report
from multilevel.report.tables import Table

LEVEL = 0.05  # the significance level the sentences compare verdicts at


def _df_rows(rules: dict) -> tuple[list[str], list[dict]]:
    names = list(rules["nlme"])
    rows = []
    for name in names:
        n, s, k = (rules[r][name] for r in ("nlme", "Satterthwaite", "Kenward-Roger"))
        rows.append(
            {
                "estimate": fixed(n["estimate"], 4),
                "SE": fixed(n["se"], 4),
                "nlme df": df_text(n["df"]),
                "nlme p": p_report(n["p"]),
                "Satt. df": df_text(s["df"]),
                "Satt. p": p_report(s["p"]),
                "KR SE": fixed(k["se"], 4),
                "KR df": df_text(k["df"]),
                "KR p": p_report(k["p"]),
            }
        )
    return names, rows


def df_table(art: dict) -> Table:
    key = art["central"]
    entry = art["models"][key]
    names, rows = _df_rows(entry["rules"])
    return Table(
        key="inference_df_central",
        title=f"Three degrees-of-freedom rules for the {entry['short'].lower()} model",
        frame=pd.DataFrame(rows, index=pd.Index(names, name="fixed effect")),
        caption=(
            f"{entry['fixed']}, REML. SE: vcov(fit) (nlme and Satterthwaite use it); nlme: its "
            "between/within df, the report's default; Satt.: Satterthwaite's df (as lmerTest); "
            "KR: Kenward-Roger's adjusted SE and df (as pbkrtest). p: two-sided, t(df)"
        ),
    )


def ladder_df_table(art: dict) -> Table:
    index, rows = [], []
    for entry in art["models"].values():
        if entry["status"] != "ok":
            index.append(entry["short"])
            rows.append({"estimate": f"{entry['status']}: {entry['reason']}"})
            continue
        names, model_rows = _df_rows(entry["rules"])
        for k, (name, row) in enumerate(zip(names, model_rows, strict=True)):
            index.append(f"{entry['short']}: {name}" if k == 0 else f"  {name}")
            rows.append(row)
    frame = pd.DataFrame(rows, index=pd.Index(index, name="model: fixed effect")).fillna(MISSING)
    return Table(
        key="inference_df_ladder",
        title="The three df rules for every model of the ladder",
        frame=frame,
        caption="REML fits; columns as in the table for the central model",
    )


def profile_table(art: dict) -> Table:
    rows = art["profile"]["rows"]
    frame = pd.DataFrame(
        {
            "estimate": [fixed(r["estimate"], 4) for r in rows.values()],
            "Wald lower": [fixed(r["wald_lower"], 4) for r in rows.values()],
            "Wald upper": [fixed(r["wald_upper"], 4) for r in rows.values()],
            "profile lower": [_end(r, "lower") for r in rows.values()],
            "profile upper": [_end(r, "upper") for r in rows.values()],
        },
        index=pd.Index(list(rows), name="component"),
    )
    return Table(
        key="inference_profile",
        title="95% intervals for the variance components: Wald-type and profile likelihood",
        frame=frame,
        caption=(
            "Wald-type: nlme's intervals(), symmetric on the log-SD and atanh-correlation "
            "scale; profile: where the REML deviance, re-optimised over the other components, "
            "has risen by the 97.5% normal quantile squared (lme4's confint(method = "
            '"profile") does this with the ML deviance). "bound": the profile stays below the '
            "threshold up to the boundary of the parameter space"
        ),
    )


def _end(row: dict, side: str) -> str:
    text = fixed(row[f"profile_{side}"], 4)
    return f"{text} (bound)" if row[f"{side}_at_bound"] else text


def var_ident_table(art: dict) -> Table:
    v = art["var_ident"]
    frame = pd.DataFrame(
        {
            "rows": [str(r["rows"]) for r in v["levels"].values()],
            "residual SD": [fixed(r["sigma"], 4) for r in v["levels"].values()],
            "ratio to the first": [fixed(r["ratio"], 4) for r in v["levels"].values()],
        },
        index=pd.Index(list(v["levels"]), name=v["group"]),
    )
    return Table(
        key="inference_var_ident",
        title=f"A residual SD per level of {v['group']}",
        frame=frame,
        caption=(
            f"The central model with Var(e) = (σ δ_g)² for a row in level g (nlme's "
            f"varIdent(form = ~ 1 | {v['group']})), REML. One residual SD for all: "
            f"{v['sigma_equal']:.4f}. Likelihood-ratio test against it: "
            f"{v['lr_statistic']:.3f} on {v['lr_df']} df, p = {p_report(v['lr_p'])}"
        ),
    )


def tables(art: dict) -> list[Table]:
    out = []
    if art["central"] is not None and art["models"][art["central"]]["status"] == "ok":
        out += [df_table(art), ladder_df_table(art)]
    if art["profile"]["status"] == "ok":
        out.append(profile_table(art))
    if art["var_ident"]["status"] == "ok":
        out.append(var_ident_table(art))
    return out


def _df_summary(entry: dict, n_groups: int) -> dict:
    """Agreement of the rules for one model: the largest relative gap between the
    Satterthwaite and Kenward-Roger df; the effects whose verdict at LEVEL depends on the rule."""
    rules = entry["rules"]
    gaps, flips, small = [], [], []
    for name in rules["nlme"]:
        dfs = [rules[r][name]["df"] for r in ("Satterthwaite", "Kenward-Roger")]
        ps = [rules[r][name]["p"] for r in ("nlme", "Satterthwaite", "Kenward-Roger")]
        if None not in dfs:
            gaps.append(abs(dfs[0] - dfs[1]) / max(dfs))
            small.append(min(dfs))
        if None not in ps and len({p < LEVEL for p in ps}) > 1:
            flips.append(name)
    return {
        "max_gap": max(gaps) if gaps else None,
        "min_df": min(small) if small else None,
        "n_groups": n_groups,
        "flips": flips,
    }


def context(art: dict) -> dict:
    out = {
        "central": art["central"],
        "n_groups": art["n_groups"],
        "n_obs": art["n_obs"],
        "profile": {k: v for k, v in art["profile"].items() if k != "rows"},
        "var_ident": art["var_ident"],
        "level": LEVEL,
    }
    if art["central"] is not None and art["models"][art["central"]]["status"] == "ok":
        entry = art["models"][art["central"]]
        out["short"] = entry["short"]
        out["df"] = _df_summary(entry, art["n_groups"])
    if art["profile"]["status"] == "ok":
        rows = art["profile"]["rows"].values()
        rel = [
            abs(r[f"profile_{s}"] - r[f"wald_{s}"]) / abs(r[f"wald_{s}"])
            for r in rows
            for s in ("lower", "upper")
            if r[f"profile_{s}"] is not None
            and r[f"wald_{s}"] not in (None, 0)
            and not r[f"{s}_at_bound"]
        ]
        out["profile"]["max_rel_gap"] = max(rel) if rel else None
        out["profile"]["bounded"] = [
            name
            for name, r in art["profile"]["rows"].items()
            if r["lower_at_bound"] or r["upper_at_bound"]
        ]
    return {"inference": out}
