"""Where the `multilevel` command finds the project: the working directory holds config/ and
the data; the workflow's code (Snakefile, rules, scripts, templates) is the package's."""

from __future__ import annotations

from pathlib import Path

from multilevel.config import (
    DATASETS_DIR,
    DatasetSpec,
    collect_datasets,
    read_dataset_file,
    read_yaml,
    validate_config,
)
from multilevel.errors import DataError

CODE_ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = CODE_ROOT / "Snakefile"
CONFIG = Path("config") / "config.yaml"


def dataset_path(name: str) -> Path:
    return Path(DATASETS_DIR) / f"{name}.yaml"


def require_project() -> None:
    if not CONFIG.exists():
        raise DataError(
            f"no {CONFIG} here: run `multilevel` in the project's directory (the one with "
            "config/ and data/)"
        )


def dataset_spec(name: str) -> DatasetSpec:
    """The dataset's file, validated; the error names the file."""
    require_project()
    path = dataset_path(name)
    if not path.exists():
        known = ", ".join(sorted(all_datasets()[0])) or "none"
        raise DataError(
            f"dataset '{name}' has no file {path} (configured: {known}); create one with "
            f"`multilevel init DATA --name {name}`"
        )
    entry = read_dataset_file(path)
    return DatasetSpec.from_config({"datasets": {name: entry}}, name)


def all_datasets() -> tuple[dict, dict[str, DataError]]:
    """Every dataset (inline in config.yaml or in a file) and the error of each broken one."""
    require_project()
    config = read_yaml(CONFIG) or {}
    validate_config(config, source=str(CONFIG))
    problems = collect_datasets(config, DATASETS_DIR)
    return config["datasets"], problems
