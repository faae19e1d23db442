"""Running the Snakemake workflow in a scratch directory that links to the project's files."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

from .helpers import ROOT

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def make_workdir(tmp: Path, config: dict | None = None) -> Path:
    """A work directory whose data/ is the project's (read-only use), with its
    own config/ so a test can change the configuration."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("data",):
        os.symlink(ROOT / name, tmp / name)
    (tmp / "config").mkdir()
    if config is None:
        config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    (tmp / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return tmp


def run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--cores", "2"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=600, cwd=workdir
    )
