"""The ten models of the ladder (page 120), each by REML and ML, in one job on its threads:
results/<dataset>/mixed/<model>.json."""

from itertools import chain

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.ladder import fit_model, spec_for
from multilevel.step import LOG, script_step
from multilevel.workers import map_forked


def fit_and_write(spec: DatasetSpec, model: str, long: pd.DataFrame, json_out) -> list[str]:
    """Fit one model, write its artifact; the lines to log."""
    artifact = fit_model(spec_for(spec.roles, model), long, spec.roles, spec.id_label)
    write_json(json_out, artifact)
    lines = [
        f"{model} {method}: logLik {rec['llf']:.4f}, {rec['status']}"
        for method, rec in artifact["fits"].items()
        if "llf" in rec
    ]
    reason = f" ({artifact['reason']})" if artifact["reason"] else ""
    return [*lines, f"{model}: {artifact['status']}{reason}"]


def main(spec: DatasetSpec, outputs: dict, long_path, threads=1, logger=LOG):
    """``outputs``: model key -> artifact path."""
    long = pd.read_parquet(long_path)
    fit = lambda model: fit_and_write(spec, model, long, outputs[model])  # noqa: E731
    for line in chain.from_iterable(map_forked(fit, outputs, threads)):
        logger.info("%s", line)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            dict(step.output.items()),
            step.input.long,
            threads=step.threads,
            logger=step.logger,
        )
