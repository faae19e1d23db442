"""How honest are the ladder's tests with this many clusters?  The numbers behind the
hierarchical chapter's inference tables (issue 16, items 4 and 5):

* every ladder model's fixed effects under nlme's between/within df (the report's default),
  Satterthwaite's and Kenward-Roger's (REML fits, restored from their artifacts, no refit);
* profile-likelihood intervals of the central model's variance components beside nlme's
  Wald-type ones, up to PROFILE_MAX_CLUSTERS clusters (each end re-optimises the likelihood a
  few dozen times; with more clusters the Wald intervals are close to the profile ones);
* the central model with a residual SD per level of the group (nlme's varIdent) and its
  likelihood-ratio test against one SD.

``inference_artifact`` returns plain JSON; a part that cannot be computed says why.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from multilevel.config import Roles
from multilevel.hierarchical.ladder import SHORT, restore, spec_for, usable
from multilevel.mixed import MixedModelError
from multilevel.mixed.var_ident import lmm_var_ident

CENTRAL = "intercepts_slopes_outcomes"
FALLBACK = "random_coefficients"
RULES = ("nlme", "Satterthwaite", "Kenward-Roger")
#: profile intervals are computed up to this many clusters
PROFILE_MAX_CLUSTERS = 5000
ERRORS = (MixedModelError, np.linalg.LinAlgError, ValueError)


def _clean(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def df_rules_record(fit) -> dict:
    """Per fixed effect and rule: estimate, SE, df, t, p (None where a rule gives no df)."""
    out = {}
    for rule in RULES:
        table = fit.fixed_table(rule)
        out[rule] = {
            name: {col: _clean(row[col]) for col in table.columns} for name, row in table.iterrows()
        }
    return out


def _profile_record(fit) -> dict:
    if fit.n_groups > PROFILE_MAX_CLUSTERS:
        return {
            "status": "skipped",
            "reason": f"{fit.n_groups} clusters: profile intervals are computed up to "
            f"{PROFILE_MAX_CLUSTERS}",
        }
    try:
        profile = fit.profile_intervals()
    except ERRORS as exc:
        return {"status": "failed", "reason": str(exc)}
    try:
        wald = fit.intervals()
        rows = pd.concat([wald["random"], wald["sigma"]])
    except ERRORS:  # nlme's approximate covariance is not positive definite: no Wald ends
        rows = pd.DataFrame(np.nan, index=profile.index, columns=["lower", "upper"])
    return {
        "status": "ok",
        "rows": {
            name: {
                "estimate": float(profile.loc[name, "est."]),
                "wald_lower": _clean(rows.loc[name, "lower"]),
                "wald_upper": _clean(rows.loc[name, "upper"]),
                "profile_lower": _clean(profile.loc[name, "lower"]),
                "profile_upper": _clean(profile.loc[name, "upper"]),
                "lower_at_bound": bool(profile.loc[name, "lower_bound"]),
                "upper_at_bound": bool(profile.loc[name, "upper_bound"]),
            }
            for name in profile.index
        },
    }


def _var_ident_record(spec, data: pd.DataFrame, roles: Roles) -> dict:
    if not roles.group:
        return {"status": "skipped", "reason": "the dataset has no level-2 group"}
    try:
        v = lmm_var_ident(spec.fixed, spec.random, roles.cluster, data, by=roles.group)
    except ERRORS as exc:
        return {"status": "failed", "reason": str(exc)}
    return {
        "status": "ok",
        "group": roles.group,
        "levels": {
            str(level): {
                "rows": int(v.n_rows[level]),
                "ratio": float(v.ratios[level]),
                "sigma": float(v.sigmas[level]),
            }
            for level in v.ratios.index
        },
        "llf": float(v.llf),
        "llf_equal": float(v.equal.llf),
        "sigma_equal": float(v.equal.sigma),
        "lr_statistic": float(v.lr_statistic),
        "lr_df": int(v.lr_df),
        "lr_p": float(v.lr_p),
        "converged": bool(v.fit.converged and v.equal.converged),
    }


def central_key(artifacts: dict) -> str | None:
    for key in (CENTRAL, FALLBACK):
        if key in artifacts and usable(artifacts[key], "REML"):
            return key
    return None


def inference_artifact(artifacts: dict, data: pd.DataFrame, roles: Roles) -> dict:
    """df rules for every usable REML fit of the ladder; profile intervals and the varIdent
    test for the central model (``intercepts_slopes_outcomes``, else
    ``random_coefficients`` when the dataset has no group)."""
    models = {}
    fits = {}
    for key, art in artifacts.items():
        entry = {"short": SHORT.get(key, key), "fixed": art["spec"]["fixed"]}
        if not usable(art, "REML"):
            entry.update(status="skipped", reason=art.get("reason") or art["status"])
        else:
            try:
                fits[key] = restore(art, "REML", data, roles)
                entry.update(status="ok", rules=df_rules_record(fits[key]))
            except ERRORS as exc:
                entry.update(status="failed", reason=str(exc))
        models[key] = entry
    central = central_key(artifacts)
    out = {
        "central": central,
        "n_groups": None,
        "n_obs": None,
        "models": models,
        "profile": {"status": "skipped", "reason": "no central model was fitted"},
        "var_ident": {"status": "skipped", "reason": "no central model was fitted"},
    }
    if central is not None and central in fits:
        fit = fits[central]
        out.update(n_groups=int(fit.n_groups), n_obs=int(fit.n_obs))
        out["profile"] = _profile_record(fit)
        out["var_ident"] = _var_ident_record(spec_for(roles, central), data, roles)
    return out
