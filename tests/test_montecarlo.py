"""The Monte Carlo study at the library level: seeds and chunks, the wiring of each method to
the three quantities, the summaries, and a study whose results converge to the design's values
(and to each method's documented target) within Monte Carlo error."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from multilevel.classical import (
    between_cluster,
    fixed_effects_common_slope,
    pooled_ols,
    two_stage,
)
from multilevel.mixed import lmm
from multilevel.simulation import montecarlo as mc
from multilevel.simulation.simulate import StudyDesign, simulate_study

SMALL = StudyDesign(clusters_per_group=5, cluster_size=(("distribution", "fixed"), ("size", 10)))


def test_chunk_bounds_partition_the_replicates():
    assert mc.chunk_bounds(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert mc.chunk_bounds(5, 5) == [(i, i + 1) for i in range(5)]
    assert mc.chunk_bounds(7, 1) == [(0, 7)]
    with pytest.raises(ValueError, match="chunks"):
        mc.chunk_bounds(3, 4)
    with pytest.raises(ValueError, match="chunks"):
        mc.chunk_bounds(3, 0)


def test_replicate_seeds_are_spawned_from_the_master_seed():
    seeds = mc.replicate_seeds(42, 4)
    direct = np.random.SeedSequence(42).spawn(4)
    for a, b in zip(seeds, direct, strict=True):
        assert a.generate_state(4).tolist() == b.generate_state(4).tolist()
    states = {tuple(s.generate_state(2)) for s in seeds}
    assert len(states) == 4


def test_chunking_does_not_change_any_number():
    whole = mc.run_chunk(SMALL, 9, 6, 1, 0)
    parts = pd.concat([mc.run_chunk(SMALL, 9, 6, 3, i) for i in range(3)], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)
    assert whole["replicate"].unique().tolist() == list(range(6))
    assert len(whole) == 6 * len(mc.METHODS) * len(mc.QUANTITIES)
    assert whole["ok"].all()


def test_same_seed_same_records_other_seed_other_records():
    a = mc.run_replicates(SMALL, 5, 3, 0, 2)
    b = mc.run_replicates(SMALL, 5, 3, 0, 2)
    c = mc.run_replicates(SMALL, 6, 3, 0, 2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["estimate"], c["estimate"])


def test_each_method_reports_the_right_coefficients():
    data = simulate_study(SMALL, np.random.default_rng(3))
    rec = pd.DataFrame(mc.apply_methods(data, SMALL)).set_index(["method", "quantity"])
    pooled = pooled_ols(data, "y", "x", "group", reference="A")
    assert rec.loc[("pooled", "slope_gap"), "estimate"] == pytest.approx(
        pooled.params["x:groupB"], rel=1e-12
    )
    assert rec.loc[("pooled", "within"), "se"] == pytest.approx(pooled.bse["x"], rel=1e-12)
    ts = two_stage(data, "cluster", "y", "x", "group", reference="A")
    assert rec.loc[("two_stage", "intercept_gap"), "estimate"] == pytest.approx(
        ts.params["[intercept] groupB"], rel=1e-12
    )
    assert rec.loc[("two_stage", "intercept_gap"), "df"] == 2 * 5 - 2
    fit = lmm("y ~ x * group + cvar(x)", random="~ 1 + x", group="cluster", data=data)
    row = rec.loc[("mixed_contextual", "within")]
    assert row["estimate"] == pytest.approx(fit.params["x"], rel=1e-10)
    assert row["se"] == pytest.approx(fit.bse["x"], rel=1e-10)
    assert row["df"] == fit.df["x"]
    # the interval is estimate +- t(.975; df) SE and "covered" compares it with the truth
    from scipy import stats

    half = stats.t.ppf(0.975, row["df"]) * row["se"]
    assert row["upper"] - row["estimate"] == pytest.approx(half)
    assert row["covered"] == (abs(row["estimate"] - SMALL.within) <= half)


@pytest.mark.parametrize(
    "design",
    [
        SMALL,
        StudyDesign(
            clusters_per_group=4,
            groups=("public", "catholic"),
            cluster_size=(("distribution", "uniform"), ("low", 3), ("high", 30)),
        ),
    ],
)
def test_classical_estimates_are_those_of_the_classical_methods(design):
    """The study computes the four classical methods from the replicate's arrays
    (multilevel.simulation.classical_estimates); each of their three quantities is what the
    full function of multilevel.classical reports (to the bit on this platform; 1e-13 allows
    for another BLAS)."""
    ref, other = design.groups
    full = {
        "pooled": lambda d: pooled_ols(d, "y", "x", "group", reference=ref),
        "fixed_effects": lambda d: fixed_effects_common_slope(
            d, "cluster", "y", "x", "group", reference=ref
        ),
        "two_stage": lambda d: two_stage(d, "cluster", "y", "x", "group", reference=ref),
        "between": lambda d: between_cluster(d, "cluster", "y", "x", "group", reference=ref),
    }
    for seed in range(3):
        data = simulate_study(design, np.random.default_rng(seed))
        for name, fit in full.items():
            res = fit(data)
            line, gap = res.group_estimates()[ref], res.difference(other, ref)
            expected = {
                "within": (line.slope, line.se[1], line.df),
                "slope_gap": (gap.slope, gap.se[1], gap.df),
                "intercept_gap": (gap.intercept, gap.se[0], gap.df),
            }
            ours = mc.METHODS[name].fit(data, design.groups)
            for q, values in expected.items():
                assert ours[q] == pytest.approx(values, rel=1e-13, abs=1e-13), (name, q, seed)


def test_a_failing_method_is_recorded_and_counted():
    def broken(data, groups):
        raise np.linalg.LinAlgError("singular")

    methods = {"pooled": mc.METHODS["pooled"], "broken": mc.Method("broken", "Broken", broken)}
    rec = mc.run_replicates(SMALL, 1, 2, 0, 2, methods=methods)
    bad = rec[rec["method"] == "broken"]
    assert not bad["ok"].any() and bad["estimate"].isna().all() and not bad["covered"].any()
    s = mc.summarise(rec)
    assert s.loc[s["method"] == "broken", "failures"].tolist() == [2, 2, 2]
    assert s.loc[s["method"] == "pooled", "failures"].tolist() == [0, 0, 0]


def test_a_programming_error_in_a_method_stops_the_study():
    def buggy(data, groups):
        raise ValueError("a bug, not an unlucky replicate")

    methods = {"buggy": mc.Method("buggy", "Buggy", buggy)}
    with pytest.raises(ValueError, match="a bug"):
        mc.run_replicates(SMALL, 1, 2, 0, 1, methods=methods)


def test_summarise_computes_the_documented_statistics():
    est = np.array([1.0, 2.0, 3.0, 6.0])
    rec = pd.DataFrame(
        {
            "replicate": range(4),
            "method": "m",
            "quantity": "within",
            "estimate": est,
            "se": [1.0, 1.0, 2.0, 2.0],
            "df": 10.0,
            "lower": np.nan,
            "upper": np.nan,
            "truth": 2.0,
            "covered": [True, True, True, False],
            "ok": True,
        }
    )
    s = mc.summarise(rec).iloc[0]
    sd = np.std(est, ddof=1)
    assert s["bias"] == pytest.approx(1.0)
    assert s["emp_sd"] == pytest.approx(sd)
    assert s["bias_mcse"] == pytest.approx(sd / 2)
    assert s["se_ratio"] == pytest.approx(1.5 / sd)
    assert s["coverage"] == 0.75
    assert s["coverage_mcse"] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert s["nominal_mcse"] == pytest.approx(np.sqrt(0.95 * 0.05 / 4))
    assert s["rmse"] == pytest.approx(np.sqrt(np.mean((est - 2) ** 2)))


def test_study_converges_to_the_design_and_to_each_methods_target(monkeypatch):
    """A moderately large study (200 replicates of 20 clusters of 20 rows; the four fastest
    methods): the consistent methods recover the design's values within 3 Monte Carlo SEs, the
    mixed model's 95% intervals cover within 3 MC SEs of 95%, and the biased methods converge to
    the targets the module docstring derives.

    Its two chunks run in two fresh processes with one BLAS thread each (as the workflow's chunk
    jobs do): on small matrices OpenBLAS's threads more than double the CPU time."""
    d = StudyDesign(clusters_per_group=10, cluster_size=(("distribution", "fixed"), ("size", 20)))
    names = ["pooled", "two_stage", "between", "mixed_contextual"]
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        jobs = [pool.submit(mc.run_chunk, d, 2017, 200, 2, i, methods=names) for i in range(2)]
        rec = pd.concat([j.result() for j in jobs], ignore_index=True)
    assert rec["replicate"].tolist() == sorted(rec["replicate"])
    s = mc.summarise(rec).set_index(["method", "quantity"])
    assert (s["failures"] == 0).all()

    def off(method, quantity, target):
        r = s.loc[(method, quantity)]
        return abs(r["mean"] - target) / r["bias_mcse"]

    truth = d.truth()
    for q in mc.QUANTITIES:
        assert off("mixed_contextual", q, truth[q]) < 3, q
        r = s.loc[("mixed_contextual", q)]
        assert abs(r["coverage"] - 0.95) < 3 * r["nominal_mcse"], q
    assert off("two_stage", "within", truth["within"]) < 3
    assert off("two_stage", "slope_gap", truth["slope_gap"]) < 3
    assert off("between", "intercept_gap", truth["intercept_gap"]) < 3
    assert off("between", "slope_gap", truth["slope_gap"]) < 3
    # the documented targets of the biased estimates
    tau2, s2, n = d.x_between_sd**2, d.x_within_sd**2, 20
    kappa = (tau2 + s2 / n) / (tau2 + s2)
    delta, dmu = d.contextual, d.x_group_means[1] - d.x_group_means[0]
    assert off("pooled", "within", d.within + kappa * delta) < 3
    assert off("between", "within", d.between) < 3
    assert off("two_stage", "intercept_gap", d.intercept_gap + delta * dmu) < 3
    # ... which are far from the truth: the test can tell a biased method from a consistent one
    assert off("pooled", "within", d.within) > 10
    assert off("two_stage", "intercept_gap", d.intercept_gap) > 10
    # pooled OLS reports SEs much smaller than its real SD; two-stage's are about right
    assert s.loc[("pooled", "slope_gap"), "se_ratio"] < 0.8
    assert 0.85 < s.loc[("two_stage", "slope_gap"), "se_ratio"] < 1.15


def test_verdicts_flag_bias_and_dishonesty():
    rows = []
    for m, bias, sd, cov in (("a", 0.0, 1.0, 0.95), ("b", 1.0, 1.0, 0.5), ("c", 0.01, 2.0, 0.94)):
        rows.append(
            {
                "method": m,
                "quantity": "within",
                "bias": bias,
                "bias_mcse": sd / 10,
                "emp_sd": sd,
                "se_ratio": 1.0,
                "coverage": cov,
                "nominal_mcse": 0.015,
            }
        )
    v = mc.verdicts(pd.DataFrame(rows))
    assert v["consistent"].tolist() == [True, False, True]
    assert v["honest"].tolist() == [True, False, True]
    assert v.loc["a", "efficiency"] == 1.0 and v.loc["c", "efficiency"] == pytest.approx(0.25)
    assert np.isnan(v.loc["b", "efficiency"])
