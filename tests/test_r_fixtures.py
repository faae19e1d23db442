"""Checks on the committed R reference fixtures (tests/fixtures/r/mixed_models.json).

These tests do not run R. They check that the JSON is internally consistent and that it
reproduces the values the document prints, at the document's printed precision.
"""

import json
import math
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "mixed_models.json"

EXPECTED_KEYS = {
    "hs": {
        "oneway",
        "means_as_outcomes",
        "oneway_ancova",
        "random_coefficients",
        "intercepts_slopes_outcomes",
        "nonrandom_slopes",
        "parallel_slopes",
        "contextual_cwg",
        "contextual_raw",
        "contextual_full",
    },
    "hsb": {"intercepts_slopes_outcomes"},
    "dyestuff": {"oneway"},
    "dyestuff2": {"oneway"},
    "sleepstudy": {"random_slopes"},
    "orthodont": {"random_slopes_by_sex"},
}


@pytest.fixture(scope="module")
def fx() -> dict:
    with FIXTURE.open() as f:
        return json.load(f)


def _all_fits(fx):
    for dname, models in fx["fits"].items():
        for key, by_method in models.items():
            for method, rec in by_method.items():
                yield dname, key, method, rec


def _matrix(block):
    return block["values"]


def test_provenance(fx):
    prov = fx["_provenance"]
    assert prov["R_version_string"].startswith("R version 4.2.2")
    assert prov["nlme"] == "3.1.162"
    assert prov["lme4"] == "1.1.31"
    assert prov["date"]
    assert set(prov["raw_md5"]) == {
        "MathAchieve.csv",
        "MathAchSchool.csv",
        "Dyestuff.csv",
        "Dyestuff2.csv",
        "sleepstudy.csv",
        "Orthodont.csv",
    }


def test_keys(fx):
    assert {d: set(m) for d, m in fx["fits"].items()} == EXPECTED_KEYS
    for models in fx["fits"].values():
        for by_method in models.values():
            assert set(by_method) == {"REML", "ML"}


def test_datasets(fx):
    ds = fx["datasets"]
    assert ds["hs"]["nrow"] == 1977 and ds["hs"]["ngroups"] == 40
    assert ds["hs"]["n_catholic"] == 1144
    assert ds["hs"]["sector_levels"] == ["Catholic", "Public"]
    assert ds["hsb"]["nrow"] == 7185 and ds["hsb"]["ngroups"] == 160
    assert (ds["dyestuff"]["nrow"], ds["dyestuff"]["ngroups"]) == (30, 6)
    assert (ds["dyestuff2"]["nrow"], ds["dyestuff2"]["ngroups"]) == (30, 6)
    assert (ds["sleepstudy"]["nrow"], ds["sleepstudy"]["ngroups"]) == (180, 18)
    assert (ds["orthodont"]["nrow"], ds["orthodont"]["ngroups"]) == (108, 27)


def test_internal_consistency(fx):
    for dname, key, method, r in _all_fits(fx):
        where = f"{dname}/{key}/{method}"
        info = fx["datasets"][dname]
        assert r["method"] == method, where
        assert r["nobs"] == info["nrow"], where
        assert r["ngroups"] == info["ngroups"], where
        # information criteria from logLik and its df
        k = r["df_logLik"]
        p = len(r["fixed"]["names"])
        q = len(r["random"]["terms"])
        assert k == p + q * (q + 1) // 2 + 1, where
        n_eff = r["nobs"] - (p if method == "REML" else 0)
        assert math.isclose(r["AIC"], -2 * r["logLik"] + 2 * k, rel_tol=1e-12), where
        assert math.isclose(r["BIC"], -2 * r["logLik"] + k * math.log(n_eff), rel_tol=1e-12), where
        # fixed effects: t = value / se, se = sqrt(diag(vcov))
        fixed = r["fixed"]
        assert r["vcov"]["rownames"] == fixed["names"] == r["vcov"]["colnames"], where
        vc = _matrix(r["vcov"])
        for i, name in enumerate(fixed["names"]):
            # summary.lme's SEs for ML fits are sqrt(diag(vcov)) * sqrt(N / (N - p))
            # (its adjustSigma = TRUE default); vcov() itself is not adjusted.
            adj = math.sqrt(r["nobs"] / (r["nobs"] - p)) if method == "ML" else 1.0
            se = math.sqrt(vc[i][i]) * adj
            assert math.isclose(fixed["se"][i], se, rel_tol=1e-10), (where, name)
            assert math.isclose(fixed["t"][i], fixed["value"][i] / fixed["se"][i], rel_tol=1e-10)
            assert 0 <= fixed["p"][i] <= 1
            for j in range(len(fixed["names"])):
                assert math.isclose(vc[i][j], vc[j][i], rel_tol=1e-10, abs_tol=1e-14), where
        # random effects: sd = sqrt(diag(G)), cor = G scaled
        rnd = r["random"]
        g = _matrix(rnd["G"])
        c = _matrix(rnd["cor"])
        for i in range(q):
            assert math.isclose(rnd["sd"][i], math.sqrt(g[i][i]), rel_tol=1e-12), where
            for j in range(q):
                expect = g[i][j] / (rnd["sd"][i] * rnd["sd"][j])
                assert math.isclose(c[i][j], expect, rel_tol=1e-9, abs_tol=1e-12), where
        # ranef/coef: one entry per cluster, coef = fixed + ranef for random terms
        assert len(r["ranef"]) == len(r["coef"]) == r["ngroups"], where
        assert set(r["ranef"]) == set(r["coef"]), where
        fixed_map = dict(zip(fixed["names"], fixed["value"], strict=True))
        for cl, re in r["ranef"].items():
            assert list(re) == rnd["terms"], where
            # coef() has a column for every fixed and every random term (a random term
            # with no fixed counterpart, e.g. ses.d in contextual_raw, is ranef alone)
            assert set(r["coef"][cl]) == set(fixed_map) | set(re), where
            for term, value in r["coef"][cl].items():
                expect = fixed_map.get(term, 0.0) + re.get(term, 0.0)
                assert math.isclose(value, expect, rel_tol=1e-9, abs_tol=1e-9), (where, cl, term)
        # residual quantiles ordered
        qs = list(r["resid_pearson_quantiles"].values())
        assert list(r["resid_pearson_quantiles"]) == ["Min", "Q1", "Med", "Q3", "Max"]
        assert qs == sorted(qs), where
        # intervals bracket the estimates
        iv = r["intervals"]
        assert isinstance(iv["ok"], bool), where
        for lo, est, hi in _matrix(iv["fixed"]):
            assert lo < est < hi, where
        if iv["ok"]:
            assert iv["error"] is None
            s = iv["sigma"]
            assert s["lower"] < s["est."] < s["upper"], where
            assert math.isclose(s["est."], r["sigma"], rel_tol=1e-12), where
        else:
            assert "Non-positive definite" in iv["error"], where
        # fallback optimizer settings are used only after the defaults failed
        assert (r["control"] == "lmeControl()") == (r["failed_controls"] == []), where
        # lme4 cross-check
        l4 = r["lme4"]
        assert l4["REML"] == (method == "REML"), where
        assert l4["deviance_kind"] == ("REMLcrit" if method == "REML" else "deviance")
        assert math.isclose(l4["deviance"], -2 * l4["logLik"], rel_tol=1e-12), where
        assert list(l4["fixed"]) == fixed["names"], where
        assert abs(l4["logLik"] - r["logLik"]) < 2e-3, where
        assert math.isclose(l4["sigma"], r["sigma"], rel_tol=1e-3), where
        for name, value in l4["fixed"].items():
            assert math.isclose(value, fixed_map[name], rel_tol=1e-3, abs_tol=1e-3), where


def test_hs_oneway_reml_document_values(fx):
    r = fx["fits"]["hs"]["oneway"]["REML"]
    assert round(r["AIC"], 2) == 12985.94
    assert round(r["BIC"], 2) == 13002.71
    assert round(r["logLik"], 3) == -6489.969
    assert round(r["random"]["sd"][0], 6) == 2.836278
    assert round(r["sigma"], 6) == 6.296759
    assert r["fixed"]["names"] == ["(Intercept)"]
    assert round(r["fixed"]["value"][0], 5) == 12.60468
    assert round(r["fixed"]["se"][0], 7) == 0.4711941
    assert r["fixed"]["df"] == [1937]
    iv = r["intervals"]
    assert iv["ok"]
    lo, est, hi = iv["reStruct"]["school"]["values"][0]
    assert (round(lo, 3), round(est, 3), round(hi, 3)) == (2.214, 2.836, 3.633)
    s = iv["sigma"]
    # The document prints 6.101522; R 4.2.2 / nlme 3.1-162 gives 6.1015226777 (prints
    # 6.101523): agreement to one unit in the 6th decimal only (see README).
    assert abs(s["lower"] - 6.101522) < 1e-6
    assert round(s["est."], 6) == 6.296759
    assert round(s["upper"], 6) == 6.498242
    assert round(r["anova"]["F"][0], 3) == 715.589
    assert r["anova"]["terms"] == ["(Intercept)"]
    f5 = r["fitted_first5"]
    assert len(f5["level0"]) == len(f5["level1"]) == 5
    assert all(math.isclose(v, r["fixed"]["value"][0], rel_tol=1e-12) for v in f5["level0"])


def test_hs_intercepts_slopes_outcomes_reml_document_values(fx):
    r = fx["fits"]["hs"]["intercepts_slopes_outcomes"]["REML"]
    assert round(r["logLik"], 3) == -6419.695
    assert r["fixed"]["names"] == ["(Intercept)", "ses", "SectorPublic", "ses:SectorPublic"]
    assert [round(v, 6) for v in r["fixed"]["value"]] == [13.479567, 1.805345, -1.599377, 1.388802]
    assert r["fixed"]["df"] == [1935, 1935, 38, 1935]


def test_dyestuff_lme4_published_deviances(fx):
    pub = fx["published"]
    fits = fx["fits"]["dyestuff"]["oneway"]
    assert fits["ML"]["lme4"]["deviance"] == pytest.approx(
        pub["dyestuff_lme4_deviance_ML"], abs=1e-8
    )
    assert fits["REML"]["lme4"]["deviance"] == pytest.approx(
        pub["dyestuff_lme4_REMLcrit"], abs=1e-8
    )


def test_dyestuff2_boundary(fx):
    for method in ("REML", "ML"):
        r = fx["fits"]["dyestuff2"]["oneway"][method]
        assert r["random"]["sd"][0] < 1e-3  # nlme: tiny but positive
        assert not r["intervals"]["ok"]
        assert r["lme4"]["is_singular"]
        assert r["lme4"]["theta"]["Batch.(Intercept)"] == 0
