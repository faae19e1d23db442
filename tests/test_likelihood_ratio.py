"""Likelihood-ratio tests refuse pairs of fits whose likelihoods are not comparable."""

import pytest
from scipy import stats

from multilevel.hierarchical.likelihood_ratio import boundary_pvalue, likelihood_ratio_test


def fit(llf, n_params, fixed=("(Intercept)",), random=("(Intercept)",), method="ML", **kw):
    rec = {
        "status": "ok",
        "llf": llf,
        "n_params": n_params,
        "n_obs": 100,
        "n_groups": 10,
        "fixed_names": list(fixed),
        "random_names": list(random),
        "method": method,
    }
    return {**rec, **kw}


def test_nested_fixed_parts_by_ml():
    small = fit(-120.0, 3)
    large = fit(-117.0, 4, fixed=("(Intercept)", "x"))
    t = likelihood_ratio_test(("A", small), ("B", large), "x matters", "fixed", "ML")
    assert t.computed and t.df == 1 and t.LR == pytest.approx(6.0)
    assert t.p == pytest.approx(stats.chi2.sf(6.0, 1)) and t.p_boundary is None


def test_random_parts_get_the_boundary_mixture():
    small = fit(-120.0, 3, method="REML")
    large = fit(-117.0, 5, random=("(Intercept)", "x"), method="REML")
    t = likelihood_ratio_test(("A", small), ("B", large), "slopes vary", "random", "REML")
    assert t.df == 2 and t.p_boundary == pytest.approx(boundary_pvalue(6.0, 2))
    assert t.p_boundary < t.p


@pytest.mark.parametrize(
    "small, large, kind, method, reason",
    [
        (
            fit(-120, 3, method="REML"),
            fit(-117, 4, fixed=("(Intercept)", "x"), method="REML"),
            "fixed",
            "REML",
            "REML likelihoods of models with different fixed parts are not comparable",
        ),
        (fit(-120, 3), fit(-117, 4, n_obs=98), "fixed", "ML", "different data (100 rows"),
        (fit(-120, 3), fit(-117, 4, n_groups=9), "fixed", "ML", "different data"),
        (fit(-120, 3), fit(-117, 3, fixed=("x",)), "fixed", "ML", "not nested"),
        (
            fit(-120, 3),
            fit(-117, 6, fixed=("(Intercept)", "x"), random=("(Intercept)", "x")),
            "fixed",
            "ML",
            "the random parts differ too",
        ),
        (
            fit(-120, 3, method="REML"),
            fit(-117, 4, method="ML"),
            "random",
            "REML",
            "one fit is REML, the other ML",
        ),
        (fit(-120, 3), fit(-117, 4, status="failed"), "fixed", "ML", "the ML fit of B failed"),
        (fit(-120, 3), fit(-117, 4, status="not converged"), "fixed", "ML", "did not converge"),
        (fit(-120, 3), {"status": "skipped"}, "fixed", "ML", "B was not fitted (skipped)"),
        (fit(-120, 3), None, "fixed", "ML", "B has no ML fit"),
    ],
)
def test_incomparable_fits_are_refused_with_the_reason(small, large, kind, method, reason):
    t = likelihood_ratio_test(("A", small), ("B", large), "question", kind, method)
    assert not t.computed and reason in t.refused
    assert t.LR is None and t.p is None and t.df is None


def test_a_singular_fit_is_usable():
    small = fit(-120.0, 3, method="REML")
    large = fit(-120.0, 5, random=("(Intercept)", "x"), method="REML", status="singular")
    t = likelihood_ratio_test(("A", small), ("B", large), "q", "random", "REML")
    assert t.computed and t.p_boundary == 1.0
