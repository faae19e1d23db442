"""`multilevel report NAME`: run the Snakemake workflow for one dataset with a progress line;
the workflow's whole output goes to a log file, its errors to the screen in one line each."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from multilevel.cli.project import SNAKEFILE, dataset_spec

FORMATS = ("html", "pdf", "all")
STARTED = re.compile(r"^\s*(?:local)?rule (\w+):")
DONE = re.compile(r"(\d+) of (\d+) steps \(\d+%\) done")
TOTAL = re.compile(r"^total\s+(\d+)\s*$")
NOTHING = "Nothing to be done"
SKIPPED = re.compile(r"^Warning: dataset '([^']*)' is skipped")
#: exit status of `multilevel report` when the workflow fails for a reason that is not the
#: user's data (main.EXIT_CODES)
WORKFLOW_FAILED = 3


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="build a dataset's report (runs the Snakemake workflow)",
        description="Build reports/NAME/: --format html writes report.html (a draft: "
        "everything but the PDF), pdf or all (the default) also report.pdf. Snakemake's "
        "whole output goes to results/NAME/logs/multilevel-report.log.",
    )
    parser.add_argument("name", help="the dataset (config/datasets/NAME.yaml)")
    parser.add_argument("--format", choices=FORMATS, default="all", help="default: all")
    parser.add_argument("--cores", type=int, default=2, help="cores to use (default 2)")
    parser.add_argument("--profile", help="a Snakemake profile (e.g. profiles/slurm)")
    parser.set_defaults(run=run)


def snakemake_command(args: argparse.Namespace, *targets: str) -> list[str]:
    executable = Path(sys.executable).with_name("snakemake")
    command = [str(executable), "-s", str(SNAKEFILE), "-d", ".", "--cores", str(args.cores)]
    command += ["--config", f"dataset={args.name}", f"format={args.format}"]
    if args.profile:
        command += ["--profile", args.profile]
    return [*command, *(["--", *targets] if targets else [])]


class Progress:
    """The one progress line: steps done / total and the step running last."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.done = 0
        self.total = 0
        self.earlier = 0  # steps done by the earlier Snakemake runs of this command
        self.current = ""
        self.tty = stream.isatty()

    def feed(self, line: str) -> None:
        if match := TOTAL.match(line):
            self.total = max(self.total, self.earlier + int(match.group(1)))
        elif match := STARTED.match(line):
            self.current = match.group(1)
            self.show()
        elif match := DONE.search(line):
            self.done = self.earlier + int(match.group(1))
            self.total = self.earlier + int(match.group(2))
            self.show()

    def next_run(self) -> None:
        self.earlier = self.done

    def show(self) -> None:
        text = f"[{self.done}/{self.total or '?'}] {self.current}"
        if self.tty:
            self.stream.write(f"\r\033[K{text}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and (self.done or self.current):
            self.stream.write("\n")


def run_snakemake(command: list[str], log, progress: Progress) -> tuple[int, list[str], list[str]]:
    """Run Snakemake, its output to ``log``; its exit status, the one-line messages of the
    workflow and the steps ("Error: ...", "Warning: ...") and its last lines."""
    messages: list[str] = []
    tail: list[str] = []
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    for line in process.stdout:
        log.write(line)
        progress.feed(line)
        if line.startswith(("Error: ", "Warning: ")) and line not in messages:
            messages.append(line)
        tail = [*tail[-19:], line]
    return process.wait(), messages, tail


def _concerns(message: str, name: str) -> bool:
    """The workflow warns about every broken dataset file; only the one built concerns us."""
    skipped = SKIPPED.match(message)
    return skipped is None or skipped[1] == name


def run(args: argparse.Namespace) -> int:
    dataset_spec(args.name)  # a missing or invalid file is reported before Snakemake starts
    path = Path("results") / args.name / "logs" / "multilevel-report.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress()
    with open(path, "w") as log:
        # The data step first, on its own: a problem with the data is found in seconds, not
        # after the jobs that do not use it (the simulation chapter) have run.
        data_step = f"results/{args.name}/data/prepare.json"
        status, messages, tail = run_snakemake(snakemake_command(args, data_step), log, progress)
        if status == 0:
            progress.next_run()
            status, more, tail = run_snakemake(snakemake_command(args), log, progress)
            messages += [m for m in more if m not in messages]
    progress.finish()
    messages = [m for m in messages if _concerns(m, args.name)]
    for line in messages:
        sys.stderr.write(line)
    if status != 0:
        if not any(m.startswith("Error: ") for m in messages):
            sys.stderr.write("".join(tail))
            sys.stderr.write(f"The workflow failed; its whole output is in {path}\n")
            return WORKFLOW_FAILED
        sys.stderr.write(f"(Snakemake's whole output: {path})\n")
        return 1
    outputs = ["report.html"] + (["report.pdf"] if args.format != "html" else [])
    done = "up to date" if progress.done == 0 else f"{progress.done} steps run"
    print(f"reports/{args.name}/: {', '.join(outputs)} ({done})")
    return 0
