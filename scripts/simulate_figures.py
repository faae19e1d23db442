"""Figures 8-17 of the document (pages 91-100): the simulated school in data and beta space
(multilevel.plots.simulation; listing in multilevel.simulation.example_artifacts)."""

from pathlib import Path

import pandas as pd

from multilevel.files import write_json
from multilevel.plots.simulation import example_figures
from multilevel.plots.style import save_figure
from multilevel.simulation.example_artifacts import example_figure_listing, example_figure_paths
from multilevel.simulation.simulate import Example, ExampleDesign
from multilevel.step import LOG, script_step


def main(cfg: dict, students_path, schools_path, svg_outs, meta_out, logger=LOG):
    svgs = example_figure_paths(svg_outs)
    example = Example(
        ExampleDesign.from_config(cfg),
        pd.read_parquet(schools_path),
        pd.read_parquet(students_path),
    )
    figures = example_figures(example.school(1), example.gamma, example.G)
    for key, path in svgs.items():
        save_figure(figures[key], path)
    meta = example_figure_listing(svgs, example.gamma)
    Path(meta_out).parent.mkdir(parents=True, exist_ok=True)
    write_json(meta_out, meta)
    logger.info("wrote %d figures", len(meta))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.example,
            step.input.students,
            step.input.schools,
            list(step.output.svgs),
            step.output.meta,
            logger=step.logger,
        )
