"""A dataset of many tiny clusters (2 or 3 rows each), to test and measure the workflow at the
scale of 100,000 clusters (benchmarks/bench_report_scale.py, tests/test_workflow_scale.py).

Each cluster j is in group A or B (half each, alternating), has a random intercept and slope
around its group's line and a cluster-mean component in x (so the within- and between-cluster
effects differ), and its rows carry a level-1 category `kind` (u or v). Randomness only from the
Generator passed in: the same seed writes the same file, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["many_small_clusters", "write_many_small_clusters", "many_clusters_entry"]


def many_small_clusters(
    clusters: int, rng: np.random.Generator, sizes: tuple[int, ...] = (2, 3)
) -> pd.DataFrame:
    """`clusters` clusters with sizes drawn uniformly from `sizes`: columns id (1..J), group
    (A, B), kind (u, v), x, y. Draws, in this order: sizes, cluster means of x, random effects,
    within-cluster deviations of x, kinds, errors."""
    n = rng.choice(np.asarray(sizes), size=clusters)
    group = np.arange(clusters) % 2
    mean_x = 0.5 * group + 0.4 * rng.standard_normal(clusters)
    intercept = 12.0 - 2.0 * group + 2.0 * rng.standard_normal(clusters)
    slope = 2.0 + 1.0 * group + 0.5 * rng.standard_normal(clusters)
    row_cluster = np.repeat(np.arange(clusters), n)
    x = mean_x[row_cluster] + 0.7 * rng.standard_normal(row_cluster.size)
    kind = rng.integers(0, 2, row_cluster.size)
    y = (
        intercept[row_cluster]
        + slope[row_cluster] * x
        + 3.0 * mean_x[row_cluster]
        + 6.0 * rng.standard_normal(row_cluster.size)
    )
    return pd.DataFrame(
        {
            "id": row_cluster + 1,
            "group": np.array(["A", "B"])[group[row_cluster]],
            "kind": np.array(["u", "v"])[kind],
            "x": np.round(x, 4),
            "y": np.round(y, 3),
        }
    )


def write_many_small_clusters(
    path: str | Path, clusters: int, seed: int, sizes: tuple[int, ...] = (2, 3)
) -> Path:
    """Write `many_small_clusters` as CSV to `path` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    many_small_clusters(clusters, np.random.default_rng(seed), sizes).to_csv(path, index=False)
    return path


def many_clusters_entry(path: str | Path, clusters: int) -> dict:
    """The dataset's entry for config.yaml's `datasets:`."""
    return {
        "title": f"{clusters} tiny clusters",
        "description": f"Simulated: {clusters} clusters of a few rows each, in two groups.",
        "files": {"level1": {"path": str(path)}},
        "roles": {
            "cluster": "id",
            "outcome": "y",
            "predictor": "x",
            "group": "group",
            "group_reference": "A",
            "labels": ["kind"],
        },
        "id_label": "code",
    }
