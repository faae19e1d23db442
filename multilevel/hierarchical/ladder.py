"""The ladder of hierarchical models, "from the simple to the complex" (document page 120).

Ten models, each a fixed part and a random part built from the dataset's roles (outcome Y,
level-1 predictor X, level-2 group W, cluster), never from column names; the dataset's
covariates, if any, are added to every fixed part (``+ C1 + C2``), the random parts unchanged:

=========================== ============================ ===================
model                       fixed part                   random part
=========================== ============================ ===================
oneway                      Y ~ 1                        ~ 1
means_as_outcomes           Y ~ W                        ~ 1
oneway_ancova               Y ~ X                        ~ 1
random_coefficients         Y ~ X                        ~ 1 + X
intercepts_slopes_outcomes  Y ~ X * W                    ~ 1 + X
nonrandom_slopes            Y ~ X * W                    ~ 1
parallel_slopes             Y ~ X + W                    ~ 1 + X
contextual_cwg              Y ~ cvar(X) + dvar(X)        ~ 1 + dvar(X)
contextual_raw              Y ~ cvar(X) + X              ~ 1 + dvar(X)
contextual_full             Y ~ (cvar(X) + dvar(X)) * W  ~ 1 + dvar(X)
=========================== ============================ ===================

``fit_model`` fits one model by REML and by ML and returns a plain (JSON-ready) artifact with a
status: ``ok``, ``singular`` (a variance at zero or a correlation at +-1), ``not converged``,
``failed`` (the engine refused, with its reason), ``skipped`` (the model needs a group and the
dataset has none) or ``not estimable`` (a contextual model when the cluster mean of X does not
vary, as in balanced longitudinal data). Nothing here raises for a model that cannot be fitted:
the report says why instead.

``lr_tests`` compares nested models by likelihood ratio: fixed parts by ML (the REML
likelihoods of models with different fixed parts are not comparable), random parts by REML with
the same fixed part; a pair that cannot be compared (a model not fitted, fits of different rows)
keeps its row with the reason (:mod:`multilevel.hierarchical.likelihood_ratio`). A test of a
variance at zero is on the boundary of the parameter space; its statistic is then referred to
the 50:50 mixture of chi-square(df) and chi-square(df - 1) (Self and Liang 1987; Stram and Lee
1994) as well as to the naive chi-square(df).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from multilevel.classical.clusters import cluster_mean_varies
from multilevel.config import Roles
from multilevel.formatting import MISSING, df_text, fixed, p_report
from multilevel.hierarchical.likelihood_ratio import (
    USABLE,
    LikelihoodRatioTest,
    likelihood_ratio_test,
)
from multilevel.mixed.errors import MixedModelError
from multilevel.mixed.fit import lmm
from multilevel.report.tables import Table
from multilevel.workflow_names import MODEL_KEYS

__all__ = [
    "MODEL_KEYS",
    "METHODS",
    "ModelSpec",
    "ladder_specs",
    "fit_model",
    "restore",
    "ladder_frame",
    "ladder_table",
    "lr_table",
    "spec_for",
    "usable",
    "quote",
    "lr_tests",
]

METHODS = ("REML", "ML")
SHORT = {
    "oneway": "One-way ANOVA",
    "means_as_outcomes": "Means as outcomes",
    "oneway_ancova": "One-way ANCOVA",
    "random_coefficients": "Random coefficients",
    "intercepts_slopes_outcomes": "Intercepts and slopes as outcomes",
    "nonrandom_slopes": "Non-random slopes",
    "parallel_slopes": "Parallel mean slopes",
    "contextual_cwg": "Contextual (CWG)",
    "contextual_raw": "Contextual (raw X)",
    "contextual_full": "Contextual by group",
}
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def quote(column: str) -> str:
    """A column name as the formula language reads it (backticks when needed)."""
    return column if _NAME.match(column) else f"`{column}`"


@dataclass(frozen=True)
class ModelSpec:
    key: str
    name: str  # the traditional name (page 120)
    short: str  # for table rows
    fixed: str
    random: str
    needs_group: bool
    contextual: bool
    hlm: str  # the model in the document's level-1 / level-2 words

    def to_dict(self) -> dict:
        return asdict(self)


def ladder_specs(roles: Roles) -> list[ModelSpec]:
    """The ten models of page 120 for this dataset's roles, in the document's order."""
    y, x = quote(roles.outcome), quote(roles.predictor)
    w = quote(roles.group) if roles.group else "W"
    cx, dx = f"cvar({x})", f"dvar({x})"
    rows = [
        ("oneway", "One-way ANOVA with random effects", f"{y} ~ 1", "~ 1", False, False,
         "cluster means vary at random around one mean"),
        ("means_as_outcomes", "Means as outcomes", f"{y} ~ {w}", "~ 1", True, False,
         "cluster means depend on the group"),
        ("oneway_ancova", "One-way ANCOVA with random effects", f"{y} ~ {x}", "~ 1", False,
         False, "random intercepts, one common slope"),
        ("random_coefficients", "Random coefficients", f"{y} ~ {x}", f"~ 1 + {x}", False, False,
         "random intercepts and random slopes around one mean line"),
        ("intercepts_slopes_outcomes", "Intercepts and slopes as outcomes", f"{y} ~ {x} * {w}",
         f"~ 1 + {x}", True, False, "the mean line depends on the group; random lines around it"),
        ("nonrandom_slopes", "Non-random slopes", f"{y} ~ {x} * {w}", "~ 1", True, False,
         "as above with the slope variance set to zero"),
        ("parallel_slopes", "Parallel mean slopes", f"{y} ~ {x} + {w}", f"~ 1 + {x}", True,
         False, "the group shifts the mean line without changing its slope"),
        ("contextual_cwg", "Contextual: cluster mean and centred-within-cluster predictor",
         f"{y} ~ {cx} + {dx}", f"~ 1 + {dx}", False, True,
         "separate between-cluster and within-cluster slopes"),
        ("contextual_raw", "Contextual: cluster mean and raw predictor", f"{y} ~ {cx} + {x}",
         f"~ 1 + {dx}", False, True,
         "the same model, parametrised so the cluster-mean coefficient is the contextual effect"),
        ("contextual_full", "Contextual, intercepts and slopes as outcomes",
         f"{y} ~ ({cx} + {dx}) * {w}", f"~ 1 + {dx}", True, True,
         "between and within slopes, each depending on the group"),
    ]  # fmt: skip
    held = "".join(f" + {quote(name)}" for name in roles.covariates)
    return [ModelSpec(row[0], row[1], SHORT[row[0]], row[2] + held, *row[3:]) for row in rows]


def spec_for(roles: Roles, key: str) -> ModelSpec:
    for spec in ladder_specs(roles):
        if spec.key == key:
            return spec
    raise KeyError(f"unknown model {key!r}; models: {', '.join(MODEL_KEYS)}")


def _quantiles(values: np.ndarray) -> dict:
    q = np.quantile(values, [0, 0.25, 0.5, 0.75, 1.0])
    return dict(zip(("Min", "Q1", "Med", "Q3", "Max"), map(float, q), strict=True))


def _intervals(fit) -> dict:
    try:
        with np.errstate(all="ignore"):
            iv = fit.intervals()
    except (MixedModelError, np.linalg.LinAlgError, ValueError) as exc:
        return {"ok": False, "error": f"intervals not available: {exc}"}
    return {
        "ok": True,
        "error": None,
        **{
            part: {
                str(k): dict(map(lambda kv: (kv[0], float(kv[1])), row.items()))
                for k, row in frame.iterrows()
            }
            for part, frame in iv.items()
        },
    }


def _fit_record(fit, labels: dict) -> dict:
    rec = fit.to_dict()
    rec["summary"] = fit.summary()
    rec["intervals"] = _intervals(fit)
    rec["resid_quantiles"] = _quantiles(fit.resid(1, "pearson").to_numpy())
    coef = fit.coef()
    rec["coef"] = {str(k): {c: float(v) for c, v in row.items()} for k, row in coef.iterrows()}
    rec["cluster_labels"] = {str(k): labels.get(str(k), str(k)) for k in coef.index}
    rec["status"] = _status(fit)
    return rec


def _status(fit) -> str:
    if not fit.converged:
        return "not converged"
    if fit.singular:
        return "singular"
    return "ok"


def _labels(data: pd.DataFrame, cluster: str, id_label: str | None) -> dict:
    if not id_label or id_label not in data.columns:
        return {}
    pairs = data[[cluster, id_label]].drop_duplicates()
    return {str(c): str(lab) for c, lab in zip(pairs[cluster], pairs[id_label], strict=True)}


def fit_model(
    spec: ModelSpec, data: pd.DataFrame, roles: Roles, id_label: str | None = None
) -> dict:
    """Fit one model of the ladder by REML and ML: a JSON-ready artifact (see module doc)."""
    out = {"spec": spec.to_dict(), "status": "ok", "reason": None, "fits": {}}
    if spec.needs_group and not roles.group:
        out["status"] = "skipped"
        out["reason"] = (
            "This model compares clusters across the levels of a level-2 group, and the "
            "dataset has no group."
        )
        return out
    if spec.contextual and not cluster_mean_varies(data, roles.cluster, roles.predictor):
        out["status"] = "not estimable"
        out["reason"] = (
            f"Every cluster has the same mean of {roles.predictor} (a balanced design, or "
            f"{roles.predictor} centred within clusters), so the "
            f"cluster mean cvar({roles.predictor}) is constant: it is confounded with the "
            "intercept and the between-cluster and contextual effects cannot be estimated."
        )
        return out
    labels = _labels(data, roles.cluster, id_label)
    for method in METHODS:
        try:
            fit = lmm(spec.fixed, random=spec.random, group=roles.cluster, data=data, method=method)
            out["fits"][method] = _fit_record(fit, labels)
        except (MixedModelError, np.linalg.LinAlgError, ValueError) as exc:
            out["fits"][method] = {"status": "failed", "error": str(exc)}
    statuses = [f["status"] for f in out["fits"].values()]
    for worst in ("failed", "not converged", "singular"):
        if worst in statuses:
            out["status"] = worst
            bad = [m for m, f in out["fits"].items() if f["status"] == worst]
            which = " and ".join(bad) + (" fits" if len(bad) > 1 else " fit")
            if worst == "singular":
                out["reason"] = (
                    f"the {which} singular: a random-effect variance at zero or a correlation "
                    "at +-1"
                )
            elif worst == "not converged":
                out["reason"] = f"the optimiser did not converge for the {which}"
            else:
                out["reason"] = f"the {which} failed: {out['fits'][bad[0]]['error']}"
            break
    return out


def usable(artifact: dict, method: str) -> bool:
    """Does the artifact hold a fit (converged, possibly singular) for ``method``?"""
    rec = artifact.get("fits", {}).get(method)
    return bool(rec) and rec["status"] in USABLE


#: relative agreement of a restored fit's log-likelihood with the stored one
RESTORE_RTOL = 1e-9


def restore(artifact: dict, method: str, data: pd.DataFrame, roles: Roles):
    """The full results object of a stored fit, evaluated at its stored estimates (no
    optimisation: the numbers are those of the artifact). The log-likelihood is recomputed
    and must equal the stored one: a mismatch means the data are not those the model was
    fitted to, and raises :class:`MixedModelError`."""
    rec = artifact["fits"][method]
    spec = artifact["spec"]
    fit = lmm(
        spec["fixed"],
        random=spec["random"],
        group=roles.cluster,
        data=data,
        method=method,
        theta=rec["theta"],
    )
    stored = float(rec["llf"])
    if not math.isclose(fit.llf, stored, rel_tol=RESTORE_RTOL, abs_tol=1e-9):
        raise MixedModelError(
            f"the stored {method} fit of {spec['fixed']} (random {spec['random']}) does not "
            f"match the data: logLik {stored!r} stored, {fit.llf!r} recomputed from "
            f"{fit.n_obs} rows; the data changed after the model was fitted: fit it again"
        )
    return fit


# ----------------------------------------------------------------------------------- tables
def _status_text(art: dict) -> str:
    if art["status"] in ("skipped", "not estimable"):
        return art["status"]
    statuses = {m: f["status"] for m, f in art["fits"].items()}
    if len(set(statuses.values())) == 1:
        only = next(iter(statuses.values()))
        return "converged" if only == "ok" else only
    return "; ".join(f"{st} ({m})" for m, st in statuses.items() if st != "ok")


def ladder_frame(artifacts: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for key, art in artifacts.items():
        spec = art["spec"]
        reml, ml = art["fits"].get("REML", {}), art["fits"].get("ML", {})
        rows.append(
            {
                "model": spec["short"],
                "fixed": spec["fixed"],
                "random": spec["random"],
                "parameters": reml.get("n_params", ml.get("n_params")),
                "logLik REML": reml.get("llf"),
                "logLik ML": ml.get("llf"),
                "AIC (ML)": ml.get("aic"),
                "BIC (ML)": ml.get("bic"),
                "status": _status_text(art),
                "key": key,
            }
        )
    return pd.DataFrame(rows).set_index("key")


def ladder_table(artifacts: dict[str, dict]) -> Table:
    frame = ladder_frame(artifacts)
    shown = pd.DataFrame(index=frame["model"].to_numpy())
    shown.index.name = "model"
    shown["fixed"] = [f.split("~", 1)[1].strip() for f in frame["fixed"]]
    shown["random"] = [r.split("~", 1)[1].strip() for r in frame["random"]]
    shown["k"] = [df_text(v) for v in frame["parameters"]]
    for col, name in (
        ("logLik REML", "logLik REML"),
        ("logLik ML", "logLik ML"),
        ("AIC (ML)", "AIC"),
        ("BIC (ML)", "BIC"),
    ):
        digits = 1 if name in ("AIC", "BIC") else 2
        shown[name] = [fixed(v, digits) for v in frame[col]]
    shown["status"] = frame["status"].to_numpy()
    by_reason: dict[str, list[str]] = {}
    for art in artifacts.values():
        if art["status"] in ("skipped", "not estimable", "failed"):
            by_reason.setdefault(art["reason"], []).append(art["spec"]["short"])
    notes = [f"{', '.join(names)}: {reason}" for reason, names in by_reason.items()]
    return Table(
        key="ladder",
        title="From the simple to the complex: the ladder of hierarchical models",
        frame=shown,
        caption=(
            "Each model fitted by REML and by ML; fixed: the right-hand side of the model for "
            "the outcome; random: the random part, within clusters. k counts the fixed "
            "effects, the variances and covariances of the random effects and the residual "
            "variance. AIC and BIC are from the ML fits, whose likelihoods are comparable "
            "across fixed parts"
        ),
        doc_pages="120-121",
        notes=notes,
    )


# ---------------------------------------------------------------------------- LR tests
#: (smaller model, larger model, what the test asks); the models are nested by construction.
FIXED_COMPARISONS = [
    ("oneway", "means_as_outcomes", "Group shifts the mean"),
    ("oneway", "oneway_ancova", "Predictor (one slope)"),
    ("means_as_outcomes", "nonrandom_slopes", "Predictor, slope by group"),
    ("oneway_ancova", "nonrandom_slopes", "Group and group × predictor"),
    ("random_coefficients", "parallel_slopes", "Group shifts the mean line"),
    ("parallel_slopes", "intercepts_slopes_outcomes", "Mean slope differs by group"),
    ("contextual_cwg", "contextual_full", "Contextual model by group"),
]
RANDOM_COMPARISONS = [
    ("oneway_ancova", "random_coefficients", "Slopes vary"),
    ("nonrandom_slopes", "intercepts_slopes_outcomes", "Slopes vary, given group"),
]


def _fit_of(art: dict | None, method: str) -> dict | None:
    """The ``method`` fit of a model's artifact; a model that was not fitted at all stands
    in with its status, so the test says why it was not computed."""
    if art is None:
        return None
    if art["status"] in ("skipped", "not estimable"):
        return {"status": art["status"]}
    return art["fits"].get(method)


def lr_tests(artifacts: dict[str, dict]) -> pd.DataFrame:
    """One row per comparison of the ladder whose two models are in ``artifacts``: the test,
    or in ``refused`` why the two fits cannot be compared; see the module doc."""
    rows = []
    for kind, pairs, method in (
        ("fixed", FIXED_COMPARISONS, "ML"),
        ("random", RANDOM_COMPARISONS, "REML"),
    ):
        for small, large, question in pairs:
            a, b = artifacts.get(small), artifacts.get(large)
            if a is None or b is None:
                continue
            test = likelihood_ratio_test(
                (a["spec"]["short"], _fit_of(a, method)),
                (b["spec"]["short"], _fit_of(b, method)),
                question,
                kind,
                method,
            )
            rows.append({**test.to_dict(), "smaller": small, "larger": large})
    columns = list(LikelihoodRatioTest.__dataclass_fields__)
    return pd.DataFrame(rows, columns=columns)


def lr_table(tests: pd.DataFrame, names: dict[str, str]) -> Table:
    refused = tests["refused"].notna().to_numpy()
    frame = pd.DataFrame(
        {
            "smaller": [names[k] for k in tests["smaller"]],
            "larger": [names[k] for k in tests["larger"]],
            "fits": tests["method"].to_numpy(),
            "df": [MISSING if r else str(int(v)) for r, v in zip(refused, tests["df"])],
            "LR": [MISSING if r else fixed(v, 3) for r, v in zip(refused, tests["LR"])],
            "p": [p_report(v) for v in tests["p"]],
            "p (boundary)": [p_report(v) for v in tests["p_boundary"]],
        },
        index=pd.Index(tests["question"].to_numpy(), name="question"),
    )
    if refused.any():
        frame["not compared because"] = tests["refused"].fillna("").to_numpy()
    return Table(
        key="lr_tests",
        title="Likelihood-ratio tests between nested models",
        frame=frame,
        caption=(
            "Fixed parts are compared with ML fits (same random part); random parts with REML "
            "fits (same fixed part). Adding a random slope adds a variance, whose null value 0 "
            "lies on the boundary, and a covariance: the boundary p-value refers the statistic "
            "to the 50:50 mixture of chi-square(df) and chi-square(df - 1); the naive "
            "chi-square p-value is conservative"
        ),
        doc_pages="120",
    )
