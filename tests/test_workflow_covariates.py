"""End to end with covariates: the workflow builds the HTML report of hs_covariates (the hs
data with Sex, Minority and the school's DISCLIM held constant) in the hs build's scratch
directory (its simulation chapter is reused), and the report lists the covariates with their
level and coding and prints their coefficients, equal to R's (tests/fixtures/r/covariates.json)
at the printed precision."""

import json

import pytest

from .helpers import ROOT
from .workflow import html_table, run

FIXTURE = ROOT / "tests" / "fixtures" / "r" / "covariates.json"


@pytest.fixture(scope="module")
def html(built_hs) -> str:
    result = run(built_hs, "reports/hs_covariates/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    return (built_hs / "reports" / "hs_covariates" / "report.html").read_text()


@pytest.fixture(scope="module")
def r_fits() -> dict:
    return json.loads(FIXTURE.read_text())


def _rows(html: str, key: str) -> dict[str, dict[str, str]]:
    head, rows = html_table(html, key)
    return {row[0]: dict(zip(head[1:], row[1:], strict=True)) for row in rows}


def _lm(r_fits: dict, method: str) -> dict[str, float]:
    rec = r_fits["methods"][method]
    return dict(zip(rec["names"], rec["estimate"], strict=True))


def test_data_chapter_lists_covariates_with_level_and_coding(html):
    rows = _rows(html, "covariates")
    assert list(rows) == ["Sex", "Minority", "DISCLIM"]
    assert rows["Sex"]["level"] == "1" and rows["Sex"]["type"] == "categorical"
    assert rows["Sex"]["coding"] == "treatment contrasts, reference Male"
    assert rows["Sex"]["coefficients"] == "SexFemale"
    assert rows["Minority"]["coding"] == "treatment contrasts, reference No"
    assert rows["DISCLIM"]["level"] == "2" and rows["DISCLIM"]["type"] == "numeric"
    assert rows["DISCLIM"]["fixed effects"] == "absorbed by the school effects"
    assert _rows(html, "variables")["DISCLIM"]["role"] == "covariate"


@pytest.mark.parametrize("table, method", [("pooled_coef", "pooled"), ("fe2a_covariates", "fe2a")])
def test_methods_print_the_covariates_coefficients(html, r_fits, table, method):
    rows = _rows(html, table)
    expect = _lm(r_fits, method)
    for name in ("SexFemale", "MinorityYes"):
        assert rows[name]["Estimate"] == f"{expect[name]:.4f}", name
    if method == "fe2a":
        assert rows["DISCLIM"]["Estimate"] == "—"
        assert rows["DISCLIM"]["what it is"] == "absorbed by the school effects: not estimable"
    else:
        assert rows["DISCLIM"]["Estimate"] == f"{expect['DISCLIM']:.4f}"


def test_two_stage_counts_the_schools_where_a_covariate_is_constant(html, r_fits):
    rows = _rows(html, "twostage_coef")
    expect = r_fits["methods"]["two_stage"]["slope"]
    slope = dict(zip(expect["names"], expect["estimate"], strict=True))
    assert rows["slope: DISCLIM"]["Estimate"] == f"{slope['DISCLIM']:.4f}"
    assert "SexFemale in 11 school(s); MinorityYes in 7 school(s)" in html


def test_models_hold_the_covariates_constant(html, r_fits):
    ladder = _rows(html, "ladder")
    assert all(row["fixed"].endswith("+ Sex + Minority + DISCLIM") for row in ladder.values())
    rec = r_fits["models"]["contextual_cwg"]["REML"]
    assert ladder["Contextual (CWG)"]["logLik REML"] == f"{rec['logLik']:.2f}"
    assert "each fixed part ends" in html and "absorb them" in html
