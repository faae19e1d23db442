"""Profile-likelihood intervals of the variance components (multilevel/mixed/profile_ci.py).

lme4's ``confint(fit, method = "profile")`` refits a REML fit by ML and profiles the ML
deviance, so the comparison is with our ML fit.  lme4 interpolates a spline through profile
points, which limits its ends to about 1e-5 relative (sleepstudy: 2e-6 to 2e-5 from our exact
roots), hence 1e-4 below.  Only sleepstudy is compared: R's hs ML fit is singular and its
orthodont profile is not monotone (tests/fixtures/r/README.md)."""

import math

import numpy as np
import pytest
from scipy import optimize

from multilevel.distributions import norm_ppf
from multilevel.mixed import MixedModelError, lmm
from tests.test_ddf import fixtures, model_args

R_NAMES = {
    "sd((Intercept))": "sd_(Intercept)|Subject",
    "sd(Days)": "sd_Days|Subject",
    "cor((Intercept),Days)": "cor_Days.(Intercept)|Subject",
    "sigma": "sigma",
}


def test_sleepstudy_matches_lme4_profile():
    rec = fixtures()["fits"]["sleepstudy"]["random_slopes"]
    fit = lmm(**model_args("sleepstudy", rec), method="ML")
    ours = fit.profile_intervals()
    ref = rec["profile"]
    pos = {name: k for k, name in enumerate(ref["names"])}
    for name, r_name in R_NAMES.items():
        k = pos[r_name]
        assert ours.loc[name, "lower"] == pytest.approx(ref["lower"][k], rel=1e-4), name
        assert ours.loc[name, "upper"] == pytest.approx(ref["upper"][k], rel=1e-4), name
    assert not ours[["lower_bound", "upper_bound"]].to_numpy().any()


def _max_loglik_with(fit, i: int, x: float) -> float:
    """The profile at phi_i = x by an independent optimiser (Nelder-Mead, two starts)."""
    phi = fit._natural()
    rest = np.delete(phi, i)
    best = -math.inf
    for start in (rest, rest + 0.3):
        res = optimize.minimize(
            lambda r: -fit._natural_loglik(np.insert(r, i, x)),
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 20000},
        )
        best = max(best, -res.fun)
    return best


def test_reml_ends_are_roots_of_the_profile():
    """hs central model by REML: at each finite end the deviance has risen by z^2 (checked by
    another optimiser); at sd(ses) = 0, a boundary end, it has risen by less."""
    fit = lmm(
        **{**model_args("hs", fixtures()["fits"]["hs"]["intercepts_slopes_outcomes"])},
        method="REML",
    )
    ci = fit.profile_intervals()
    z2 = norm_ppf(0.975) ** 2
    l_max = fit._natural_loglik(fit._natural())
    for name in ("sd((Intercept))", "sigma"):
        i = list(ci.index).index(name)
        for end in ("lower", "upper"):
            rise = 2 * (l_max - _max_loglik_with(fit, i, math.log(ci.loc[name, end])))
            assert rise == pytest.approx(z2, abs=1e-5), (name, end)
    assert ci.loc["sd(ses)", "lower_bound"] and ci.loc["sd(ses)", "lower"] == 0
    i = list(ci.index).index("sd(ses)")
    assert 2 * (l_max - _max_loglik_with(fit, i, math.log(1e-6))) < z2


def test_singular_fit_is_refused():
    rec = fixtures()["fits"]["hs"]["intercepts_slopes_outcomes"]
    fit = lmm(**model_args("hs", rec), method="ML")
    assert fit.singular
    with pytest.raises(MixedModelError, match="singular"):
        fit.profile_intervals()
