"""Values the pipeline computes, addressed by the keys of the published-values registry.

Keys are paths separated by '/':
  n/rows, n/clusters, n/rows/<group level>, n/clusters/<group level>, n/cluster_size/{min,max}
  row/<i>/<column>             the i-th row (1-based) of the prepared long table
  tab/<var>/<cluster>/<value>  count of <value> of <var> in <cluster> (or Total)
  tab/<var>|<level>/<cluster>/<value>   the same within a level of the group
  up/<cluster>/<column>        one row per cluster, invariant variables
  upall/<cluster>/<column>     one row per cluster, level-1 variables summarised
  label/<cluster>              the informative label of a cluster
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.grouping import tab, up


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value if isinstance(value, (int, float, str, bool)) else str(value)


class DataValues:
    """Resolves data-stage keys against a prepared long table."""

    def __init__(self, long: pd.DataFrame, spec: DatasetSpec):
        self.long = long
        self.spec = spec
        self.cluster = spec.roles.cluster
        self._tabs: dict[str, pd.DataFrame] = {}
        self._up = up(long, self.cluster)
        self._upall = up(long, self.cluster, summarise=True)

    def _cluster_key(self, text: str):
        """A cluster id from a key's text, as the type of the cluster column."""
        first = self.long[self.cluster].iloc[0]
        if text == "Total" or isinstance(first, str):
            return text
        return type(first)(text)

    def _tab(self, var: str) -> pd.DataFrame:
        if var not in self._tabs:
            frame = self.long
            if "|" in var:
                var_name, level = var.split("|", 1)
                frame = frame[frame[self.spec.roles.group].astype(str) == level]
            else:
                var_name = var
            self._tabs[var] = tab(frame, self.cluster, var_name)
        return self._tabs[var]

    def get(self, key: str):
        parts = key.split("/")
        head = parts[0]
        try:
            if head == "n":
                return self._count(parts[1:])
            if head == "row":
                return _plain(self.long.iloc[int(parts[1]) - 1][parts[2]])
            if head == "tab":
                table = self._tab(parts[1])
                return _plain(table.loc[self._cluster_key(parts[2]), parts[3]])
            if head == "up":
                return _plain(self._up.loc[self._cluster_key(parts[1]), parts[2]])
            if head == "upall":
                return _plain(self._upall.loc[self._cluster_key(parts[1]), parts[2]])
            if head == "label":
                return _plain(self._up.loc[self._cluster_key(parts[1]), self.spec.id_label])
        except (KeyError, IndexError, ValueError):
            return None
        return None

    def _count(self, parts: list[str]):
        long, cluster, group = self.long, self.cluster, self.spec.roles.group
        if parts == ["rows"]:
            return len(long)
        if parts == ["clusters"]:
            return int(long[cluster].nunique())
        if parts[0] == "cluster_size":
            sizes = long.groupby(cluster).size()
            return int(sizes.min() if parts[1] == "min" else sizes.max())
        if parts[0] in ("rows", "clusters") and group:
            within = long[long[group].astype(str) == parts[1]]
            return len(within) if parts[0] == "rows" else int(within[cluster].nunique())
        return None

    def resolve(self, keys) -> dict:
        out = {}
        for key in keys:
            value = self.get(key)
            if value is not None:
                out[key] = value
        return out
