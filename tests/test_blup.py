"""BLUE and BLUP (pages 134, 153-171): shrinkage of the one-way BLUPs, the OLS estimate as the
cluster mean, the document's printed BLUPs, and the BLUP of a line as the inverse-variance
combination of the population line and the cluster's BLUE (page 170)."""

import numpy as np
import pandas as pd
import pytest

from multilevel.hierarchical.blup import (
    blue_blup_lines,
    display_labels,
    line_coefficients,
    oneway_cluster_table,
    posterior_line,
    shrink_factor,
    shrunk,
)
from multilevel.mixed import lmm


@pytest.fixture(scope="module")
def oneway(hs_raw):
    fit = lmm("mathach ~ 1", random="~ 1", group="school", data=hs_raw)
    return fit, oneway_cluster_table(hs_raw, fit, "school", "mathach", "ses")


def test_each_blup_is_the_blue_shrunk_towards_the_gls_mean(oneway):
    fit, table = oneway
    gamma, g00, s2 = float(fit.params.iloc[0]), float(fit.G.iloc[0, 0]), fit.sigma**2
    expected = shrunk(table["ols"], table["n"], gamma, s2, g00)
    np.testing.assert_allclose(table["blup"], expected, rtol=1e-10)
    w = shrink_factor(table["n"], s2, g00)
    assert np.all((w > 0) & (w < 1))
    # larger clusters are shrunk less
    order = np.argsort(table["n"].to_numpy())
    assert np.all(np.diff(np.asarray(w)[order]) >= 0)


def test_the_ols_estimate_is_the_cluster_mean(hs_raw, oneway):
    _, table = oneway
    for school, rows in hs_raw.groupby("school"):
        X = np.ones((len(rows), 1))
        beta, *_ = np.linalg.lstsq(X, rows["mathach"].to_numpy(), rcond=None)
        assert table.loc[school, "ols"] == pytest.approx(beta[0], rel=1e-12)
        assert table.loc[school, "n"] == len(rows)


def test_printed_blups(oneway):
    # pages 153 and 159: P5762C is school 5762, P8854C 8854, C1906C 1906
    _, table = oneway
    assert round(table.loc[5762, "ranef"], 8) == -7.30651445
    assert round(table.loc[5762, "blup"], 6) == 5.298161
    assert round(table.loc[8854, "blup"], 6) == 5.356214
    assert round(table.loc[1906, "predictor_mean"], 8) == 0.51162264
    assert round(table.loc[1906, "blup"], 6) == 15.695718


def test_display_labels_follow_the_informative_label_order():
    data = pd.DataFrame(
        {"c": [3, 3, 1, 2], "lab": pd.Categorical(["Z3", "Z3", "B1", "A2"], ["Z3", "A2", "B1"])}
    )
    labels = display_labels(data, "c", "lab")
    assert list(labels.index) == [3, 2, 1]
    assert list(labels) == ["Z3", "A2", "B1"]
    assert list(display_labels(data, "c")) == ["1", "2", "3"]


def test_line_coefficients_decode_the_group_coding():
    coef = pd.Series({"(Intercept)": 10.0, "x": 2.0, "gB": -3.0, "x:gB": 0.5})
    assert line_coefficients(coef, "A", "g", ["A", "B"]) == (10.0, 2.0)
    assert line_coefficients(coef, "B", "g", ["A", "B"]) == (7.0, 2.5)
    with pytest.raises(ValueError, match="cluster-mean"):
        line_coefficients(pd.Series({"cvar(x)": 1.0}), None, None)


def test_blup_lines_are_the_inverse_variance_combination(hs_raw):
    """Page 170, exactly: with random intercept and slope in x, the BLUP of a cluster's line
    combines its group's mean line (precision G^-1) and its OLS line (precision X'X/sigma^2)."""
    fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs_raw)
    lines = blue_blup_lines(hs_raw, fit, "school", "mathach", "ses", "Sector")
    G, s2 = fit.G.to_numpy(), fit.sigma**2
    for school in lines.index[::7]:
        rows = hs_raw[hs_raw["school"] == school]
        X = np.column_stack([np.ones(len(rows)), rows["ses"].to_numpy()])
        row = lines.loc[school]
        gamma = np.array(
            line_coefficients(fit.params, row["group"], "Sector", ["Catholic", "Public"])
        )
        blue = np.array([row["blue_intercept"], row["blue_slope"]])
        got = posterior_line(blue, X.T @ X, gamma, G, s2)
        np.testing.assert_allclose(got, [row["blup_intercept"], row["blup_slope"]], rtol=1e-7)
    # the BLUP slopes vary less than the BLUE slopes (page 168)
    assert lines["blup_slope"].std() < 0.5 * lines["blue_slope"].std()


def test_blup_lines_of_all_clusters_at_once_are_each_clusters_line(hs_raw):
    """blue_blup_lines decodes every cluster's coefficients by group in one pass: the same
    numbers, to the last bit, as line_coefficients on each cluster's coefficients."""
    fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs_raw)
    lines = blue_blup_lines(hs_raw, fit, "school", "mathach", "ses", "Sector")
    coef = fit.coef()
    coef.index = coef.index.astype(lines.index.dtype)
    levels = list(dict.fromkeys(lines["group"]))
    for school, row in lines.iterrows():
        one = line_coefficients(coef.loc[school], row["group"], "Sector", levels)
        assert one == (row["blup_intercept"], row["blup_slope"])


def test_blup_lines_without_a_group_are_the_fitted_cluster_lines(hs_raw):
    fit = lmm("mathach ~ ses", random="~ 1 + ses", group="school", data=hs_raw)
    lines = blue_blup_lines(hs_raw, fit, "school", "mathach", "ses", None)
    coef = fit.coef()
    coef.index = coef.index.astype(lines.index.dtype)
    assert lines["group"].isna().all() and not lines["blup_slope"].isna().any()
    np.testing.assert_allclose(lines["blup_intercept"], coef["(Intercept)"].loc[lines.index])
    np.testing.assert_allclose(lines["blup_slope"], coef["ses"].loc[lines.index])
