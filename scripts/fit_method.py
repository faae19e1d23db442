"""Prepared long table -> one classical method's results artifact, report tables and the
registry values it reproduces (the method is the rule's `params.method`)."""

import pandas as pd

from multilevel.classical.artifacts.fitting import fit_method
from multilevel.classical.artifacts.stored import method_artifact
from multilevel.classical.artifacts.tables import method_tables
from multilevel.classical.artifacts.values import method_values, registry_values
from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.report.published import load_registry
from multilevel.report.tables import write_tables
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    method: str,
    long_path,
    registry,
    result_out,
    tables_out,
    values_out,
    logger=LOG,
):
    fit = fit_method(method, pd.read_parquet(long_path), spec)
    if fit.skipped:
        logger.info("skipped: %s", fit.skipped)
    artifact = method_artifact(fit)
    # streamed: with a line per cluster the whole text would be hundreds of MB of pieces
    write_json(result_out, {method: artifact})
    tables = method_tables(fit)
    write_tables(tables, tables_out)
    values = {}
    if spec.reproduces_document:
        values = registry_values(method_values(fit), load_registry(registry)["key"])
    write_json(values_out, values)
    logger.info("%s: %d tables, %d registry values", method, len(tables), len(values))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.wildcards.method,
            step.input.long,
            step.input.registry,
            step.output.result,
            step.output.tables,
            step.output.values,
            logger=step.logger,
        )
