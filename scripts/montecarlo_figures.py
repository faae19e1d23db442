"""Figures of the Monte Carlo study: estimates with intervals, and coverage, per method."""

import json
from pathlib import Path

import pandas as pd

from multilevel.montecarlo import METHODS, QUANTITIES
from multilevel.plots.simulation import coverage_figure, estimates_figure
from multilevel.plots.style import save_figure
from multilevel.runlog import step_logger


def main(cfg: dict, summary_path, estimates_out, coverage_out, meta_out, log=None):
    logger = step_logger("montecarlo_figures", log)
    summary = pd.read_parquet(summary_path)
    level = float(cfg["level"])
    pct = f"{100 * level:g}%"
    labels = {k: m.label for k, m in METHODS.items()}
    save_figure(estimates_figure(summary, labels, QUANTITIES, level), estimates_out)
    save_figure(coverage_figure(summary, labels, QUANTITIES, level), coverage_out)
    n = int(cfg["replicates"])
    meta = [
        {
            "key": "mc_estimates",
            "file": str(estimates_out),
            "title": "Where each method aims, how much it shakes, and how much it says it shakes",
            "caption": (
                f"{n} simulated studies. Thick bar: the central {pct} of a method's estimates "
                "(dot: their mean; its distance from the dashed true value is the bias, its "
                "length shows the efficiency). Thin bar: the mean estimate ± the normal "
                f"quantile times the mean reported SE (as long as the thick bar if honest)"
            ),
            "doc_ref": "pp. 8, 73-76",
        },
        {
            "key": "mc_coverage",
            "file": str(coverage_out),
            "title": f"Coverage of the {pct} intervals, with Monte Carlo error",
            "caption": (
                f"Share of the {n} replicates whose interval contains the true value, ± 1.96 "
                f"Monte Carlo SEs; the grey band is where a method with exact {pct} coverage "
                "would fall 95% of the time"
            ),
            "doc_ref": "pp. 8, 73-76",
        },
    ]
    Path(meta_out).parent.mkdir(parents=True, exist_ok=True)
    Path(meta_out).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    logger.info("wrote %s and %s", estimates_out, coverage_out)


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.design,
        smk.input.summary,
        smk.output.estimates,
        smk.output.coverage,
        smk.output.meta,
        log=smk.log[0],
    )
