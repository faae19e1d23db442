"""`multilevel init DATA`: propose the roles of a new dataset's columns and write its file
config/datasets/NAME.yaml for the user to edit."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import yaml

from multilevel.cli.project import dataset_path, require_project
from multilevel.config import validate_dataset
from multilevel.data.fileformat import KINDS, FileOptions, delimiter_of, file_kind, sheet_names
from multilevel.data.propose import numbers_in_text, propose
from multilevel.data.rawdata import read_table
from multilevel.errors import DataError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a dataset file from a data file's columns",
        description="Read DATA's columns, propose which column is the cluster, the outcome, "
        "the predictor and the group (one line of reasoning each) and write "
        "config/datasets/NAME.yaml for you to edit. Nothing is analysed yet.",
    )
    parser.add_argument("data", help="the level-1 file: .csv, .tsv, .txt, .xlsx or .parquet")
    parser.add_argument("--level2", metavar="FILE", help="a level-2 file (one row per cluster)")
    parser.add_argument("--key", metavar="COL", help="the cluster id column joining --level2")
    parser.add_argument("--name", help="the dataset's name (default: DATA's file name)")
    parser.add_argument("--encoding", help="text encoding of the files (default utf-8)")
    parser.add_argument("--decimal", choices=[".", ","], help="decimal mark of the numbers")
    parser.add_argument("--sheet", help="the sheet of an .xlsx workbook (default: the first)")
    parser.add_argument(
        "--na-values",
        action="append",
        metavar="VALUE",
        help="a value meaning missing, besides an empty cell and NA (repeat for several)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(run=run)


def _file_entry(path: str, args: argparse.Namespace) -> dict:
    entry = {"path": _project_path(path)}
    for option in ("encoding", "decimal", "sheet", "na_values"):
        if getattr(args, option):
            entry[option] = getattr(args, option)
    if str(entry.get("sheet", "")).isdigit():  # a position, not a name
        entry["sheet"] = int(entry["sheet"])
    return entry


def _other_sheets_hint(entry: dict) -> str:
    """When the data are the first sheet of a workbook with others, which ones (the data may be
    on another)."""
    options = FileOptions.of(entry)
    if entry.get("sheet") is not None or KINDS.get(Path(options.path).suffix.lower()) != "excel":
        return ""
    try:
        others = sheet_names(options)[1:]
    except DataError:  # not a readable workbook: the error says so already
        return ""
    if not others:
        return ""
    listed = ", ".join(f"'{name}'" for name in others)
    return f"\n  read from the workbook's first sheet; its other sheets: {listed} (--sheet NAME)"


def _project_path(path: str) -> str:
    """A path relative to the project when the file is inside it (portable), else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def _with_detected_delimiter(entry: dict) -> dict:
    options = FileOptions.of(entry)
    if file_kind(Path(options.path)) == "text":
        delimiter = delimiter_of(options)
        if delimiter != ",":
            entry["delimiter"] = delimiter
    return entry


def _joined(level1, level2, key: str, files: dict):
    for path, frame in ((files["level1"]["path"], level1), (files["level2"]["path"], level2)):
        if key not in frame.columns:
            raise DataError(
                f"--key: column '{key}' not found (the file has: {', '.join(frame.columns)})",
                file=path,
                column=key,
            )
    # a column in both files is taken from level 1 here; `multilevel check` compares them
    extra = [c for c in level2.columns if c == key or c not in level1.columns]
    return level1.merge(level2[extra].drop_duplicates(key), on=key, how="left")


def dataset_name(args: argparse.Namespace) -> str:
    name = args.name or re.sub(r"[^A-Za-z0-9_-]+", "_", Path(args.data).stem).strip("_")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        raise DataError(f"--name '{name}': use letters, digits, '_' and '-' only")
    return name


def run(args: argparse.Namespace) -> int:
    require_project()
    if bool(args.level2) != bool(args.key):
        raise DataError("--level2 FILE and --key COL go together")
    name = dataset_name(args)
    target = dataset_path(name)
    if target.exists() and not args.force:
        raise DataError(
            f"{target} exists: pick another --name, or --force to overwrite it", file=str(target)
        )
    files = {"level1": _with_detected_delimiter(_file_entry(args.data, args))}
    try:
        frame = read_table(files["level1"])
        if args.level2:
            files["level2"] = _with_detected_delimiter(_file_entry(args.level2, args))
            files["level2"]["key"] = args.key
            frame = _joined(frame, read_table(files["level2"]), args.key, files)
        proposal = propose(frame, args.key)
    except DataError as exc:
        hint = _other_sheets_hint(files["level1"])
        if not hint:
            raise
        raise DataError(f"{exc}{hint}") from exc
    entry = {
        "title": f"{name}: {proposal.outcome} by {proposal.predictor} within {proposal.cluster}",
        "description": "",
        "files": files,
        "roles": proposal.roles(),
    }
    validate_dataset(yaml.safe_load(yaml.safe_dump(entry)), name, str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    reasons = "".join(f"#   {role}: {why}\n" for role, why in proposal.reasons.items())
    header = (
        f"# Dataset '{name}', written by `multilevel init` from the columns of {args.data}.\n"
        "# Check the roles (every key is described in config/schema.yaml, definitions.dataset):\n"
        f"{reasons}"
    )
    body = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=96)
    temporary = target.with_suffix(".yaml.tmp")
    temporary.write_text(header + body, encoding="utf-8")
    os.replace(temporary, target)
    print(f"Read {len(frame)} rows and {len(frame.columns)} columns of {args.data}.")
    for role, why in proposal.reasons.items():
        print(f"  {role:<9} {why}")
    for hint in numbers_in_text(frame).values():
        print(f"  note      {hint}")
    print(f"Wrote {target}: edit it if a role is wrong, then run\n  multilevel check {name}")
    return 0
