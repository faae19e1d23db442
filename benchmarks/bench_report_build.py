"""Build times of the report: a cold HTML draft (`--config format=html`, in a scratch directory
of its own), then a cold build, a no-change rebuild, and rebuilds after touching only a
template (one chapter's template; the stylesheet, which every page uses), in another scratch
work directory, with each rule's time from Snakemake's benchmark files.

    .venv/bin/python benchmarks/bench_report_build.py [--dataset hs] [--cores 2] [--draft-only]

Targets (issues 8 and 15, on the 2-core machine): cold HTML draft <= 20 s, cold build <= 60 s
after set-up, no-change rebuild <= 5 s, template-only rebuild <= 10 s. Printed as time / target
ratios; nothing is asserted.
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

from job_benchmarks import job_benchmarks  # beside this script

ROOT = Path(__file__).resolve().parent.parent
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
TARGETS = {
    "cold HTML draft": 20.0,
    "cold build": 60.0,
    "no-change rebuild": 5.0,
    "template-only rebuild": 10.0,
    "stylesheet-only rebuild": 10.0,
}
EDITS = {  # template file, and what an author might add to it
    "template-only rebuild": ("templates/partials/data.html.j2", "\n<!-- edited -->\n"),
    "stylesheet-only rebuild": ("templates/report.css", "\n/* edited */\n"),
}


def workdir_for(base: Path) -> Path:
    os.symlink(ROOT / "data", base / "data")
    shutil.copytree(ROOT / "config", base / "config")
    return base


def build(workdir: Path, dataset: str, cores: int, draft: bool = False) -> tuple[float, str]:
    command = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        "--cores",
        str(cores),
        "--config",
        f"dataset={dataset}",
        *(["format=html"] if draft else []),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stderr + result.stdout


def lines(text: str) -> list[str]:
    return text.splitlines()


def rule_times(workdir: Path) -> list[tuple[str, float, float]]:
    return [(path, job["s"], job["max_rss"]) for path, job in job_benchmarks(workdir).items()]


def print_rules(title: str, rules: list[tuple[str, float, float]]) -> None:
    print(f"\nper rule in the {title} (Snakemake benchmark files):")
    print(f"{'rule':<56}{'seconds':>9}{'max RSS MB':>12}")
    for name, seconds, rss in sorted(rules, key=lambda r: -r[1]):
        print(f"{name:<56}{seconds:9.2f}{rss:12.0f}")
    print(f"{len(rules)} jobs, {sum(r[1] for r in rules):.1f} job-seconds")


def print_times(times: dict[str, float]) -> None:
    print(f"{'build':<24}{'seconds':>9}{'target':>9}{'time/target':>13}")
    for name, seconds in times.items():
        print(f"{name:<24}{seconds:9.1f}{TARGETS[name]:9.0f}{seconds / TARGETS[name]:13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="hs")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--draft-only", action="store_true", help="only the cold HTML draft")
    args = parser.parse_args()
    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-draft-") as tmp:
        workdir = workdir_for(Path(tmp))
        times["cold HTML draft"], _ = build(workdir, args.dataset, args.cores, draft=True)
        draft_rules = rule_times(workdir)
    print(f"dataset {args.dataset}, --cores {args.cores}")
    if args.draft_only:
        print_times(times)
        print_rules("cold HTML draft", draft_rules)
        return
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        workdir = workdir_for(Path(tmp))
        times["cold build"], _ = build(workdir, args.dataset, args.cores)
        cold_rules = rule_times(workdir)
        times["no-change rebuild"], log = build(workdir, args.dataset, args.cores)
        if "Nothing to be done" not in log:
            print("warning: the no-change rebuild ran jobs")
        # The templates are code beside the Snakefile: edit the project's own, then put it back
        # as it was.
        reran = {}
        for name, (relative, addition) in EDITS.items():
            template = ROOT / relative
            text, stat = template.read_text(), template.stat()
            try:
                template.write_text(text + addition)
                times[name], log = build(workdir, args.dataset, args.cores)
            finally:
                template.write_text(text)
                os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            rules = {line.split("Rule: ")[1].rstrip(")") for line in lines(log) if "Rule: " in line}
            pdf_log = workdir / "results" / args.dataset / "logs" / "render_report.log"
            pdf_log = pdf_log.read_text()
            parts = [line.split("INFO ")[1] for line in lines(pdf_log) if "chapters (" in line]
            reran[name] = [f"rules {', '.join(sorted(rules))}", *parts]
        # Put the report back in step with the project's templates.
        build(workdir, args.dataset, args.cores)
    print_times(times)
    for name, what in reran.items():
        print(f"{name}: {'; '.join(what)}")
    print_rules("cold HTML draft", draft_rules)
    print_rules("cold build", cold_rules)


if __name__ == "__main__":
    main()
