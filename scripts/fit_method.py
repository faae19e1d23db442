"""Prepared long table -> one classical method's results artifact, report tables and the
registry values it reproduces (the method is the rule's `params.method`)."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.method_artifacts import (
    fit_method,
    method_artifact,
    method_tables,
    method_values,
    registry_values,
)
from multilevel.published import load_registry
from multilevel.runlog import logged_step, step_logger
from multilevel.tables import write_tables


def main(
    config: dict,
    dataset: str,
    method: str,
    long_path,
    registry,
    result_out,
    tables_out,
    values_out,
    log=None,
):
    logger = step_logger(f"fit_{method}", log)
    with logged_step(logger):
        spec = DatasetSpec.from_config(config, dataset)
        fit = fit_method(method, pd.read_parquet(long_path), spec)
        if fit.skipped:
            logger.info("skipped: %s", fit.skipped)
        artifact = method_artifact(fit)
        # streamed: with a line per cluster the whole text would be hundreds of MB of pieces
        with open(result_out, "w") as handle:
            json.dump({method: artifact}, handle, indent=1, sort_keys=True, allow_nan=False)
            handle.write("\n")
        tables = method_tables(fit)
        write_tables(tables, tables_out)
        values = {}
        if spec.reproduces_document:
            values = registry_values(method_values(fit), load_registry(registry)["key"])
        Path(values_out).write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
        logger.info("%s: %d tables, %d registry values", method, len(tables), len(values))


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        smk.params.method,
        smk.input.long,
        smk.input.registry,
        smk.output.result,
        smk.output.tables,
        smk.output.values,
        log=smk.log[0],
    )
