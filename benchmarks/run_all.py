"""Run every benchmark in this folder, one after another (`make bench`).

    .venv/bin/python benchmarks/run_all.py [--quick] [--peers ours,lme4,...] [--only mixed,...]

--quick runs each benchmark in its smaller form; --peers chooses the peers of bench_mixed.py
(and, when it leaves statsmodels out, of bench_montecarlo.py); --only runs the named ones.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each benchmark's arguments for --quick (bench_report_build has no smaller form).
QUICK_ARGS = {
    "bench_mixed.py": ["--quick"],
    "bench_montecarlo.py": ["--replicates", "200", "--sample", "20", "--sm-sample", "10"],
    "bench_figures.py": ["--clusters", "10000"],
}


def arguments(script: str, args: argparse.Namespace) -> list[str]:
    extra = list(QUICK_ARGS.get(script, [])) if args.quick else []
    if args.peers is not None:
        if script == "bench_mixed.py":
            extra += ["--peers", args.peers]
        elif script == "bench_montecarlo.py" and "statsmodels" not in args.peers.split(","):
            extra += ["--no-statsmodels"]
    return extra


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller shapes and studies")
    ap.add_argument("--peers", default=None, help="peers of bench_mixed.py, comma-separated")
    ap.add_argument("--only", default=None, help="e.g. mixed,montecarlo (default: all)")
    args = ap.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = {f"bench_{name}.py" for name in args.only.split(",")}
        scripts = [s for s in scripts if s.name in wanted]
    failed = []
    for script in scripts:
        cmd = [sys.executable, str(script), *arguments(script.name, args)]
        print(f"\n=== {' '.join([script.name, *cmd[2:]])} ===", flush=True)
        if subprocess.run(cmd).returncode != 0:
            failed.append(script.name)
    if failed:
        sys.exit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
