"""The ladder's model artifacts -> the figures of the fitted models: the hierarchical-model
chapters' (pages 152-169; multilevel.hierarchical.figures) and the Diagnostics chapter's
tables, figures and context (residuals, random effects, influence of each cluster;
multilevel.diagnostics.chapter)."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.diagnostics.chapter import diagnostics_chapter
from multilevel.files import write_json
from multilevel.hierarchical.artifacts import load_models
from multilevel.hierarchical.figures import mixed_figures
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step
from multilevel.workflow_names import DIAGNOSTICS_FIGURE_KEYS, MIXED_FIGURE_KEYS


def main(
    spec: DatasetSpec,
    model_paths,
    long_path,
    mixed_svgs: dict,
    mixed_meta_out,
    diagnostics_svgs: dict,
    diagnostics_out: dict,
    csv_dir=None,
    logger=LOG,
):
    """``*_svgs``: SVG paths by figure key; ``diagnostics_out``: the Diagnostics chapter's
    ``tables``, ``meta`` (its figures' listing) and ``context``."""
    long = pd.read_parquet(long_path)
    models = load_models(model_paths)
    meta = mixed_figures(models, long, spec).save(mixed_svgs)
    write_json(mixed_meta_out, meta)
    logger.info("mixed chapters: %d figures drawn of %d", len(meta), len(mixed_svgs))
    chapter = diagnostics_chapter(models, long, spec, csv_link(csv_dir))
    write_tables(chapter.tables, diagnostics_out["tables"], csv_dir)
    meta = chapter.save(diagnostics_svgs)
    write_json(diagnostics_out["meta"], meta)
    write_json(diagnostics_out["context"], chapter.context)
    logger.info(
        "diagnostics: %d tables, %d figures drawn of %d",
        len(chapter.tables),
        len(meta),
        len(diagnostics_svgs),
    )


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        out = step.output
        main(
            step.spec,
            list(step.input.models),
            step.input.long,
            {k: out[k] for k in MIXED_FIGURE_KEYS},
            out.mixed_meta,
            {k: out[k] for k in DIAGNOSTICS_FIGURE_KEYS},
            {k: out[f"diagnostics_{k}"] for k in ("tables", "meta", "context")},
            csv_dir=out.diagnostics_csv,
            logger=step.logger,
        )
