"""Prepared long table -> the data chapter: its tables, the registry values they reproduce, and
its figure (uniform quantile plots of every variable); and, from the roles alone, the R and
statsmodels calls of every method and model for the report's appendix
(multilevel.report.calls)."""

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.data.describe import data_tables
from multilevel.data.prepare import ROW_ID
from multilevel.files import write_json
from multilevel.plots.quantile import uniform_quantile_figure
from multilevel.plots.style import save_figure
from multilevel.report.calls import all_calls
from multilevel.report.figure_listing import FigureArtifact
from multilevel.report.published import load_registry
from multilevel.report.reproduce import DataValues
from multilevel.report.tables import csv_link, write_tables
from multilevel.step import LOG, script_step
from multilevel.workflow_names import METHOD_KEYS


def write_quantile_figure(spec: DatasetSpec, long: pd.DataFrame, svg_out, meta_out, logger=LOG):
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


def main(
    spec: DatasetSpec,
    long_path,
    registry,
    tables_out,
    values_out,
    svg_out,
    figures_out,
    calls_out,
    csv_dir=None,
    logger=LOG,
):
    long = pd.read_parquet(long_path)
    published = load_registry(registry) if spec.reproduces_document else None
    tables = data_tables(long, spec, csv_link=csv_link(csv_dir), registry=published)
    write_tables(tables, tables_out, csv_dir)
    values = {}
    if published is not None:
        values = DataValues(long, spec).resolve(published["key"])
    logger.info("%d tables, %d registry values", len(tables), len(values))
    write_json(values_out, values)
    write_quantile_figure(spec, long, svg_out, figures_out, logger)
    calls = all_calls(spec.roles, METHOD_KEYS, str(long_path))
    write_json(calls_out, calls)
    logger.info("calls for %d methods and %d models", len(calls["methods"]), len(calls["models"]))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.input.long,
            step.input.registry,
            step.output.tables,
            step.output.values,
            step.output.svg,
            step.output.figures,
            step.output.calls,
            csv_dir=step.output.csv,
            logger=step.logger,
        )
