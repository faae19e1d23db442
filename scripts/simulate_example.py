"""The document's simulated school (pages 89-100): data, tables, context and Figures 8-17 for
the report (multilevel.simulation.example_artifacts, multilevel.plots.simulation)."""

from pathlib import Path

import numpy as np

from multilevel.files import write_json
from multilevel.plots.simulation import example_figures
from multilevel.plots.style import save_figure
from multilevel.report.tables import write_tables
from multilevel.simulation.document_school import read_given_school
from multilevel.simulation.example_artifacts import (
    example_context,
    example_figure_listing,
    example_figure_paths,
    example_tables,
    example_values,
)
from multilevel.simulation.simulate import ExampleDesign, simulate_example
from multilevel.step import LOG, script_step


def main(
    cfg: dict,
    school_path,
    students_out,
    schools_out,
    tables_out,
    context_out,
    values_out,
    svg_outs,
    figures_out,
    logger=LOG,
):
    design = ExampleDesign.from_config(cfg)
    given = read_given_school(school_path)
    example = simulate_example(design, np.random.default_rng(design.seed), given)
    Path(students_out).parent.mkdir(parents=True, exist_ok=True)
    example.students.to_parquet(students_out, index=False)
    example.schools.to_parquet(schools_out)
    Path(tables_out).parent.mkdir(parents=True, exist_ok=True)
    write_tables(example_tables(example), tables_out)
    write_json(context_out, example_context(design, example))
    write_json(values_out, example_values(example))
    svgs = example_figure_paths(svg_outs)
    figures = example_figures(example.school(1), example.gamma, example.G)
    for key, path in svgs.items():
        save_figure(figures[key], path)
    write_json(figures_out, example_figure_listing(svgs, example.gamma))
    logger.info(
        "school 1 from %s (%d students), %d more simulated (%d students in all) with seed %d",
        school_path,
        given.n,
        design.schools - 1,
        len(example.students),
        design.seed,
    )


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.example,
            step.input.school,
            step.output.students,
            step.output.schools,
            step.output.tables,
            step.output.context,
            step.output.values,
            list(step.output.svgs),
            step.output.meta,
            logger=step.logger,
        )
