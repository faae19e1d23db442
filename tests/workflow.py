"""Running the Snakemake workflow in a scratch directory that links to the project's files."""

import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import yaml

from .helpers import ROOT, raw_config

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def make_workdir(tmp: Path, config: dict | None = None) -> Path:
    """A work directory whose data/ is the project's (read-only use), with its
    own config/ so a test can change the configuration: ``config`` (default: the project's,
    datasets inline) as config/config.yaml, and the project's dataset files if it has no
    `datasets:` of its own."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("data",):
        os.symlink(ROOT / name, tmp / name)
    (tmp / "config").mkdir()
    if config is None:
        config = raw_config()
    if "datasets" not in config:
        shutil.copytree(ROOT / "config" / "datasets", tmp / "config" / "datasets")
    (tmp / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return tmp


def copy_workflow(workdir: Path) -> Path:
    """A private copy of the workflow's code (Snakefile, rules, scripts, templates) in
    ``workdir/workflow``, which :func:`run` then uses: a test may edit it and the project's
    tracked files are never touched."""
    code = workdir / "workflow"
    code.mkdir()
    shutil.copy2(ROOT / "Snakefile", code / "Snakefile")
    for name in ("rules", "scripts", "templates"):
        shutil.copytree(ROOT / name, code / name)
    return code


def run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """Snakemake in ``workdir``, with the workflow's copy there if it has one
    (:func:`copy_workflow`), else the project's Snakefile."""
    snakefile = workdir / "workflow" / "Snakefile"
    if not snakefile.exists():
        snakefile = ROOT / "Snakefile"
    command = [str(SNAKEMAKE), "-s", str(snakefile), "-d", str(workdir), "--cores", "2"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=600, cwd=workdir
    )


def html_table(html: str, key: str) -> tuple[list[str], list[list[str]]]:
    """The header and the body rows (index cell first) of the report's table `key`."""
    block = re.search(rf'id="table-{key}">(.*?)</figure>', html, re.S).group(1)
    head = [unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", block.split("</thead>")[0])]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block.split("<tbody>")[1], re.S):
        rows.append([unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)])
    return head, rows
