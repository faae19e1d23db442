"""The registry of numbers printed in the document (data/published.csv) and the reproduction
audit that compares each with the value the pipeline computes.

Registry columns: key (what the pipeline computes, see multilevel.report.reproduce), value (as
printed), decimals (printed precision; empty for text), page (of the PDF), meaning, note (an
erratum or a known difference, shown in the audit).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

from multilevel.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

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


def read_registry(path: str | Path) -> list[dict[str, str]]:
    """The registry's entries, every field as text (the report step reads it without pandas)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, restval="")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError("the registry lacks columns", file=str(path), column=missing[0])
        entries = list(reader)
    long_rows = [i + 2 for i, entry in enumerate(entries) if None in entry]
    if long_rows:
        raise DataError(
            "rows of the registry have more fields than its header", file=str(path), rows=long_rows
        )
    line_of: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        line_of.setdefault(entry["key"], []).append(i + 2)
    duplicated = sorted(line for lines in line_of.values() if len(lines) > 1 for line in lines)
    if duplicated:
        raise DataError(
            "the registry has duplicate keys", file=str(path), column="key", rows=duplicated
        )
    return entries


def load_registry(path: str | Path) -> pd.DataFrame:
    """The registry as a table of text columns."""
    import pandas as pd

    entries = read_registry(path)
    return pd.DataFrame(entries, columns=list(entries[0]) if entries else COLUMNS, dtype=str)


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


AUDIT_COLUMNS = ["key", "page", "meaning", "published", "reproduced", "agree", "note"]


def audit_rows(entries: list[dict], values: dict) -> list[dict]:
    """Each registry entry beside the value reproduced for its key: shown as printed, and
    whether they agree."""
    rows = []
    for entry in entries:
        ours = values.get(entry["key"])
        rows.append(
            {
                "key": entry["key"],
                "page": entry["page"],
                "meaning": entry["meaning"],
                "published": entry["value"],
                "reproduced": show(ours, entry["decimals"], entry["value"]),
                "agree": agrees(entry["value"], entry["decimals"], ours),
                "note": entry["note"],
            }
        )
    return rows


def audit(registry: pd.DataFrame, values: dict) -> pd.DataFrame:
    """:func:`audit_rows` of a registry table, as a table."""
    import pandas as pd

    return pd.DataFrame(
        audit_rows(registry.to_dict(orient="records"), values), columns=AUDIT_COLUMNS
    )
