"""One chunk of the Monte Carlo study: its replicates, every method, one parquet of records."""

import os
import sys

# One BLAS thread per job, set before numpy loads: the fits multiply small matrices, for which
# OpenBLAS's threads cost two to three times the CPU time they save, and the chunks already run
# in parallel. (An explicit setting in the environment wins.)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
NUMPY_PRELOADED = "numpy" in sys.modules

import time  # noqa: E402
from pathlib import Path  # noqa: E402

from multilevel.simulation.montecarlo import chunk_bounds, run_chunk  # noqa: E402
from multilevel.simulation.simulate import StudyDesign  # noqa: E402
from multilevel.step import LOG, script_step  # noqa: E402


def main(cfg: dict, index: int, out, logger=LOG, *, methods=None):
    design = StudyDesign.from_config(cfg)
    n, chunks = int(cfg["replicates"]), int(cfg["chunks"])
    start, stop = chunk_bounds(n, chunks)[index]
    total = stop - start
    step = max(1, total // 10)
    t0 = time.perf_counter()
    if NUMPY_PRELOADED:
        logger.info("numpy was loaded before the BLAS thread setting; it may not apply")
    logger.info(
        "chunk %d/%d: replicates %d-%d of %d (seed %d)",
        index + 1,
        chunks,
        start,
        stop - 1,
        n,
        cfg["seed"],
    )

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            elapsed = time.perf_counter() - t0
            logger.info(
                "chunk %d/%d: %d/%d replicates done (%.0f%%), %.1f s, %.0f ms per replicate",
                index + 1,
                chunks,
                done,
                total,
                100 * done / total,
                elapsed,
                1000 * elapsed / done,
            )

    records = run_chunk(
        design,
        int(cfg["seed"]),
        n,
        chunks,
        index,
        level=float(cfg["level"]),
        progress=progress,
        methods=methods,
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    records.to_parquet(out, index=False)
    failed = int((~records["ok"]).sum())
    logger.info("wrote %s (%d records, %d failed fits)", out, len(records), failed)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(step.params.design, int(step.wildcards.chunk), step.output[0], logger=step.logger)
