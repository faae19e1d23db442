"""From raw files to the prepared long table: join, subset, checks, derived variables.

Nothing here knows the names of any dataset's columns: the config's roles say which column is
what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.covariates import code_covariates, describe_covariates
from multilevel.data.grouping import capply, varying_clusters
from multilevel.data.rawdata import read_table
from multilevel.errors import DataError, describe_rows
from multilevel.headers import check_headers, columns_of_roles, rooted

ROW_ID = "row"


@dataclass
class Prepared:
    """The prepared long table and what was done to get it."""

    long: pd.DataFrame
    n_raw_rows: int
    dropped_missing: dict[str, int] = field(default_factory=dict)
    dropped_rows: list[int] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)
    single_row_clusters: list = field(default_factory=list)
    #: rows left after `subset:` (all the rows without a subset), before missing values go
    n_subset_rows: int = 0
    #: clusters of the level-2 file that no level-1 row belongs to (not used)
    unused_level2_keys: list = field(default_factory=list)

    @property
    def n_removed_by_subset(self) -> int:
        return self.n_raw_rows - self.n_subset_rows

    #: each covariate's kind, level (1 or 2), levels and coding (Covariate.to_dict)
    covariates: list[dict] = field(default_factory=list)


def _align_key_types(left: pd.Series, right: pd.Series, paths: tuple[str, str], key: str):
    """Ids may be numbers in one file and strings in the other: make them comparable."""
    left_num = pd.api.types.is_numeric_dtype(left)
    right_num = pd.api.types.is_numeric_dtype(right)
    if left_num == right_num:
        return left, right
    text, number, text_path = (right, left, paths[1]) if left_num else (left, right, paths[0])
    converted = pd.to_numeric(text, errors="coerce")
    bad = text.index[converted.isna() & text.notna()]
    if len(bad):
        raise DataError(
            f"cluster ids are numbers in {paths[0] if left_num else paths[1]} but some are not "
            f"numbers here (e.g. '{text.loc[bad[0]]}')",
            file=text_path,
            column=key,
            rows=[i + 2 for i in bad],
            row_label="lines",
        )
    if not converted.isna().any():
        converted = converted.astype(number.dtype)
    return (number, converted) if left_num else (converted, number)


def _join_level2(long: pd.DataFrame, spec: DatasetSpec) -> tuple[pd.DataFrame, list]:
    """The level-1 rows with the level-2 columns, and the level-2 keys no row belongs to."""
    l1, l2 = spec.files["level1"], spec.files["level2"]
    key = l2.get("key")
    if not key:
        raise DataError("a level-2 file needs a join `key`", file=l2["path"])
    level2 = read_table(l2).drop(columns=[c for c in spec.drop if c != key], errors="ignore")
    duplicated = level2.index[level2[key].duplicated(keep=False)]
    if len(duplicated):
        raise DataError(
            "the level-2 file has more than one row for some clusters",
            file=l2["path"],
            column=key,
            rows=[i + 2 for i in duplicated],
            row_label="lines",
        )
    left, right = _align_key_types(long[key], level2[key], (l1["path"], l2["path"]), key)
    long = long.assign(**{key: left})
    level2 = level2.assign(**{key: right})
    unmatched = long.index[~long[key].isin(level2[key])]
    if len(unmatched):
        missing = pd.unique(long.loc[unmatched, key])
        raise DataError(
            f"some level-1 rows have a cluster id that is not in the level-2 file {l2['path']} "
            f"({describe_rows(missing)}): add those clusters to it, or remove their rows",
            file=l1["path"],
            column=key,
            rows=[i + 2 for i in unmatched],
            row_label="lines",
        )
    unused = level2.loc[~level2[key].isin(long[key]), key].tolist()
    shared = [c for c in level2.columns if c in long.columns and c != key]
    if shared:
        merged = long[[key, *shared]].merge(
            level2[[key, *shared]], on=key, how="left", suffixes=("", "_l2")
        )
        for column in shared:
            a, b = merged[column], merged[f"{column}_l2"]
            differ = ~((a == b) | (a.isna() & b.isna()))
            if differ.any():
                raise DataError(
                    f"column '{column}' is in both files and disagrees; drop one in the config",
                    file=l1["path"],
                    column=column,
                    rows=[i + 2 for i in merged.index[differ]],
                    row_label="lines",
                )
        level2 = level2.drop(columns=shared)
    joined = long.merge(level2, on=key, how="left", validate="many_to_one", sort=False)
    return joined, unused


def _apply_subset(long: pd.DataFrame, spec: DatasetSpec, path: str) -> pd.DataFrame:
    subset = spec.subset
    column = subset["column"]
    values = pd.Series(subset["values"])
    if pd.api.types.is_numeric_dtype(long[column]):
        values = pd.to_numeric(values, errors="coerce")
    else:
        values = values.astype(str)
    kept = long[long[column].isin(values)]
    missing = sorted(set(values.dropna()) - set(long[column]))
    if kept.empty:
        raise DataError(
            "the subset selects no rows (none of its values occur)", file=path, column=column
        )
    if missing:
        raise DataError(
            "the subset names values that do not occur in the data",
            file=path,
            column=column,
            rows=missing,
            row_label="values",
        )
    return kept


def _check_numeric(long: pd.DataFrame, column: str, path: str, role: str) -> pd.DataFrame:
    if pd.api.types.is_numeric_dtype(long[column]) and not pd.api.types.is_bool_dtype(long[column]):
        return long
    converted = pd.to_numeric(long[column], errors="coerce")
    bad = long.index[converted.isna() & long[column].notna()]
    raise DataError(
        f"the {role} must be numeric; some values are not numbers "
        f"(e.g. '{long[column].loc[bad[0]] if len(bad) else long[column].iloc[0]}')",
        file=path,
        column=column,
        rows=[int(long.loc[i, ROW_ID]) + 1 for i in bad] if len(bad) else None,
        row_label="lines",
    )


def _make_group(long: pd.DataFrame, spec: DatasetSpec, path: str) -> pd.DataFrame:
    roles = spec.roles
    column = roles.group
    levels = sorted(long[column].dropna().astype(str).unique())
    if len(levels) < 2:
        raise DataError(
            f"the level-2 group needs at least two levels; it has {len(levels)} "
            f"({', '.join(levels)})",
            file=path,
            column=column,
        )
    reference = roles.group_reference or levels[0]
    if reference not in levels:
        raise DataError(
            f"group_reference '{reference}' is not a level of the group ({', '.join(levels)})",
            file=path,
            column=column,
        )
    categories = [reference] + [lv for lv in levels if lv != reference]
    return long.assign(**{column: pd.Categorical(long[column].astype(str), categories=categories)})


def group_display_order(long: pd.DataFrame, spec: DatasetSpec) -> list[str]:
    group = spec.roles.group
    levels = list(long[group].cat.categories)
    order = spec.roles.group_order or sorted(levels)
    unknown = [lv for lv in order if lv not in levels]
    if unknown or sorted(order) != sorted(levels):
        raise DataError(
            f"group_order {order} must list exactly the group's levels {levels}", column=group
        )
    return list(order)


def _add_composition(long: pd.DataFrame, spec: DatasetSpec, path: str) -> pd.DataFrame:
    comp = spec.composition
    cluster = spec.roles.cluster
    share = capply(
        (long[comp["variable"]].astype(str) == comp["level"]).astype(float), long[cluster]
    )
    long = long.assign(**{comp["name"]: share})
    category = comp.get("category")
    if category:
        labels = np.where(
            share == 1, category["all"], np.where(share == 0, category["none"], category["mixed"])
        )
        order = [category["all"], category["none"], category["mixed"]]
        long = long.assign(**{category["name"]: pd.Categorical(labels, categories=sorted(order))})
    return long


def _add_id_label(long: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """The informative id: group initial + cluster id + category initial, ordered by group
    (display order) and, within group, by the cluster mean of the predictor."""
    roles = spec.roles
    parts = []
    if roles.group:
        parts.append(long[roles.group].astype(str).str[0])
    parts.append(long[roles.cluster].astype(str))
    category = (spec.composition or {}).get("category")
    if category:
        parts.append(long[category["name"]].astype(str).str[0])
    label = parts[0]
    for part in parts[1:]:
        label = label + part
    mean_x = capply(long[roles.predictor], long[roles.cluster])
    rank = pd.Series(0, index=long.index)
    if roles.group:
        position = {lv: i for i, lv in enumerate(group_display_order(long, spec))}
        rank = long[roles.group].astype(str).map(position).astype(int)
    keys = pd.DataFrame({"label": label, "rank": rank, "mean": mean_x}).drop_duplicates("label")
    order = keys.sort_values(["rank", "mean", "label"], kind="mergesort")["label"].tolist()
    return long.assign(**{spec.id_label: pd.Categorical(label, categories=order)})


def prepare(spec: DatasetSpec, root: str | Path = ".") -> Prepared:
    """Assemble the long table of a dataset from its raw files. Raw files are only read."""
    root = Path(root)
    spec = rooted(spec, root)
    check_headers(spec)
    l1_path = spec.files["level1"]["path"]
    long = read_table(spec.files["level1"])
    n_raw = len(long)
    long.insert(0, ROW_ID, np.arange(1, n_raw + 1))
    key = spec.files.get("level2", {}).get("key")
    long = long.drop(columns=[c for c in spec.drop if c in long.columns and c != key])
    unused_keys = []
    if "level2" in spec.files:
        long, unused_keys = _join_level2(long, spec)
    long = long.rename(columns=spec.rename)
    roles = spec.roles
    role_columns = columns_of_roles(spec)
    if spec.subset:
        long = _apply_subset(long, spec, l1_path)
    n_subset = len(long)
    for role, column in (("outcome", roles.outcome), ("predictor", roles.predictor)):
        long = _check_numeric(long, column, l1_path, role)

    used = list(dict.fromkeys(role_columns.values()))
    incomplete = long[used].isna().any(axis=1)
    dropped = {c: int(long[c].isna().sum()) for c in used if long[c].isna().any()}
    dropped_rows = long.loc[incomplete, ROW_ID].astype(int).tolist()
    long = long.loc[~incomplete]
    if long.empty:
        raise DataError("no complete rows remain after removing missing values", file=l1_path)

    sizes = long.groupby(roles.cluster, sort=True).size()
    if len(sizes) < 2:
        raise DataError(
            f"every row is in one cluster ('{sizes.index[0]}'): a multilevel analysis compares "
            f"clusters and needs at least two; is '{roles.cluster}' the cluster id?",
            file=l1_path,
            column=roles.cluster,
        )
    if (sizes == 1).all():
        raise DataError(
            f"every cluster has a single row: '{roles.cluster}' takes a different value on each "
            f"of the {len(long)} rows, so it does not group them; `roles.cluster` should name "
            "the column that the rows of one cluster share",
            file=l1_path,
            column=roles.cluster,
        )
    spread = long.groupby(roles.cluster, sort=True)[roles.predictor].nunique()
    if (spread <= 1).all():
        raise DataError(
            f"the predictor '{roles.predictor}' is constant within every cluster: it is a "
            "level-2 variable, and the within-cluster analyses need a level-1 predictor",
            file=l1_path,
            column=roles.predictor,
        )
    single = sizes.index[sizes == 1].tolist()
    # Exact repeats of a whole raw row are kept (they may be real) but counted for the report.
    raw_columns = [c for c in long.columns if c != ROW_ID]
    duplicates = long.loc[long.duplicated(raw_columns, keep="first"), ROW_ID].astype(int).tolist()

    if roles.group:
        varying = varying_clusters(long, roles.cluster, roles.group)
        if varying:
            raise DataError(
                f"the level-2 group '{roles.group}' varies within clusters",
                file=l1_path,
                column=roles.group,
                rows=varying,
                row_label="clusters",
            )
        long = _make_group(long, spec, l1_path)
    long = code_covariates(
        long, roles.cluster, roles.covariates, roles.covariate_references, l1_path
    )
    if spec.composition:
        long = _add_composition(long, spec, l1_path)
    if spec.id_label:
        long = _add_id_label(long, spec)
    first = [ROW_ID, roles.cluster, roles.outcome, roles.predictor, *roles.labels]
    long = long[list(dict.fromkeys(first)) + [c for c in long.columns if c not in first]]
    long = long.reset_index(drop=True)
    return Prepared(
        long=long,
        n_raw_rows=n_raw,
        dropped_missing=dropped,
        dropped_rows=dropped_rows,
        duplicate_rows=duplicates,
        single_row_clusters=single,
        n_subset_rows=n_subset,
        unused_level2_keys=unused_keys,
        covariates=[
            c.to_dict() for c in describe_covariates(long, roles.cluster, roles.covariates)
        ],
    )
