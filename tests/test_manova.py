"""The two-stage MANOVA equals R's summary.manova (tests/fixtures/r/manova.json, written by
tests/fixtures/r/make_manova.R) for groups of 2, 3 and 4 levels: every statistic's value, F,
both df and p."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from multilevel.classical import two_stage
from multilevel.classical.manova import STATISTICS, manova_statistics

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "manova.json"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def hsb() -> pd.DataFrame:
    students = pd.read_csv(RAW / "MathAchieve.csv").drop(columns="MEANSES")
    schools = pd.read_csv(RAW / "MathAchSchool.csv").drop(columns="MEANSES")
    data = students.merge(schools, on="School", how="left", validate="many_to_one")
    data["mod3"] = (data["School"] % 3).astype(str)
    data["mod4"] = (data["School"] % 4).astype(str)
    return data


@pytest.mark.parametrize("key", ["k2", "k3", "k4"])
def test_two_stage_manova_equals_r(hsb, key):
    case = json.loads(FIXTURE.read_text())["manova"][key]
    res = two_stage(hsb, "School", "MathAch", "SES", case["group"])
    assert len(res.group_L) == case["levels"]
    for stat in STATISTICS:
        ours, r = res.manova.loc[stat], case[stat]
        assert ours["num_df"] == pytest.approx(r["num_df"], rel=1e-12), stat
        assert ours["den_df"] == pytest.approx(r["den_df"], rel=1e-12), stat
        for field in ("value", "F", "p"):
            assert ours[field] == pytest.approx(r[field], rel=1e-9), (stat, field)


def test_with_one_hypothesis_row_every_f_is_the_same_exact_f():
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(30), rng.integers(0, 2, 30)])
    Y = rng.normal(size=(30, 2)) + X[:, [1]] * [0.5, -0.3]
    out = manova_statistics(Y, X, tested=[1])
    assert np.allclose(out["F"], out["F"].iloc[0]) and np.allclose(out["p"], out["p"].iloc[0])
    assert set(out["num_df"]) == {2.0} and set(out["den_df"]) == {27.0}
