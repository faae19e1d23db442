"""One model of the ladder (page 120), by REML and ML: results/<dataset>/mixed/<model>.json."""

from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.ladder import fit_model, spec_for
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, model: str, long_path, json_out, logger=LOG):
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
    write_json(json_out, artifact)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(step.spec, step.wildcards.model, step.input.long, step.output.json, logger=step.logger)
