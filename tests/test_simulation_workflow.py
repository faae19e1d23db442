"""The Monte Carlo rules through a cluster executor: Snakemake's generic cluster executor with
the fake scheduler of profiles/fake-cluster (jobs run in the background on this machine). A
tiny design split into two chunk jobs gives exactly the results of a single-chunk run."""

import subprocess
import time

import pandas as pd
import pytest
import yaml

from .helpers import ROOT
from .workflow import make_workdir, run

pytestmark = pytest.mark.slow

PROFILE = ROOT / "profiles" / "fake-cluster"
TARGET = "results/simulation/montecarlo/summary.parquet"


def _tiny_config(chunks: int) -> dict:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["simulation"]["montecarlo"].update(
        replicates=20,
        chunks=chunks,
        clusters_per_group=4,
        cluster_size={"distribution": "fixed", "size": 8},
    )
    return config


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for chunks in (2, 1):
        workdir = make_workdir(tmp_path_factory.mktemp(f"chunks{chunks}"), _tiny_config(chunks))
        result = run(workdir, "--profile", str(PROFILE), TARGET)
        assert result.returncode == 0, result.stderr[-3000:]
        out[chunks] = (workdir, result.stdout + result.stderr)
    return out


def test_chunks_are_submitted_as_cluster_jobs(runs):
    workdir, output = runs[2]
    submitted = [line for line in output.splitlines() if "external jobid 'fake-" in line]
    assert len(submitted) == 2, output[-2000:]
    spool = workdir / ".snakemake" / "fake-cluster"
    exits = sorted(spool.glob("*.exit"))
    assert len(exits) == 2 and all(p.read_text().strip() == "0" for p in exits)
    for i in range(2):
        assert (workdir / f"results/simulation/montecarlo/chunk_{i}.parquet").exists()
        log = (workdir / f"results/simulation/logs/montecarlo_chunk_{i}.log").read_text()
        assert f"chunk {i + 1}/2: 10/10 replicates done (100%)" in log
        assert (workdir / f"results/simulation/benchmarks/montecarlo_chunk_{i}.tsv").exists()


def test_chunked_and_single_chunk_runs_agree_exactly(runs):
    two, one = runs[2][0], runs[1][0]
    assert not (one / "results/simulation/montecarlo/chunk_1.parquet").exists()
    for name in ("replicates", "summary"):
        a = pd.read_parquet(two / f"results/simulation/montecarlo/{name}.parquet")
        b = pd.read_parquet(one / f"results/simulation/montecarlo/{name}.parquet")
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    records = pd.read_parquet(two / "results/simulation/montecarlo/replicates.parquet")
    assert records["replicate"].nunique() == 20 and records["ok"].all()


def _wait(status: str, job: str, cwd) -> str:
    for _ in range(100):
        state = subprocess.run(
            [status, job], capture_output=True, text=True, cwd=cwd, check=True
        ).stdout.strip()
        if state != "running":
            return state
        time.sleep(0.05)
    return state


def test_fake_scheduler_reports_success_and_failure(tmp_path):
    submit, status = str(PROFILE / "submit.sh"), str(PROFILE / "status.sh")
    states = {}
    for name, code in (("ok", 0), ("bad", 3)):
        script = tmp_path / f"{name}.sh"
        script.write_text(f"#!/bin/sh\necho {name}\nexit {code}\n")
        job = subprocess.run(
            [submit, str(script)], capture_output=True, text=True, cwd=tmp_path, check=True
        ).stdout.strip()
        assert job.startswith("fake-")
        states[name] = _wait(status, job, tmp_path)
        out = tmp_path / ".snakemake" / "fake-cluster" / f"{job}.out"
        assert out.read_text().strip() == name
    assert states == {"ok": "success", "bad": "failed"}
    unknown = subprocess.run(
        [status, "fake-none"], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert unknown.stdout.strip() == "failed"
