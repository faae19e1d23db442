"""Figures of the Monte Carlo study: estimates with intervals, and coverage, per method."""

from pathlib import Path

import pandas as pd

from multilevel.files import write_json
from multilevel.plots.simulation import coverage_figure, estimates_figure
from multilevel.plots.style import save_figure
from multilevel.report.figure_listing import FigureArtifact
from multilevel.simulation.montecarlo import METHODS, QUANTITIES
from multilevel.step import LOG, script_step


def main(cfg: dict, summary_path, estimates_out, coverage_out, meta_out, logger=LOG):
    summary = pd.read_parquet(summary_path)
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
    Path(meta_out).parent.mkdir(parents=True, exist_ok=True)
    write_json(meta_out, meta)
    logger.info("wrote %s and %s", estimates_out, coverage_out)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.design,
            step.input.summary,
            step.output.estimates,
            step.output.coverage,
            step.output.meta,
            logger=step.logger,
        )
