"""Report tables as plain data: a DataFrame of display strings plus caption and provenance.

Stages write tables as JSON artifacts; only the report stage turns them into HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from multilevel.files import write_json
from multilevel.formatting import MISSING, fixed, signif

if TYPE_CHECKING:  # the report step reads tables without pandas; the steps making them have it
    import pandas as pd


def format_value(value, digits: int | None = None, missing: str = MISSING) -> str:
    """One cell of a report table: ``missing`` (an em dash) for None, NaN and infinities,
    integers and booleans as they are, other numbers with ``digits`` decimals (default: up to
    10 significant digits), anything else as its text."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if value is None or isinstance(value, (float, np.floating)):
        return signif(value, 10, missing) if digits is None else fixed(value, digits, missing)
    return str(value)


def format_frame(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> pd.DataFrame:
    """Every cell as a display string; `digits` gives decimals per column."""
    import pandas as pd

    digits = digits or {}
    out = pd.DataFrame(index=frame.index.astype(str))
    out.index.name = frame.index.name
    for column in frame.columns:
        d = digits.get(column)
        out[str(column)] = [format_value(v, d) for v in frame[column].tolist()]
    return out


@dataclass
class Table:
    key: str
    title: str
    frame: pd.DataFrame
    caption: str = ""
    doc_pages: str = ""
    notes: list[str] = field(default_factory=list)
    # The complete table (raw values) when `frame` shows a selection of clusters: written to
    # CSV beside the report by `write_tables`; `csv` is its link from the report, shown when
    # the report does not show every row.
    full: pd.DataFrame | None = field(default=None, repr=False)
    csv: str = ""

    def to_dict(self) -> dict:
        frame = self.frame
        extra = {"csv": self.csv} if self.csv else {}
        return {
            **extra,
            "key": self.key,
            "title": self.title,
            "caption": self.caption,
            "doc_pages": self.doc_pages,
            "notes": self.notes,
            "index_name": str(frame.index.name or ""),
            "columns": [str(c) for c in frame.columns],
            "rows": [[str(i), *map(str, row)] for i, row in zip(frame.index, frame.to_numpy())],
        }


def csv_link(csv_dir: str | Path | None) -> str | None:
    """How the report links the CSVs of ``csv_dir`` (``reports/<dataset>/tables/<part>/``):
    relative to the report, ``tables/<part>``; None without CSVs."""
    if not csv_dir:
        return None
    return f"{Path(csv_dir).parent.name}/{Path(csv_dir).name}"


def write_tables(tables: list[Table], path: str | Path, csv_dir: str | Path | None = None) -> None:
    """The tables as JSON to `path`; with `csv_dir`, each table's complete version (`full`)
    as `<csv_dir>/<key>.csv`."""
    payload = [t.to_dict() for t in tables]
    write_json(path, payload)
    if csv_dir is not None:
        csv_dir = Path(csv_dir)
        csv_dir.mkdir(parents=True, exist_ok=True)
        for table in tables:
            if table.full is not None:
                table.full.to_csv(csv_dir / f"{table.key}.csv")


def read_tables(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text())
