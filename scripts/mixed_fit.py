"""One model of the ladder (page 120), by REML and ML: results/<dataset>/mixed/<model>.json."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.ladder import fit_model, spec_for
from multilevel.runlog import logged_step, step_logger


def main(config: dict, dataset: str, model: str, long_path, json_out, log=None):
    logger = step_logger(f"mixed_fit.{model}", log)
    with logged_step(logger):
        spec = DatasetSpec.from_config(config, dataset)
        long = pd.read_parquet(long_path)
        model_spec = spec_for(spec.roles, model)
        artifact = fit_model(model_spec, long, spec.roles, spec.id_label)
        for method, rec in artifact["fits"].items():
            if "llf" in rec:
                logger.info("%s %s: logLik %.4f, %s", model, method, rec["llf"], rec["status"])
        logger.info(
            "%s: %s%s",
            model,
            artifact["status"],
            f" ({artifact['reason']})" if artifact["reason"] else "",
        )
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        smk.wildcards.model,
        smk.input.long,
        smk.output.json,
        log=smk.log[0],
    )
