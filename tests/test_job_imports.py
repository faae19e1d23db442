"""Each workflow job imports only what it uses: importing a script's module (what every job
does before its first line of work) must not load the heavy packages the job never needs.
Every module here costs a job 0.1-1 s of start-up; a package ``__init__`` importing all its
submodules, or a module importing matplotlib at the top for one function, puts it back.

Not a timing test: it checks which modules are in ``sys.modules`` after the import, in a fresh
interpreter per script."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.stem for p in (ROOT / "scripts").glob("*.py"))

#: the jobs that draw figures (matplotlib)
FIGURE_JOBS = {
    "describe_data",
    "figures_methods_data",
    "methods_models",
    "model_figures",
    "montecarlo_df",
    "prepare_templates",  # the formulas are drawn by matplotlib's mathtext
    "simulation_chapter",
}

#: heavy module -> the jobs allowed to have it loaded once their script is imported
ALLOWED = {
    "matplotlib": FIGURE_JOBS,
    # the report step reads JSON artifacts only: it is the last job of a build, alone on the
    # machine, so its imports are the build's
    "pandas": set(SCRIPTS) - {"render_report", "prepare_templates"},
    # a fitted model's p-values come from scipy.special; scipy.stats is never needed
    "scipy.stats": set(),
    # the mixed engine optimises by its own Newton steps; nlme's varIdent ratios by scipy
    "scipy.optimize": {"mixed_tables"},
    # fixed effects' within transformation: loaded when a fixed-effects method is fitted
    "scipy.sparse": {"mixed_tables"},  # (and by scipy.optimize)
    "statsmodels": set(),
    "jinja2": {"render_report", "prepare_templates"},
    "weasyprint": set(),
    # the configuration is validated by Snakemake's workflow, not by a job
    "jsonschema": set(),
}

PROBE = """
import json, sys
sys.path.insert(0, "scripts")
import {name}
print(json.dumps([m for m in {heavy!r} if m in sys.modules]))
"""


def _probe(name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PROBE.format(name=name, heavy=sorted(ALLOWED))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@cache
def _loaded() -> dict[str, set[str]]:
    """For every script, the modules of ALLOWED loaded by importing it in a fresh
    interpreter (the interpreters run side by side)."""
    running = {name: _probe(name) for name in SCRIPTS}
    loaded = {}
    for name, proc in running.items():
        out, err = proc.communicate()
        assert proc.returncode == 0, f"importing scripts/{name}.py failed:\n{err}"
        loaded[name] = set(json.loads(out.strip().splitlines()[-1]))
    return loaded


def loaded_by(name: str) -> set[str]:
    return _loaded()[name]


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_job_imports_no_heavy_module_it_does_not_use(name):
    unexpected = {m for m in loaded_by(name) if name not in ALLOWED[m]}
    assert not unexpected, f"scripts/{name}.py loads {sorted(unexpected)} on import"


def test_the_probe_sees_a_heavy_import():
    """The check can fail: a figure job does load matplotlib."""
    assert "matplotlib" in loaded_by("describe_data")


def test_a_lazy_package_name_is_the_function_even_after_its_submodule_is_imported():
    """multilevel.classical.two_stage is both a submodule and the function it defines: the
    package keeps the function, as when its __init__ imported every submodule."""
    code = (
        "import multilevel.classical.two_stage, multilevel.classical as c; "
        "from multilevel.classical import two_stage; "
        "print(callable(two_stage), callable(c.two_stage), 'fixed_effects_separate' in dir(c))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True"]
