"""The classical methods with covariates (dataset hs_covariates) against R's lm and
summary.manova (tests/fixtures/r/covariates.json, make_covariates.R), fitted the way the
workflow fits them (``fit_method`` on the prepared long table).

lm's numbers are exact up to rounding: estimates, SEs and t to 1e-9 relative, DF exact."""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from multilevel.classical.adjusted_lines import adjusted_cluster_lines
from multilevel.classical.artifacts.fitting import fit_method
from multilevel.classical.fixed_effects import (
    fixed_effects_common_slope,
    fixed_effects_separate,
)
from multilevel.classical.two_stage import two_stage
from multilevel.data.covariates import describe_covariates

from .helpers import ROOT, configured, configured_long

FIXTURE = ROOT / "tests" / "fixtures" / "r" / "covariates.json"
RTOL = 1e-9


@cache
def r_methods() -> dict:
    return json.loads(FIXTURE.read_text())["methods"]


def spec():
    return configured("hs_covariates")


def long():
    return configured_long("hs_covariates")


@cache
def fitted(name: str):
    return fit_method(name, long(), spec())


def _same_as_lm(result, rec: dict, prefix: str = "") -> None:
    """Our coefficient table (rows ``prefix + name``) is lm's, every estimable coefficient."""
    table = result.table
    names = [n for n in rec["names"]]
    assert [str(i) for i in table.index if str(i).startswith(prefix)] == [prefix + n for n in names]
    ours = table.loc[[prefix + n for n in names]]
    np.testing.assert_allclose(ours["estimate"], rec["estimate"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours["se"], rec["se"], rtol=RTOL)
    np.testing.assert_allclose(ours["t"], rec["t"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours["p"], rec["p"], rtol=1e-6, atol=1e-300)
    assert (ours["df"] == rec["df_resid"]).all()


def test_pooled_is_lm():
    res = fitted("pooled").result
    rec = r_methods()["pooled"]
    _same_as_lm(res, rec)
    assert res.nobs == rec["nobs"] and math.isclose(res.sigma, rec["sigma"], rel_tol=RTOL)
    # the group lines are drawn at covariates 0: the covariates do not enter them
    lines = res.group_estimates()
    est = dict(zip(rec["names"], rec["estimate"], strict=True))
    assert math.isclose(lines["Public"].slope, est["ses"] + est["ses:SectorPublic"], rel_tol=RTOL)


@pytest.mark.parametrize("key", ["between", "between_overall"])
def test_between_is_lm_on_cluster_means(key):
    fit = fitted("between")
    res = fit.result if key == "between" else fit.overall
    rec = r_methods()[key]
    _same_as_lm(res, rec)
    assert res.nobs == rec["nobs"] == 40


def test_two_stage_first_stage_is_each_clusters_lm():
    coefs = fitted("twostage").result.cluster_coefs
    stage1 = r_methods()["two_stage"]["stage1"]
    assert [str(c) for c in coefs.index] == list(stage1)
    for column in ("intercept", "slope", "SexFemale", "MinorityYes"):
        r = np.array([np.nan if v[column] is None else v[column] for v in stage1.values()])
        np.testing.assert_allclose(coefs[column].to_numpy(), r, rtol=1e-8, atol=1e-10)


def test_two_stage_counts_the_clusters_where_a_covariate_is_constant():
    res = fitted("twostage").result
    stage1 = r_methods()["two_stage"]["stage1"]
    for column in ("SexFemale", "MinorityYes"):
        r_count = sum(v[column] is None for v in stage1.values())
        assert res.not_estimable[column] == r_count
        assert f"{column} in {r_count} school(s)" in res.description
    assert res.not_estimable == {"SexFemale": 11, "MinorityYes": 7}


def test_two_stage_second_stage_and_manova():
    res = fitted("twostage").result
    rs = r_methods()["two_stage"]
    _same_as_lm(res, rs["intercept"], "[intercept] ")
    _same_as_lm(res, rs["slope"], "[slope] ")
    for stat, row in rs["manova"].items():
        ours = res.manova.loc[stat]
        np.testing.assert_allclose(
            ours[["value", "F", "num_df", "den_df", "p"]].to_numpy(dtype=float),
            [row["value"], row["F"], row["num_df"], row["den_df"], row["p"]],
            rtol=RTOL,
        )


def _toy(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(8), 6)
    x = rng.normal(size=len(ids))
    z = rng.normal(size=len(ids))
    z[ids == 2] = 1.5  # constant in cluster 2
    w = rng.choice(["a", "b"], size=len(ids))
    w[ids == 5] = "b"  # one level only in cluster 5
    g = np.where(ids % 2 == 0, "P", "Q")
    y = 1 + 2 * x - z + (w == "b") + rng.normal(size=len(ids))
    return pd.DataFrame({"c": ids, "x": x, "y": y, "z": z, "w": w, "g": g})


def test_adjusted_lines_equal_one_lstsq_per_cluster():
    """The swept per-cluster regressions equal each cluster's own least squares without the
    columns that are constant in it; those clusters are counted."""
    data = _toy()
    covs = describe_covariates(data, "c", ["z", "w"])
    held = pd.DataFrame({"z": data["z"], "wb": (data["w"] == "b").astype(float)})
    lines = adjusted_cluster_lines(data, "c", "y", "x", held)
    assert lines.not_estimable == {"z": 1, "wb": 1}
    assert [c.columns for c in covs] == [["z"], ["wb"]]
    for c, rows in data.groupby("c"):
        cols = ["x"] + [k for k in ("z", "wb") if held.loc[rows.index, k].nunique() > 1]
        X = np.column_stack([np.ones(len(rows)), held.assign(x=data["x"]).loc[rows.index, cols]])
        beta, rss, *_ = np.linalg.lstsq(X, rows["y"].to_numpy(), rcond=None)
        got = lines.coefs.loc[c]
        np.testing.assert_allclose([got["intercept"], got["slope"]], beta[:2], rtol=1e-10)
        for k in ("z", "wb"):
            expect = beta[cols.index(k) + 1] if k in cols else np.nan
            np.testing.assert_allclose(got[k], expect, rtol=1e-10)
        s2 = float(rss[0]) / (len(rows) - X.shape[1])
        np.testing.assert_allclose(got["sigma"], np.sqrt(s2), rtol=1e-10)
        cov = s2 * np.linalg.inv(X.T @ X)
        np.testing.assert_allclose(got["slope_se"], np.sqrt(cov[1, 1]), rtol=1e-9)
        np.testing.assert_allclose(got["intercept_se"], np.sqrt(cov[0, 0]), rtol=1e-9)
        np.testing.assert_allclose(got["cov_is"], cov[0, 1], rtol=1e-9)


def test_two_stage_sentence_names_the_constant_covariates():
    data = _toy()
    covs = describe_covariates(data, "c", ["z", "w"])
    res = two_stage(data, "c", "y", "x", "g", covariates=covs)
    assert "z in 1 c(s); wb in 1 c(s)" in res.description
    assert res.not_estimable == {"z": 1, "wb": 1}


def _r_name(name: str) -> str:
    """Our fixed-effects names (``school[1317]``, ``school[1317]:ses``) as lm writes them."""
    return re.sub(r"^school\[(\w+)\]", r"school\1", name)


@pytest.mark.parametrize("name", ["fe2a", "fe2b"])
def test_fixed_effects_are_lm_with_the_level2_covariate_absorbed(name):
    res = fitted(name).result
    rec = r_methods()[name]
    assert res.absorbed == rec["aliased"] == ["DISCLIM"]
    assert "DISCLIM) are constant within each school, so the school effects absorb them" in (
        res.description
    )
    assert res.to_dict()["absorbed"] == ["DISCLIM"]
    ours = res.table.rename(index=_r_name).loc[rec["names"]]
    assert sorted(res.table.rename(index=_r_name).index) == sorted(rec["names"])
    np.testing.assert_allclose(ours["estimate"], rec["estimate"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours["se"], rec["se"], rtol=RTOL)
    np.testing.assert_allclose(ours["t"], rec["t"], rtol=RTOL, atol=1e-12)
    assert res.df_resid == rec["df_resid"] and res.nobs == rec["nobs"]
    assert math.isclose(res.sigma, rec["sigma"], rel_tol=RTOL)


@pytest.mark.parametrize("name", ["fe2a", "fe2b"])
def test_fixed_effects_factored_covariance_is_the_dense_one(name):
    """With the covariates' dense block, cov_of (sparse and dense L) and bse agree with the
    full covariance matrix (40 schools: small enough to form)."""
    fit = fitted(name).result.fit
    V = fit.cov_params().to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(V)), fit.bse.to_numpy(), rtol=1e-12)
    rng = np.random.default_rng(0)
    L = rng.normal(size=(3, len(fit.params)))
    np.testing.assert_allclose(fit.cov_of(L), L @ V @ L.T, rtol=1e-9)
    np.testing.assert_allclose(fit.cov_of(sp.csr_matrix(L)), L @ V @ L.T, rtol=1e-9)
    assert np.allclose(V, V.T)


def test_fixed_effects_lines_at_covariates_zero():
    """Method 2a's cluster lines are the fit's intercepts and slopes (covariates at 0), with
    the fit's SEs and covariance."""
    res = fitted("fe2a").result
    coefs = res.cluster_coefs
    ids = [str(c) for c in coefs.index]
    est = res.params
    np.testing.assert_allclose(coefs["intercept"], est[[f"school[{i}]" for i in ids]], rtol=1e-12)
    np.testing.assert_allclose(coefs["slope"], est[[f"school[{i}]:ses" for i in ids]], rtol=1e-12)
    V = res.cov_params()
    first = ids[0]
    assert math.isclose(
        coefs["cov_is"].iloc[0], V.loc[f"school[{first}]", f"school[{first}]:ses"], rel_tol=1e-9
    )


def test_fixed_effects_leave_out_a_covariate_each_cluster_line_explains():
    """With two rows per cluster each cluster's own line fits both rows, so nothing of a
    level-1 covariate is left for method 2a to estimate (R's lm: NA): it is left out and
    said; method 2b, with one slope per group, still estimates it."""
    rng = np.random.default_rng(5)
    ids = np.repeat(np.arange(30), 2)
    data = pd.DataFrame(
        {
            "c": ids,
            "x": rng.normal(size=60),
            "z": rng.normal(size=60),
            "g": np.where(ids % 2 == 0, "P", "Q"),
        }
    )
    data["y"] = data["x"] + 0.5 * data["z"] + rng.normal(size=60)
    covs = describe_covariates(data, "c", ["z"])
    fe2a = fixed_effects_separate(data, "c", "y", "x", "g", covariates=covs)
    assert "z" not in fe2a.params.index and fe2a.covariate_columns == []
    assert "The covariate column(s) z do not vary within cs" in fe2a.description
    fe2b = fixed_effects_common_slope(data, "c", "y", "x", "g", covariates=covs)
    assert fe2b.covariate_columns == ["z"] and np.isfinite(fe2b.params["z"])
