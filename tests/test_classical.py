"""The four classical methods against the numbers printed on pages 41-46 of the document, each
at its printed precision, plus invariants that do not depend on the document."""

import json

import numpy as np
import pandas as pd
import pytest

from multilevel import classical as C
from multilevel.errors import DataError

ROLES = {"cluster": "school", "outcome": "mathach", "predictor": "ses", "group": "Sector"}


@pytest.fixture(scope="module")
def pooled(hs_raw):
    return C.pooled_ols(hs_raw, "mathach", "ses", "Sector")


@pytest.fixture(scope="module")
def fe_sep(hs_raw):
    return C.fixed_effects_separate(hs_raw, **ROLES)


@pytest.fixture(scope="module")
def fe_common(hs_raw):
    return C.fixed_effects_common_slope(hs_raw, **ROLES)


@pytest.fixture(scope="module")
def two(hs_raw):
    return C.two_stage(hs_raw, **ROLES)


@pytest.fixture(scope="module")
def eco(hs_raw):
    return C.between_cluster(hs_raw, "school", "mathach", "ses")


def _r_p(p):
    """A p-value as R's printCoefmat shows it (3 significant digits)."""
    return float(f"{p:.3g}")


# ------------------------------------------------------------------ page 46: pooled OLS


def test_pooled_residual_quantiles_page_46(pooled):
    q = pooled.resid_quantiles.round(4)
    assert list(q) == [-19.1774, -4.8286, 0.2949, 4.9595, 15.7836]


def test_pooled_coefficients_page_46(pooled):
    t = pooled.table
    assert list(t.index) == ["(Intercept)", "ses", "SectorPublic", "ses:SectorPublic"]
    assert list(t["estimate"].round(4)) == [13.5579, 2.2999, -1.4666, 1.6051]
    assert list(t["se"].round(4)) == [0.1881, 0.2582, 0.2921, 0.3845]
    assert list(t["t"].round(3)) == [72.067, 8.908, -5.021, 4.174]
    assert t.loc["(Intercept)", "p"] < 2e-16
    assert t.loc["ses", "p"] < 2e-16
    assert _r_p(t.loc["SectorPublic", "p"]) == 5.60e-07
    assert _r_p(t.loc["ses:SectorPublic", "p"]) == 3.12e-05


def test_pooled_fit_statistics_page_46(pooled):
    assert round(pooled.sigma, 3) == 6.344
    assert pooled.df_resid == 1973
    assert round(pooled.r_squared, 4) == 0.1404
    assert round(pooled.adj_r_squared, 4) == 0.1391
    assert round(pooled.fvalue, 1) == 107.4
    assert pooled.f_df == (3.0, 1973.0)
    assert pooled.f_pvalue < 2.2e-16
    text = pooled.summary()
    assert "6.344 on 1973 degrees of freedom" in text
    assert "F-statistic: 107.4 on 3 and 1973 DF" in text


def test_pooled_group_lines_are_sums_of_coefficients(pooled):
    est = pooled.group_estimates()
    assert est["Catholic"].intercept == pytest.approx(13.5579, abs=5e-5)
    assert est["Public"].slope == pytest.approx(2.2999 + 1.6051, abs=1e-4)
    diff = pooled.difference("Public", "Catholic")
    assert diff.centre == pytest.approx(pooled.params[["SectorPublic", "ses:SectorPublic"]])
    # the SE of the difference is that of the interaction coefficients
    assert diff.se == pytest.approx(pooled.table.loc[["SectorPublic", "ses:SectorPublic"], "se"])


def test_pooled_without_group_and_reference_choice(hs_raw):
    plain = C.pooled_ols(hs_raw, "mathach", "ses")
    assert list(plain.params.index) == ["(Intercept)", "ses"]
    flipped = C.pooled_ols(hs_raw, "mathach", "ses", "Sector", reference="Public")
    assert "SectorCatholic" in flipped.params.index
    assert flipped.params["SectorCatholic"] == pytest.approx(1.4666, abs=5e-5)


# ------------------------------------------------------------------ page 41: method 2a


def test_fixed_effects_separate_page_41(fe_sep):
    assert fe_sep.df_resid == 1897
    test = fe_sep.test
    assert test.num_df == 2 and test.den_df == 1897
    assert round(test.F, 5) == 21.03533
    assert test.p_value < 1e-5
    t = test.table
    assert list(t.index) == ["Int", "Slope"]
    assert round(t.loc["Int", "estimate"], 6) == -2.027255
    assert round(t.loc["Int", "se"], 6) == 0.351992
    assert round(t.loc["Int", "t"], 6) == -5.759378
    assert round(t.loc["Slope", "estimate"], 6) == 1.109995
    assert round(t.loc["Slope", "se"], 6) == 0.454114
    assert round(t.loc["Slope", "t"], 6) == 2.444309
    assert round(t.loc["Slope", "p"], 4) == 0.0146


def test_fixed_effects_lines_equal_per_cluster_ols(fe_sep):
    coefs = fe_sep.cluster_coefs
    assert len(coefs) == 40 and fe_sep.dropped_clusters == []
    for school in coefs.index[:3]:
        assert fe_sep.params[f"school[{school}]"] == pytest.approx(coefs.loc[school, "intercept"])
        assert fe_sep.params[f"school[{school}]:ses"] == pytest.approx(coefs.loc[school, "slope"])


# ------------------------------------------------------------------ page 42: method 2b


def test_fixed_effects_common_slope_page_42(fe_common):
    assert fe_common.df_resid == 1935
    row = fe_common.test.table.loc["ses:SectorPublic"]
    assert round(row["estimate"], 6) == 1.204719
    assert round(row["se"], 6) == 0.436134
    assert row["df"] == 1935
    assert round(row["t"], 6) == 2.762267
    assert round(row["p"], 5) == 0.00579


# ------------------------------------------------------------------ page 43: method 3


def test_two_stage_slope_response_page_43(two):
    s = two.responses["slope"]
    assert list(s.index) == ["(Intercept)", "SectorPublic"]
    assert list(s["estimate"].round(4)) == [1.6672, 1.1100]
    assert list(s["se"].round(4)) == [0.3506, 0.5086]
    assert list(s["t"].round(3)) == [4.756, 2.182]
    assert _r_p(s.loc["(Intercept)", "p"]) == 2.84e-05
    assert round(s.loc["SectorPublic", "p"], 4) == 0.0353
    assert (s["df"] == 38).all() and two.df_resid == 38


def test_two_stage_intercept_response_has_same_centre_as_fixed_effects(two, fe_sep):
    # the document prints only the slope response; the intercept response's estimates are the
    # equally weighted sector means of the school intercepts (page 58: same centre as 2a)
    i = two.responses["intercept"]
    assert i.loc["SectorPublic", "estimate"] == pytest.approx(-2.027255, abs=5e-7)
    for level, est in two.group_estimates().items():
        assert est.centre == pytest.approx(fe_sep.group_estimates()[level].centre, rel=1e-10)
    # ... but the two-stage ellipses are larger (page 58)
    for level, est in two.group_estimates().items():
        assert np.all(est.se > fe_sep.group_estimates()[level].se)


def test_two_stage_manova_agrees_with_hotelling(two):
    from multilevel.classical.wald import wald

    m = two.manova
    assert list(m.index) == ["Wilks", "Pillai", "Hotelling-Lawley", "Roy"]
    # one-df hypothesis: all four statistics give the same exact F on (2, n - 3)
    assert np.allclose(m["F"], m["F"].iloc[0]) and (m["num_df"] == 2).all()
    assert (m["den_df"] == 37).all()
    L = two.group_L["Public"] - two.group_L["Catholic"]
    w = wald(two, L)
    nu = two.df_resid
    assert m.loc["Pillai", "F"] == pytest.approx(w.F * (nu - 1) / nu, rel=1e-10)
    t2 = w.F * 2
    assert m.loc["Hotelling-Lawley", "value"] == pytest.approx(t2 / nu, rel=1e-10)
    assert m.loc["Wilks", "value"] == pytest.approx(1 / (1 + t2 / nu), rel=1e-10)


def test_two_stage_reports_and_drops_clusters_without_slope(hs_raw):
    d = hs_raw[~((hs_raw["school"] == 1317) & (hs_raw.index % 48 > 0))].copy()
    one = hs_raw[hs_raw["school"] == 2208].iloc[:1]
    d = pd.concat([d[d["school"] != 2208], one, one], ignore_index=True)
    with pytest.warns(UserWarning, match="dropped"):
        res = C.two_stage(d, **ROLES)
    assert sorted(res.dropped_clusters) == [1317, 2208]
    assert len(res.cluster_coefs) == 38
    assert res.df_resid == 36
    assert "dropped: " in res.description and "1317" in res.description
    with pytest.warns(UserWarning, match="dropped"):
        fe = C.fixed_effects_separate(d, **ROLES)
    assert fe.df_resid == len(d) - 3 - 2 * 38


# ------------------------------------------------------------------ page 44: method 4


def test_between_cluster_page_44(eco):
    t = eco.table
    assert list(t.index) == ["(Intercept)", "ses"]
    assert list(t["estimate"].round(4)) == [12.7926, 5.7734]
    assert list(t["se"].round(4)) == [0.2898, 0.6984]
    assert list(t["t"].round(3)) == [44.150, 8.267]
    assert t.loc["(Intercept)", "p"] < 2e-16
    assert _r_p(t.loc["ses", "p"]) == 5.1e-10
    assert eco.nobs == 40


def test_between_cluster_by_group_uses_cluster_means(hs_raw):
    res = C.between_cluster(hs_raw, **ROLES)
    means = hs_raw.groupby("school")[["mathach", "ses"]].mean()
    sector = hs_raw.groupby("school")["Sector"].first()
    for level, est in res.group_estimates().items():
        m = means[sector == level]
        slope, intercept = np.polyfit(m["ses"], m["mathach"], 1)
        assert est.centre == pytest.approx([intercept, slope], rel=1e-10)


def test_between_cluster_rejects_varying_group(hs_raw):
    d = hs_raw.copy()
    d.loc[0, "Sector"] = "Public" if d.loc[0, "Sector"] == "Catholic" else "Catholic"
    with pytest.raises(DataError, match="varies") as err:
        C.between_cluster(d, **ROLES)
    assert err.value.column == "Sector" and err.value.rows == [d.loc[0, "school"]]


def test_results_are_json_serialisable(pooled, fe_sep, two, eco):
    for res in (pooled, fe_sep, two, eco):
        d = res.to_dict()
        text = json.dumps(d)
        assert res.description in json.loads(text)["description"]
        assert set(d["group_estimates"]) >= ({"all"} if res is eco else {"Catholic", "Public"})


def test_missing_column_is_named(hs_raw):
    with pytest.raises(DataError, match="nosuch"):
        C.pooled_ols(hs_raw, "mathach", "nosuch")
    with pytest.raises(DataError, match="Sector"):
        C.pooled_ols(hs_raw, "mathach", "ses", "Sector", reference="Private")
