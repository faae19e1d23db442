"""Figure: uniform quantile plot of every variable of the long table."""

import json
from pathlib import Path

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.plots.quantile import uniform_quantile_figure
from multilevel.plots.style import save_figure
from multilevel.prepare import ROW_ID
from multilevel.runlog import step_logger


def main(config: dict, dataset: str, long_path, svg_out, meta_out, log=None):
    logger = step_logger("figure_quantiles", log)
    spec = DatasetSpec.from_config(config, dataset)
    long = pd.read_parquet(long_path)
    columns = [c for c in long.columns if c not in (ROW_ID, spec.id_label)]
    save_figure(uniform_quantile_figure(long, columns), svg_out)
    meta = {
        "key": "quantiles",
        "file": str(svg_out),
        "title": "Uniform quantile plots of every variable",
        "caption": (
            "Numeric variables: sorted values against the fraction of observations, with the "
            "median (solid line) and quartiles (dashed). Categorical variables: counts."
        ),
        "doc_ref": "Figure 1, p. 13",
    }
    Path(meta_out).write_text(json.dumps([meta], indent=1, sort_keys=True) + "\n")
    logger.info("wrote %s (%d panels)", svg_out, len(columns))


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        smk.input.long,
        smk.output.svg,
        smk.output.meta,
        log=smk.log[0],
    )
