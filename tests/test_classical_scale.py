"""Every classical method, and its artifact, on 100,000 clusters of 2 rows and on 20,000
clusters of about 5 rows: memory stays O(rows + clusters) (the dummy-variable fit of method
2a needed a 200,000 x 200,000 design here, 298 GiB). Memory is measured with tracemalloc,
which sees numpy's allocations; time is not asserted."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import statsmodels.api  # noqa: F401  (imported before measuring: its import is not the fit)

from multilevel.classical.artifacts.fitting import METHODS, fit_method
from multilevel.classical.artifacts.stored import method_artifact

from .helpers import spec_from

MiB = 2**20


def _spec():
    entry = {
        "title": "many clusters",
        "files": {"level1": {"path": "unused.parquet"}},
        "roles": {"cluster": "id", "outcome": "y", "predictor": "x", "group": "arm"},
    }
    return spec_from(entry, "many")


def _data(sizes: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    J = len(sizes)
    cl = np.repeat(np.arange(J), sizes)
    arm = np.where(np.arange(J) % 3 == 0, "treated", "control")
    x = rng.normal(size=len(cl)) + rng.normal(size=J)[cl]
    y = 1.0 + 0.5 * x + 0.3 * (arm[cl] == "treated") * x + rng.normal(size=J)[cl]
    y = y + rng.normal(size=len(cl))
    return pd.DataFrame({"id": cl, "x": x, "y": y, "arm": pd.Categorical(arm[cl])})


def _peak(step):
    tracemalloc.start()
    try:
        out = step()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _within_slopes(long: pd.DataFrame) -> dict:
    """The within-cluster slope of each arm, straight from its definition."""
    dx = long["x"] - long.groupby("id")["x"].transform("mean")
    dy = long["y"] - long.groupby("id")["y"].transform("mean")
    frame = pd.DataFrame({"xy": dx * dy, "xx": dx * dx, "arm": long["arm"]})
    sums = frame.groupby("arm", observed=True)[["xy", "xx"]].sum()
    return (sums["xy"] / sums["xx"]).to_dict()


def test_hundred_thousand_clusters_of_two():
    J = 100_000
    long = _data(np.full(J, 2), seed=1)
    spec = _spec()
    fits, peak = _peak(lambda: {name: fit_method(name, long, spec) for name in METHODS})
    # every fit of the five methods held at once, against 4.6 MiB of input columns
    assert peak < 150 * MiB, f"{peak / MiB:.0f} MiB"
    arts = {name: method_artifact(fit) for name, fit in fits.items()}
    assert all(a["status"] == "fitted" for a in arts.values())

    fe2a = arts["fe2a"]
    assert len(fe2a["clusters"]) == J and fe2a["dropped_clusters"] == []
    # two points per cluster: each line is exact, nothing is left to estimate sigma from
    assert fe2a["estimates"]["df_resid"] == 0 and fe2a["estimates"]["test"] is None
    assert "no residual degrees of freedom" in fe2a["estimates"]["note"]
    slopes = fits["fe2a"].result.cluster_coefs.groupby("arm", observed=True)["slope"].mean()
    gap = fe2a["gaps"]["treated"]
    assert gap["slope"] == pytest.approx(slopes["treated"] - slopes["control"], rel=1e-9)
    assert gap["se"] == [None, None]

    fe2b = arts["fe2b"]
    test = fe2b["estimates"]["test"]
    assert test["num_df"] == 1 and test["den_df"] == 2 * J - J - 2
    within = _within_slopes(long)
    row = test["table"]["x:armtreated"]
    assert row["estimate"] == pytest.approx(within["treated"] - within["control"], rel=1e-9)
    assert 0 < row["se"] < 0.05

    assert arts["twostage"]["estimates"]["df_resid"] == J - 2
    assert len(arts["twostage"]["estimates"]["manova"]) == 4
    assert arts["between"]["overall"]["nobs"] == J
    assert arts["pooled"]["estimates"]["df_resid"] == 2 * J - 4


@pytest.mark.filterwarnings("ignore:50 cluster")
def test_twenty_thousand_clusters_of_about_five():
    rng = np.random.default_rng(5)
    sizes = rng.integers(3, 8, size=20_000)
    sizes[:50] = 1  # clusters without a line of their own
    long = _data(sizes, seed=2)
    spec = _spec()
    for name in METHODS:
        art, peak = _peak(lambda name=name: method_artifact(fit_method(name, long, spec)))
        assert peak < 100 * MiB, f"{name}: {peak / MiB:.0f} MiB"
        assert art["status"] == "fitted"
        if name in ("fe2a", "twostage"):
            assert len(art["dropped_clusters"]) == 50 and len(art["clusters"]) == 19_950
        if name == "fe2a":
            test = art["estimates"]["test"]
            assert test["num_df"] == 2
            assert test["den_df"] == len(long) - 50 - 2 * 19_950
        if name == "fe2b":
            within = _within_slopes(long)
            gap = art["gaps"]["treated"]["slope"]
            assert gap == pytest.approx(within["treated"] - within["control"], rel=1e-9)
