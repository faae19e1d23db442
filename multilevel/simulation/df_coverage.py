"""How honest are the mixed model's p-values with few clusters?  A Monte Carlo study of the
coverage of the fixed effects' intervals under four degrees-of-freedom rules.

Each replicate simulates the Monte Carlo study's design (:mod:`multilevel.simulation.simulate`)
with a given *total* number of clusters (half in each group) and fits the generating model
(``y ~ x * group + cvar(x)``, random ``~ 1 + x``, REML), so every estimate aims at its true
value and the coverage measures the intervals alone.  For each of the three quantities
(:data:`multilevel.simulation.montecarlo.QUANTITIES`) four intervals are formed:

* ``z``: estimate +- z SE (the nlme SE, no small-sample allowance);
* ``nlme``: estimate +- t(df) SE with nlme's between/within df;
* ``Satterthwaite``: the same SE, Satterthwaite's df (as lmerTest);
* ``Kenward-Roger``: the Kenward-Roger adjusted SE and df (as pbkrtest).

Replicate i of the study with c clusters uses ``SeedSequence([seed, c]).spawn(R)[i]``.  The
coverage of each rule is reported with its Monte Carlo SE sqrt(c (1 - c) / n).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from multilevel.distributions import norm_ppf, t_ppf
from multilevel.errors import DataError
from multilevel.mixed import MixedModelError, lmm
from multilevel.simulation.montecarlo import QUANTITIES, mixed_estimates
from multilevel.simulation.simulate import StudyDesign, simulate_study

RULES = {
    "z": "z (no df)",
    "nlme": "nlme between/within",
    "Satterthwaite": "Satterthwaite",
    "Kenward-Roger": "Kenward-Roger",
}
FORMULA = "y ~ x * group + cvar(x)"
FIT_ERRORS = (DataError, MixedModelError, np.linalg.LinAlgError)


def check_clusters(clusters) -> list[int]:
    """Total cluster counts: even (half per group) and at least 6 (3 per group)."""
    bad = [c for c in clusters if int(c) != c or c < 6 or c % 2]
    if bad or not clusters:
        raise DataError(
            "simulation.montecarlo.df_rules.clusters must be even numbers of at least 6 "
            f"(total clusters, half in each group), got {list(clusters)}"
        )
    return [int(c) for c in clusters]


def replicate_records(data: pd.DataFrame, design: StudyDesign, level: float) -> list[dict]:
    """One record per rule and quantity for one replicate (``ok`` False if the fit failed)."""
    truth = design.truth()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fit = lmm(FORMULA, random="~ 1 + x", group="cluster", data=data, method="REML")
            tables = {
                rule: mixed_estimates(fit, design.groups, rule)
                for rule in ("nlme", "Satterthwaite", "Kenward-Roger")
            }
    except FIT_ERRORS:
        tables = None
    records = []
    for rule in RULES:
        if tables is None:
            est = {q: (np.nan, np.nan, np.nan) for q in QUANTITIES}
        else:
            est = tables["nlme" if rule == "z" else rule]
        for q, (value, se, df) in est.items():
            ok = bool(np.isfinite(value) and np.isfinite(se) and se > 0 and df > 0)
            quantile = norm_ppf(0.5 + level / 2) if rule == "z" else t_ppf(0.5 + level / 2, df)
            half = quantile * se if ok else np.nan
            records.append(
                {
                    "rule": rule,
                    "quantity": q,
                    "estimate": float(value),
                    "se": float(se),
                    "df": float(np.inf if rule == "z" else df),
                    "covered": bool(ok and abs(value - truth[q]) <= half),
                    "ok": ok,
                }
            )
    return records


def run_df_study(
    design: StudyDesign, seed: int, clusters, replicates: int, level: float = 0.95, progress=None
) -> pd.DataFrame:
    """Every replicate at every total number of clusters: one row per replicate, rule and
    quantity (columns clusters, replicate, rule, quantity, estimate, se, df, covered, ok)."""
    frames = []
    for total in check_clusters(clusters):
        sized = replace(design, clusters_per_group=total // 2)
        seeds = np.random.SeedSequence([int(seed), total]).spawn(int(replicates))
        rows = []
        for i, ss in enumerate(seeds):
            data = simulate_study(sized, np.random.default_rng(ss))
            for rec in replicate_records(data, sized, level):
                rows.append({"clusters": total, "replicate": i, **rec})
        if progress is not None:
            progress(total)
        frames.append(pd.DataFrame.from_records(rows))
    return pd.concat(frames, ignore_index=True)


def summarise_df(records: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per number of clusters, quantity and rule: usable replicates, failures, coverage and
    its MC SE, the MC SE of an exact coverage, and the median df used."""
    rows = []
    for (total, q, rule), r in records.groupby(["clusters", "quantity", "rule"], sort=False):
        ok = r[r["ok"]]
        n = len(ok)
        cov = float(ok["covered"].mean()) if n else np.nan
        rows.append(
            {
                "clusters": int(total),
                "quantity": q,
                "rule": rule,
                "n": n,
                "failures": int(len(r) - n),
                "coverage": cov,
                "coverage_mcse": float(np.sqrt(cov * (1 - cov) / n)) if n else np.nan,
                "nominal_mcse": float(np.sqrt(level * (1 - level) / n)) if n else np.nan,
                "median_df": float(ok["df"].median()) if n else np.nan,
            }
        )
    return pd.DataFrame(rows)
