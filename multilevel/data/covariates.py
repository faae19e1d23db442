"""Covariates: variables held constant in every method and model, entered additively.

A covariate is numeric (one column) or categorical (treatment contrasts against its
reference level, one indicator per other level, named like R's: ``SexMale``). Its level is
read from the data: constant within every cluster makes it a level-2 covariate, otherwise
level 1. Preparation (:func:`code_covariates`) turns a categorical covariate into a pandas
Categorical with the reference first, so the prepared long table carries the coding and
every later step reads it back with :func:`describe_covariates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from multilevel.errors import DataError

__all__ = [
    "Covariate",
    "code_covariates",
    "covariate_columns",
    "covariate_design",
    "describe_covariates",
]

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True)
class Covariate:
    """One covariate: ``kind`` numeric or categorical, ``level`` 1 or 2, and for a categorical
    its ``levels`` with the reference first."""

    name: str
    kind: str
    level: int
    levels: tuple[str, ...] = ()

    @property
    def reference(self) -> str | None:
        return self.levels[0] if self.levels else None

    @property
    def columns(self) -> list[str]:
        """The design columns, named as R and the formula engine name them."""
        if self.kind == NUMERIC:
            return [self.name]
        return [f"{self.name}{lv}" for lv in self.levels[1:]]

    @property
    def coding(self) -> str:
        if self.kind == NUMERIC:
            return "numeric, one coefficient"
        return f"treatment contrasts against {self.reference}"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "level": self.level,
            "levels": list(self.levels),
            "reference": self.reference,
            "columns": self.columns,
            "coding": self.coding,
        }


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _constant_within(long: pd.DataFrame, cluster: str, column: str) -> bool:
    counts = long.groupby(cluster, sort=False, observed=True)[column].nunique(dropna=False)
    return bool((counts <= 1).all())


def code_covariates(
    long: pd.DataFrame,
    cluster: str,
    names: Sequence[str],
    references: dict[str, str],
    path: str | None = None,
) -> pd.DataFrame:
    """The long table with each categorical covariate a Categorical whose categories are its
    levels, sorted (as R's factor), with the configured reference (or the first level) first.
    Raises DataError for a categorical with fewer than two levels, a reference that is not a
    level, or a reference given for a numeric covariate."""
    unknown = sorted(set(references) - set(names))
    if unknown:
        raise DataError(
            f"roles.covariate_references names {unknown}, which are not covariates "
            f"({', '.join(names) or 'none'})",
            file=path,
            column=unknown[0],
        )
    coded = {}
    for name in names:
        column = long[name]
        if _is_numeric(column) and not isinstance(column.dtype, pd.CategoricalDtype):
            if name in references:
                raise DataError(
                    f"covariate '{name}' is numeric, so it has no reference level; remove it "
                    "from roles.covariate_references or give it as text",
                    file=path,
                    column=name,
                )
            continue
        text = column.astype(str)
        levels = sorted(text.unique())
        if len(levels) < 2:
            raise DataError(
                f"the categorical covariate '{name}' has a single level "
                f"({', '.join(levels)}) in the rows analysed: it cannot be held constant; "
                "remove it from roles.covariates",
                file=path,
                column=name,
            )
        reference = str(references.get(name, levels[0]))
        if reference not in levels:
            raise DataError(
                f"covariate_references: '{reference}' is not a level of covariate '{name}' "
                f"({', '.join(levels)})",
                file=path,
                column=name,
            )
        categories = [reference] + [lv for lv in levels if lv != reference]
        coded[name] = pd.Categorical(text, categories=categories)
    return long.assign(**coded) if coded else long


def describe_covariates(long: pd.DataFrame, cluster: str, names: Sequence[str]) -> list[Covariate]:
    """Kind, level and levels of each covariate as the (prepared) long table carries them:
    a Categorical keeps its category order (reference first), text is sorted."""
    out = []
    for name in names:
        column = long[name]
        level = 2 if _constant_within(long, cluster, name) else 1
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = set(column.dropna().unique())
            levels = tuple(str(c) for c in column.cat.categories if c in present)
            out.append(Covariate(name, CATEGORICAL, level, levels))
        elif _is_numeric(column):
            out.append(Covariate(name, NUMERIC, level))
        else:
            levels = tuple(sorted(column.dropna().astype(str).unique()))
            out.append(Covariate(name, CATEGORICAL, level, levels))
    return out


def covariate_columns(covariates: Sequence[Covariate]) -> list[str]:
    return [c for cov in covariates for c in cov.columns]


def covariate_design(data: pd.DataFrame, covariates: Sequence[Covariate]) -> pd.DataFrame:
    """The covariates' design columns (rows of ``data``): numeric as is, a categorical as
    one indicator per non-reference level."""
    cols = {}
    for cov in covariates:
        if cov.kind == NUMERIC:
            cols[cov.name] = data[cov.name].to_numpy(dtype=float)
            continue
        values = data[cov.name].astype(str).to_numpy()
        for lv, column in zip(cov.levels[1:], cov.columns, strict=True):
            cols[column] = (values == lv).astype(float)
    return pd.DataFrame(cols, index=data.index, dtype=float)
