"""What a user should know first about a dataset, in seconds: its files and how they are read,
rows and clusters, cluster sizes, each variable's role, level, type and missing values, and
warnings. `multilevel check` prints it; any problem is the DataError the workflow would raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.fileformat import FileOptions, describe_format
from multilevel.data.grouping import invariant_columns
from multilevel.data.prepare import ROW_ID, Prepared, prepare
from multilevel.errors import describe_rows, rows_phrase
from multilevel.headers import columns_of_roles


@dataclass
class Variable:
    name: str
    role: str
    level: str
    kind: str
    missing: int


@dataclass
class Checkup:
    files: list[tuple[str, str]]
    prepared: Prepared
    n_clusters: int
    sizes: dict[str, float]
    variables: list[Variable]
    warnings: list[str] = field(default_factory=list)


def _kind(column: pd.Series) -> str:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return f"category ({len(column.cat.categories)} levels)"
    if pd.api.types.is_bool_dtype(column):
        return "true/false"
    if pd.api.types.is_numeric_dtype(column):
        return "whole numbers" if pd.api.types.is_integer_dtype(column) else "numbers"
    return f"text ({_plural(column.nunique(), 'value', 'values')})"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def checkup(spec: DatasetSpec) -> Checkup:
    """Prepare the dataset as the workflow's first step does and summarise it."""
    prepared = prepare(spec)
    long = prepared.long
    roles = spec.roles
    files = [
        (entry["path"], describe_format(FileOptions.of(entry))) for entry in spec.files.values()
    ]
    sizes = long.groupby(roles.cluster, observed=True).size()
    role_of = {
        column: key.removeprefix("roles.").split("[")[0].removesuffix("s")
        for key, column in columns_of_roles(spec).items()
    }
    level2 = set(invariant_columns(long, roles.cluster))
    variables = [
        Variable(
            name=str(name),
            role=role_of.get(name, ""),
            level="cluster id" if name == roles.cluster else ("2" if name in level2 else "1"),
            kind=_kind(long[name]),
            missing=int(long[name].isna().sum()) + prepared.dropped_missing.get(name, 0),
        )
        for name in long.columns
        if name != ROW_ID
    ]
    warnings = []
    if prepared.dropped_rows:
        by_column = ", ".join(f"{c}: {n}" for c, n in prepared.dropped_missing.items())
        warnings.append(
            f"{_plural(len(prepared.dropped_rows), 'row', 'rows')} removed for missing values "
            f"({by_column}); {rows_phrase(prepared.dropped_rows)}"
        )
    if prepared.unused_level2_keys:
        warnings.append(
            f"{_plural(len(prepared.unused_level2_keys), 'cluster', 'clusters')} of the level-2 "
            f"file {'has' if len(prepared.unused_level2_keys) == 1 else 'have'} no level-1 rows "
            f"(not used): {describe_rows(prepared.unused_level2_keys)}"
        )
    if prepared.single_row_clusters:
        n = len(prepared.single_row_clusters)
        warnings.append(
            f"{_plural(n, 'cluster has', 'clusters have')} a single row (no within-cluster "
            f"slope): {describe_rows(prepared.single_row_clusters)}"
        )
    if prepared.duplicate_rows:
        n = len(prepared.duplicate_rows)
        warnings.append(
            f"{_plural(n, 'row repeats', 'rows repeat')} an earlier row exactly (kept): "
            f"{rows_phrase(prepared.duplicate_rows)}"
        )
    return Checkup(
        files=files,
        prepared=prepared,
        n_clusters=len(sizes),
        sizes={"min": int(sizes.min()), "median": float(sizes.median()), "max": int(sizes.max())},
        variables=variables,
        warnings=warnings,
    )
