"""Coverage of the mixed model's intervals under four df rules at a few numbers of clusters
(multilevel.simulation.df_coverage): the replicates, the table, the figure, the numbers."""

import os
import sys

# One BLAS thread (as montecarlo_chunk.py): the fits multiply small matrices.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
NUMPY_PRELOADED = "numpy" in sys.modules

from pathlib import Path  # noqa: E402

from multilevel.files import write_json  # noqa: E402
from multilevel.plots.simulation import df_coverage_figure  # noqa: E402
from multilevel.plots.style import save_figure  # noqa: E402
from multilevel.report.figure_listing import FigureArtifact  # noqa: E402
from multilevel.report.tables import write_tables  # noqa: E402
from multilevel.simulation.df_coverage import RULES, run_df_study, summarise_df  # noqa: E402
from multilevel.simulation.df_coverage_tables import context, coverage_table  # noqa: E402
from multilevel.simulation.montecarlo import QUANTITIES  # noqa: E402
from multilevel.simulation.simulate import StudyDesign  # noqa: E402
from multilevel.step import LOG, script_step  # noqa: E402


def main(cfg: dict, replicates_out, tables_out, context_out, figure_out, meta_out, logger=LOG):
    study = cfg["df_rules"]
    level = float(cfg["level"])
    n = int(study["replicates"])
    records = run_df_study(
        StudyDesign.from_config(cfg),
        int(cfg["seed"]),
        study["clusters"],
        n,
        level,
        progress=lambda total: logger.info("%d clusters: %d replicates done", total, n),
    )
    summary = summarise_df(records, level)
    Path(replicates_out).parent.mkdir(parents=True, exist_ok=True)
    records.to_parquet(replicates_out, index=False)
    write_tables([coverage_table(summary, level, n)], tables_out)
    write_json(context_out, context(summary, cfg))
    save_figure(df_coverage_figure(summary, RULES, QUANTITIES, level), figure_out)
    pct = f"{100 * level:g}%"
    meta = FigureArtifact(
        "mc_df_coverage",
        f"Coverage of the mixed model's {pct} intervals by df rule and number of clusters",
        f"{n} simulated studies per number of clusters; ± 1.96 Monte Carlo SEs; the grey "
        f"band is where a rule with exact {pct} coverage would fall 95% of the time",
        "",
    ).meta(figure_out)
    write_json(meta_out, [meta])
    logger.info("%d failed fits", int(summary["failures"].max()))


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.params.design,
            step.output.replicates,
            step.output.tables,
            step.output.context,
            step.output.figure,
            step.output.meta,
            logger=step.logger,
        )
