"""Benchmark of the Monte Carlo study (a script, not a test).

    .venv/bin/python benchmarks/bench_montecarlo.py                 # 1000 replicates, 2 chunks
    .venv/bin/python benchmarks/bench_montecarlo.py --replicates 200 --sample 20
    options: --replicates R --chunks C --cores N --sample S --sm-sample S --no-statsmodels

1. The study through Snakemake: the default hs-sized design of config/config.yaml (two groups
   of 20 clusters, Poisson(50) rows each, about 2000 rows per replicate), R replicates in C
   chunk jobs, all six methods, `snakemake --cores N` on the chunk and summary rules in a
   scratch directory. Prints the wall time and each chunk's wall time (Snakemake's benchmark
   files; their cpu_time column is sampled and undercounts, so it is not shown).
2. The cost of each method per replicate, in this process with one BLAS thread (as the chunk
   jobs run), on the first S replicates: simulation, the four classical methods, our mixed
   model and our mixed model with cvar(x).
3. The same with statsmodels MixedLM (REML, lbfgs) in place of our engine for the two mixed
   models, on the first S' replicates: per-replicate cost, ratio to ours, the largest
   difference between the two engines' estimates, and the study's wall time extrapolated as
   if statsmodels were used (measured wall time x per-replicate cost ratio).
"""

from __future__ import annotations

import os

# One BLAS thread, as in the chunk jobs (scripts/montecarlo_chunk.py), set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from multilevel.config import validate_config  # noqa: E402
from multilevel.simulation import montecarlo as mc  # noqa: E402
from multilevel.simulation.simulate import StudyDesign  # noqa: E402

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
TARGET = "results/simulation/montecarlo/summary.parquet"


def run_study(replicates: int, chunks: int, cores: int) -> dict:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["simulation"]["montecarlo"].update(replicates=replicates, chunks=chunks)
    with tempfile.TemporaryDirectory(prefix="bench_montecarlo_") as tmp:
        wd = Path(tmp)
        for name in ("data", "templates"):
            os.symlink(ROOT / name, wd / name)
        (wd / "config").mkdir()
        os.symlink(ROOT / "config" / "datasets", wd / "config" / "datasets")
        (wd / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        command = [str(SNAKEMAKE), TARGET, "-s", str(ROOT / "Snakefile"), "-d", str(wd)]
        command += ["--cores", str(cores), "--quiet"]
        t0 = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"snakemake failed:\n{proc.stderr[-3000:]}")
        jobs = []
        for i in range(chunks):
            b = pd.read_csv(
                wd / f"results/simulation/benchmarks/montecarlo_chunk_{i}.tsv", sep="\t"
            )
            jobs.append((float(b["s"].iloc[0]), float(b["cpu_time"].iloc[0])))
        summary = pd.read_parquet(wd / TARGET)
    return {"wall": wall, "jobs": jobs, "summary": summary}


def _statsmodels_mixed(contextual: bool, not_converged: list):
    """A Method fit with statsmodels MixedLM; appends to ``not_converged`` when statsmodels
    says its optimiser did not converge."""
    import statsmodels.formula.api as smf

    formula = "y ~ x * group" + (" + xbar" if contextual else "")

    def fit(d, groups):
        if contextual:
            d = d.assign(xbar=d.groupby("cluster")["x"].transform("mean"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = smf.mixedlm(formula, d, groups=d["cluster"], re_formula="~x").fit(
                reml=True, method="lbfgs"
            )
        if not res.converged:
            not_converged.append(res.llf)
        other = groups[1]
        names = {
            "within": "x",
            "slope_gap": f"x:group[T.{other}]",
            "intercept_gap": f"group[T.{other}]",
        }
        # statsmodels reports z tests: an infinite DF gives the normal quantile.
        return {q: (res.params[n], res.bse[n], np.inf) for q, n in names.items()}

    return fit


def per_method(design: StudyDesign, seed: int, replicates: int, sample: int, methods=None):
    timings: dict[str, float] = {}
    rec = mc.run_replicates(design, seed, replicates, 0, sample, methods=methods, timings=timings)
    return {k: v / sample for k, v in timings.items()}, rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--chunks", type=int, default=2)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--sample", type=int, default=50, help="replicates timed per method")
    ap.add_argument("--sm-sample", type=int, default=20, help="replicates timed with statsmodels")
    ap.add_argument("--no-statsmodels", action="store_true")
    args = ap.parse_args()

    config = validate_config(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))
    cfg = config["simulation"]["montecarlo"]
    design = StudyDesign.from_config(cfg)
    sizes = dict(design.cluster_size)
    print(
        f"design: {2 * design.clusters_per_group} clusters, rows per cluster "
        f"{sizes}, six methods; {args.replicates} replicates in {args.chunks} chunks, "
        f"--cores {args.cores}"
    )

    study = run_study(args.replicates, args.chunks, args.cores)
    print(f"\n1. Snakemake run (chunks + summary): {study['wall']:.1f} s wall")
    for i, (s, cpu) in enumerate(study["jobs"]):
        n = len(range(*mc.chunk_bounds(args.replicates, args.chunks)[i]))
        print(
            f"   chunk {i}: {n} replicates, {s:.1f} s wall, {cpu:.1f} s CPU "
            f"({1000 * s / n:.0f} ms per replicate)"
        )
    per_rep_wall = study["wall"] * args.cores / args.replicates
    print(f"   = {1000 * per_rep_wall:.0f} ms of a core per replicate, overheads included")
    cov = study["summary"].set_index(["method", "quantity"])["coverage"].unstack()
    print("   coverage of the 95% intervals:")
    print("   " + cov.round(3).to_string().replace("\n", "\n   "))

    ours, _ = per_method(design, int(cfg["seed"]), args.replicates, args.sample)
    total = sum(ours.values())
    print(f"\n2. cost per replicate, ours (first {args.sample} replicates, one BLAS thread)")
    for k, v in ours.items():
        print(f"   {k:18s} {1000 * v:7.1f} ms  ({100 * v / total:4.1f}%)")
    print(f"   {'total':18s} {1000 * total:7.1f} ms")

    if args.no_statsmodels:
        return
    not_converged: list = []
    sm_methods = dict(mc.METHODS)
    sm_methods["mixed"] = mc.Method("mixed", "MixedLM", _statsmodels_mixed(False, not_converged))
    sm_methods["mixed_contextual"] = mc.Method(
        "mixed_contextual", "MixedLM + xbar", _statsmodels_mixed(True, not_converged)
    )
    mixed_only = ["mixed", "mixed_contextual"]
    ours_m, rec_ours = per_method(
        design, int(cfg["seed"]), args.replicates, args.sm_sample, methods=mixed_only
    )
    sm, rec_sm = per_method(
        design,
        int(cfg["seed"]),
        args.replicates,
        args.sm_sample,
        methods={k: sm_methods[k] for k in mixed_only},
    )
    print(f"\n3. statsmodels MixedLM in place of our engine (first {args.sm_sample} replicates)")
    for k in mixed_only:
        print(
            f"   {k:18s} ours {1000 * ours_m[k]:6.1f} ms, statsmodels {1000 * sm[k]:6.1f} ms, "
            f"ratio {sm[k] / ours_m[k]:.1f}x"
        )
    diff = np.abs(rec_ours["estimate"].to_numpy() - rec_sm["estimate"].to_numpy())
    agree = diff < 1e-3
    print(
        f"   estimates within 1e-3 of each other: {agree.sum()} of {agree.size} "
        f"(largest difference {np.nanmax(diff):.2e}); statsmodels reported "
        f"{len(not_converged)} of {2 * args.sm_sample} fits as not converged"
    )
    total_sm = total - ours["mixed"] - ours["mixed_contextual"] + sm["mixed"]
    total_sm += sm["mixed_contextual"]
    print(
        f"   all six methods per replicate: ours {1000 * total:.0f} ms, with statsmodels "
        f"{1000 * total_sm:.0f} ms ({total_sm / total:.1f}x); the study would take about "
        f"{study['wall'] * total_sm / total:.0f} s instead of {study['wall']:.0f} s"
    )


if __name__ == "__main__":
    main()
