"""Gather the Monte Carlo chunks: all replicates, the per-method summary, report tables
(multilevel.simulation.montecarlo_tables) and figures (estimates with intervals, and coverage,
per method)."""

from pathlib import Path

from multilevel.files import write_json
from multilevel.plots.simulation import coverage_figure, estimates_figure
from multilevel.plots.style import save_figure
from multilevel.report.figure_listing import FigureArtifact
from multilevel.report.tables import write_tables
from multilevel.simulation.montecarlo import METHODS, QUANTITIES, summarise
from multilevel.simulation.montecarlo_tables import (
    context,
    design_table,
    gather,
    summary_tables,
    verdict_table,
)
from multilevel.simulation.simulate import StudyDesign
from multilevel.step import LOG, script_step


def write_figures(cfg: dict, summary, estimates_out, coverage_out, meta_out):
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


def main(
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
    write_figures(
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
        main(
            step.params.design,
            list(step.input.chunks),
            step.output.replicates,
            step.output.summary,
            step.output.tables,
            step.output.context,
            {key: step.output[key] for key in ("estimates", "coverage", "meta")},
            logger=step.logger,
        )
