"""A first guess at a new dataset's roles from its columns, each with one line of reasoning,
for `multilevel init` to write into a dataset file the user then edits.

The rules are simple on purpose, so the user can check them: the cluster is the id-like
column (whole numbers or text, values repeated) with the most distinct values; a column is at
level 2 when it is constant within every cluster; the outcome and the predictor are numeric
level-1 columns, the outcome the one with the most distinct values (a measurement rather than
a design variable); the group is a level-2 text column with few levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from multilevel.data.grouping import invariant_columns
from multilevel.errors import DataError

MAX_LEVELS = 10
ID_NAME = re.compile(r"(^|[^a-z])(id|subject|cluster|school|patient|person|child|site)", re.I)


@dataclass
class Proposal:
    """Roles proposed for a dataset, and why (one line per role)."""

    cluster: str
    outcome: str
    predictor: str
    group: str | None = None
    labels: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    level2: list[str] = field(default_factory=list)

    def roles(self) -> dict:
        roles = {"cluster": self.cluster, "outcome": self.outcome, "predictor": self.predictor}
        if self.group:
            roles["group"] = self.group
        if self.labels:
            roles["labels"] = list(self.labels)
        return roles


def _is_whole(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_integer_dtype(column):
        return True
    if pd.api.types.is_float_dtype(column):
        values = column.dropna()
        return bool(len(values)) and bool((values == values.round()).all())
    return True  # text


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def numbers_in_text(frame: pd.DataFrame) -> dict[str, str]:
    """Hints for text columns that are numbers read the wrong way: written with a decimal
    comma, or with a few codes for "missing" among them (for `multilevel init`'s options)."""
    hints = {}
    for name in frame.columns:
        column = frame[name]
        if _is_numeric(column) or column.dropna().empty:
            continue
        text = column.dropna().astype(str).str.strip()
        if pd.to_numeric(text, errors="coerce").notna().all():
            continue  # numbers already (mixed types), nothing to suggest
        if text.str.contains(",").any():
            as_comma = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
            if as_comma.notna().all():
                hints[name] = f"'{name}' looks like numbers with a decimal comma: add --decimal ,"
                continue
        codes = text[pd.to_numeric(text, errors="coerce").isna()].unique()
        if len(codes) <= 3 and len(codes) < text.nunique() / 2:
            listed = ", ".join(f"'{c}'" for c in codes)
            options = " ".join(f"--na-values {c}" for c in codes)
            hints[name] = (
                f"'{name}' is numbers but for {listed}: if that means missing, add {options}"
            )
    return hints


def _with_hints(message: str, frame: pd.DataFrame) -> str:
    hints = numbers_in_text(frame).values()
    return message + "".join(f"\n  {hint}" for hint in hints)


def cluster_candidates(frame: pd.DataFrame, key: str | None = None) -> list[tuple[str, str]]:
    """The columns that could be the cluster id, best first, each with why."""
    if key is not None:
        return [(key, f"'{key}' joins the level-2 file")]
    rows = len(frame)
    candidates = []
    numbers = numbers_in_text(frame)  # read as text, but not ids
    for name in frame.columns:
        column = frame[name]
        distinct = column.nunique()
        if name in numbers:
            continue
        if 2 <= distinct < rows and _is_whole(column) and distinct > MAX_LEVELS // 2:
            candidates.append((bool(ID_NAME.search(str(name))), distinct, name))
    if not candidates:
        raise DataError(
            _with_hints(
                "no column looks like a cluster id (whole numbers or text whose values repeat): "
                "a multilevel analysis needs several rows per cluster",
                frame,
            )
        )
    ranked = []
    for named, distinct, name in sorted(candidates, key=lambda c: (c[0], c[1]), reverse=True):
        why = f"'{name}' has {distinct} distinct values repeated over {rows} rows"
        ranked.append((name, why + (" and an id-like name" if named else "")))
    return ranked


def _columns_by_level(frame: pd.DataFrame, cluster: str) -> tuple[list[str], list[str], list[str]]:
    """The level-2 columns, the level-1 columns, and the numeric level-1 columns, most distinct
    values first."""
    level2 = [c for c in invariant_columns(frame, cluster) if c != cluster]
    level1 = [c for c in frame.columns if c != cluster and c not in level2]
    numeric = sorted(
        (c for c in level1 if _is_numeric(frame[c])),
        key=lambda c: -frame[c].nunique(),
    )
    return level2, level1, numeric


def propose(frame: pd.DataFrame, key: str | None = None) -> Proposal:
    """Roles for the joined table ``frame`` (level-1 rows; level-2 columns joined on ``key``)."""
    candidates = cluster_candidates(frame, key)
    # the best candidate that leaves an outcome and a predictor varying within its clusters
    chosen = next((c for c in candidates if len(_columns_by_level(frame, c[0])[2]) >= 2), None)
    if chosen is None:
        cluster = candidates[0][0]
        numeric = _columns_by_level(frame, cluster)[2]
        raise DataError(
            _with_hints(
                "an outcome and a predictor need two numeric columns that vary within clusters "
                f"(cluster '{cluster}'); found {len(numeric)}: {', '.join(numeric) or 'none'}",
                frame,
            )
        )
    cluster, cluster_why = chosen
    level2, level1, numeric = _columns_by_level(frame, cluster)
    cluster_why += ": it identifies the clusters"
    if passed := [name for name, _ in candidates[: candidates.index(chosen)]]:
        cluster_why += (
            f" ({', '.join(passed)}, ranked higher, would leave fewer than two numeric "
            "columns varying within clusters)"
        )
    outcome, predictor = numeric[:2]
    reasons = {
        "cluster": cluster_why,
        "outcome": (
            f"'{outcome}' is numeric, varies within clusters and has the most distinct values "
            f"({frame[outcome].nunique()}): a measurement"
        ),
        "predictor": (
            f"'{predictor}' is the next numeric level-1 column ({frame[predictor].nunique()} "
            "distinct values)"
        ),
    }
    categorical = [
        c for c in level2 if not _is_numeric(frame[c]) and 2 <= frame[c].nunique() <= MAX_LEVELS
    ]
    group = min(categorical, key=lambda c: frame[c].nunique()) if categorical else None
    if group:
        reasons["group"] = (
            f"'{group}' is a level-2 category (constant within clusters) with "
            f"{frame[group].nunique()} levels: groups of clusters to compare"
        )
    else:
        reasons["group"] = "no level-2 text column with 2 to 10 levels: no group to compare"
    labels = [
        c for c in level1 if not _is_numeric(frame[c]) and 2 <= frame[c].nunique() <= MAX_LEVELS
    ]
    if labels:
        reasons["labels"] = f"level-1 categories shown in tables and plots: {', '.join(labels)}"
    return Proposal(cluster, outcome, predictor, group, labels, reasons, level2)
