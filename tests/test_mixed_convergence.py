"""The mixed-model engine's convergence check and optimiser (multilevel/mixed/optimise.py).

Converged means: no negative curvature and a Newton decrement 0.5 g'H^-1 g (the decrease
of the deviance a Newton step predicts) at most DECREMENT_TOL.  These tests check that good
fits pass, that truncated or off-optimum fits fail, and that singular fits and the saddle
at a zero diagonal entry of Lambda are handled.  lme4's optima come from the fixtures
(tests/fixtures/r/, with their provenance).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from multilevel.mixed import lmm
from multilevel.mixed.design import build_design
from multilevel.mixed.optimise import DECREMENT_TOL, canonical_signs, moment_start, optimise
from multilevel.mixed.profile import ProfiledDeviance
from multilevel.mixed.sufficient import compute_sufficient

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "mixed_models.json"


def _sleep() -> pd.DataFrame:
    return pd.read_csv(RAW / "sleepstudy.csv")


def _lme4(ds: str, key: str, method: str = "REML") -> dict:
    return json.loads(FIXTURE.read_text())["fits"][ds][key][method]


def _profile(data, formula, random, group, reml=True) -> ProfiledDeviance:
    design = build_design(data, formula, random, group)
    return ProfiledDeviance(compute_sufficient(design), reml)


def _sleep_fit(**kw):
    return lmm("Reaction ~ Days", random="~ 1 + Days", group="Subject", data=_sleep(), **kw)


def test_good_fits_are_converged_by_newton_alone(hs_raw):
    for res in (
        _sleep_fit(),
        lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs_raw),
        lmm("mathach ~ ses", random="~ 1", group="school", data=hs_raw, method="ML"),
    ):
        assert res.converged
        assert 0 <= res.newton_decrement <= DECREMENT_TOL
        assert res.optimizers == ["Newton"]  # no derivative-free fallback on regular problems
        assert res.convergence.startswith("converged (Newton decrement")


def test_summary_states_the_criterion_and_its_value():
    res = _sleep_fit()
    line = next(ln for ln in res.summary().splitlines() if ln.startswith("Convergence:"))
    assert f"{res.newton_decrement:.1e}" in line and f"{DECREMENT_TOL:.0e}" in line
    assert "NOT" not in line


def test_optimum_matches_lme4_sleepstudy():
    rec = _lme4("sleepstudy", "random_slopes")
    res = _sleep_fit()
    theta_lme4 = np.array(list(rec["lme4"]["theta"].values()))
    np.testing.assert_allclose(res.theta, theta_lme4, rtol=1e-4, atol=1e-6)
    assert res.llf >= rec["lme4"]["logLik"] - 1e-9 * abs(rec["lme4"]["logLik"])


def test_theta_off_the_optimum_is_not_converged():
    res = _sleep_fit()
    off = lmm(
        "Reaction ~ Days",
        random="~ 1 + Days",
        group="Subject",
        data=_sleep(),
        theta=res.theta * np.array([1.05, 1.0, 1.0]),
    )
    assert not off.converged and off.newton_decrement > DECREMENT_TOL
    assert off.llf < res.llf
    assert "Convergence: NOT converged" in off.summary()
    # ... while our own optimum, given back as theta, passes the same check
    again = lmm(
        "Reaction ~ Days", random="~ 1 + Days", group="Subject", data=_sleep(), theta=res.theta
    )
    assert again.converged and again.llf == pytest.approx(res.llf, abs=1e-9)


def test_truncated_optimisation_is_not_converged():
    prof = _profile(_sleep(), "Reaction ~ Days", "~ 1 + Days", "Subject")
    start = np.array([1.0, 0.0, 1.0])
    short = optimise(prof, theta0=start, max_iter=1)
    assert not short.converged and short.decrement > DECREMENT_TOL
    full = optimise(prof, theta0=start)
    assert full.converged and full.deviance < short.deviance


def test_saddle_at_a_zero_diagonal_entry_is_not_a_minimum_and_is_left():
    """The deviance is even in the last diagonal entry of Lambda, so its gradient there is 0
    at 0: with the slope's own variance set to 0 the point is a saddle (sleepstudy has a
    clear slope variance), the check must say so, and Newton started there must leave it."""
    res = _sleep_fit()
    saddle = res.theta.copy()
    saddle[2] = 0.0
    at = _sleep_fit(theta=saddle)
    assert not at.converged and "negative curvature" in at.convergence
    prof = _profile(_sleep(), "Reaction ~ Days", "~ 1 + Days", "Subject")
    opt = optimise(prof, theta0=saddle)
    assert opt.converged and opt.theta[2] > 0.1
    np.testing.assert_allclose(opt.theta, res.theta, rtol=1e-6)


def test_singular_fits_are_converged_with_an_exact_zero():
    rec = _lme4("dyestuff2", "oneway")
    dye = pd.read_csv(RAW / "Dyestuff2.csv")
    res = lmm("Yield ~ 1", random="~ 1", group="Batch", data=dye)
    assert res.converged and res.singular and res.theta[0] == 0.0
    assert res.llf == pytest.approx(rec["lme4"]["logLik"], rel=1e-9)
    # hsb: the ses slope is perfectly correlated with the intercept (lme4: theta_3 = 5e-4)
    st = pd.read_csv(RAW / "MathAchieve.csv").drop(columns="MEANSES")
    sc = pd.read_csv(RAW / "MathAchSchool.csv").drop(columns="MEANSES")
    hsb = st.merge(sc, on="School").rename(columns={"MathAch": "mathach", "SES": "ses"})
    hsb["Sector"] = pd.Categorical(hsb["Sector"], categories=["Catholic", "Public"])
    fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="School", data=hsb)
    assert fit.converged and fit.singular and fit.theta[2] == 0.0
    assert fit.corr_re.iloc[0, 1] == pytest.approx(1.0)
    lme4 = _lme4("hsb", "intercepts_slopes_outcomes")["lme4"]["logLik"]
    assert fit.llf >= lme4 - 1e-9 * abs(lme4)


def test_column_sign_flip_leaves_the_deviance_unchanged():
    prof = _profile(_sleep(), "Reaction ~ Days", "~ 1 + Days", "Subject")
    theta = np.array([-0.8, 0.3, 0.2])  # first column of Lambda with a negative diagonal
    signs = canonical_signs(theta, 2)
    assert list(signs) == [-1.0, -1.0, 1.0]
    d0, g0 = prof.value_and_grad(theta)
    d1, g1 = prof.value_and_grad(theta * signs)
    assert d1 == pytest.approx(d0, rel=1e-13)
    np.testing.assert_allclose(g1, g0 * signs, rtol=1e-8, atol=1e-10)


def test_moment_start_is_near_the_optimum_on_much_data():
    rng = np.random.default_rng(7)
    J, per = 2000, 20
    g = np.repeat(np.arange(J), per)
    x = rng.normal(size=g.size)
    b = rng.normal(size=(J, 2)) * [2.0, 0.5]
    y = 1.0 + 0.5 * x + b[g, 0] + b[g, 1] * x + rng.normal(size=g.size)
    prof = _profile(pd.DataFrame({"y": y, "x": x, "g": g}), "y ~ x", "~ 1 + x", "g")
    start = moment_start(prof)
    opt = optimise(prof)
    assert opt.converged
    # the start is a few percent from the optimum (Lambda = I would be far: theta* ~ (2, 0, 0.5))
    np.testing.assert_allclose(start, opt.theta, rtol=0.1, atol=0.05)
    assert prof(start) - opt.deviance < 0.01 * (prof(np.array([1.0, 0.0, 1.0])) - opt.deviance)


def test_gradient_and_hessian_checks_agree_across_block_sizes(monkeypatch, hs_raw):
    """The pass over the clusters is split into blocks; the block size changes nothing."""
    import multilevel.mixed.profile as profile_module

    design = build_design(hs_raw, "mathach ~ ses * Sector", "~ 1 + ses", "school")
    suff = compute_sufficient(design)
    theta = np.array([0.4, -0.05, 0.2])
    whole = ProfiledDeviance(suff, True).value_and_grad(theta)
    monkeypatch.setattr(profile_module, "CHUNK", 7)
    pieces = ProfiledDeviance(suff, True)
    assert len(pieces.blocks) > 1
    split = pieces.value_and_grad(theta)
    assert split[0] == pytest.approx(whole[0], rel=1e-13)
    np.testing.assert_allclose(split[1], whole[1], rtol=1e-10)


def test_a_zero_first_diagonal_entry_is_no_boundary_optimum():
    """Monte Carlo replicate 9 (master seed 123) of the default study design: the previous
    optimiser (bounded L-BFGS-B) stopped at theta = (0, -0.2158, 0) and called it a
    converged singular fit.  There the first column of Lambda has a zero diagonal entry but a
    non-zero entry below it; flipping that column's sign gives the same covariance, so the
    point is not a boundary and its gradient must vanish for a minimum: it does not.  The
    optimum is interior, 15 log-likelihood units higher."""
    from multilevel.simulation.simulate import StudyDesign, simulate_study

    seed = np.random.SeedSequence(123).spawn(10)[9]
    data = simulate_study(StudyDesign(), np.random.default_rng(seed))
    args = {"random": "~ 1 + x", "group": "cluster", "data": data}
    fit = lmm("y ~ x * group + cvar(x)", **args)
    assert fit.converged and not fit.singular
    stuck = lmm("y ~ x * group + cvar(x)", **args, theta=[0.0, -0.215803096588925, 0.0])
    assert not stuck.converged
    assert fit.llf - stuck.llf > 15.0


def test_nelder_mead_is_the_last_resort_and_uses_values_only(monkeypatch):
    """With Newton disabled (every step 0), optimise falls back to Nelder-Mead, which calls
    the deviance without its gradient, and reaches the optimum."""
    import multilevel.mixed.optimise as opt_module

    prof = _profile(_sleep(), "Reaction ~ Days", "~ 1 + Days", "Subject")
    best = optimise(prof)
    monkeypatch.setattr(opt_module, "_descent_step", lambda g, H, theta: np.zeros_like(g))
    calls = {"value": 0, "gradient": 0}
    value, value_and_grad = ProfiledDeviance.__call__, ProfiledDeviance.value_and_grad

    def counted_value(self, theta):
        calls["value"] += 1
        return value(self, theta)

    def counted_value_and_grad(self, theta):
        calls["gradient"] += 1
        return value_and_grad(self, theta)

    monkeypatch.setattr(ProfiledDeviance, "__call__", counted_value)
    monkeypatch.setattr(ProfiledDeviance, "value_and_grad", counted_value_and_grad)
    res = optimise(prof, theta0=np.array([1.0, 0.0, 1.0]), max_iter=20)
    assert "Nelder-Mead" in res.optimizers
    assert calls["value"] > 50  # the simplex search, values only
    assert calls["gradient"] < calls["value"]  # gradients only for Newton's checks
    assert res.deviance == pytest.approx(best.deviance, abs=1e-4)
    assert res.converged and res.decrement <= DECREMENT_TOL


def test_a_correlation_at_minus_one_is_reached_whatever_the_row_order():
    """_sim(5, 6, 1343) of test_mixed_api: the optimum has a correlation of exactly -1 (the
    last diagonal entry of Lambda at 0) and a tiny intercept SD.  Newton alone crawled along
    the curved valley towards that face for its 100 iterations and stopped at a correlation
    of -0.989 to -0.998 depending on the order of the rows, 2e-7 to 5e-7 in log-likelihood
    short; the point projected onto the face is the optimum.  lme4 (fixture) stops at
    another boundary point, the intercept SD at 0, 2.8e-5 lower in log-likelihood."""
    from tests.test_mixed_api import _sim

    fixture = Path(__file__).resolve().parent / "fixtures" / "r" / "near_boundary"
    data = pd.read_csv(fixture.with_suffix(".csv"))
    pd.testing.assert_frame_equal(data, _sim(5, 6, 1343))
    lme4 = json.loads(fixture.with_suffix(".json").read_text())["fits"]
    fits = [
        lmm("y ~ x + w", random="~ 1 + x", group="g", data=data.iloc[order])
        for order in (np.arange(len(data)), np.random.default_rng(53).permutation(len(data)))
    ]
    for fit in fits:
        assert fit.converged and fit.singular and fit.theta[2] == 0.0
        assert fit.corr_re.iloc[0, 1] == pytest.approx(-1.0)
        assert fit.newton_decrement <= 1e-10
        for rec in lme4.values():
            assert fit.llf >= rec["logLik"] - 1e-9 * abs(rec["logLik"])
    assert fits[1].llf == pytest.approx(fits[0].llf, rel=1e-12)
    np.testing.assert_allclose(fits[1].theta, fits[0].theta, rtol=1e-6)
