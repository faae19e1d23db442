"""The ladder's model artifacts -> the figures of the fitted models: the hierarchical-model
chapters' (pages 152-169; multilevel.hierarchical.figures) and the Diagnostics chapter's
tables, figures and context (residuals, random effects, influence of each cluster;
multilevel.diagnostics.chapter), side by side in forked workers on the job's threads when the
table is large."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.diagnostics.chapter import diagnostics_chapter
from multilevel.files import write_json
from multilevel.hierarchical.artifacts import load_models
from multilevel.hierarchical.figures import mixed_figures
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step
from multilevel.workers import map_forked
from multilevel.workflow_names import DIAGNOSTICS_FIGURE_KEYS, MIXED_FIGURE_KEYS


def draw_mixed(spec, models, long, svgs: dict, meta_out) -> str:
    """The mixed chapters' figures; what to log."""
    meta = mixed_figures(models, long, spec).save(svgs)
    write_json(meta_out, meta)
    return f"mixed chapters: {len(meta)} figures drawn of {len(svgs)}"


def draw_diagnostics(spec, models, long, svgs: dict, out: dict, csv_dir) -> str:
    """The Diagnostics chapter (``out``: its ``tables``, ``meta`` and ``context``); what to
    log."""
    chapter = diagnostics_chapter(models, long, spec, csv_link(csv_dir))
    write_tables(chapter.tables, out["tables"], csv_dir)
    meta = chapter.save(svgs)
    write_json(out["meta"], meta)
    write_json(out["context"], chapter.context)
    return f"diagnostics: {len(chapter.tables)} tables, {len(meta)} figures drawn of {len(svgs)}"


def main(
    spec: DatasetSpec,
    model_paths,
    long_path,
    mixed_svgs: dict,
    mixed_meta_out,
    diagnostics_svgs: dict,
    diagnostics_out: dict,
    csv_dir=None,
    threads=1,
    logger=LOG,
):
    """``*_svgs``: SVG paths by figure key; ``diagnostics_out``: the Diagnostics chapter's
    ``tables``, ``meta`` (its figures' listing) and ``context``. With two threads (a large
    table) the two chapters are drawn in forked workers side by side."""
    long = pd.read_parquet(long_path)
    models = load_models(model_paths)
    chapters = {
        "mixed": lambda: draw_mixed(spec, models, long, mixed_svgs, mixed_meta_out),
        "diagnostics": lambda: draw_diagnostics(
            spec, models, long, diagnostics_svgs, diagnostics_out, csv_dir
        ),
    }
    for line in map_forked(lambda name: chapters[name](), chapters, threads):
        logger.info("%s", line)


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
            threads=step.threads,
            logger=step.logger,
        )
