"""Reading raw files (CSV or parquet) with errors that name the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from multilevel.errors import DataError

READERS = {".csv": "csv", ".parquet": "parquet"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one raw file. Never writes; raises DataError for anything a user can fix."""
    path = Path(path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"unsupported file type '{path.suffix}' (use .csv or .parquet)", file=str(path)
        )
    if not path.exists():
        raise DataError("raw data file not found", file=str(path))
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=str(path))
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise DataError(f"not a readable parquet file ({exc})", file=str(path)) from exc
    else:
        frame = _read_csv(path)
    if frame.empty:
        raise DataError("the file has a header but no data rows", file=str(path))
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed:
        raise DataError(
            "the header has empty column names (a trailing comma, or a row longer than the header)",
            file=str(path),
            column=unnamed[0],
        )
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise DataError("the file is empty", file=str(path)) from exc
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = match.groups()
            raise DataError(
                f"malformed CSV: expected {expected} fields, found {saw}",
                file=str(path),
                rows=[f"line {line}"],
            ) from exc
        raise DataError(f"malformed CSV ({exc})", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a text CSV file (byte {exc.start} is not UTF-8)", file=str(path)
        ) from exc
