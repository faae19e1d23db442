"""The mixed-model engine on large simulated data: converged by Newton alone, the same
answer whatever the row order or the type of the cluster ids, memory O(rows + clusters).

The shapes are those a user timed (issue 12): 1,000,000 rows in 10,000 clusters with a
predictor that varies between clusters, 200,000 rows in 50,000 clusters with string ids,
and 200,000 rows in 100,000 clusters of 2.  Times are measured in benchmarks/, not here.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from multilevel.mixed import lmm
from multilevel.mixed.optimise import DECREMENT_TOL

TRUTH = {"(Intercept)": 10.0, "x": 1.5, "sd0": 2.0, "sd1": 0.5, "sigma": 3.0}


def simulate(J: int, per: int, seed: int, between: bool = False) -> pd.DataFrame:
    """Random intercept and slope; sizes uniform on [per/2, 3 per/2] (exactly per if 2)."""
    rng = np.random.default_rng(seed)
    sizes = np.full(J, per) if per <= 2 else rng.integers(per // 2, per + per // 2 + 1, J)
    g = np.repeat(np.arange(J), sizes)
    x = rng.normal(size=g.size)
    if between:  # x = cluster effect + within noise
        x += rng.normal(scale=1.5, size=J)[g]
    b0 = rng.normal(scale=TRUTH["sd0"], size=J)
    b1 = 0.15 * b0 + rng.normal(scale=TRUTH["sd1"], size=J)
    y = TRUTH["(Intercept)"] + TRUTH["x"] * x + b0[g] + b1[g] * x
    y += rng.normal(scale=TRUTH["sigma"], size=g.size)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def fit(df: pd.DataFrame):
    return lmm("y ~ x", random="~ 1 + x", group="g", data=df)


def _check(res, df):
    assert res.converged and res.optimizers == ["Newton"]
    assert res.newton_decrement <= DECREMENT_TOL
    assert res.n_obs == len(df) and res.n_groups == df["g"].nunique()
    for name in ("(Intercept)", "x"):
        assert abs(res.params[name] - TRUTH[name]) < 5 * res.bse[name]
    assert res.sigma == pytest.approx(TRUTH["sigma"], rel=0.02)


@pytest.fixture(scope="module")
def million():
    return simulate(10_000, 100, seed=2, between=True)


def test_million_rows_in_ten_thousand_clusters(million):
    res = fit(million)
    _check(res, million)
    sd_slope = np.hypot(0.15 * TRUTH["sd0"], TRUTH["sd1"])  # b1 = 0.15 b0 + N(0, sd1^2)
    assert res.sd_re["x"] == pytest.approx(sd_slope, rel=0.05)
    assert res.sd_re["(Intercept)"] == pytest.approx(TRUTH["sd0"], rel=0.05)
    # the same rows in another order (clusters no longer contiguous: another summation path)
    shuffled = million.sample(frac=1.0, random_state=1)
    again = fit(shuffled)
    assert again.llf == pytest.approx(res.llf, rel=1e-12)
    np.testing.assert_allclose(again.params, res.params, rtol=1e-9)
    np.testing.assert_allclose(again.theta, res.theta, rtol=1e-6)


def test_fifty_thousand_clusters_with_string_ids():
    df = simulate(50_000, 4, seed=3)
    res = fit(df)
    _check(res, df)
    named = df.assign(g="school-" + df["g"].astype(str))
    again = fit(named)
    assert again.llf == pytest.approx(res.llf, rel=1e-12)
    np.testing.assert_allclose(again.params, res.params, rtol=1e-9)
    # the random effects belong to the same clusters under their new names
    re = res.ranef()
    re2 = again.ranef()
    np.testing.assert_allclose(re2.loc[["school-17", "school-4242"]], re.loc[[17, 4242]])


def test_hundred_thousand_clusters_of_two_in_bounded_memory():
    df = simulate(100_000, 2, seed=4)
    input_bytes = sum(df[c].to_numpy().nbytes for c in ("y", "x", "g"))
    tracemalloc.start()
    try:
        res = fit(df)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _check(res, df)
    # O(rows + clusters): a few arrays the size of the input, never rows x clusters
    assert peak <= 3 * input_bytes, peak / input_bytes
