"""Column checks that read only the files' headers: cheap enough for workflow parse time.

No pandas here: Snakemake imports this module every time it parses the workflow.
"""

from __future__ import annotations

from pathlib import Path

from multilevel.config import DatasetSpec
from multilevel.data.fileformat import FileOptions, excel_header, file_kind, text_header
from multilevel.errors import DataError


def columns_of_roles(spec: DatasetSpec) -> dict[str, str]:
    """Config key -> column, for every column the analysis uses (after renaming)."""
    roles = spec.roles
    columns = {
        "roles.cluster": roles.cluster,
        "roles.outcome": roles.outcome,
        "roles.predictor": roles.predictor,
    }
    if roles.group:
        columns["roles.group"] = roles.group
    for i, label in enumerate(roles.labels):
        columns[f"roles.labels[{i}]"] = label
    for i, covariate in enumerate(roles.covariates):
        columns[f"roles.covariates[{i}]"] = covariate
    return columns


def read_header(entry: dict | str | Path) -> list[str]:
    """The column names of a raw file (a dataset's file entry with its reading options, or a
    path), reading nothing else."""
    options = FileOptions.of(entry)
    path = Path(options.path)
    kind = file_kind(path)
    if not path.exists() or path.stat().st_size == 0:
        from multilevel.data.rawdata import read_table  # only to raise the file-level error

        return list(read_table(entry).columns)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as exc:  # a damaged file: read_table gives the full message
            raise DataError(f"not a readable parquet file ({exc})", file=str(path)) from exc
    if kind == "excel":
        return excel_header(options)
    return text_header(options)


def check_distinct_roles(spec: DatasetSpec) -> None:
    """The cluster, the outcome, the predictor, the group and the covariates are different
    columns: one column in two roles would make a model with a term twice."""
    roles = spec.roles
    seen: dict[str, str] = {}
    named = {
        "cluster": roles.cluster,
        "outcome": roles.outcome,
        "predictor": roles.predictor,
        "group": roles.group,
        **{f"covariates[{i}]": c for i, c in enumerate(roles.covariates)},
    }
    for role, column in named.items():
        if column is None:
            continue
        if column in seen:
            raise DataError(
                f"config datasets.{spec.name}.roles.{role}: column '{column}' is already the "
                f"{seen[column]}; each role needs a column of its own",
                column=column,
            )
        seen[column] = role


def check_unique_names(columns: list[str], path: str) -> None:
    """No column name twice in a header (pandas would rename the second copy silently)."""
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        if name in seen and name != "":  # empty names: read_table's message
            raise DataError(
                f"column '{name}' appears twice in the header (columns {seen[name]} and "
                f"{position}): rename one",
                file=path,
                column=name,
            )
        seen[name] = position


def check_headers(spec: DatasetSpec, root: str | Path = ".") -> None:
    """Check every column the config names against the files' headers, before reading data.

    Cheap enough to run when the workflow is parsed, so a misspelt column stops the run before
    any job starts.
    """
    spec = rooted(spec, Path(root))
    check_distinct_roles(spec)
    l1_path = spec.files["level1"]["path"]
    headers = {l1_path: read_header(spec.files["level1"])}
    key = None
    if "level2" in spec.files:
        l2 = spec.files["level2"]
        key = l2.get("key")
        headers[l2["path"]] = read_header(l2)
    for path, columns in headers.items():
        check_unique_names(columns, path)
        if "level2" in spec.files and key not in columns:
            raise DataError(
                f"join key: column '{key}' not found (the file has: {', '.join(columns)})",
                file=path,
                column=key,
            )
    every = [c for columns in headers.values() for c in columns]
    for column in spec.drop:
        if column not in every:
            raise DataError(
                f"`drop` names a column that no file has: {column}", file=l1_path, column=column
            )
    kept = list(dict.fromkeys(c for c in every if c not in spec.drop or c == key))
    for source in spec.rename:
        if source not in kept:
            raise DataError(
                f"rename: column '{source}' not found (the files have: {', '.join(kept)})",
                file=l1_path,
                column=source,
            )
    final = [spec.rename.get(c, c) for c in kept]
    wanted = columns_of_roles(spec)
    if spec.subset:
        wanted["subset.column"] = spec.subset["column"]
    if spec.composition:
        wanted["composition.variable"] = spec.composition["variable"]
    files = " or ".join(headers)
    for role, column in wanted.items():
        if column not in final:
            raise DataError(
                f"config datasets.{spec.name}.{role}: column '{column}' not found in {files} "
                f"(columns after renaming: {', '.join(final)})",
                file=l1_path,
                column=column,
            )


def rooted(spec: DatasetSpec, root: Path) -> DatasetSpec:
    files = {
        level: {**entry, "path": str(root / entry["path"]) if root != Path(".") else entry["path"]}
        for level, entry in spec.files.items()
    }
    return DatasetSpec(**{**spec.__dict__, "files": files})
