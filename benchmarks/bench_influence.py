"""Benchmark of the influence of each cluster (a script, not a test).

    .venv/bin/python benchmarks/bench_influence.py
    .venv/bin/python benchmarks/bench_influence.py --shapes hs,1k --naive-sample 20 --timeout 300

For each shape, multilevel.diagnostics.influence.cluster_influence on a REML random intercept
and slope fit (the fit itself not timed), against two peers in the same run:

* naive: our engine refitted from the data frame without the cluster (``lmm`` on the subset:
  design and sufficient statistics rebuilt from the rows each time), timed on the first S
  clusters and extrapolated to all J (said in the output);
* lme4: ``influence(fit, groups = ...)`` in R (benchmarks/influence_lme4.R), when Rscript with
  lme4 is installed, killed after --timeout seconds.

Shapes: hs (the document's 40 schools, mathach ~ ses * Sector), 1k (20,000 rows in 1,000
simulated clusters, benchmarks/mixed_shapes.py's generator) and 100k (200,000 rows in
100,000 clusters: above EXACT_LIMIT, so every cluster is approximated by one Newton step in
theta and the REFIT_LARGEST largest are refitted; lme4 and the naive refits are not run there).
With --check-approximation, the one-step approximation is also run on the shapes that are
refitted in full, and its largest errors printed.
Prints times and ratios; asserts nothing. The machine is shared: timings are indicative.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from mixed_shapes import Simulated, hsb_table, simulate  # noqa: E402

from multilevel.diagnostics.influence import EXACT_LIMIT, cluster_influence  # noqa: E402
from multilevel.mixed import lmm  # noqa: E402

HS_SCHOOLS = [
    1317, 1906, 2208, 2458, 2626, 2629, 2639, 2658, 2771, 3013, 3610, 3992, 4292, 4511,
    4530, 4868, 5619, 5640, 5650, 5720, 5761, 5762, 6074, 6484, 6897, 7172, 7232, 7342,
    7345, 7688, 7697, 7890, 7919, 8531, 8627, 8707, 8854, 8874, 9550, 9586,
]  # fmt: skip


def shapes(names: set[str], seed: int):
    rng = np.random.default_rng(seed)
    if "hs" in names:
        df = hsb_table()
        yield "hs", df[df["school"].isin(HS_SCHOOLS)], "mathach ~ ses * Sector", "ses", "school"
    for name, sim in (
        ("1k", Simulated("20k/1k", 20_000, 1_000, 5)),
        ("100k", Simulated("200k/100k", 200_000, 100_000, 2)),
    ):
        df = simulate(sim, rng)  # drawn whether or not shown, so a shape's data never change
        if name in names:
            yield name, df, "y ~ x", "x", "g"


def lme4_seconds(df, formula: str, slope: str, group: str, timeout: float) -> str | float:
    rscript = shutil.which("Rscript")
    if (
        rscript is None
        or subprocess.run([rscript, "-e", "library(lme4)"], capture_output=True).returncode
    ):
        return "not installed"
    with tempfile.TemporaryDirectory(prefix="bench_influence_") as tmp:
        csv = Path(tmp) / "data.csv"
        df.to_csv(csv, index=False)
        form = f"{formula} + (1 + {slope} | {group})"
        cmd = [rscript, str(HERE / "influence_lme4.R"), str(csv), form, group]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"over {timeout:g} s"
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return float(json.loads(line[7:])["seconds"])
    return "failed: " + out.stderr[-300:]


def naive_seconds(df, formula, slope, group, fit, sample: int) -> float:
    ids = list(fit.design.labels[:sample])
    start = time.perf_counter()
    for c in ids:
        lmm(formula, random=f"~ 1 + {slope}", group=group, data=df[df[group] != c])
    return (time.perf_counter() - start) / len(ids) * fit.n_groups


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shapes", default="hs,1k,100k")
    ap.add_argument("--naive-sample", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--no-lme4", action="store_true")
    ap.add_argument("--check-approximation", action="store_true")
    ap.add_argument("--seed", type=int, default=20261130)
    args = ap.parse_args()
    print(f"EXACT_LIMIT = {EXACT_LIMIT} clusters; timings on a shared machine are indicative")
    for name, df, formula, slope, group in shapes(set(args.shapes.split(",")), args.seed):
        fit = lmm(formula, random=f"~ 1 + {slope}", group=group, data=df)
        start = time.perf_counter()
        inf = cluster_influence(fit)
        ours = time.perf_counter() - start
        J = fit.n_groups
        print(
            f"\n{name}: {fit.n_obs} rows, {J} clusters; ours {ours:.3f} s "
            f"({int(inf.exact.sum())} refits, {J - int(inf.exact.sum())} by one Newton step)"
        )
        if J > EXACT_LIMIT:
            continue
        if args.check_approximation:
            approx = cluster_influence(fit, exact_limit=0, refit_largest=0)
            print(
                "  one-step approximation: largest error of dfbetas "
                f"{np.abs(approx.dfbetas - inf.dfbetas).max():.2g} SEs, of Cook's distance "
                f"{np.abs(approx.cooks - inf.cooks).max() / inf.cooks.max():.2%} of the largest"
            )
        sample = min(args.naive_sample, J)
        naive = naive_seconds(df, formula, slope, group, fit, sample)
        print(
            f"  naive refits from the rows: {naive:.3f} s (from {sample} of {J}); "
            f"naive / ours {naive / ours:.1f}"
        )
        if not args.no_lme4:
            r = lme4_seconds(df, formula, slope, group, args.timeout)
            if isinstance(r, float):
                print(f"  lme4 influence(): {r:.3f} s; lme4 / ours {r / ours:.1f}")
            else:
                print(f"  lme4 influence(): {r}")


if __name__ == "__main__":
    main()
