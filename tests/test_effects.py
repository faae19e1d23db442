"""Within, between and pooled effects; paradox checks; invariants on random two-level data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multilevel.classical import between_cluster, fixed_effects_common_slope, pooled_ols
from multilevel.classical.effects import pooled_decomposition, three_effects

ROLES = {"cluster": "school", "outcome": "mathach", "predictor": "ses"}


@pytest.fixture(scope="module")
def hs_effects(hs_raw):
    return three_effects(hs_raw, group="Sector", **ROLES)


def test_hs_effects_match_the_methods_pages_42_44_46(hs_effects, hs_raw):
    t = hs_effects.table
    # between: the ecological regression of page 44
    assert round(t.loc[("overall", "between"), "estimate"], 4) == 5.7734
    assert round(t.loc[("overall", "between"), "se"], 4) == 0.6984
    # pooled by sector: page 46 (Catholic slope, and Catholic + interaction for Public)
    assert round(t.loc[("Catholic", "pooled"), "estimate"], 4) == 2.2999
    assert round(t.loc[("Catholic", "pooled"), "se"], 4) == 0.2582
    assert t.loc[("Public", "pooled"), "estimate"] == pytest.approx(2.2999 + 1.6051, abs=1e-4)
    # within by sector: the fixed-effects model 2b of page 42 (its difference is 1.204719)
    fe = fixed_effects_common_slope(hs_raw, group="Sector", **ROLES)
    diff = t.loc[("Public", "within"), "estimate"] - t.loc[("Catholic", "within"), "estimate"]
    assert round(diff, 6) == 1.204719
    for level, est in fe.group_estimates().items():
        assert t.loc[(level, "within"), "estimate"] == pytest.approx(est.slope, rel=1e-10)
        assert t.loc[(level, "within"), "se"] == pytest.approx(est.se[1], rel=1e-10)
        assert t.loc[(level, "within"), "df"] == 1935


def test_hs_has_no_paradox_and_says_so(hs_effects):
    found = hs_effects.paradoxes()
    assert len(found) == 6  # two checks x (overall, Catholic, Public)
    assert not any(p.holds for p in found)
    first = found[0]
    assert first.name == "Robinson's paradox" and first.scope == "overall"
    assert "does not hold" in first.sentence and "school" in first.sentence
    assert "5.77" in first.sentence and "2.22" in first.sentence


def _robinson_data():
    """Three clusters: within each, y falls with x; clusters with higher mean x have much
    higher mean y."""
    rows = []
    for k, (mx, my) in enumerate([(0.0, 0.0), (2.0, 10.0), (4.0, 20.0)]):
        for dx in (-1.0, 0.0, 1.0):
            rows.append({"c": k, "x": mx + dx, "y": my - 2 * dx})
    return pd.DataFrame(rows)


def test_robinson_and_simpson_paradox_detected():
    eff = three_effects(_robinson_data(), "c", "y", "x")
    assert eff.effect("within") == pytest.approx(-2.0)
    assert eff.effect("between") == pytest.approx(5.0)
    found = {p.name: p for p in eff.paradoxes()}
    assert found["Robinson's paradox"].holds
    assert "holds" in found["Robinson's paradox"].sentence
    assert "falls by 2" in found["Robinson's paradox"].sentence
    # pooled slope: (SSW * -2 + SSB * 5) / (SSW + SSB) with SSW = 6, SSB = 24 -> 3.6 > 0
    assert eff.effect("pooled") == pytest.approx(3.6)
    assert found["Simpson's paradox"].holds
    d = eff.to_dict()
    assert {r["effect"] for r in d["effects"]} == {"within", "between", "pooled"}
    assert sum(p["holds"] for p in d["paradoxes"]) == 2


def _two_level(seed, n_clusters, sizes, b_within, b_between, sd_x_between):
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n_clusters):
        n = int(sizes[k % len(sizes)])
        mx = rng.normal(0, sd_x_between)
        x = mx + rng.normal(0, 1, n)
        y = b_between * mx + b_within * (x - mx) + rng.normal(0, 1, n) + rng.normal()
        frames.append(pd.DataFrame({"c": k, "x": x, "y": y, "g": "a" if k % 2 else "b"}))
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_clusters=st.integers(5, 12),
    sizes=st.lists(st.integers(3, 15), min_size=1, max_size=4),
    b_within=st.floats(-3, 3),
    b_between=st.floats(-3, 3),
    sd_x_between=st.floats(0.3, 3),
)
def test_property_effect_definitions(seed, n_clusters, sizes, b_within, b_between, sd_x_between):
    d = _two_level(seed, n_clusters, sizes, b_within, b_between, sd_x_between)
    eff = three_effects(d, "c", "y", "x", group="g")
    # between = OLS slope of the cluster means
    means = d.groupby("c")[["x", "y"]].mean()
    assert eff.effect("between") == pytest.approx(np.polyfit(means["x"], means["y"], 1)[0])
    # within = OLS slope (through the origin) of within-cluster deviations
    dev = d[["x", "y"]] - d.groupby("c")[["x", "y"]].transform("mean")
    assert eff.effect("within") == pytest.approx((dev.x * dev.y).sum() / (dev.x**2).sum())
    # ... which is the common slope of the model with cluster dummies
    X = np.column_stack([d["x"], pd.get_dummies(d["c"]).to_numpy(dtype=float)])
    beta = np.linalg.lstsq(X, d["y"].to_numpy(), rcond=None)[0]
    assert eff.effect("within") == pytest.approx(beta[0], rel=1e-8, abs=1e-10)
    # pooled = marginal OLS slope
    assert eff.effect("pooled") == pytest.approx(np.polyfit(d["x"], d["y"], 1)[0])
    # by group, each slope is the same definition applied within the group's clusters
    for level in ("a", "b"):
        sub = d[d["g"] == level]
        m = sub.groupby("c")[["x", "y"]].mean()
        assert eff.effect("between", level) == pytest.approx(np.polyfit(m["x"], m["y"], 1)[0])
        assert eff.effect("pooled", level) == pytest.approx(np.polyfit(sub["x"], sub["y"], 1)[0])
        dv = dev[d["g"] == level]
        assert eff.effect("within", level) == pytest.approx((dv.x * dv.y).sum() / (dv.x**2).sum())
    # the pooled slope is the SS-weighted average of within and size-weighted between slopes
    dec = pooled_decomposition(d, "c", "y", "x")
    assert dec["pooled"] == pytest.approx(eff.effect("pooled"))
    assert dec["weight_within"] + dec["weight_between"] == pytest.approx(1.0)
    assert dec["pooled"] == pytest.approx(
        dec["weight_within"] * dec["within"] + dec["weight_between"] * dec["between_weighted"]
    )
    # the paradox flags are exactly the sign comparisons
    flags = {(p.name, p.scope): p.holds for p in eff.paradoxes()}
    for scope in ("overall", "a", "b"):
        w = eff.effect("within", scope)
        assert flags[("Robinson's paradox", scope)] == (w * eff.effect("between", scope) < 0)
        assert flags[("Simpson's paradox", scope)] == (w * eff.effect("pooled", scope) < 0)


def test_standard_errors_come_from_the_models(hs_raw):
    eff = three_effects(hs_raw, **ROLES)
    eco = between_cluster(hs_raw, **ROLES)
    pooled = pooled_ols(hs_raw, "mathach", "ses")
    assert eff.table.loc[("overall", "between"), "se"] == pytest.approx(eco.table.loc["ses", "se"])
    assert eff.table.loc[("overall", "pooled"), "se"] == pytest.approx(
        pooled.table.loc["ses", "se"]
    )
    assert eff.table.loc[("overall", "within"), "df"] == len(hs_raw) - 40 - 1


def test_paradoxes_are_checked_only_over_effects_that_exist():
    # every cluster has the same mean of x (balanced times): no between effect
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"c": np.repeat(np.arange(12), 4), "x": np.tile([0.0, 1, 2, 3], 12)})
    data["y"] = 2.0 * data["x"] + rng.normal(size=len(data)) + np.repeat(rng.normal(size=12), 4)
    eff = three_effects(data, "c", "y", "x")
    found = {p.name: p for p in eff.paradoxes()}
    robinson = found["Robinson's paradox"]
    assert not robinson.checked and not robinson.holds
    assert "nan" not in robinson.sentence
    assert "there is no between effect" in robinson.sentence
    assert "means of x do not vary (a balanced design, or x centred within cs)" in robinson.sentence
    simpson = found["Simpson's paradox"]
    assert simpson.checked and "nan" not in simpson.sentence
