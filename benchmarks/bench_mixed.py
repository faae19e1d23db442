"""Benchmark of multilevel.mixed against its peers on several shapes (a script, not a test).

    .venv/bin/python benchmarks/bench_mixed.py                 # full shapes (some minutes)
    .venv/bin/python benchmarks/bench_mixed.py --quick         # a tenth of the rows and clusters
    options: --peers ours,statsmodels,lme4,mixedlm,mixedlm_rs,lme_python  --shapes NAME,...
             --timeout S  --threads N  --seed S  --out DIR  --keep-data

Every shape (random intercept and slope, REML) is generated once and written to one CSV that
every peer reads. Each peer fits each shape in its own process (mixed_peers.py, or
mixed_lme4.R for lme4): the fit alone is timed (best of a few), loading is reported apart,
with the process's peak memory and a time-out. One table per shape, with the targets of
issue 12 as PASS/MISS; the tables and raw results go to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import mixed_report  # noqa: E402
from mixed_peers import PYTHON_PEERS, lme4_formula  # noqa: E402
from mixed_shapes import FULL, QUICK, write_shapes  # noqa: E402

PEERS = ("ours", "statsmodels", "lme4", "mixedlm", "mixedlm_rs", "lme_python")
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "RAYON_NUM_THREADS",
    "POLARS_MAX_THREADS",
)
WARMUP_ROWS = 2000
BUDGET_S = 30.0  # stop repeating a peer's fits once this much time is spent


def repeats_for(rows: int) -> int:
    return 7 if rows < 50_000 else 3 if rows < 500_000 else 2


def lme4_available() -> bool:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return False
    check = subprocess.run([rscript, "-e", "library(lme4)"], capture_output=True)
    return check.returncode == 0


def available(peer: str) -> bool:
    if peer == "lme4":
        return lme4_available()
    return peer == "ours" or importlib.util.find_spec(peer) is not None  # module = peer name


def command(peer: str, spec: dict) -> list[str]:
    if peer in PYTHON_PEERS:
        return [sys.executable, str(HERE / "mixed_peers.py"), peer, json.dumps(spec)]
    factors = [f"{col}={','.join(levels)}" for col, levels in spec["categories"].items()]
    numbers = [str(spec[k]) for k in ("repeats", "budget_s", "warmup_rows")]
    script = str(HERE / "mixed_lme4.R")
    return ["Rscript", script, spec["csv"], lme4_formula(spec), spec["group"], *numbers, *factors]


def error_message(stderr: str) -> str:
    """The error a peer's process died of: R's `Error ...` lines or Python's last line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Error")), None)
    text = " ".join(lines[start : start + 2]) if start is not None else (lines or ["no output"])[-1]
    return text[:300]


def run_peer(peer: str, spec: dict, timeout_s: float, env: dict) -> dict:
    proc = subprocess.Popen(
        command(peer, spec),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, killed whole on time-out
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"peer": peer, "status": "timeout"}
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        return {"peer": peer, "status": "error", "error": error_message(err)}
    return {"status": "ok", **json.loads(line[len("RESULT ") :])}


def thread_env(threads: int) -> dict:
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--", "multilevel").strip() else "")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the rows and clusters")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated; ours always runs")
    ap.add_argument("--shapes", default=None, help="comma-separated shape names (default all)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per peer and shape")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/Rayon threads, all peers")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--keep-data", action="store_true", help="keep the CSVs (path printed)")
    args = ap.parse_args(argv)
    args.peers = ["ours"] + [p for p in args.peers.split(",") if p and p != "ours"]
    unknown = sorted(set(args.peers) - set(PEERS))
    if unknown:
        ap.error(f"unknown peers {unknown}; choose from {', '.join(PEERS)}")
    if args.timeout is None:
        args.timeout = 60.0 if args.quick else 300.0
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    sims = QUICK if args.quick else FULL
    names = set(args.shapes.split(",")) if args.shapes else None
    unknown = sorted((names or set()) - {s.name for s in sims} - {"hsb"})
    if unknown:
        sys.exit(f"unknown shapes {unknown}; choose from {', '.join(s.name for s in sims)}, hsb")
    peers = [p for p in args.peers if available(p)]
    missing = [p for p in args.peers if p not in peers]
    env = thread_env(args.threads)
    scratch = Path(tempfile.mkdtemp(prefix="bench_mixed_"))
    run = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.node()}, {os.cpu_count()} cores",
            "commit": commit(),
            "threads": args.threads,
            "timeout_s": args.timeout,
            "quick": args.quick,
            "seed": args.seed,
            "not_installed": missing,
        },
        "shapes": [],
    }
    print(
        f"peers: {', '.join(peers)}" + (f" (not installed: {', '.join(missing)})" * bool(missing))
    )
    try:
        for shape, csv, rows, clusters in write_shapes(scratch, sims, args.seed, names):
            spec = shape.spec(csv) | {
                "repeats": repeats_for(rows),
                "budget_s": BUDGET_S,
                "warmup_rows": WARMUP_ROWS,
            }
            result = {
                "shape": shape.name,
                "title": shape.title,
                "model": f"{shape.fixed}, ~ 1 + {shape.slope} | {shape.group}",
                "rows": rows,
                "clusters": clusters,
                "time_target_s": shape.time_target_s,  # None for the --quick shapes but hsb
                "peers": [],
            }
            for peer in peers:
                result["peers"].append(run_peer(peer, spec, args.timeout, env))
            run["shapes"].append(result)
            print("\n" + mixed_report.shape_markdown(result, args.timeout), flush=True)
    finally:
        if args.keep_data:
            print(f"data kept in {scratch}")
        else:
            shutil.rmtree(scratch)
    js, md = mixed_report.write(run, args.out, "mixed-quick" if args.quick else "mixed")
    print(f"written: {js}, {md}")


if __name__ == "__main__":
    main()
