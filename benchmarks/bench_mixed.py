"""Benchmark of multilevel.mixed (a script, not a test).

    .venv/bin/python benchmarks/bench_mixed.py            # 10,000 clusters x 100 rows
    .venv/bin/python benchmarks/bench_mixed.py --quick    # 1,000 clusters x 100 rows
    options: --clusters J --per N --seed S --no-statsmodels --no-r

1. Simulated data, random intercept and slope, REML: time of our fit (formula, listwise
   deletion, sufficient statistics, optimisation, results), statsmodels MixedLM
   (method="lbfgs") on the same data, the ratio, the log-likelihood difference, and our
   extra memory (tracemalloc peak during the fit / bytes of the input columns).
2. High School and Beyond (data/raw, 7185 rows, 160 schools; mathach ~ ses*Sector,
   ~1+ses|school): ours, statsmodels and, if Rscript with lme4 is there, lme4 (timed inside
   R around lmer only, and as a whole process).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from multilevel.mixed import lmm  # noqa: E402


def simulate(n_clusters: int, per: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(per // 2, per + per // 2 + 1, size=n_clusters)
    g = np.repeat(np.arange(n_clusters), sizes)
    x = rng.normal(size=g.size)
    b0 = rng.normal(scale=2.0, size=n_clusters)
    b1 = 0.5 * 0.3 * b0 + rng.normal(scale=0.5, size=n_clusters)
    y = 10.0 + 1.5 * x + b0[g] + b1[g] * x + rng.normal(scale=3.0, size=g.size)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def time_ours(df: pd.DataFrame, formula: str, random: str, group: str, repeats: int = 3):
    best = np.inf
    res = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = lmm(formula, random=random, group=group, data=df, method="REML")
        best = min(best, time.perf_counter() - t0)
    return res, best


def time_statsmodels(df: pd.DataFrame, formula: str, re_formula: str, group: str):
    import statsmodels.formula.api as smf

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = smf.mixedlm(formula, df, groups=df[group], re_formula=re_formula).fit(
            reml=True, method="lbfgs"
        )
    return sm, time.perf_counter() - t0


def memory_ratio(df: pd.DataFrame) -> tuple[float, int, int]:
    input_bytes = sum(df[c].to_numpy().nbytes for c in ("y", "x", "g"))
    tracemalloc.start()
    lmm("y ~ x", random="~ 1 + x", group="g", data=df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / input_bytes, peak, input_bytes


R_SCRIPT = r"""
suppressMessages(library(lme4))
st <- read.csv("{raw}/MathAchieve.csv"); sc <- read.csv("{raw}/MathAchSchool.csv")
st$MEANSES <- NULL; sc$MEANSES <- NULL
d <- cbind(st, sc[match(st$School, sc$School), c("Sector"), drop = FALSE])
d$Sector <- factor(d$Sector, levels = c("Catholic", "Public"))
d$School <- factor(d$School)
tm <- system.time(f <- lmer(MathAch ~ SES * Sector + (1 + SES | School), d, REML = TRUE))
cat(sprintf("RESULT %.6f %.10f\n", tm[["elapsed"]], as.numeric(logLik(f))))
"""


def time_lme4() -> tuple[float, float, float] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    check = subprocess.run([rscript, "-e", "library(lme4)"], capture_output=True, text=True)
    if check.returncode != 0:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_SCRIPT.replace("{raw}", str(ROOT / "data" / "raw")))
        path = fh.name
    t0 = time.perf_counter()
    out = subprocess.run([rscript, path], capture_output=True, text=True)
    whole = time.perf_counter() - t0
    Path(path).unlink()
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        print("lme4 run failed:", out.stderr[-500:])
        return None
    _, inner, llf = line.split()
    return float(inner), whole, float(llf)


def hsb() -> pd.DataFrame:
    raw = ROOT / "data" / "raw"
    st = pd.read_csv(raw / "MathAchieve.csv").drop(columns="MEANSES")
    sc = pd.read_csv(raw / "MathAchSchool.csv").drop(columns="MEANSES")
    df = st.merge(sc, on="School", how="left", validate="many_to_one")
    df["Sector"] = pd.Categorical(df["Sector"], categories=["Catholic", "Public"])
    return df.rename(columns={"School": "school", "MathAch": "mathach", "SES": "ses"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 clusters instead of 10,000")
    ap.add_argument("--clusters", type=int, default=None)
    ap.add_argument("--per", type=int, default=100, help="mean rows per cluster")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--no-statsmodels", action="store_true")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    J = args.clusters or (1000 if args.quick else 10_000)

    df = simulate(J, args.per, args.seed)
    print(f"== simulated: {J} clusters, {len(df)} rows, y ~ x, ~1 + x | g, REML")
    ours, t_ours = time_ours(df, "y ~ x", "~ 1 + x", "g")
    print(
        f"ours:        {t_ours:8.3f} s (best of 3)  logLik {ours.llf:.6f}  "
        f"converged={ours.converged} grad_norm={ours.grad_norm:.1e} evals={ours.n_evals}"
    )
    ratio, peak, nbytes = memory_ratio(df)
    print(
        f"memory:      tracemalloc peak {peak / 2**20:.1f} MiB / input columns "
        f"{nbytes / 2**20:.1f} MiB = {ratio:.2f}x"
    )
    if not args.no_statsmodels:
        sm, t_sm = time_statsmodels(df, "y ~ x", "~x", "g")
        diff = ours.llf - sm.llf
        print(f"statsmodels: {t_sm:8.3f} s  logLik {sm.llf:.6f}  converged={sm.converged}")
        print(
            f"ratio statsmodels/ours: {t_sm / t_ours:.1f}x   logLik ours - statsmodels: "
            f"{diff:+.3e} (relative {diff / abs(sm.llf):+.1e})"
        )

    df2 = hsb()
    print(
        f"\n== High School and Beyond: {len(df2)} rows, {df2['school'].nunique()} schools, "
        "mathach ~ ses*Sector, ~1+ses|school, REML"
    )
    ours2, t2 = time_ours(df2, "mathach ~ ses * Sector", "~ 1 + ses", "school", repeats=5)
    print(f"ours:        {t2:8.4f} s (best of 5)  logLik {ours2.llf:.6f}")
    if not args.no_statsmodels:
        sm2, t_sm2 = time_statsmodels(df2, "mathach ~ ses * Sector", "~ses", "school")
        print(f"statsmodels: {t_sm2:8.4f} s  logLik {sm2.llf:.6f}  ratio {t_sm2 / t2:.1f}x")
    if not args.no_r:
        r = time_lme4()
        if r is None:
            print("lme4: Rscript/lme4 not available")
        else:
            inner, whole, llf = r
            print(
                f"lme4:        {inner:8.4f} s inside R (lmer only), {whole:.3f} s whole "
                f"process, logLik {llf:.6f}"
            )
            print(
                f"ratio lme4/ours: {inner / t2:.1f}x (lmer only), {whole / t2:.1f}x (whole process)"
            )


if __name__ == "__main__":
    main()
