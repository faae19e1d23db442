"""A Monte Carlo study of the ways of analysing clustered data: simulate a replicate from a
:class:`~multilevel.simulation.simulate.StudyDesign`, apply every method, record what each
reports, and summarise how each measures up to the document's goals (page 8): *consistent*
(aims at the right target: bias), *efficient* (shakes little: the empirical SD of its estimates) and
*honest* (the SE it reports is the SD it has: mean reported SE / empirical SD, and the
coverage of its 95% intervals).

**The three quantities**, with their true values taken from the design (module docstring of
:mod:`multilevel.simulation.simulate`; g = 1 in the other group):

* ``within``: the within-cluster effect of x in the reference group, gamma_10 (the change in
  E(Y) for a unit of x *within* a cluster);
* ``slope_gap``: other group minus reference group in that within-cluster effect, gamma_11;
* ``intercept_gap``: other minus reference in E(Y) at x = 0 in a cluster whose mean of x is 0,
  gamma_01 (the group difference holding both the unit's x and its cluster's context fixed).

**What each method estimates** (its target: the limit as the number of clusters grows with
the cluster sizes fixed; delta = between - within is the contextual effect, mu_g the mean of
x in group g, tau^2 and s^2 the between- and within-cluster variances of x, n the cluster
size; kappa = (tau^2 + s^2 / n) / (tau^2 + s^2) is the slope of xbar_j on x_ij):

* ``pooled`` (:func:`multilevel.classical.pooled_ols`, ``y ~ x * group`` by OLS): the
  marginal line in each group. within -> gamma_10 + kappa delta (a blend of the within and
  between effects); slope_gap -> gamma_11 (kappa is the same in both groups);
  intercept_gap -> gamma_01 + (1 - kappa) delta (mu_1 - mu_0). SEs treat rows as
  independent: dishonest.
* ``fixed_effects`` (:func:`multilevel.classical.fixed_effects_common_slope`, an intercept per
  cluster and a slope per group): within -> gamma_10, slope_gap -> gamma_11 (slopes weighted by
  each cluster's n and spread of x); intercept_gap = difference of the groups' average cluster
  intercepts -> gamma_01 + delta (mu_1 - mu_0), because a cluster's intercept absorbs its
  context delta xbar_j. SEs are conditional on these clusters (they ignore G): too small for
  the population of clusters.
* ``two_stage`` (:func:`multilevel.classical.two_stage`): OLS line per cluster, then the
  group means of the cluster intercepts and slopes. Same targets as ``fixed_effects``, equal
  weight per cluster; SEs from the between-cluster spread of the cluster lines: honest.
* ``between`` (:func:`multilevel.classical.between_cluster`, cluster mean of y on cluster mean
  of x, by group): within -> gamma_10 + delta, the *between* effect (the ecological fallacy
  if read as a within effect); slope_gap -> gamma_11; intercept_gap -> gamma_01.
* ``mixed`` (our engine, :func:`multilevel.mixed.lmm`, ``y ~ x * group``, random ``~ 1 + x``
  by cluster, REML): x's coefficient is a precision-weighted blend of the within and between
  information, gamma_10 + (1 - w) delta with 0 < w < 1 (w -> 1 as n grows, not as the number
  of clusters grows); intercept_gap is shifted by a similar share of delta (mu_1 - mu_0);
  slope_gap -> gamma_11.
* ``mixed_contextual`` (the same with ``+ cvar(x)``, the contextual mean): the generating
  model; all three quantities -> their true values.

The four classical methods are computed from the replicate's arrays
(:mod:`multilevel.simulation.classical_estimates`: the numbers of the
:mod:`multilevel.classical` functions named above, without their report objects).

A method's 95% interval is estimate +- t(.975; df) SE with its own SE and DF (OLS residual
DF; two-stage and between-cluster: clusters minus coefficients; mixed models: nlme's
between/within DF). ``covered`` says whether that interval contains the *true value* of the
quantity (not the method's own target), so a biased method loses coverage as well.

**Seeds and chunks.** Replicate i (0-based) uses ``SeedSequence(seed).spawn(R)[i]``, whatever
the chunk it is run in, so splitting the R replicates into chunks (jobs) does not change any
number: the concatenated chunks equal the single-chunk run.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.distributions import t_ppf
from multilevel.errors import DataError
from multilevel.mixed import MixedModelError, lmm
from multilevel.simulation import classical_estimates
from multilevel.simulation.simulate import StudyDesign, simulate_study

__all__ = [
    "METHODS",
    "QUANTITIES",
    "Method",
    "DOCUMENT_CLAIMS",
    "resolve_methods",
    "replicate_seeds",
    "chunk_bounds",
    "apply_methods",
    "run_replicates",
    "run_chunk",
    "summarise",
    "verdicts",
]

QUANTITIES = {
    "within": "Within-cluster effect of x",
    "slope_gap": "Group gap in slope",
    "intercept_gap": "Group gap in intercept",
}
COLUMNS = [
    "replicate",
    "method",
    "quantity",
    "estimate",
    "se",
    "df",
    "lower",
    "upper",
    "truth",
    "covered",
    "ok",
]

Estimates = dict[str, tuple[float, float, float]]


@dataclass(frozen=True)
class Method:
    """A way of analysing one replicate: ``fit(data, groups)`` returns, for each quantity,
    (estimate, reported SE, DF of its t interval)."""

    name: str
    label: str
    fit: Callable[[pd.DataFrame, tuple[str, str]], Estimates]


# --------------------------------------------------------------------------- the methods


def mixed_estimates(fit, groups: tuple[str, str], rule: str = "nlme") -> Estimates:
    """The three quantities from a mixed model's fit under a df rule (R's names, ``group``
    the group column): x, ``x:group<other>`` and ``group<other>``."""
    other = groups[1]
    names = {"within": "x", "slope_gap": f"x:group{other}", "intercept_gap": f"group{other}"}
    est, se, df = fit.fixed_estimates(rule, list(names.values()))
    return {q: (float(est[k]), float(se[k]), float(df[k])) for k, q in enumerate(names)}


def _mixed(formula: str):
    def fit(d, groups):
        res = lmm(formula, random="~ 1 + x", group="cluster", data=d, method="REML")
        return mixed_estimates(res, groups)

    return fit


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("pooled", "Pooled OLS", classical_estimates.pooled),
        Method("fixed_effects", "Fixed effects", classical_estimates.fixed_effects),
        Method("two_stage", "Two-stage", classical_estimates.two_stage),
        Method("between", "Between clusters", classical_estimates.between),
        Method("mixed", "Mixed model", _mixed("y ~ x * group")),
        Method("mixed_contextual", "Mixed model + cvar(x)", _mixed("y ~ x * group + cvar(x)")),
    )
}

# The document's verdicts (pages 73-76), in our words.
DOCUMENT_CLAIMS = {
    "pooled": (
        "No: a blend of the within and between effects",
        "Of what?",
        "No: ignores the clustering",
    ),
    "fixed_effects": (
        "Yes: the within effect",
        "Yes",
        "Only for new units in the same clusters; SEs too small for new clusters",
    ),
    "two_stage": (
        "Yes: the within effect",
        "No: equal weight to every cluster",
        "Yes",
    ),
    "between": (
        "No: the between effect",
        "No: ignores cluster size and spread",
        "Yes",
    ),
    "mixed": (
        "Only if between = within; else a blend, close to the within effect",
        "Yes",
        "Yes",
    ),
    "mixed_contextual": (
        "Yes: within and between effects separately",
        "Yes",
        "Yes",
    ),
}

# Failures a method can meet on an unlucky replicate: recorded as missing, counted. Anything
# else (a ValueError, a TypeError) is a programming error and stops the study.
FIT_ERRORS = (DataError, MixedModelError, np.linalg.LinAlgError)


# --------------------------------------------------------------------------- replicates


def replicate_seeds(seed: int, n: int) -> list[np.random.SeedSequence]:
    """One independent SeedSequence per replicate, spawned from the master ``seed``."""
    return np.random.SeedSequence(int(seed)).spawn(int(n))


def chunk_bounds(n: int, chunks: int) -> list[tuple[int, int]]:
    """Split replicates 0..n-1 into ``chunks`` contiguous (start, stop) ranges whose sizes
    differ by at most one (the first ones are the larger)."""
    if not 1 <= chunks <= n:
        raise DataError(
            f"simulation.montecarlo.chunks must be between 1 and the number of replicates "
            f"({n}), got {chunks}"
        )
    base, extra = divmod(n, chunks)
    bounds, start = [], 0
    for i in range(chunks):
        stop = start + base + (1 if i < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


def resolve_methods(methods=None) -> dict[str, Method]:
    """``METHODS`` (None), a subset of it by name (a sequence of names: picklable, for worker
    processes), or a dict of :class:`Method` as given."""
    if methods is None:
        return METHODS
    if isinstance(methods, dict):
        return methods
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; known: {list(METHODS)}")
    return {m: METHODS[m] for m in methods}


def apply_methods(
    data: pd.DataFrame,
    design: StudyDesign,
    *,
    methods: dict[str, Method] | Sequence[str] | None = None,
    level: float = 0.95,
    replicate: int = 0,
    timings: dict[str, float] | None = None,
) -> list[dict]:
    """Apply each method to one replicate's ``data``; one record per method and quantity
    (columns ``COLUMNS``). ``timings``, if given, accumulates each method's seconds."""
    methods = resolve_methods(methods)
    truth = design.truth()
    records = []
    for name, method in methods.items():
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                est = method.fit(data, design.groups)
        except FIT_ERRORS:
            est = None
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
        for q in QUANTITIES:
            value, se, df = est[q] if est is not None else (np.nan, np.nan, np.nan)
            ok = bool(np.isfinite(value) and np.isfinite(se) and se > 0 and df > 0)
            half = t_ppf(0.5 + level / 2, df) * se if ok else np.nan
            records.append(
                {
                    "replicate": int(replicate),
                    "method": name,
                    "quantity": q,
                    "estimate": float(value),
                    "se": float(se),
                    "df": float(df),
                    "lower": float(value - half),
                    "upper": float(value + half),
                    "truth": float(truth[q]),
                    "covered": bool(ok and abs(value - truth[q]) <= half),
                    "ok": ok,
                }
            )
    return records


def run_replicates(
    design: StudyDesign,
    seed: int,
    n_replicates: int,
    start: int,
    stop: int,
    *,
    methods: dict[str, Method] | Sequence[str] | None = None,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
    timings: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Replicates ``start`` .. ``stop - 1`` of a study of ``n_replicates``: simulate each from
    its own seed, apply the methods, return the records (columns ``COLUMNS``).
    ``progress(done, total)`` is called after each replicate."""
    seeds = replicate_seeds(seed, n_replicates)
    if not 0 <= start <= stop <= n_replicates:
        raise ValueError(f"replicates {start}..{stop} are not within 0..{n_replicates}")
    records: list[dict] = []
    total = stop - start
    for k, i in enumerate(range(start, stop), start=1):
        rng = np.random.default_rng(seeds[i])
        t0 = time.perf_counter()
        data = simulate_study(design, rng)
        if timings is not None:
            timings["simulate"] = timings.get("simulate", 0.0) + time.perf_counter() - t0
        records += apply_methods(
            data, design, methods=methods, level=level, replicate=i, timings=timings
        )
        if progress is not None:
            progress(k, total)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def run_chunk(
    design: StudyDesign,
    seed: int,
    n_replicates: int,
    chunks: int,
    index: int,
    **kwargs,
) -> pd.DataFrame:
    """Chunk ``index`` (0-based) of ``chunks``: the replicates of ``chunk_bounds``."""
    bounds = chunk_bounds(n_replicates, chunks)
    if not 0 <= index < chunks:
        raise ValueError(f"chunk index {index} is not within 0..{chunks - 1}")
    start, stop = bounds[index]
    return run_replicates(design, seed, n_replicates, start, stop, **kwargs)


# --------------------------------------------------------------------------- summaries


def summarise(records: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per method and quantity (in ``METHODS`` / ``QUANTITIES`` order where known): n (usable
    replicates), failures, truth, mean estimate, bias and its MC SE, empirical SD, mean
    reported SE, their ratio (1 = honest), coverage of the ``level`` intervals and its MC SE
    sqrt(c (1 - c) / n), the MC SE a correct ``level`` coverage would have
    (sqrt(level (1 - level) / n)), and RMSE."""
    rows = []
    order = list(dict.fromkeys(list(METHODS) + records["method"].unique().tolist()))
    for method in [m for m in order if m in set(records["method"])]:
        for q in QUANTITIES:
            r = records[(records["method"] == method) & (records["quantity"] == q)]
            if r.empty:
                continue
            ok = r[r["ok"]]
            n = len(ok)
            est = ok["estimate"].to_numpy()
            truth = float(r["truth"].iloc[0])
            sd = float(np.std(est, ddof=1)) if n > 1 else np.nan
            cov = float(ok["covered"].mean()) if n else np.nan
            mean_se = float(ok["se"].mean()) if n else np.nan
            rows.append(
                {
                    "method": method,
                    "quantity": q,
                    "n": n,
                    "failures": int(len(r) - n),
                    "truth": truth,
                    "mean": float(est.mean()) if n else np.nan,
                    "bias": float(est.mean() - truth) if n else np.nan,
                    "bias_mcse": sd / np.sqrt(n) if n > 1 else np.nan,
                    "emp_sd": sd,
                    "mean_se": mean_se,
                    "se_ratio": mean_se / sd if n > 1 and sd > 0 else np.nan,
                    "coverage": cov,
                    "coverage_mcse": float(np.sqrt(cov * (1 - cov) / n)) if n else np.nan,
                    "nominal_mcse": float(np.sqrt(level * (1 - level) / n)) if n else np.nan,
                    "rmse": float(np.sqrt(np.mean((est - truth) ** 2))) if n else np.nan,
                    "q025": float(np.quantile(est, 0.025)) if n else np.nan,
                    "q975": float(np.quantile(est, 0.975)) if n else np.nan,
                }
            )
    return pd.DataFrame(rows)


def verdicts(summary: pd.DataFrame, quantity: str = "within", level: float = 0.95) -> pd.DataFrame:
    """The measured answers to the document's three questions for one quantity, per method.

    consistent: |bias| <= 3 MC SEs of the bias (no bias detectable with this many
    replicates); efficiency: the smallest empirical variance among the consistent methods
    divided by this method's (1 = the most efficient; NaN for an inconsistent method);
    honest: |coverage - level| <= 3 nominal MC SEs."""
    s = summary[summary["quantity"] == quantity].set_index("method")
    consistent = (s["bias"].abs() <= 3 * s["bias_mcse"]).to_numpy()
    best = (s["emp_sd"][consistent] ** 2).min() if consistent.any() else np.nan
    eff = np.where(consistent, best / s["emp_sd"] ** 2, np.nan)
    honest = ((s["coverage"] - level).abs() <= 3 * s["nominal_mcse"]).to_numpy()
    return pd.DataFrame(
        {
            "bias": s["bias"],
            "bias_mcse": s["bias_mcse"],
            "consistent": consistent,
            "efficiency": eff,
            "se_ratio": s["se_ratio"],
            "coverage": s["coverage"],
            "honest": honest,
        },
        index=s.index,
    )
