"""Wald test helper: pattern form, L-matrix form, rank-deficient L, per-coefficient DF.

Published numbers: pages 41-42 of the document."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from multilevel.classical import fixed_effects_common_slope, fixed_effects_separate
from multilevel.classical.wald import format_p, hypothesis_matrix, wald


@pytest.fixture(scope="module")
def fe_sep(hs_raw):
    return fixed_effects_separate(hs_raw, "school", "mathach", "ses", "Sector")


@pytest.fixture(scope="module")
def fe_common(hs_raw):
    return fixed_effects_common_slope(hs_raw, "school", "mathach", "ses", "Sector")


def _duck(fit, df=None):
    """A fit that only has params, cov_params() and a DF (no t_test/f_test)."""
    ns = SimpleNamespace(params=fit.params, cov_params=fit.cov_params, df_resid=fit.df_resid)
    if df is not None:
        ns.df = df
    return ns


def test_pattern_form_page_42(fe_common):
    res = wald(fe_common.fit, "ses:Sector")
    assert list(res.table.index) == ["ses:SectorPublic"]
    row = res.table.loc["ses:SectorPublic"]
    assert round(row["estimate"], 6) == 1.204719
    assert round(row["se"], 6) == 0.436134
    assert row["df"] == 1935
    assert round(row["t"], 6) == 2.762267
    assert round(row["p"], 5) == 0.00579
    assert res.num_df == 1 and res.den_df == 1935
    assert res.F == pytest.approx(row["t"] ** 2, rel=1e-12)
    assert res.dropped == []


def test_pattern_selects_every_match(fe_sep):
    res = wald(fe_sep.fit, r":ses$")
    assert res.num_df == 40
    assert len(res.table) == 40
    with pytest.raises(ValueError, match="matches no coefficient"):
        wald(fe_sep.fit, "no-such-coefficient")


def test_L_matrix_form_page_41(fe_sep, hs_raw):
    # the document's construction: equal-weight sector averages of school intercepts and slopes,
    # then the differences Public - Catholic, built here from the fitted coefficient names
    names = fe_sep.params.index
    sector = hs_raw.groupby("school")["Sector"].first()
    L = pd.DataFrame(0.0, index=["Int", "Slope"], columns=names)
    for school, sec in sector.items():
        w = (1 if sec == "Public" else -1) / (sector == sec).sum()
        L.loc["Int", f"school[{school}]"] = w
        L.loc["Slope", f"school[{school}]:ses"] = w
    res = wald(fe_sep.fit, L)
    assert res.num_df == 2 and res.den_df == 1897
    assert round(res.F, 5) == 21.03533
    assert res.p_value < 1e-5
    assert format_p(res.p_value) == "<.00001"
    t = res.table
    assert round(t.loc["Int", "estimate"], 6) == -2.027255
    assert round(t.loc["Int", "se"], 6) == 0.351992
    assert round(t.loc["Int", "t"], 6) == -5.759378
    assert t.loc["Int", "p"] < 1e-5
    assert round(t.loc["Slope", "estimate"], 6) == 1.109995
    assert round(t.loc["Slope", "se"], 6) == 0.454114
    assert round(t.loc["Slope", "t"], 6) == 2.444309
    assert round(t.loc["Slope", "p"], 4) == 0.0146
    assert (t["df"] == 1897).all()
    # the 95% interval is estimate -/+ t quantile * SE
    q = stats.t.ppf(0.975, 1897)
    assert t.loc["Slope", "lower"] == pytest.approx(1.109995 - q * 0.454114, abs=2e-6)
    text = str(res)
    assert "21.03533" in text and "1897" in text and "<.00001" in text


def test_rank_deficient_L_drops_dependent_rows(fe_common):
    fit = fe_common.fit
    names = fit.params.index
    L = pd.DataFrame(0.0, index=["a", "b", "a+b", "2a"], columns=names)
    L.loc["a", "ses"] = 1.0
    L.loc["b", "ses:SectorPublic"] = 1.0
    L.loc["a+b", ["ses", "ses:SectorPublic"]] = 1.0
    L.loc["2a", "ses"] = 2.0
    res = wald(fit, L)
    full = wald(fit, L.loc[["a", "b"]])
    assert res.num_df == 2
    assert res.dropped == ["a+b", "2a"]
    assert "rank 2" in res.note and "a+b" in res.note
    assert res.F == pytest.approx(full.F, rel=1e-10)
    assert res.p_value == pytest.approx(full.p_value, rel=1e-10)
    # every row keeps its own t test
    assert len(res.table) == 4
    assert res.table.loc["2a", "estimate"] == pytest.approx(2 * res.table.loc["a", "estimate"])
    assert res.table.loc["a+b", "estimate"] == pytest.approx(
        fit.params["ses"] + fit.params["ses:SectorPublic"]
    )
    assert "left out" in str(res)


def test_manual_path_equals_statsmodels_path(fe_common):
    fit = fe_common.fit
    L = hypothesis_matrix("ses", fit.params.index)
    via_sm = wald(fit, L)
    manual = wald(_duck(fit), L)
    pd.testing.assert_frame_equal(via_sm.table, manual.table, rtol=1e-9)
    assert manual.F == pytest.approx(via_sm.F, rel=1e-9)
    assert manual.num_df == via_sm.num_df == 2
    assert manual.den_df == via_sm.den_df


def test_per_coefficient_df_is_used():
    rng = np.random.default_rng(1)
    X = sm.add_constant(rng.normal(size=(30, 2)))
    y = X @ np.array([1.0, 0.5, -0.3]) + rng.normal(size=30)
    fit = sm.OLS(y, X).fit()
    params = pd.Series(fit.params, index=["const", "x1", "x2"])
    cov = pd.DataFrame(fit.cov_params(), index=params.index, columns=params.index)
    df = pd.Series([27.0, 10.0, 5.0], index=params.index)
    mixed_like = SimpleNamespace(params=params, cov_params=lambda: cov, df=df)
    res = wald(mixed_like, np.array([[0, 1, 0], [0, 1, 1]]))
    # each row's DF is the smallest DF of the coefficients it involves; the joint test too
    assert list(res.table["df"]) == [10.0, 5.0]
    assert res.den_df == 5.0
    t1 = params["x1"] / np.sqrt(cov.loc["x1", "x1"])
    assert res.table.loc["L1", "p"] == pytest.approx(2 * stats.t.sf(abs(t1), 10))
    assert res.p_value == pytest.approx(stats.f.sf(res.F, 2, 5))


def test_bad_L_shapes():
    fit = SimpleNamespace(
        params=pd.Series([1.0, 2.0], index=["a", "b"]),
        cov_params=lambda: pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"]),
        df_resid=10,
    )
    with pytest.raises(ValueError, match="columns"):
        wald(fit, np.ones((1, 3)))
    with pytest.raises(ValueError, match="not coefficients"):
        wald(fit, pd.DataFrame({"c": [1.0]}))
    with pytest.raises(ValueError, match="all zeros"):
        wald(fit, np.zeros((1, 2)))
    res = wald(fit, pd.Series({"b": 1.0}))
    assert res.table["estimate"].iloc[0] == 2.0
    assert res.F == pytest.approx(4.0)
