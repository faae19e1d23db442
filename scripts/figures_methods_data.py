"""Pictures of the data alone and of the three effects (they need only the long table): each
figure is saved as <out_dir>/<key>.svg and listed, with its caption, in the methods part's and
the effects part's figure listings."""

import pandas as pd

from multilevel.classical.artifacts.figures import data_space_figures, effects_figures
from multilevel.config import DatasetSpec
from multilevel.report.figure_listing import save_listed
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, long_path, out_dir, meta_out, effects_meta_out, logger=LOG):
    long = pd.read_parquet(long_path)
    figures = data_space_figures(long, spec)
    save_listed(effects_figures(long, spec), out_dir, effects_meta_out)
    save_listed(figures, out_dir, meta_out)
    logger.info("wrote %d figures to %s", len(figures), out_dir)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.input.long,
            step.output.svgs,
            step.output.meta,
            step.output.effects_meta,
            logger=step.logger,
        )
