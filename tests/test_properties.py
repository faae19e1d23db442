"""Invariants of the pipeline on random valid two-level data (property-based, hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multilevel.classical.effects import three_effects
from multilevel.data.grouping import up
from multilevel.data.prepare import prepare

from .helpers import spec_from


@st.composite
def two_level_data(draw):
    clusters = draw(st.integers(min_value=3, max_value=12))
    sizes = draw(st.lists(st.integers(2, 7), min_size=clusters, max_size=clusters))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(100, 100 + clusters), sizes)
    shift = rng.normal(scale=2.0, size=clusters)[ids - 100]
    x = np.round(rng.normal(size=ids.size) + shift, 3)
    y = np.round(1.0 + 0.7 * x + 1.5 * shift + rng.normal(size=ids.size), 3)
    order = rng.permutation(ids.size)  # rows in any order in the file
    return pd.DataFrame({"unit": ids[order], "x": x[order], "y": y[order]})


def _slope(x, y):
    x = np.asarray(x, float) - np.mean(x)
    return float(np.dot(x, np.asarray(y, float)) / np.dot(x, x))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=two_level_data())
def test_pipeline_invariants(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("prop") / "data.csv"
    data.to_csv(path, index=False)
    spec = spec_from(
        {
            "title": "random",
            "files": {"level1": {"path": str(path)}},
            "roles": {"cluster": "unit", "outcome": "y", "predictor": "x"},
        }
    )
    long = prepare(spec).long
    assert len(long) == len(data)
    # rows keep their raw order and content
    assert np.allclose(long["y"].to_numpy(), data["y"].to_numpy())
    clusters = up(long, "unit", summarise=True)
    assert len(clusters) == data["unit"].nunique()
    means = data.groupby("unit")[["x", "y"]].mean()
    assert np.allclose(clusters[["x", "y"]].to_numpy(), means.to_numpy())

    effects = three_effects(long, "unit", "y", "x").table["estimate"]
    # between-cluster slope = OLS slope of the cluster means
    assert np.isclose(effects[("overall", "between")], _slope(means["x"], means["y"]))
    # within (fixed-effects) slope = OLS slope of the within-cluster deviations
    dev = data[["x", "y"]] - data.groupby("unit")[["x", "y"]].transform("mean")
    assert np.isclose(effects[("overall", "within")], _slope(dev["x"], dev["y"]))
    # pooled slope = OLS slope of the raw data
    assert np.isclose(effects[("overall", "pooled")], _slope(data["x"], data["y"]))
