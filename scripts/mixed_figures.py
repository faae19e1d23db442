"""The ladder's model artifacts -> the hierarchical-model chapters' figures (pages 152-169;
multilevel.hierarchical.figures)."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.files import write_json
from multilevel.hierarchical.artifacts import load_models
from multilevel.hierarchical.figures import mixed_figures
from multilevel.plots.mixed import FIGURE_KEYS
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, model_paths, long_path, svgs: dict, meta_out, logger=LOG):
    long = pd.read_parquet(long_path)
    drawn = mixed_figures(load_models(model_paths), long, spec)
    meta = drawn.save(svgs)
    write_json(meta_out, meta)
    logger.info("%d figures drawn of %d", len(meta), len(svgs))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            list(step.input.models),
            step.input.long,
            {k: step.output[k] for k in FIGURE_KEYS},
            step.output.meta,
            logger=step.logger,
        )
