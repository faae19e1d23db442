"""Raw files -> prepared long table, one row per cluster (invariant and summarised)."""

from pathlib import Path

from multilevel.config import DatasetSpec
from multilevel.data.grouping import up
from multilevel.data.overview import data_overview
from multilevel.data.prepare import prepare
from multilevel.files import write_json
from multilevel.step import LOG, script_step


def main(spec: DatasetSpec, long_out, clusters_out, summary_out, info_out, logger=LOG):
    logger.info("reading %s", ", ".join(spec.raw_paths))
    prepared = prepare(spec)
    long = prepared.long
    cluster = spec.roles.cluster
    logger.info("%d rows in %d clusters", len(long), long[cluster].nunique())
    if prepared.dropped_rows:
        logger.warning(
            "%d rows with missing values removed (%s)",
            len(prepared.dropped_rows),
            ", ".join(f"{c}: {n}" for c, n in prepared.dropped_missing.items()),
        )
    if prepared.duplicate_rows:
        logger.warning(
            "%d rows repeat an earlier row exactly (kept): rows %s",
            len(prepared.duplicate_rows),
            ", ".join(map(str, prepared.duplicate_rows[:10])),
        )
    if prepared.unused_level2_keys:
        logger.warning(
            "%d clusters of the level-2 file have no level-1 rows (not used)",
            len(prepared.unused_level2_keys),
        )
    if prepared.single_row_clusters:
        logger.warning(
            "%d clusters have a single row (no within-cluster slope)",
            len(prepared.single_row_clusters),
        )
    for path in (long_out, clusters_out, summary_out, info_out):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    long.to_parquet(long_out, index=False)
    up(long, cluster).to_parquet(clusters_out)
    up(long, cluster, summarise=True).to_parquet(summary_out)
    info = {
        "n_raw_rows": prepared.n_raw_rows,
        "n_subset_rows": prepared.n_subset_rows,
        "unused_level2_keys": [str(k) for k in prepared.unused_level2_keys],
        "n_rows": len(long),
        "n_clusters": int(long[cluster].nunique()),
        "dropped_missing": prepared.dropped_missing,
        "dropped_rows": prepared.dropped_rows,
        "duplicate_rows": prepared.duplicate_rows,
        "single_row_clusters": [str(c) for c in prepared.single_row_clusters],
        "covariates": prepared.covariates,
        # what the report prints of the table (its last step reads no table)
        "overview": data_overview(long, spec),
    }
    write_json(info_out, info)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.output.long,
            step.output.clusters,
            step.output.summary,
            step.output.info,
            logger=step.logger,
        )
