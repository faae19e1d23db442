"""multilevel.classical.least_squares, which fits methods 1 and 4, gives statsmodels' OLS
numbers (the same pseudo-inverse solution and summary formulas) on hs and on random designs."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.regression.linear_model import OLS

from multilevel.classical.least_squares import least_squares

FIELDS = ["params", "bse", "resid", "scale", "df_resid", "nobs"]
WITH_CONSTANT = ["rsquared", "rsquared_adj", "fvalue", "f_pvalue", "df_model"]


def designs(hs_raw):
    x = hs_raw["ses"].to_numpy(float)
    g = (hs_raw["Sector"].astype(str) == "Catholic").to_numpy(float)
    y = hs_raw["mathach"].to_numpy(float)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(25, 3))
    yield "hs ses * Sector", np.c_[np.ones_like(x), x, g, x * g], y
    yield "hs ses", np.c_[np.ones_like(x), x], y
    yield "random, with constant", np.c_[np.ones(25), X], rng.normal(size=25)
    yield "random, no constant", X, rng.normal(size=25)


def test_least_squares_equals_statsmodels_ols(hs_raw):
    for label, X, y in designs(hs_raw):
        ours, theirs = least_squares(y, X), OLS(y, X).fit()
        fields = FIELDS + (WITH_CONSTANT if ours.has_constant else [])
        for name in fields:
            np.testing.assert_allclose(
                np.asarray(getattr(ours, name), float),
                np.asarray(getattr(theirs, name), float),
                rtol=1e-12,
                err_msg=f"{label}: {name}",
            )
        np.testing.assert_allclose(ours.cov_params(), theirs.cov_params(), rtol=1e-12)
        assert ours.has_constant == (label != "random, no constant")


def test_no_residual_degrees_of_freedom_gives_nan_not_an_error():
    X = np.c_[np.ones(3), [0.0, 1.0, 2.0], [1.0, 0.0, 4.0]]
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = least_squares(np.array([1.0, 2.0, 0.5]), X)
        assert fit.df_resid == 0 and not np.isfinite(fit.scale)
    assert fit.params == pytest.approx(np.linalg.solve(X, [1.0, 2.0, 0.5]))
