"""The whole report for a dataset of many tiny clusters (default: 100,000 clusters of 2 rows),
built in a scratch work directory: wall time, each job's time and peak memory (max_rss, from
Snakemake's benchmark files) and the sizes of the HTML and the PDF.

    .venv/bin/python benchmarks/bench_report_scale.py [--clusters 100000] [--sizes 2]
        [--cores 2] [--keep]

Targets (issue 12): every job under 4 GB, the HTML under 20 MB. Printed beside the figures;
nothing is asserted. The report job writes the HTML and the PDF together. `--sizes 2 3` draws
each cluster's size from {2, 3}. The data come from multilevel.simulation.many_clusters (seeded).
`--keep` leaves the work directory for inspection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from job_benchmarks import job_benchmarks  # noqa: E402 (beside this script)

from multilevel.simulation.many_clusters import (  # noqa: E402
    many_clusters_entry,
    write_many_small_clusters,
)

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
MEMORY_TARGET_MB = 4096
HTML_TARGET_MB = 20
SEED = 20261130


def prepare_workdir(base: Path, clusters: int, sizes: tuple[int, ...]) -> Path:
    os.symlink(ROOT / "data", base / "data")
    (base / "config").mkdir()
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["datasets"] = {"tiny": many_clusters_entry("input/tiny.csv", clusters)}
    config["dataset"] = "tiny"
    (base / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    write_many_small_clusters(base / "input" / "tiny.csv", clusters, SEED, sizes)
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=100_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="bench_scale_"))
    try:
        workdir = prepare_workdir(base, args.clusters, tuple(args.sizes))
        rows = sum(1 for _ in open(workdir / "input" / "tiny.csv")) - 1
        print(f"{args.clusters} clusters, {rows} rows (sizes {args.sizes}); work dir {workdir}")
        command = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(workdir)]
        command += ["--cores", str(args.cores), "reports/tiny/report.html"]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        print(f"wall time {wall:.1f} s, exit status {result.returncode}")
        print(f"\n{'job':48s} {'time (s)':>9s} {'max_rss (MB)':>13s}")
        jobs = job_benchmarks(workdir).items()
        for path, job in sorted(jobs, key=lambda item: -item[1]["s"]):
            name, seconds, rss = path.replace("/benchmarks/", ": "), job["s"], job["max_rss"]
            flag = "  OVER 4 GB" if rss > MEMORY_TARGET_MB else ""
            print(f"{name:48s} {seconds:9.1f} {rss:13.0f}{flag}")
        if result.returncode != 0:
            print("\nthe build failed; the end of Snakemake's log:\n" + result.stderr[-3000:])
        for name in ("report.html", "report.pdf"):
            path = workdir / "reports" / "tiny" / name
            if path.exists():
                size = path.stat().st_size / 2**20
                target = f" (target < {HTML_TARGET_MB} MB)" if name.endswith("html") else ""
                print(f"{name}: {size:.2f} MB{target}")
        csvs = sorted((workdir / "reports" / "tiny" / "tables").rglob("*.csv"))
        total = sum(p.stat().st_size for p in csvs) / 2**20
        print(f"{len(csvs)} CSV files beside the report, {total:.1f} MB")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
