"""One peer's fits of one shape, in a process of their own (run by bench_mixed.py).

    python benchmarks/mixed_peers.py PEER SPEC_JSON

Loads the shape's CSV (timed, reported apart), fits the model once on its first rows as a
warm-up (lazy imports, compiled code paths), then times the fit alone: best of `repeats`,
stopping early once `budget_s` of fitting is spent. Peak memory is the kernel's high-water
mark of the process (VmHWM, the same figure as ru_maxrss), reset after loading so that the
fit's own peak is seen apart from loading's. Prints one line `RESULT {json}`.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
import warnings
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON_PEERS = ("ours", "statsmodels", "mixedlm", "mixedlm_rs", "lme_python")


def lme4_formula(spec: dict) -> str:
    return f"{spec['fixed']} + (1 + {spec['slope']} | {spec['group']})"


def load_pandas(spec: dict):
    import pandas as pd

    df = pd.read_csv(spec["csv"])
    for column, levels in spec["categories"].items():
        df[column] = pd.Categorical(df[column], categories=levels)
    return df


def load_polars(spec: dict):
    import polars as pl

    return pl.read_csv(spec["csv"])


def fit_ours(df, spec: dict):
    from multilevel.mixed import lmm

    res = lmm(spec["fixed"], random=f"~ 1 + {spec['slope']}", group=spec["group"], data=df)
    return res.llf, bool(res.converged)


def fit_statsmodels(df, spec: dict):
    import statsmodels.formula.api as smf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = smf.mixedlm(spec["fixed"], df, groups=spec["group"], re_formula=f"~{spec['slope']}")
        res = model.fit(reml=True, method="lbfgs")
    return res.llf, bool(res.converged)


def fit_mixedlm(df, spec: dict):
    import mixedlm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mixedlm.lmer(lme4_formula(spec), df, REML=True)
    return float(res.logLik().value), bool(res.converged)


def fit_mixedlm_rs(df, spec: dict):
    import mixedlm_rs

    model = mixedlm_rs.mixedlm(
        spec["fixed"], df, groups=spec["group"], re_formula=f"~{spec['slope']}"
    )
    res = model.fit(reml=True)
    return float(res.llf), bool(res.converged)


def fit_lme_python(df, spec: dict):
    import lme_python

    res = lme_python.lmer(lme4_formula(spec), data=df, reml=True)
    return float(res.log_likelihood), bool(res.converged)


# peer -> (load, fit); each gets its own native table: polars for lme_python, pandas otherwise.
DISTRIBUTIONS = {
    "statsmodels": "statsmodels",
    "mixedlm": "mixedlm",
    "mixedlm_rs": "mixedlm-rs",
    "lme_python": "lme-python",
}
PEERS = {
    "ours": (load_pandas, fit_ours),
    "statsmodels": (load_pandas, fit_statsmodels),
    "mixedlm": (load_pandas, fit_mixedlm),
    "mixedlm_rs": (load_pandas, fit_mixedlm_rs),
    "lme_python": (load_polars, fit_lme_python),
}


def high_water_mark_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))


def resident_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux >= 4.0: VmHWM := VmRSS
    except OSError:
        return False
    return True


def input_bytes(df, columns) -> int:
    return int(df[list(columns)].memory_usage(deep=True, index=False).sum())


def ours_tracemalloc(df, spec: dict) -> dict:
    tracemalloc.start()
    fit_ours(df, spec)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_peak": peak, "input_bytes": input_bytes(df, spec["input_columns"])}


def run(peer: str, spec: dict) -> dict:
    load, fit = PEERS[peer]
    t0 = time.perf_counter()
    df = load(spec)
    load_s = time.perf_counter() - t0
    fit(df.head(spec["warmup_rows"]), spec)
    load_peak = high_water_mark_kib()
    rss_before_fit = resident_kib()
    reset = reset_high_water_mark()
    times, cpus = [], []
    while len(times) < spec["repeats"] and sum(times) < spec["budget_s"]:
        c0, t0 = time.process_time(), time.perf_counter()
        llf, converged = fit(df, spec)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    fit_peak = high_water_mark_kib()
    best = min(range(len(times)), key=times.__getitem__)
    out = {
        "peer": peer,
        "version": version(DISTRIBUTIONS[peer]) if peer in DISTRIBUTIONS else "this tree",
        "load_s": load_s,
        "fit_s": times[best],
        "cpu_s": cpus[best],
        "fits": len(times),
        "llf": llf,
        "converged": converged,
        "rss_before_fit_kib": rss_before_fit,
        "peak_rss_kib": max(load_peak, fit_peak),
        "fit_peak_rss_kib": fit_peak if reset else None,
    }
    if peer == "ours":
        out.update(ours_tracemalloc(df, spec))
    return out


if __name__ == "__main__":
    result = run(sys.argv[1], json.loads(sys.argv[2]))
    print("RESULT " + json.dumps(result), flush=True)
