"""Reading raw files (delimited text, .xlsx or parquet) with errors that name the file and the
line. A file is read with its entry's options (`delimiter`, `encoding`, `na_values`, `decimal`,
`sheet`); the delimiter is detected when not set. Files are only ever read."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from multilevel.data.fileformat import (
    FileOptions,
    check_encoding_name,
    decoding_error,
    delimiter_of,
    file_kind,
    openpyxl_loader,
    sheet_name,
)
from multilevel.errors import DataError


def read_table(entry: dict | str | Path) -> pd.DataFrame:
    """Read one raw file: a dataset's file entry (path and reading options) or a path.
    Never writes; raises DataError for anything a user can fix."""
    options = FileOptions.of(entry)
    path = Path(options.path)
    kind = file_kind(path)
    if not path.exists():
        raise DataError("raw data file not found", file=str(path))
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=str(path))
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise DataError(f"not a readable parquet file ({exc})", file=str(path)) from exc
    elif kind == "excel":
        frame = _read_excel(options)
    else:
        frame = _read_text(options)
    if frame.empty:
        raise DataError("the file has a header but no data rows", file=str(path))
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed:
        raise DataError(
            "the header has empty column names (a trailing delimiter, or a row longer than the "
            "header)",
            file=str(path),
            column=unnamed[0],
        )
    return frame


def _read_excel(options: FileOptions) -> pd.DataFrame:
    load_workbook = openpyxl_loader(options)
    try:
        book = load_workbook(options.path, read_only=True, data_only=True)
        names = book.sheetnames
        book.close()
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise DataError(f"not a readable .xlsx file ({exc})", file=options.path) from exc
    sheet = sheet_name(options, names)
    return pd.read_excel(
        options.path, sheet_name=sheet, engine="openpyxl", na_values=list(options.na_values)
    )


def _read_text(options: FileOptions) -> pd.DataFrame:
    path = options.path
    check_encoding_name(options)
    try:
        return pd.read_csv(
            path,
            sep=delimiter_of(options),
            encoding=options.encoding,
            na_values=list(options.na_values),
            decimal=options.decimal,
        )
    except pd.errors.EmptyDataError as exc:
        raise DataError("the file is empty", file=path) from exc
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = match.groups()
            raise DataError(
                f"malformed CSV: expected {expected} fields, found {saw}",
                file=path,
                rows=[int(line)],
                row_label="lines",
            ) from exc
        raise DataError(f"malformed CSV ({exc})", file=path) from exc
    except UnicodeDecodeError as exc:
        raise decoding_error(options) from exc
