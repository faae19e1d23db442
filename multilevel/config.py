"""Reading and validating the pipeline's configuration: config/config.yaml (global settings) and
config/datasets/NAME.yaml (one dataset each), against config/schema.yaml."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from multilevel.errors import DataError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "config" / "schema.yaml"
DATASETS_DIR = "config/datasets"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


# jsonschema and yaml are imported where they are used: a workflow step builds its
# DatasetSpec from already validated fields and never reads a configuration file.


def _extend_with_defaults(validator_class):
    import jsonschema

    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub:
                    # a copy: the instance is filled in later, the schema is shared
                    instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


@cache
def _validator_class():
    import jsonschema

    return _extend_with_defaults(jsonschema.Draft7Validator)


@cache
def _schema() -> dict:
    """The schema, parsed once per process: Snakemake validates every dataset file at start-up
    (parsing it each time cost 0.1 s a file). Read-only: validation fills the instances."""
    import yaml

    return yaml.load(SCHEMA_PATH.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _schema_errors(schema: dict, instance: Any, source: str, prefix: str = "") -> None:
    """Validate ``instance`` (filling defaults in place); raise one DataError listing the first
    problems, each at its key."""
    errors = sorted(_validator_class()(schema).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        lines = []
        for err in errors[:5]:
            where = ".".join([prefix, *(str(p) for p in err.absolute_path)]).strip(".")
            lines.append(f"  at {where or '(top level)'}: {err.message}")
        raise DataError(f"{source} is not a valid configuration:\n" + "\n".join(lines))


def validate_config(config: dict, source: str = "config") -> dict:
    """Validate a config dict (global settings and any inline ``datasets:`` entries) against
    the schema, filling defaults in place.

    Raises DataError naming the entry, the key and what was expected.
    """
    _schema_errors(_schema(), config, source)
    return config


def validate_dataset(entry: Any, name: str, source: str) -> dict:
    """Validate one dataset's entry (the content of ``config/datasets/NAME.yaml``) against the
    schema's ``definitions.dataset``, filling defaults in place."""
    schema = _schema()
    if not NAME_PATTERN.fullmatch(name):
        raise DataError(
            f"'{name}' is not a usable dataset name (letters, digits, '_' and '-' only): "
            "rename the file",
            file=source,
        )
    if not isinstance(entry, dict):
        raise DataError(
            "a dataset file must be a YAML mapping (title:, files:, roles:, ...)", file=source
        )
    one = {"$ref": "#/definitions/dataset", "definitions": schema["definitions"]}
    _schema_errors(one, entry, source, prefix=f"datasets.{name}")
    return entry


def _where(exc: Exception) -> str:
    """Where and what PyYAML's error is, on one line (its own text quotes the file over
    several lines, naming it "<unicode string>")."""
    mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
    if mark is None or problem is None:
        return f": {exc}"
    where = f" at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    start, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
    if start is not None and context:
        where += f" ({context} at line {start.line + 1}, column {start.column + 1})"
    return where


def read_yaml(path: Path) -> Any:
    import yaml

    if not path.exists():
        raise DataError("configuration file not found", file=str(path))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML{_where(exc)}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"not a UTF-8 text file (byte {exc.start})", file=str(path)) from exc


def read_dataset_file(path: str | Path) -> dict:
    """One dataset file, validated (defaults filled); its name is the file's stem."""
    path = Path(path)
    return validate_dataset(read_yaml(path), path.stem, str(path))


def dataset_files(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    return sorted(directory.glob("*.yaml")) if directory.is_dir() else []


def collect_datasets(config: dict, directory: str | Path) -> dict[str, DataError]:
    """Put every dataset of ``directory`` (one ``NAME.yaml`` each) beside the inline entries of
    ``config["datasets"]``, in place. A file that cannot be read or is invalid blocks only its
    own dataset: it is left out, and its error is returned under its name."""
    datasets = config.setdefault("datasets", {})
    problems: dict[str, DataError] = {}
    for path in dataset_files(directory):
        name = path.stem
        if name in datasets:
            problems[name] = DataError(
                f"dataset '{name}' is configured twice (in config.yaml's datasets: and in "
                "this file): keep one",
                file=str(path),
            )
            del datasets[name]
            continue
        try:
            datasets[name] = read_dataset_file(path)
        except DataError as exc:
            problems[name] = exc
    return problems


def check_selected(config: dict, problems: dict[str, DataError], source: str) -> None:
    """The dataset to build must be configured and valid."""
    name = config["dataset"]
    if name in problems:
        raise problems[name]
    if name not in config["datasets"]:
        known = ", ".join(sorted(config["datasets"])) or "none"
        raise DataError(
            f"{source}: dataset '{name}' is not configured (configured: {known}); "
            f"add config/datasets/{name}.yaml (multilevel init DATA --name {name})"
        )


def load_config(path: str | Path) -> dict:
    """The configuration at ``path`` with every dataset of the ``datasets/`` directory beside
    it; any invalid dataset is an error."""
    path = Path(path)
    config = read_yaml(path) or {}
    validate_config(config, source=str(path))
    problems = collect_datasets(config, path.parent / "datasets")
    if problems:
        raise next(iter(problems.values()))
    check_selected(config, problems, str(path))
    return config


@dataclass(frozen=True)
class Roles:
    cluster: str
    outcome: str
    predictor: str
    group: str | None = None
    group_reference: str | None = None
    group_order: list[str] | None = None
    labels: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    covariate_references: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset entry of the config, after validation."""

    name: str
    title: str
    description: str
    files: dict[str, dict[str, str]]
    roles: Roles
    drop: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    composition: dict[str, Any] | None = None
    id_label: str | None = None
    subset: dict[str, Any] | None = None
    reproduces_document: bool = False

    @classmethod
    def from_config(cls, config: dict, name: str) -> DatasetSpec:
        if name not in config["datasets"]:
            raise DataError(
                f"dataset '{name}' is not configured; choose one of "
                f"{', '.join(sorted(config['datasets']))}"
            )
        entry = dict(config["datasets"][name])
        roles = entry.pop("roles")
        # Group levels are read as text (a numeric level in YAML, `1`, names the level "1").
        if roles.get("group_reference") is not None:
            roles["group_reference"] = str(roles["group_reference"])
        if roles.get("group_order") is not None:
            roles["group_order"] = [str(v) for v in roles["group_order"]]
        roles = Roles(**roles)
        return cls(name=name, roles=roles, **entry)

    @property
    def raw_paths(self) -> list[str]:
        return [f["path"] for f in self.files.values()]
