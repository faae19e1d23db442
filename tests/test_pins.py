"""Versions are pinned in three places: pyproject.toml (direct dependencies), requirements.lock
(the whole environment, what `make` installs) and rules/envs/multilevel.yaml (for
`snakemake --sdm conda`). They must name the same versions."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: needed to run the workflow, not inside a rule's environment
WORKFLOW_ONLY = {"snakemake", "snakemake-executor-plugin-cluster-generic"}


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s;#]+)\s*", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def _pyproject() -> tuple[dict[str, str], dict[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _pins(project["dependencies"]), _pins(project["optional-dependencies"]["dev"])


def _lock() -> dict[str, str]:
    return _pins((ROOT / "requirements.lock").read_text().splitlines())


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "rules" / "envs" / "multilevel.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return _pins(p for p in pip if isinstance(p, str))


def test_every_direct_dependency_is_pinned_exactly():
    runtime, dev = _pyproject()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert len(runtime) == len(project["dependencies"])
    assert len(dev) == len(project["optional-dependencies"]["dev"])


def test_lock_agrees_with_pyproject():
    runtime, dev = _pyproject()
    lock = _lock()
    wrong = {
        name: (version, lock.get(name))
        for name, version in {**runtime, **dev}.items()
        if lock.get(name) != version
    }
    assert not wrong, f"pyproject pin vs requirements.lock: {wrong}"


def test_conda_environment_agrees_with_pyproject():
    runtime, _ = _pyproject()
    conda = _conda()
    needed = {n: v for n, v in runtime.items() if n not in WORKFLOW_ONLY}
    missing = sorted(set(needed) - set(conda))
    assert not missing, f"rules/envs/multilevel.yaml lacks {missing}"
    wrong = {n: (v, conda[n]) for n, v in needed.items() if conda[n] != v}
    assert not wrong, f"pyproject pin vs rules/envs/multilevel.yaml: {wrong}"
    extra = sorted(set(conda) - set(runtime))
    assert not extra, f"rules/envs/multilevel.yaml pins {extra}, which pyproject does not"
