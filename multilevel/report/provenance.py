"""What a reader needs to trust a run: data checksums, config, code version, package versions."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

MAIN_PACKAGES = [
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "Jinja2",
    "weasyprint",
    "pyarrow",
]


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


PROJECT = Path(__file__).resolve().parents[2]


def _git(root: str | Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def git_commit(root: str | Path = PROJECT) -> str:
    """The code's version: the commit of the project the library runs from (not of the working
    directory, which may be anywhere)."""
    try:
        commit = _git(root, "rev-parse", "--short=12", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def package_versions(names: list[str] = MAIN_PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance(raw_files: list[str], root: str | Path = ".", pin_date: str | None = None) -> dict:
    return {
        "files": [{"path": str(p), "sha256": sha256(Path(root) / p)} for p in raw_files],
        "commit": git_commit(),
        "packages": package_versions(),
        "date": pin_date or dt.date.today().isoformat(),
    }
