"""The document's simulated school (pages 89-100): data, tables and context for the report
(multilevel.simulation.example_artifacts)."""

from pathlib import Path

import numpy as np

from multilevel.files import write_json
from multilevel.report.tables import write_tables
from multilevel.simulation.example_artifacts import example_context, example_tables
from multilevel.simulation.simulate import ExampleDesign, simulate_example
from multilevel.step import LOG, script_step


def main(cfg: dict, students_out, schools_out, tables_out, context_out, logger=LOG):
    design = ExampleDesign.from_config(cfg)
    example = simulate_example(design, np.random.default_rng(design.seed))
    Path(students_out).parent.mkdir(parents=True, exist_ok=True)
    example.students.to_parquet(students_out, index=False)
    example.schools.to_parquet(schools_out)
    Path(tables_out).parent.mkdir(parents=True, exist_ok=True)
    write_tables(example_tables(example), tables_out)
    write_json(context_out, example_context(design, example))
    logger.info(
        "simulated %d schools (%d students) with seed %d",
        design.schools,
        len(example.students),
        design.seed,
    )


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.example,
            step.output.students,
            step.output.schools,
            step.output.tables,
            step.output.context,
            logger=step.logger,
        )
