"""The document's own simulated school 1 (page 90): the SES, error and outcome of its 23
students as printed, read from a small data file (``data/simulated_school.csv``).

The document's seed is unknown, so its draws cannot be repeated; the printed values are the
data. Its true line is not printed, but Y - ε = β01 + β11 SES exactly, so the least-squares
line of Y - ε on SES recovers (β01, β11) up to the printing's rounding (two decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from multilevel.errors import DataError

__all__ = ["GivenSchool", "read_given_school"]

COLUMNS = ("ses", "eps", "y")


@dataclass(frozen=True)
class GivenSchool:
    """A school's students (``ses``, ``eps``, ``y``) and its true line ``beta``."""

    ses: np.ndarray
    eps: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ses)

    @property
    def beta(self) -> np.ndarray:
        """(β0, β1): the least-squares line of Y - ε on SES."""
        slope, intercept = np.polyfit(self.ses, self.y - self.eps, 1)
        return np.array([intercept, slope])


def read_given_school(path: str | Path) -> GivenSchool:
    """The school in ``path``: a CSV with columns ses, eps and y (one row per student)."""
    path = Path(path)
    if not path.exists():
        raise DataError("the simulated school's data file is missing", file=str(path))
    frame = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"needs the columns {', '.join(COLUMNS)}; add {', '.join(missing)}",
            file=str(path),
        )
    values = frame[list(COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = values.index[values.isna().any(axis=1)]
    if len(bad):
        raise DataError(
            "SES, ε and Y must be numbers in every row; fix these rows",
            file=str(path),
            rows=[int(i) + 2 for i in bad],  # the file's line numbers (header is line 1)
            row_label="lines",
        )
    if len(values) < 3 or values["ses"].nunique() < 2:
        raise DataError(
            "the school needs at least 3 students and two distinct SES values for its line",
            file=str(path),
        )
    return GivenSchool(*(values[c].to_numpy(dtype=float) for c in COLUMNS))
