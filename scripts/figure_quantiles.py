"""Figure: uniform quantile plot of every variable of the long table."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.prepare import ROW_ID
from multilevel.files import write_json
from multilevel.plots.quantile import uniform_quantile_figure
from multilevel.plots.style import save_figure
from multilevel.report.figure_listing import FigureArtifact
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, long_path, svg_out, meta_out, logger=LOG):
    long = pd.read_parquet(long_path)
    columns = [c for c in long.columns if c not in (ROW_ID, spec.id_label)]
    save_figure(uniform_quantile_figure(long, columns), svg_out)
    meta = FigureArtifact(
        "quantiles",
        "Uniform quantile plots of every variable",
        "Numeric variables: sorted values against the fraction of observations, with the "
        "median (solid line) and quartiles (dashed). Categorical variables: counts.",
        "Figure 1, p. 13",
    ).meta(svg_out)
    write_json(meta_out, [meta])
    logger.info("wrote %s (%d panels)", svg_out, len(columns))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(step.spec, step.input.long, step.output.svg, step.output.meta, logger=step.logger)
