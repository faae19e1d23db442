"""The classical methods beside the hierarchical models, from the long table, the method
artifacts and the models': the three effects (within, between, pooled), the paradox checks and
the summary of methods (the effects part), and the fitted lines and beta-space figures (the
methods part; each saved as <out_dir>/<key>.svg and listed with its caption)."""

import json
from pathlib import Path

import pandas as pd

from multilevel.classical.artifacts.figures import beta_space_figures
from multilevel.classical.artifacts.stored import effects_artifact
from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.as_method import hierarchical_rows
from multilevel.report.figure_listing import save_listed
from multilevel.report.tables import write_tables
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    long_path,
    method_paths,
    model_paths,
    result_out,
    tables_out,
    out_dir,
    meta_out,
    logger=LOG,
):
    long = pd.read_parquet(long_path)
    artifacts = {}
    for path in method_paths:
        artifacts.update(json.loads(Path(path).read_text()))
    artifacts.update(hierarchical_rows(model_paths, artifacts, spec))
    artifact, tables = effects_artifact(long, spec, artifacts)
    write_json(result_out, artifact)
    write_tables(tables, tables_out)
    found = [p["sentence"] for p in artifact["paradoxes"] if p["holds"]]
    logger.info("%d tables; paradoxes: %s", len(tables), found or "none")
    figures = beta_space_figures(long, spec, artifacts)
    save_listed(figures, out_dir, meta_out)
    logger.info("wrote %d figures to %s", len(figures), out_dir)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.input.long,
            step.input.methods,
            step.input.models,
            step.output.result,
            step.output.tables,
            step.output.svgs,
            step.output.meta,
            logger=step.logger,
        )
