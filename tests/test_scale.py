"""A huge number of small clusters works: 100,000 clusters of 3 rows."""

import numpy as np
import pandas as pd

from multilevel.data.describe import data_tables
from multilevel.data.prepare import prepare
from multilevel.mixed import lmm
from multilevel.selection import TABLE_ROWS

from .helpers import spec_from


def test_hundred_thousand_clusters_of_three(tmp_path):
    rng = np.random.default_rng(20261125)
    clusters = 100_000
    frame = pd.DataFrame(
        {"id": np.repeat(np.arange(clusters), 3), "x": rng.normal(size=3 * clusters)}
    )
    u0 = rng.normal(scale=2.0, size=clusters)
    frame["y"] = 1.0 + u0[frame["id"]] + 0.5 * frame["x"] + rng.normal(size=len(frame))
    path = tmp_path / "many.parquet"
    frame.to_parquet(path)
    entry = {
        "title": "many small clusters",
        "files": {"level1": {"path": str(path)}},
        "roles": {"cluster": "id", "outcome": "y", "predictor": "x"},
        "id_label": "label",
    }
    spec = spec_from(entry)
    long = prepare(spec).long
    assert len(long) == 300_000 and long["id"].nunique() == clusters
    tables = {t.key: t for t in data_tables(long, spec)}
    # the report shows a selection of clusters; the table for the CSV holds every cluster
    assert len(tables["up"].full) == clusters and len(tables["up"].frame) == TABLE_ROWS
    fit = lmm("y ~ x", random="~ 1", group="id", data=long, method="REML")
    assert fit.converged and fit.n_groups == clusters
    # the design values, within a few standard errors
    assert abs(fit.params["x"] - 0.5) < 4 * fit.bse["x"]
    assert abs(fit.sd_re.iloc[0] - 2.0) < 0.05 and abs(fit.sigma - 1.0) < 0.02
