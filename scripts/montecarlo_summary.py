"""Gather the Monte Carlo chunks: all replicates, the per-method summary, report tables
(multilevel.simulation.montecarlo_tables)."""

from pathlib import Path

from multilevel.files import write_json
from multilevel.report.tables import write_tables
from multilevel.simulation.montecarlo import summarise
from multilevel.simulation.montecarlo_tables import (
    context,
    design_table,
    gather,
    summary_tables,
    verdict_table,
)
from multilevel.simulation.simulate import StudyDesign
from multilevel.step import LOG, script_step


def main(cfg: dict, chunk_paths, replicates_out, summary_out, tables_out, context_out, logger=LOG):
    design = StudyDesign.from_config(cfg)
    level = float(cfg["level"])
    records = gather(chunk_paths, int(cfg["replicates"]), int(cfg["chunks"]))
    summary = summarise(records, level)
    Path(replicates_out).parent.mkdir(parents=True, exist_ok=True)
    records.to_parquet(replicates_out, index=False)
    summary.to_parquet(summary_out, index=False)
    Path(tables_out).parent.mkdir(parents=True, exist_ok=True)
    write_tables(
        [design_table(design, cfg), *summary_tables(summary, level), verdict_table(summary, level)],
        tables_out,
    )
    write_json(context_out, context(summary, design, cfg))
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
            logger=step.logger,
        )
