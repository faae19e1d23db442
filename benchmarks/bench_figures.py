"""The cost of every job that draws figures, on hs and on a dataset of many tiny clusters
(default 100,000 clusters of 2 rows), built in a scratch work directory: each figure job's wall
time and CPU time (Snakemake's benchmark files: `s` and `cpu_time`, which Snakemake samples
and may undercount for a short job; the jobs are timed one at a time).

    .venv/bin/python benchmarks/bench_figures.py [--clusters 100000] [--cores 2] [--keep]

The jobs the figures need (data, fits, the Monte Carlo study) are built first and not timed.
There is no peer: compare the CPU seconds with an earlier run on the same machine (the
machine's speed varies; CPU time less than wall time). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from job_benchmarks import job_benchmark  # noqa: E402 (beside this script)

from multilevel.simulation.many_clusters import (  # noqa: E402
    many_clusters_entry,
    write_many_small_clusters,
)

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
SEED = 20261130
# The jobs that draw figures. All but the first also do other work (the effects tables; the
# Diagnostics chapter's tables; the data chapter's tables; simulating the school and gathering
# the Monte Carlo chunks). Until session 5 the quantile plot, Figures 8-17 and the Monte Carlo
# figures were jobs of their own (figure_quantiles, simulate_figures, montecarlo_figures);
# until session 6 methods_models, model_figures and simulation_chapter were two jobs each
# (figures_methods_models + methods_effects, mixed_figures + diagnostics, simulate_example +
# montecarlo_summary).
FIGURE_RULES = (
    "figures_methods_data",
    "methods_models",
    "model_figures",
    "describe_data",
    "simulation_chapter",
)


def prepare_workdir(base: Path, clusters: int) -> None:
    """hs (config/datasets/hs.yaml) and `tiny`, `clusters` simulated clusters of 2 rows."""
    os.symlink(ROOT / "data", base / "data")
    (base / "config").mkdir()
    os.symlink(ROOT / "config" / "datasets", base / "config" / "datasets")
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config.setdefault("datasets", {})["tiny"] = many_clusters_entry("input/tiny.csv", clusters)
    (base / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    write_many_small_clusters(base / "input" / "tiny.csv", clusters, SEED, (2,))


def build(workdir: Path, dataset: str, cores: int) -> None:
    """The figure jobs and what they need on `cores` cores, then the figure jobs again, one
    at a time, for their benchmark files."""
    command = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(workdir), "-q"]
    command += ["--config", f"dataset={dataset}", "format=html", "--until", *FIGURE_RULES]
    for extra in (["--cores", str(cores)], ["--cores", "1", "--forcerun", *FIGURE_RULES]):
        result = subprocess.run(command + extra, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"the build of {dataset} failed:\n{result.stderr[-3000:]}")


def figure_jobs(workdir: Path, folders) -> list[tuple[str, float, float]]:
    """(rule, wall s, CPU s) of each figure job whose results are in one of `folders`."""
    rows = []
    for folder in folders:
        for rule in FIGURE_RULES:
            path = workdir / "results" / folder / "benchmarks" / f"{rule}.tsv"
            if path.exists():
                job = job_benchmark(path)
                rows.append((rule, job["s"], job["cpu_time"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=100_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench_figures_"))
    try:
        prepare_workdir(base, args.clusters)
        tiny = f"{args.clusters} clusters of 2 rows"
        for dataset, name, folders in (
            ("hs", "hs, and the simulation chapter", ("hs", "simulation")),
            ("tiny", tiny, ("tiny",)),
        ):
            build(base, dataset, args.cores)
            rows = figure_jobs(base, folders)
            print(f"\n{name}\n{'job':24s} {'wall (s)':>9s} {'CPU (s)':>8s}")
            for rule, wall, cpu in rows:
                print(f"{rule:24s} {wall:9.2f} {cpu:8.2f}")
            print(f"{'total':24s} {sum(r[1] for r in rows):9.2f} {sum(r[2] for r in rows):8.2f}")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
