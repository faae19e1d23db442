"""Snakemake's benchmark files (`benchmark:` of every rule): each job's wall time, CPU time and
peak memory, read back after a build in a scratch work directory."""

from __future__ import annotations

import csv
from pathlib import Path


def _number(value: str) -> float:
    """A field of the file; Snakemake writes "NA" or "-" for what it could not measure."""
    return float(value) if value not in ("", "NA", "-") else float("nan")


def job_benchmark(path: Path) -> dict[str, float]:
    """One job's file: seconds (`s`), `cpu_time`, `max_rss` (MB), ..., as numbers."""
    with open(path) as handle:
        record = next(csv.DictReader(handle, delimiter="\t"))
    return {key: _number(value) for key, value in record.items() if key != "h:m:s"}


def job_benchmarks(workdir: Path) -> dict[str, dict[str, float]]:
    """Every job's file under ``workdir/results``, by its path below ``results`` (e.g.
    ``hs/benchmarks/render_report.tsv``)."""
    results = workdir / "results"
    return {
        str(path.relative_to(results)): job_benchmark(path)
        for path in sorted(results.rglob("benchmarks/*.tsv"))
    }
