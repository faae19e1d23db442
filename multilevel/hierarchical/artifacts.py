"""The hierarchical-model chapters' tables, registry values and template context (document
pages 76-173), from the ladder's model artifacts (results/<dataset>/mixed/<model>.json):
what the mixed_tables step writes, beside :mod:`multilevel.classical.artifacts` for the classical
methods."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from multilevel.classical.wald import wald
from multilevel.formatting import p_report
from multilevel.hierarchical.blup import blue_blup_lines, display_labels, oneway_cluster_table
from multilevel.hierarchical.contextual import contextual_effects, verdict
from multilevel.hierarchical.ladder import ladder_table, lr_table, lr_tests, quote, restore, usable
from multilevel.hierarchical.reading import gamma_reading, lr_sentences, singular_sentences
from multilevel.mixed.design import INTERCEPT
from multilevel.report.tables import Table, format_frame
from multilevel.selection import TABLE_ROWS, largest_clusters, selection_note
from multilevel.workflow_names import central_model_key

NOTATION = [
    # (quantity, Bryk and Raudenbush, SAS, Pinheiro and Bates, the document)
    ("Fixed-effect parameters", "γ", "β", "β", "γ"),
    ("Cluster random effect (coefficients)", "β", "b", "—", "β"),
    ("Cluster random effect (centred)", "u", "γ", "b", "u"),
    ("Variance of the random effects", "T", "G", "Ψ", "G"),
    ("Within-cluster error variance", "Σ", "R", "σ²Λ", "R"),
]


def notation_table() -> Table:
    frame = pd.DataFrame(
        [row[1:] for row in NOTATION],
        index=pd.Index([row[0] for row in NOTATION], name="quantity"),
        columns=["Bryk & Raudenbush", "SAS documentation", "Pinheiro & Bates", "this document"],
    )
    return Table(
        key="notation",
        title="Notational Babel: one model, four vocabularies",
        frame=frame,
        caption="Y, X and Z keep the same meaning in all four",
        doc_pages="116-117",
    )


def load_models(paths: list) -> dict:
    """The ladder's artifacts by model key."""
    arts = {}
    for p in paths:
        art = json.loads(Path(p).read_text())
        arts[art["spec"]["key"]] = art
    return arts


def lines_model_key(roles) -> str:
    """The model of the BLUE and BLUP lines (workflow_names.central_model_key)."""
    return central_model_key(bool(roles.group))


def cluster_lines(arts: dict, long: pd.DataFrame, roles):
    """The lines model's REML fit and each cluster's BLUE and BLUP line
    (:func:`~multilevel.hierarchical.blup.blue_blup_lines`), or None when the model is not
    usable."""
    art = arts[lines_model_key(roles)]
    if not usable(art, "REML"):
        return None
    fit = restore(art, "REML", long, roles)
    lines = blue_blup_lines(long, fit, roles.cluster, roles.outcome, roles.predictor, roles.group)
    return fit, lines


def contextual_of(arts: dict, long: pd.DataFrame, roles) -> pd.DataFrame | None:
    """The within, between and contextual effects of the predictor (REML), by group when the
    full model is usable; None when the cwg model is not usable."""
    cwg, full = arts["contextual_cwg"], arts["contextual_full"]
    plain = arts["oneway_ancova"]
    if not usable(cwg, "REML"):
        return None
    levels, full_rec = None, None
    if roles.group and usable(full, "REML"):
        full_rec = full["fits"]["REML"]
        levels = [str(v) for v in long[roles.group].cat.categories]
    return contextual_effects(
        cwg["fits"]["REML"],
        full_rec,
        quote(roles.predictor),
        roles.group,
        levels,
        plain["fits"]["REML"] if usable(plain, "REML") else None,
    )


def oneway_part(arts, long, spec, labels, values, tables, ctx, csv_link=None):
    roles = spec.roles
    art = arts["oneway"]
    if not usable(art, "REML"):
        ctx["oneway"] = None
        return
    rec = art["fits"]["REML"]
    fit = restore(art, "REML", long, roles)
    g00 = float(fit.G.iloc[0, 0])
    gamma = float(fit.params[INTERCEPT])
    table = oneway_cluster_table(long, fit, roles.cluster, roles.outcome, roles.predictor, labels)
    table = table.loc[labels.index]
    w = wald(fit, pd.DataFrame({INTERCEPT: [1.0]}, index=[INTERCEPT]))
    iv = rec["intervals"]
    cluster_means = long.groupby(roles.cluster, observed=True)[roles.outcome].mean()
    ctx["oneway"] = {
        "gamma": gamma,
        "g00": g00,
        "sigma2": fit.sigma**2,
        "sd_re": float(np.sqrt(g00)),
        "sigma": fit.sigma,
        "icc": g00 / (g00 + fit.sigma**2),
        "overall_mean": float(long[roles.outcome].mean()),
        "mean_of_means": float(cluster_means.mean()),
        "shrink_min": float(table["shrink"].min()),
        "shrink_max": float(table["shrink"].max()),
        "n_min": int(table["n"].min()),
        "n_max": int(table["n"].max()),
        "wald": str(w),
        "intervals_ok": iv["ok"],
        "intervals_error": iv["error"],
    }
    shown = table.rename(
        columns={
            "predictor_mean": f"mean {roles.predictor}",
            "outcome_mean": f"mean {roles.outcome}",
            "ols": "OLS (BLUE)",
            "blup": "BLUP",
            "ranef": "random effect",
            "shrink": "shrinkage factor",
        }
    )
    shown = shown.set_index("label")
    shown.index.name = "cluster"
    full = shown
    selected = largest_clusters(long[roles.cluster], TABLE_ROWS)
    link = f"{csv_link}/oneway_clusters.csv" if csv_link else None
    note = selection_note(len(selected), len(table), "cluster", link)
    if note:
        shown = shown[table.index.isin(selected)]
    tables.append(
        Table(
            key="oneway_clusters",
            title="Each cluster in the one-way model: the BLUE (its mean) and the BLUP",
            full=full,
            csv=link if note else "",
            frame=format_frame(
                shown,
                {
                    f"mean {roles.predictor}": 4,
                    f"mean {roles.outcome}": 4,
                    "OLS (BLUE)": 4,
                    "BLUP": 4,
                    "random effect": 4,
                    "shrinkage factor": 3,
                },
            ),
            caption=(
                "OLS is the cluster mean of the outcome; the BLUP is the fixed intercept plus "
                "the cluster's predicted random effect, and equals the GLS mean plus the "
                "shrinkage factor 1/(1 + σ²/(n g00)) times the distance of the OLS estimate "
                "from it" + (f". {note}" if note else "")
            ),
            doc_pages="153-160",
        )
    )
    tables.append(oneway_fit_table(rec))
    if iv["ok"]:
        rows = [("fixed", INTERCEPT, iv["fixed"][INTERCEPT])]
        rows += [("random", k, v) for k, v in iv["random"].items()]
        rows += [("residual", "sigma", iv["sigma"]["sigma"])]
        frame = pd.DataFrame(
            [[p, n, r["lower"], r["est."], r["upper"]] for p, n, r in rows],
            columns=["part", "parameter", "lower", "est.", "upper"],
        ).set_index("parameter")
        tables.append(
            Table(
                key="oneway_intervals",
                title="Approximate 95% confidence intervals, one-way model (REML)",
                frame=format_frame(frame, {"lower": 6, "est.": 6, "upper": 6}),
                caption=(
                    "Fixed effect: t interval on the model's DF. Standard deviations: Wald "
                    "intervals on the log scale, from the curvature of the restricted "
                    "log-likelihood at the estimate, transformed back"
                ),
                doc_pages="150",
            )
        )
    # values for the registry
    base = "mixed/oneway/REML/"
    values.update(
        {
            base + "AIC": rec["aic"],
            base + "BIC": rec["bic"],
            base + "logLik": rec["llf"],
            base + "sd/(Intercept)": rec["sd_re"][INTERCEPT],
            base + "sigma": rec["sigma"],
            base + "fixed/(Intercept)/value": rec["params"][INTERCEPT],
            base + "fixed/(Intercept)/se": rec["bse"][INTERCEPT],
            base + "fixed/(Intercept)/DF": rec["df"][INTERCEPT],
            base + "fixed/(Intercept)/t": rec["tvalues"][INTERCEPT],
            base + "n_obs": rec["n_obs"],
            base + "n_groups": rec["n_groups"],
        }
    )
    for q, v in rec["resid_quantiles"].items():
        values[base + f"resid/{q}"] = v
    if iv["ok"]:
        for name, row in (
            ("fixed", iv["fixed"][INTERCEPT]),
            ("sd", iv["random"][f"sd({INTERCEPT})"]),
            ("sigma", iv["sigma"]["sigma"]),
        ):
            for end, k in (("lower", "lower"), ("est", "est."), ("upper", "upper")):
                values[f"mixed/oneway/intervals/{name}/{end}"] = row[k]
    wt = w.table.iloc[0]
    values.update(
        {
            "mixed/oneway/wald/numDF": w.num_df,
            "mixed/oneway/wald/denDF": w.den_df,
            "mixed/oneway/wald/F": w.F,
            "mixed/oneway/wald/estimate": wt["estimate"],
            "mixed/oneway/wald/se": wt["se"],
            "mixed/oneway/wald/t": wt["t"],
            "mixed/oneway/wald/lower": wt["lower"],
            "mixed/oneway/wald/upper": wt["upper"],
            "mixed/oneway/fixef/(Intercept)": gamma,
        }
    )
    if spec.reproduces_document:  # per-cluster values only where a registry checks them
        for lab, ranef, blup in zip(table["label"], table["ranef"], table["blup"], strict=True):
            values[f"mixed/oneway/ranef/{lab}"] = ranef
            values[f"mixed/oneway/coef/{lab}"] = blup
        for col in ("predictor_mean", "outcome_mean", "n", "ols", "blup"):
            for lab, value in zip(table["label"], table[col], strict=True):
                values[f"mixed/oneway/clusters/{lab}/{col}"] = value


def oneway_fit_table(rec: dict) -> Table:
    """The numbers of the one-way model's summary (page 149) as a table."""
    rows = [
        ("AIC", rec["aic"]),
        ("BIC", rec["bic"]),
        ("logLik", rec["llf"]),
        ("SD of the random intercepts", rec["sd_re"][INTERCEPT]),
        ("residual SD", rec["sigma"]),
        ("fixed intercept", rec["params"][INTERCEPT]),
        ("its standard error", rec["bse"][INTERCEPT]),
        ("its DF", rec["df"][INTERCEPT]),
        ("its t value", rec["tvalues"][INTERCEPT]),
        ("units", rec["n_obs"]),
        ("clusters", rec["n_groups"]),
    ]
    shown = [str(int(v)) if float(v).is_integer() else f"{v:.7g}" for _, v in rows]
    frame = pd.DataFrame({"value": shown}, index=pd.Index([n for n, _ in rows], name="quantity"))
    return Table(
        key="oneway_fit",
        title="The one-way model (REML) in numbers",
        frame=frame,
        caption="The numbers of the summary above, to 7 significant digits as nlme prints them "
        "(page 149)",
        doc_pages="149",
    )


def lines_part(arts, long, spec, labels, tables, ctx):
    """BLUE and BLUP lines (Figures 18-19): intercepts and slopes as outcomes when there is a
    group, random coefficients otherwise."""
    roles = spec.roles
    key = lines_model_key(roles)
    art = arts[key]
    model = cluster_lines(arts, long, roles)
    if model is None:
        ctx["lines"] = {
            "key": key,
            "name": art["spec"]["name"],
            "ok": False,
            "reason": art["reason"] or art["status"],
        }
        return
    fit, lines = model
    G = fit.G.to_numpy()
    spread = pd.DataFrame(
        {
            "BLUE": [lines["blue_intercept"].std(), lines["blue_slope"].std()],
            "BLUP": [lines["blup_intercept"].std(), lines["blup_slope"].std()],
            "model SD (from G)": [np.sqrt(G[0, 0]), np.sqrt(G[1, 1])],
        },
        index=pd.Index(["intercept", f"slope of {roles.predictor}"], name="coefficient"),
    )
    if roles.group:
        # within-group spread: the model's G describes lines around their group's mean line
        for col, prefix in (("BLUE", "blue"), ("BLUP", "blup")):
            spread[col] = [
                float(np.sqrt(lines.groupby("group")[f"{prefix}_{c}"].var().mean()))
                for c in ("intercept", "slope")
            ]
    tables.append(
        Table(
            key="blue_blup_spread",
            title="How much the cluster lines vary: BLUEs, BLUPs and the model",
            frame=format_frame(spread, dict.fromkeys(spread.columns, 3)),
            caption=(
                f"Standard deviations of the clusters' intercepts and slopes ({art['spec']['name']}"
                ", REML)"
                + (", pooled within groups" if roles.group else "")
                + ". The BLUPs vary less than the model's G says true lines do, and the BLUEs "
                "more: the BLUEs carry their sampling error, the BLUPs are shrunk"
            ),
            doc_pages="167-171",
        )
    )
    ctx["lines"] = {
        "key": key,
        "name": art["spec"]["name"],
        "ok": True,
        "n_no_blue": int(lines["blue_slope"].isna().sum()),
        "sd": {c: {r: float(v) for r, v in spread[c].items()} for c in spread.columns},
    }


def contextual_part(arts, long, spec, tables, ctx):
    roles = spec.roles
    cwg, full = arts["contextual_cwg"], arts["contextual_full"]
    effects = contextual_of(arts, long, roles)
    if effects is None:
        ctx["contextual"] = {"ok": False, "reason": cwg["reason"] or cwg["status"]}
        return
    frame = effects.set_index(effects["scope"] + ": " + effects["effect"])
    frame.index.name = "effect"
    frame = frame.drop(columns=["scope", "effect"])
    frame["p"] = [p_report(p) for p in frame["p"]]
    tables.append(
        Table(
            key="contextual_effects",
            title=f"Within, between and contextual effects of {roles.predictor}",
            frame=format_frame(
                frame, {"estimate": 4, "se": 4, "df": 0, "t": 3, "lower": 4, "upper": 4}
            ),
            caption=(
                "REML fits. Within: coefficient of dvar(X); between (compositional): coefficient "
                "of cvar(X); contextual: between minus within, also the coefficient of cvar(X) "
                "when X itself is in the model. Random-effects slope: the single slope of the "
                "one-way ANCOVA model, which assumes the contextual effect is zero. DF: the "
                "smallest DF of the coefficients involved; 95% intervals"
            ),
            doc_pages="120, 147-148",
        )
    )
    ctx["contextual"] = {
        "ok": True,
        "verdict": verdict(effects, roles.predictor),
        "by_group": bool(roles.group) and usable(full, "REML"),
        "full_reason": None if usable(full, "REML") else (full["reason"] or full["status"]),
        "effects": effects.to_dict(orient="records"),
    }


def theory_part(arts, spec, ctx_theory, levels=None):
    roles = spec.roles
    key = lines_model_key(roles)
    art = arts[key]
    out = {
        "key": key,
        "name": art["spec"]["name"],
        "fixed": art["spec"]["fixed"],
        "random": art["spec"]["random"],
        "ok": usable(art, "REML"),
    }
    if out["ok"]:
        rec = art["fits"]["REML"]
        out["params"] = [[n, rec["params"][n], rec["bse"][n]] for n in rec["fixed_names"]]
        out["G"] = rec["G"]
        out["random_names"] = rec["random_names"]
        out["sigma2"] = rec["sigma"] ** 2
        out["corr"] = rec["corr_re"][1][0] if len(rec["random_names"]) > 1 else None
        out["singular"] = rec["status"] == "singular"
        out["gammas"] = gamma_reading(rec, roles, levels)
    else:
        out["reason"] = art["reason"] or art["status"]
    ctx_theory["fitted"] = out


@dataclass
class MixedChapters:
    """The theory chapter's tables and context, the mixed chapter's tables, context and
    values (every value computed; :meth:`registry_values` keeps those a registry checks)."""

    theory_tables: list[Table]
    theory_context: dict
    tables: list[Table]
    context: dict
    values: dict = field(default_factory=dict)

    def registry_values(self, keys) -> dict:
        keys = set(keys)
        return {k: float(v) for k, v in self.values.items() if k in keys}


def mixed_chapters(arts: dict, long: pd.DataFrame, spec, csv_link: str | None = None):
    """The chapters from the ladder's artifacts ``arts`` (by model key) and the long table;
    ``csv_link`` is where the report links the full per-cluster tables."""

    labels = display_labels(long, spec.roles.cluster, spec.id_label)
    tables, values, ctx = [], {}, {}
    names = {k: a["spec"]["short"] for k, a in arts.items()}
    tables.append(ladder_table(arts))
    tests = lr_tests(arts)
    if len(tests):
        tables.append(lr_table(tests, names))
    ctx["lr_reading"] = lr_sentences(tests, names)
    ctx["singular_reading"] = singular_sentences(arts)
    oneway_part(arts, long, spec, labels, values, tables, ctx, csv_link)
    lines_part(arts, long, spec, labels, tables, ctx)
    contextual_part(arts, long, spec, tables, ctx)
    ctx["models"] = [
        {
            "key": k,
            **a["spec"],
            "status": a["status"],
            "reason": a["reason"],
            "summaries": {
                m: r.get("summary") or f"failed: {r.get('error')}" for m, r in a["fits"].items()
            },
        }
        for k, a in arts.items()
    ]
    ctx["has_group"] = bool(spec.roles.group)
    ctx["n_tests"] = len(tests)
    ctx_theory = {}
    group = spec.roles.group
    levels = [str(v) for v in long[group].cat.categories] if group else None
    theory_part(arts, spec, ctx_theory, levels)
    if "oneway" in ctx and ctx["oneway"]:
        ctx_theory["icc"] = ctx["oneway"]["icc"]
    return MixedChapters([notation_table()], ctx_theory, tables, ctx, values)
