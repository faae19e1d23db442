"""multilevel.distributions gives scipy.stats' numbers, to the bit."""

import numpy as np
import pytest
from scipy import stats

from multilevel import distributions as d

X = np.array([-3.1, -0.4, 0.0, 0.7, 1.96, 2.5, 12.0])
Q = np.array([0.01, 0.025, 0.5, 0.683, 0.95, 0.975, 0.999])
DF = [1, 2, 3.5, 7, 37, 1935, 1e6]


@pytest.mark.parametrize("df", DF)
def test_same_bits_as_scipy_stats(df):
    assert np.array_equal(d.t_sf(X, df), stats.t.sf(X, df))
    assert np.array_equal(d.t_ppf(Q, df), stats.t.ppf(Q, df))
    assert np.array_equal(d.chi2_sf(np.abs(X), df), stats.chi2.sf(np.abs(X), df))
    assert np.array_equal(d.chi2_ppf(Q, df), stats.chi2.ppf(Q, df))
    for dfd in (5, 38, 1937):
        assert np.array_equal(d.f_sf(np.abs(X), df, dfd), stats.f.sf(np.abs(X), df, dfd))
        assert np.array_equal(d.f_ppf(Q, df, dfd), stats.f.ppf(Q, df, dfd))
    assert np.array_equal(d.norm_ppf(Q), stats.norm.ppf(Q))
