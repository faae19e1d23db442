"""Helpers shared by tests: the configured datasets, and writing small bad configs/data."""

from functools import cache
from pathlib import Path

import yaml

from multilevel.config import DatasetSpec, dataset_files, load_config, validate_config

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "config.yaml"
DATASETS = ROOT / "config" / "datasets"


def raw_config() -> dict:
    """config/config.yaml with every config/datasets/NAME.yaml inline under `datasets:`, as
    written (no defaults filled): a test edits it and writes it into a scratch directory."""
    config = yaml.safe_load(CONFIG.read_text())
    config["datasets"] = {p.stem: yaml.safe_load(p.read_text()) for p in dataset_files(DATASETS)}
    return config


def configured(name: str) -> DatasetSpec:
    config = load_config(CONFIG)
    spec = DatasetSpec.from_config(config, name)
    files = {k: {**v, "path": str(ROOT / v["path"])} for k, v in spec.files.items()}
    return DatasetSpec(**{**spec.__dict__, "files": files})


@cache
def configured_long(name: str):
    """The prepared long table of a configured dataset (prepared once per test session)."""
    from multilevel.data.prepare import prepare

    return prepare(configured(name)).long


def spec_from(entry: dict, name: str = "test") -> DatasetSpec:
    config = validate_config({"dataset": name, "datasets": {name: entry}})
    return DatasetSpec.from_config(config, name)


def panel_label(ax) -> str:
    """The label above a small panel of a cluster-panel figure (a text, not a title)."""
    (label,) = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    return label
