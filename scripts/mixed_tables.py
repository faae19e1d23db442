"""The ladder's model artifacts -> the theory and mixed-model chapters' tables, registry values
and template context (document pages 76-173; multilevel.hierarchical.artifacts), and their
inference: the df rules for every model, profile intervals and the varIdent test for the
central model (multilevel.hierarchical.inference)."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.artifacts import load_models, mixed_chapters
from multilevel.hierarchical.inference import inference_artifact
from multilevel.hierarchical.inference_tables import context as inference_context
from multilevel.hierarchical.inference_tables import tables as inference_tables
from multilevel.report.published import load_registry
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    model_paths,
    long_path,
    registry,
    theory_tables_out,
    theory_context_out,
    tables_out,
    values_out,
    context_out,
    inference_out: dict,
    csv_dir=None,
    logger=LOG,
):
    """``inference_out``: the inference artifact, its tables and context (json, tables,
    context)."""
    long = pd.read_parquet(long_path)
    models = load_models(model_paths)
    write_inference(spec, models, long, inference_out, logger)
    chapters = mixed_chapters(models, long, spec, csv_link(csv_dir))
    write_tables(chapters.theory_tables, theory_tables_out)
    write_tables(chapters.tables, tables_out, csv_dir)
    kept = {}
    if spec.reproduces_document:
        kept = chapters.registry_values(load_registry(registry)["key"])
    logger.info(
        "%d tables, %d of %d values in the registry",
        len(chapters.tables),
        len(kept),
        len(chapters.values),
    )
    write_json(values_out, kept)
    write_json(context_out, chapters.context)
    write_json(theory_context_out, chapters.theory_context)


def write_inference(spec: DatasetSpec, models: dict, long, out: dict, logger=LOG):
    art = inference_artifact(models, long, spec.roles)
    write_json(out["json"], art)
    write_tables(inference_tables(art), out["tables"])
    write_json(out["context"], inference_context(art))
    for part in ("profile", "var_ident"):
        logger.info("%s: %s %s", part, art[part]["status"], art[part].get("reason") or "")


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            list(step.input.models),
            step.input.long,
            step.input.registry,
            step.output.theory_tables,
            step.output.theory_context,
            step.output.tables,
            step.output.values,
            step.output.context,
            {
                "json": step.output.inference,
                "tables": step.output.inference_tables,
                "context": step.output.inference_context,
            },
            csv_dir=step.output.csv,
            logger=step.logger,
        )
