"""The central model's artifact -> the Diagnostics chapter's tables, figures and context
(residuals, random effects, influence of each cluster; multilevel.diagnostics.chapter)."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.diagnostics.chapter import FIGURE_KEYS, diagnostics_chapter
from multilevel.files import write_json
from multilevel.hierarchical.artifacts import load_models
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    model_path,
    long_path,
    svgs: dict,
    tables_out,
    meta_out,
    context_out,
    csv_dir=None,
    logger=LOG,
):
    long = pd.read_parquet(long_path)
    chapter = diagnostics_chapter(load_models([model_path]), long, spec, csv_link(csv_dir))
    write_tables(chapter.tables, tables_out, csv_dir)
    meta = chapter.save(svgs)
    write_json(meta_out, meta)
    write_json(context_out, chapter.context)
    logger.info("%d tables, %d figures drawn of %d", len(chapter.tables), len(meta), len(svgs))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.input.model,
            step.input.long,
            {k: step.output[k] for k in FIGURE_KEYS},
            step.output.tables,
            step.output.meta,
            step.output.context,
            csv_dir=step.output.csv,
            logger=step.logger,
        )
