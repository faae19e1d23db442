"""Prepared long table -> the data chapter's tables and the registry values they reproduce."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.describe import data_tables
from multilevel.files import write_json
from multilevel.report.published import load_registry
from multilevel.report.reproduce import DataValues
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    long_path,
    registry,
    tables_out,
    values_out,
    csv_dir=None,
    logger=LOG,
):
    long = pd.read_parquet(long_path)
    published = load_registry(registry) if spec.reproduces_document else None
    tables = data_tables(long, spec, csv_link=csv_link(csv_dir), registry=published)
    write_tables(tables, tables_out, csv_dir)
    values = {}
    if published is not None:
        values = DataValues(long, spec).resolve(published["key"])
    logger.info("%d tables, %d registry values", len(tables), len(values))
    write_json(values_out, values)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.input.long,
            step.input.registry,
            step.output.tables,
            step.output.values,
            csv_dir=step.output.csv,
            logger=step.logger,
        )
