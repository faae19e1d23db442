"""The configuration as the workflow sees it when Snakemake parses it: global settings, the
datasets that can be built, and one clear message (no traceback) for the ones that cannot.

No pandas here: Snakemake imports this module every time it parses the workflow.
"""

from __future__ import annotations

import sys
from pathlib import Path

from multilevel.config import DatasetSpec, check_selected, collect_datasets, validate_config
from multilevel.errors import DataError
from multilevel.headers import check_headers


def usable_datasets(config: dict, directory: str | Path) -> dict[str, DataError]:
    """Validate ``config`` and add the datasets of ``directory``, in place, keeping only those
    whose files have every column they name. Returns the error of each dataset left out.
    Raises DataError if the global settings or the dataset to build are not usable."""
    validate_config(config, source="config/config.yaml")
    problems = collect_datasets(config, directory)
    for name in sorted(config["datasets"]):
        try:
            check_headers(DatasetSpec.from_config(config, name))
        except DataError as exc:
            problems[name] = exc
            del config["datasets"][name]
    check_selected(config, problems, "config")
    return problems


def workflow_datasets(config: dict, directory: str | Path) -> list[str]:
    """The names of the datasets the workflow can build (``config`` is completed in place).

    A problem with the dataset to build ends the run with its one-line message; another
    broken dataset is skipped with a warning naming its file.
    """
    try:
        problems = usable_datasets(config, directory)
    except DataError as exc:
        sys.exit(f"Error: {exc}")
    for name, problem in sorted(problems.items()):
        print(f"Warning: dataset '{name}' is skipped: {problem}", file=sys.stderr)
    return sorted(config["datasets"])
