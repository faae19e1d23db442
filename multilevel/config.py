"""Reading and validating the pipeline's configuration (config/config.yaml against schema.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from multilevel.errors import DataError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "config" / "schema.yaml"


def _extend_with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(name, sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_Validator = _extend_with_defaults(jsonschema.Draft7Validator)


def validate_config(config: dict, source: str = "config") -> dict:
    """Validate a config dict against the schema, filling defaults in place.

    Raises DataError naming the entry, the key and what was expected.
    """
    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    errors = sorted(_Validator(schema).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        lines = []
        for err in errors[:5]:
            where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
            lines.append(f"  at {where}: {err.message}")
        raise DataError(f"{source} is not a valid configuration:\n" + "\n".join(lines))
    if config["dataset"] not in config["datasets"]:
        raise DataError(
            f"{source}: dataset '{config['dataset']}' is not one of the configured datasets "
            f"({', '.join(sorted(config['datasets']))})"
        )
    return config


def load_config(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise DataError("configuration file not found", file=str(path))
    try:
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise DataError(f"configuration is not valid YAML: {exc}", file=str(path)) from exc
    return validate_config(config or {}, source=str(path))


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
        roles = Roles(**entry.pop("roles"))
        return cls(name=name, roles=roles, **entry)

    @property
    def raw_paths(self) -> list[str]:
        return [f["path"] for f in self.files.values()]
