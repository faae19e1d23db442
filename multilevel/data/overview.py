"""The prepared table at a glance, as the report's front matter and data chapter print it:
rows, clusters and cluster sizes, and per level of the group its rows, clusters and mean
outcome (in the display order)."""

from __future__ import annotations

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.levels import display_order


def data_overview(long: pd.DataFrame, spec: DatasetSpec) -> dict:
    roles = spec.roles
    sizes = long.groupby(roles.cluster).size()
    overview = {
        "counts": {
            "rows": len(long),
            "clusters": int(sizes.size),
            "min_size": int(sizes.min()),
            "max_size": int(sizes.max()),
        },
        "groups": None,
    }
    if roles.group:
        group = long[roles.group]
        overview["groups"] = {
            "reference": str(group.cat.categories[0]),
            "levels": [
                {
                    "name": str(level),
                    "rows": int((group == level).sum()),
                    "clusters": int(long.loc[group == level, roles.cluster].nunique()),
                    "mean_outcome": float(long.loc[group == level, roles.outcome].mean()),
                }
                for level in display_order(group.cat.categories, roles.group_order)
            ],
        }
    return overview
