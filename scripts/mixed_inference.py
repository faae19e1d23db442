"""The df rules for every ladder model, profile intervals and the varIdent test for the
central model (multilevel.hierarchical.inference): the artifact, tables and numbers."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.inference import inference_artifact
from multilevel.hierarchical.inference_tables import context, tables
from multilevel.report.tables import write_tables
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, model_paths, long_path, json_out, tables_out, context_out, logger=LOG):
    artifacts = {}
    for path in model_paths:
        art = json.loads(Path(path).read_text())
        artifacts[art["spec"]["key"]] = art
    art = inference_artifact(artifacts, pd.read_parquet(long_path), spec.roles)
    Path(json_out).parent.mkdir(parents=True, exist_ok=True)
    write_json(json_out, art)
    write_tables(tables(art), tables_out)
    write_json(context_out, context(art))
    for part in ("profile", "var_ident"):
        logger.info("%s: %s %s", part, art[part]["status"], art[part].get("reason") or "")


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            list(step.input.models),
            step.input.long,
            step.output.json,
            step.output.tables,
            step.output.context,
            logger=step.logger,
        )
