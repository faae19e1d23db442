"""Shared fixtures. Data comes only from data/raw/ (the committed raw files)."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"

# The 40 schools of the document's `hs` (its tables on pages 19-21).
HS_SCHOOLS = [
    1317,
    1906,
    2208,
    2458,
    2626,
    2629,
    2639,
    2658,
    2771,
    3013,
    3610,
    3992,
    4292,
    4511,
    4530,
    4868,
    5619,
    5640,
    5650,
    5720,
    5761,
    5762,
    6074,
    6484,
    6897,
    7172,
    7232,
    7342,
    7345,
    7688,
    7697,
    7890,
    7919,
    8531,
    8627,
    8707,
    8854,
    8874,
    9550,
    9586,
]


def _hs_from_raw() -> pd.DataFrame:
    students = pd.read_csv(RAW / "MathAchieve.csv").drop(columns="MEANSES")
    schools = pd.read_csv(RAW / "MathAchSchool.csv").drop(columns="MEANSES")
    long = students.merge(schools, on="School", how="left", validate="many_to_one")
    long = long[long["School"].isin(HS_SCHOOLS)].reset_index(drop=True)
    long = long.rename(columns={"School": "school", "MathAch": "mathach", "SES": "ses"})
    long["Sector"] = pd.Categorical(long["Sector"], categories=["Catholic", "Public"])
    return long


@pytest.fixture(scope="session")
def hs_raw() -> pd.DataFrame:
    """The document's hs (1977 students, 40 schools) with its column names, built directly
    from the raw files; a copy per test is cheap, so tests must not mutate it."""
    return _hs_from_raw()


@pytest.fixture(scope="session")
def built_hs(tmp_path_factory):
    """The hs report built once by the real workflow in a scratch directory, from a copy of
    the workflow's code that tests may edit."""
    from .workflow import copy_workflow, make_workdir, run

    workdir = make_workdir(tmp_path_factory.mktemp("hs"))
    copy_workflow(workdir)
    result = run(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, driven by playwright."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is needed: make test installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
