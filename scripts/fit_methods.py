"""Prepared long table -> each classical method's results artifact, report tables and the
registry values it reproduces, in one job on its threads."""

from itertools import chain

import pandas as pd

from multilevel.classical.artifacts.fitting import fit_method
from multilevel.classical.artifacts.stored import method_artifact
from multilevel.classical.artifacts.tables import method_tables
from multilevel.classical.artifacts.values import method_values, registry_values
from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.report.published import load_registry
from multilevel.report.tables import write_tables
from multilevel.step import LOG, script_step
from multilevel.workers import map_forked


def fit_and_write(spec: DatasetSpec, method: str, long, keys, outputs: dict) -> list[str]:
    """Fit one method, write its three files (``outputs``: result, tables, values); the lines
    to log. ``keys``: the registry's keys, or None when the dataset is not the document's."""
    fit = fit_method(method, long, spec)
    # streamed: with a line per cluster the whole text would be hundreds of MB of pieces
    write_json(outputs["result"], {method: method_artifact(fit)})
    tables = method_tables(fit)
    write_tables(tables, outputs["tables"])
    values = registry_values(method_values(fit), keys) if keys is not None else {}
    write_json(outputs["values"], values)
    skipped = [f"{method} skipped: {fit.skipped}"] if fit.skipped else []
    return [*skipped, f"{method}: {len(tables)} tables, {len(values)} registry values"]


def main(spec: DatasetSpec, outputs: dict, long_path, registry, threads=1, logger=LOG):
    """``outputs``: method key -> {"result", "tables", "values"} paths."""
    long = pd.read_parquet(long_path)
    keys = load_registry(registry)["key"] if spec.reproduces_document else None
    fit = lambda method: fit_and_write(spec, method, long, keys, outputs[method])  # noqa: E731
    for line in chain.from_iterable(map_forked(fit, outputs, threads)):
        logger.info("%s", line)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            {
                method: {
                    kind: step.output[f"{method}_{kind}"] for kind in ("result", "tables", "values")
                }
                for method in step.params.methods
            },
            step.input.long,
            step.input.registry,
            threads=step.threads,
            logger=step.logger,
        )
