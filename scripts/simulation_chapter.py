"""The simulation chapter's parts that are quick to make: the document's simulated school (pages
89-100: data, tables, context and Figures 8-17; multilevel.simulation.example_artifacts,
multilevel.plots.simulation), and the Monte Carlo study gathered from its chunks (all
replicates, the per-method summary, its tables and figures: estimates with intervals, and
coverage; multilevel.simulation.montecarlo_tables). One job: a job each cost a Python start-up,
pandas and matplotlib, and neither depends on a dataset, so the job is the same size for every
report. The df-rules study is a job of its own (rule montecarlo_df)."""

from pathlib import Path

import numpy as np

from multilevel.files import write_json
from multilevel.plots.simulation import coverage_figure, estimates_figure, example_figures
from multilevel.plots.style import save_figure
from multilevel.report.figure_listing import FigureArtifact
from multilevel.report.tables import write_tables
from multilevel.simulation.document_school import read_given_school
from multilevel.simulation.example_artifacts import (
    example_context,
    example_figure_listing,
    example_figure_paths,
    example_tables,
    example_values,
)
from multilevel.simulation.montecarlo import METHODS, QUANTITIES, summarise
from multilevel.simulation.montecarlo_tables import (
    context,
    design_table,
    gather,
    summary_tables,
    verdict_table,
)
from multilevel.simulation.simulate import ExampleDesign, StudyDesign, simulate_example
from multilevel.step import LOG, script_step


def write_example(
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
    """The simulated school: its students and schools, tables, context, registry values and
    Figures 8-17 (``svg_outs``, listed in ``figures_out``)."""
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


def write_montecarlo_figures(cfg: dict, summary, estimates_out, coverage_out, meta_out):
    level = float(cfg["level"])
    pct = f"{100 * level:g}%"
    labels = {k: m.label for k, m in METHODS.items()}
    save_figure(estimates_figure(summary, labels, QUANTITIES, level), estimates_out)
    save_figure(coverage_figure(summary, labels, QUANTITIES, level), coverage_out)
    n = int(cfg["replicates"])
    meta = [
        FigureArtifact(
            "mc_estimates",
            "Where each method aims, how much it shakes, and how much it says it shakes",
            f"{n} simulated studies. Thick bar: the central {pct} of a method's estimates "
            "(dot: their mean; its distance from the dashed true value is the bias, its "
            "length shows the efficiency). Thin bar: the mean estimate ± the normal "
            f"quantile times the mean reported SE (as long as the thick bar if honest)",
            "pp. 8, 73-76",
        ).meta(estimates_out),
        FigureArtifact(
            "mc_coverage",
            f"Coverage of the {pct} intervals, with Monte Carlo error",
            f"Share of the {n} replicates whose interval contains the true value, ± 1.96 "
            f"Monte Carlo SEs; the grey band is where a method with exact {pct} coverage "
            "would fall 95% of the time",
            "pp. 8, 73-76",
        ).meta(coverage_out),
    ]
    write_json(meta_out, meta)


def write_montecarlo(
    cfg: dict,
    chunk_paths,
    replicates_out,
    summary_out,
    tables_out,
    context_out,
    figures_out: dict,
    logger=LOG,
):
    """``figures_out``: the estimates and coverage SVGs and their listing (estimates,
    coverage, meta)."""
    design = StudyDesign.from_config(cfg)
    level = float(cfg["level"])
    records = gather(chunk_paths, int(cfg["replicates"]), int(cfg["chunks"]))
    summary = summarise(records, level)
    Path(replicates_out).parent.mkdir(parents=True, exist_ok=True)
    records.to_parquet(replicates_out, index=False)
    summary.to_parquet(summary_out, index=False)
    write_tables(
        [design_table(design, cfg), *summary_tables(summary, level), verdict_table(summary, level)],
        tables_out,
    )
    write_json(context_out, context(summary, design, cfg))
    write_montecarlo_figures(
        cfg, summary, figures_out["estimates"], figures_out["coverage"], figures_out["meta"]
    )
    logger.info(
        "%d replicates from %d chunks; %d failed fits",
        cfg["replicates"],
        len(chunk_paths),
        int(summary["failures"].sum()),
    )


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        out = step.output
        write_example(
            step.params.example,
            step.input.school,
            out.example_students,
            out.example_schools,
            out.example_tables,
            out.example_context,
            out.example_values,
            list(out.example_svgs),
            out.example_meta,
            logger=step.logger,
        )
        write_montecarlo(
            step.params.design,
            list(step.input.chunks),
            out.mc_replicates,
            out.mc_summary,
            out.mc_tables,
            out.mc_context,
            {key: out[f"mc_{key}"] for key in ("estimates", "coverage", "meta")},
            logger=step.logger,
        )
