"""The registry of numbers printed in the document (data/published.csv) and the reproduction
audit that compares each with the value the pipeline computes.

Registry columns: key (what the pipeline computes, see multilevel.report.reproduce), value (as
printed), decimals (printed precision; empty for text), page (of the PDF), meaning, note (an
erratum or a known difference, shown in the audit).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from multilevel.errors import DataError

COLUMNS = ["key", "value", "decimals", "page", "meaning", "note"]

# The data stage's keys (multilevel.report.reproduce) and the simulated school the document
# prints (p. 90): listings of data and counts, which agree once the data are read right; every
# other key is a model's output.
LISTINGS = {
    "n": "counts",
    "row": "rows of the long table",
    "tab": "cross tables",
    "up": "one row per cluster (invariant variables)",
    "upall": "one row per cluster (means of level-1 variables)",
    "label": "cluster labels",
    "sim": "the simulated school's data (p. 90)",
}


def section_of(key: str) -> str:
    """The registry's section of a key: its first path component."""
    return key.split("/", 1)[0]


def is_listing(key: str) -> bool:
    return section_of(key) in LISTINGS


def load_registry(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in registry.columns]
    if missing:
        raise DataError("the registry lacks columns", file=str(path), column=missing[0])
    duplicated = registry.index[registry["key"].duplicated(keep=False)]
    if len(duplicated):
        raise DataError(
            "the registry has duplicate keys",
            file=str(path),
            column="key",
            rows=[i + 2 for i in duplicated],
        )
    return registry


def agrees(printed: str, decimals: str, reproduced) -> bool:
    """Does the reproduced value print as the document printed it?"""
    if reproduced is None:
        return False
    if decimals == "":
        return str(reproduced) == printed
    if printed.startswith("<"):
        return float(reproduced) < float(printed[1:])
    value, d = float(printed), int(decimals)
    if isinstance(reproduced, str) or not math.isfinite(float(reproduced)):
        return False
    # Half a unit in the last printed digit, with room for the binary representation. In
    # e-notation ("5.60e-07") `decimals` counts the mantissa's decimals, so the last printed
    # digit is worth 10**(exponent - decimals).
    exponent = _exponent(printed)
    unit = 10.0 ** (exponent - d)
    slack = 1e-12 if exponent == 0 else 0.0
    return abs(float(reproduced) - value) <= 0.5 * unit * (1 + 1e-9) + slack


def _exponent(printed: str) -> int:
    """The power of ten of a number printed in e-notation ("3.12e-05" -> -5); 0 otherwise."""
    mantissa, sep, exponent = printed.lower().partition("e")
    return int(exponent) if sep else 0


def show(reproduced, decimals: str, printed: str = "") -> str:
    if reproduced is None:
        return "not computed"
    if decimals == "" or isinstance(reproduced, str):
        return str(reproduced)
    if printed and "e" in printed.lower():
        return f"{float(reproduced):.{max(int(decimals), 0) + 2}e}"
    if int(decimals) == 0 and float(reproduced).is_integer():
        return str(int(reproduced))  # a count: no decimals to show
    return f"{float(reproduced):.{max(int(decimals), 0) + 2}f}"


def audit(registry: pd.DataFrame, values: dict) -> pd.DataFrame:
    rows = []
    for entry in registry.itertuples(index=False):
        ours = values.get(entry.key)
        rows.append(
            {
                "key": entry.key,
                "page": entry.page,
                "meaning": entry.meaning,
                "published": entry.value,
                "reproduced": show(ours, entry.decimals, entry.value),
                "agree": agrees(entry.value, entry.decimals, ours),
                "note": entry.note,
            }
        )
    return pd.DataFrame(
        rows, columns=["key", "page", "meaning", "published", "reproduced", "agree", "note"]
    )
