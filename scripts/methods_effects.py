"""Prepared long table and the method artifacts -> the three effects (within, between,
pooled), the paradox checks and the summary of methods."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.method_artifacts import effects_artifact
from multilevel.runlog import logged_step, step_logger
from multilevel.tables import write_tables


def main(config: dict, dataset: str, long_path, method_paths, result_out, tables_out, log=None):
    logger = step_logger("methods_effects", log)
    with logged_step(logger):
        spec = DatasetSpec.from_config(config, dataset)
        artifacts = {}
        for path in method_paths:
            artifacts.update(json.loads(Path(path).read_text()))
        artifact, tables = effects_artifact(pd.read_parquet(long_path), spec, artifacts)
        Path(result_out).write_text(
            json.dumps(artifact, indent=1, sort_keys=True, allow_nan=False) + "\n"
        )
        write_tables(tables, tables_out)
        found = [p["sentence"] for p in artifact["paradoxes"] if p["holds"]]
        logger.info("%d tables; paradoxes: %s", len(tables), found or "none")


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        smk.input.long,
        smk.input.methods,
        smk.output.result,
        smk.output.tables,
        log=smk.log[0],
    )
