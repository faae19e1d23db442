"""Prepared long table -> the data chapter's tables and the registry values they reproduce."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.describe import data_tables
from multilevel.published import load_registry
from multilevel.reproduce import DataValues
from multilevel.runlog import logged_step, step_logger
from multilevel.tables import write_tables


def main(
    config: dict,
    dataset: str,
    long_path,
    registry,
    tables_out,
    values_out,
    csv_dir=None,
    log=None,
):
    logger = step_logger("describe_data", log)
    with logged_step(logger):
        spec = DatasetSpec.from_config(config, dataset)
        long = pd.read_parquet(long_path)
        # the CSVs sit in reports/<dataset>/tables/<part>/, linked relative to the report
        csv_link = f"{Path(csv_dir).parent.name}/{Path(csv_dir).name}" if csv_dir else None
        tables = data_tables(long, spec, csv_link=csv_link)
        write_tables(tables, tables_out, csv_dir)
        values = {}
        if spec.reproduces_document:
            keys = load_registry(registry)["key"]
            values = DataValues(long, spec).resolve(keys)
        logger.info("%d tables, %d registry values", len(tables), len(values))
        Path(values_out).write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        smk.input.long,
        smk.input.registry,
        smk.output.tables,
        smk.output.values,
        csv_dir=smk.output.csv,
        log=smk.log[0],
    )
