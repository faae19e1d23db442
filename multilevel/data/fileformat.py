"""How to read a raw text or spreadsheet file: its kind, delimiter and encoding, from the
dataset's `files.level1/level2` options or guessed from the file's first lines.

No pandas here: Snakemake reads every file's header through this module when it parses the
workflow.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from multilevel.errors import DataError

KINDS = {".csv": "text", ".tsv": "text", ".txt": "text", ".parquet": "parquet", ".xlsx": "excel"}
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
SAMPLE_LINES = 50


@dataclass(frozen=True)
class FileOptions:
    """The reading options of one file entry of a dataset (`files.level1`, `files.level2`)."""

    path: str
    delimiter: str | None = None
    encoding: str = "utf-8"
    na_values: tuple[str, ...] = ()
    decimal: str = "."
    sheet: str | int | None = None

    @classmethod
    def of(cls, entry: dict | str | Path) -> FileOptions:
        if not isinstance(entry, dict):
            return cls(path=str(entry))
        return cls(
            path=str(entry["path"]),
            delimiter=entry.get("delimiter"),
            encoding=entry.get("encoding") or "utf-8",
            na_values=tuple(str(v) for v in entry.get("na_values") or ()),
            decimal=entry.get("decimal") or ".",
            sheet=entry.get("sheet"),
        )


def file_kind(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        hint = " (save it as .xlsx or .csv)" if path.suffix.lower() in (".xls", ".ods") else ""
        raise DataError(
            f"unsupported file type '{path.suffix}'{hint}: use .csv, .tsv, .txt, .xlsx or .parquet",
            file=str(path),
        )
    return kind


def check_encoding_name(options: FileOptions) -> None:
    try:
        codecs.lookup(options.encoding)
    except LookupError as exc:
        raise DataError(
            f"unknown encoding '{options.encoding}' (e.g. utf-8, latin-1, cp1252)",
            file=options.path,
        ) from exc


def decoding_error(options: FileOptions) -> DataError:
    """A DataError naming the line and column of the first byte that is not in the file's
    encoding, and the encoding the file is probably in."""
    raw = Path(options.path).read_bytes()
    try:
        raw.decode(options.encoding)
        return DataError(f"the file cannot be read as {options.encoding}", file=options.path)
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return DataError(
        f"byte 0x{raw[start]:02x} at line {line}, column {column} is not {options.encoding}; "
        f"{_likely_encoding(raw)}",
        file=options.path,
    )


def _likely_encoding(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (
            "the file looks like UTF-16: set `encoding: utf-16` for this file, or save it as UTF-8"
        )
    if b"\x00" in raw[:4096]:
        return "it does not look like a text file"
    # Every byte decodes in cp1252 except five; Excel on Windows writes it, latin-1 is close.
    try:
        raw.decode("cp1252")
        return (
            "it is probably Windows/Latin-1 text: set `encoding: cp1252` (or latin-1) for this "
            "file (`--encoding cp1252` for multilevel init), or save it as UTF-8"
        )
    except UnicodeDecodeError:
        return "set `encoding:` for this file (e.g. latin-1), or save it as UTF-8"


def first_lines(options: FileOptions, count: int = SAMPLE_LINES) -> list[str]:
    """The first lines of a text file, decoded (a BOM removed)."""
    check_encoding_name(options)
    encoding = "utf-8-sig" if options.encoding.lower().replace("_", "-") == "utf-8" else None
    try:
        with open(options.path, encoding=encoding or options.encoding, newline="") as handle:
            lines = []
            for line in handle:
                lines.append(line)
                if len(lines) >= count:
                    break
    except UnicodeDecodeError as exc:
        raise decoding_error(options) from exc
    return lines


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter among comma, semicolon and tab that splits the lines into the same number
    (more than one) of fields, the most fields winning; a comma if none does."""
    best, best_fields = ",", 1
    text = "".join(lines)
    for delimiter in DELIMITERS:
        counts = {len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = delimiter, fields
    return best


def delimiter_of(options: FileOptions) -> str:
    return options.delimiter or sniff_delimiter(first_lines(options))


def excel_header(options: FileOptions) -> list[str]:
    """The first row of the spreadsheet's sheet (the first one, or `sheet:`)."""
    load_workbook = openpyxl_loader(options)
    try:
        book = load_workbook(options.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise DataError(f"not a readable .xlsx file ({exc})", file=options.path) from exc
    try:
        sheet = book[sheet_name(options, book.sheetnames)]
        row = next(sheet.iter_rows(max_row=1, values_only=True), ())
        return ["" if v is None else str(v) for v in row]
    finally:
        book.close()


def sheet_names(options: FileOptions) -> list[str]:
    """The sheets of the workbook, in order."""
    load_workbook = openpyxl_loader(options)
    try:
        book = load_workbook(options.path, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not xlsx
        raise DataError(f"not a readable .xlsx file ({exc})", file=options.path) from exc
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def openpyxl_loader(options: FileOptions):
    try:
        from openpyxl import load_workbook
    except ImportError as exc:
        raise DataError(
            "reading .xlsx needs the openpyxl package (pinned in requirements.lock): run "
            "`make setup`, or save the sheet as .csv",
            file=options.path,
        ) from exc
    return load_workbook


def sheet_name(options: FileOptions, names: list[str]) -> str:
    sheet = options.sheet
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return names[sheet]
    if sheet in names:
        return sheet
    raise DataError(
        f"no sheet {sheet!r} in the workbook (its sheets: {', '.join(names)})",
        file=options.path,
    )


def text_header(options: FileOptions) -> list[str]:
    lines = first_lines(options)
    delimiter = options.delimiter or sniff_delimiter(lines)
    try:
        return next(csv.reader(io.StringIO("".join(lines[:1])), delimiter=delimiter), [])
    except csv.Error as exc:
        raise DataError(f"malformed header ({exc})", file=options.path) from exc


def describe_format(options: FileOptions) -> str:
    """How the file is read, in words (for `multilevel check`)."""
    path = Path(options.path)
    kind = file_kind(path)
    if kind == "excel":
        return (
            f"spreadsheet, sheet {options.sheet!r}"
            if options.sheet is not None
            else ("spreadsheet, first sheet")
        )
    if kind == "parquet":
        return "parquet"
    how = "set" if options.delimiter else "detected"
    return (
        f"text, {DELIMITER_NAMES.get(delimiter_of(options), repr(options.delimiter))}-separated "
        f"({how}), {options.encoding}, decimal '{options.decimal}'"
    )
