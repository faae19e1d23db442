"""multilevel.mixed: formula parsing, invariances, bad input, statsmodels cross-check."""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from multilevel.errors import DataError
from multilevel.mixed import MixedModelError, lmm, parse_formula
from multilevel.mixed.design import build_design
from multilevel.mixed.inference import numerical_hessian
from multilevel.mixed.profile import ProfiledDeviance
from multilevel.mixed.sufficient import compute_sufficient


def _sim(n_groups=12, per=8, seed=0, slope_sd=0.5):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    x = rng.normal(size=g.size)
    b0 = rng.normal(scale=1.0, size=n_groups)
    b1 = rng.normal(scale=slope_sd, size=n_groups)
    y = 2.0 + 0.5 * x + b0[g] + b1[g] * x + rng.normal(size=g.size)
    w = rng.normal(size=n_groups)[g]  # a cluster-level covariate
    return pd.DataFrame({"y": y, "x": x, "w": w, "g": g})


# ------------------------------------------------------------------ formula / design
def test_formula_terms_in_r_order():
    f = parse_formula("y ~ ses * Sector", response=True)
    assert f.response == "y" and f.intercept
    assert [":".join(v.label for v in t) for t in f.terms] == ["ses", "Sector", "ses:Sector"]
    f = parse_formula("~ 0 + a + a:b - a", response=False)
    assert not f.intercept and [len(t) for t in f.terms] == [2]
    f = parse_formula("y ~ (a + b) * c - 1 + cvar(x) + dvar(x)", response=True)
    labels = [":".join(v.label for v in t) for t in f.terms]
    assert labels == ["a", "b", "c", "cvar(x)", "dvar(x)", "a:c", "b:c"]
    assert not f.intercept


def test_design_column_names_and_coding(hs_raw):
    d = build_design(hs_raw, "mathach ~ ses * Sector", "~ 1 + ses", "school")
    assert d.x_names == ["(Intercept)", "ses", "SectorPublic", "ses:SectorPublic"]
    assert d.z_names == ["(Intercept)", "ses"]
    pub = (hs_raw["Sector"] == "Public").to_numpy()
    np.testing.assert_array_equal(d.columns["SectorPublic"], pub.astype(float))
    np.testing.assert_array_equal(d.columns["ses:SectorPublic"], hs_raw["ses"] * pub)
    # without an intercept a factor gets one indicator per level, in category order
    d0 = build_design(hs_raw, "mathach ~ 0 + Sector", "~ 1", "school")
    assert d0.x_names == ["SectorCatholic", "SectorPublic"]
    # cvar/dvar: cluster mean and deviation
    d2 = build_design(hs_raw, "mathach ~ cvar(ses) + dvar(ses)", "~ dvar(ses)", "school")
    means = hs_raw.groupby("school")["ses"].transform("mean").to_numpy()
    np.testing.assert_allclose(d2.columns["cvar(ses)"], means, rtol=1e-12)
    np.testing.assert_allclose(d2.columns["dvar(ses)"], hs_raw["ses"] - means, atol=1e-12)
    assert d2.z_names == ["(Intercept)", "dvar(ses)"]


def test_string_factor_uses_sorted_levels():
    df = _sim()
    df["k"] = np.where(df["x"] > 0, "b", "a")
    res = lmm("y ~ k", random="~1", group="g", data=df)
    assert list(res.params.index) == ["(Intercept)", "kb"]


def test_cvar_dvar_equal_precomputed_columns(hs_raw):
    df = hs_raw.copy()
    df["ses.m"] = df.groupby("school")["ses"].transform("mean")
    df["ses.d"] = df["ses"] - df["ses.m"]
    a = lmm("mathach ~ cvar(ses) + dvar(ses)", random="~ 1 + dvar(ses)", group="school", data=df)
    b = lmm("mathach ~ ses.m + ses.d", random="~ 1 + ses.d", group="school", data=df)
    assert a.llf == pytest.approx(b.llf, rel=1e-12)
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-9)
    assert list(a.df) == list(b.df) == [1936, 38, 1936]  # as nlme (fixture contextual_cwg)


# ------------------------------------------------------------------ engine internals
def test_analytic_gradient_matches_finite_differences(hs_raw):
    d = build_design(hs_raw, "mathach ~ ses * Sector", "~ 1 + ses", "school")
    s = compute_sufficient(d)
    for reml in (True, False):
        prof = ProfiledDeviance(s, reml)
        th = np.array([0.4, -0.05, 0.2])
        _, g = prof.value_and_grad(th)
        h = 1e-6
        fd = [(prof(th + e) - prof(th - e)) / (2 * h) for e in np.eye(3) * h]
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5)


def test_variance_component_hessian_is_stable_in_the_step(hs_raw):
    res = lmm("mathach ~ ses", random="~ 1 + ses", group="school", data=hs_raw)
    phi = res._natural()
    a = numerical_hessian(res._natural_loglik, phi, 1e-3)
    b = numerical_hessian(res._natural_loglik, phi, 4e-3)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(a).max())


def test_results_api(hs_raw):
    res = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs_raw)
    assert res.method == "REML" and res.n_obs == 1977 and res.n_groups == 40
    assert res.converged and not res.singular and res.grad_norm < 1e-3
    assert res.n_dropped == 0
    np.testing.assert_allclose(res.tvalues, res.params / res.bse)
    assert res.cov_params().shape == (4, 4)
    G = res.G.to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(G)), res.sd_re)
    assert res.corr_re.loc["(Intercept)", "ses"] == pytest.approx(
        G[0, 1] / np.sqrt(G[0, 0] * G[1, 1])
    )
    # fitted/resid
    y = hs_raw["mathach"].to_numpy()
    np.testing.assert_allclose(res.fitted(1) + res.resid(1), y)
    np.testing.assert_allclose(res.fittedvalues, res.fitted(1))
    np.testing.assert_allclose(res.resid(1, "pearson"), (y - res.fitted(1)) / res.sigma)
    np.testing.assert_allclose(res.fitted(0) + res.resid(0), y)
    # coef = fixed + ranef for the random terms
    co, re = res.coef(), res.ranef()
    np.testing.assert_allclose(co["ses"], res.params["ses"] + re["ses"])
    np.testing.assert_allclose(co["SectorPublic"], res.params["SectorPublic"])
    cv = res.ranef_cov()
    assert cv.shape == (40, 2, 2) and np.all(np.linalg.eigvalsh(cv) > 0)
    assert np.all(cv[:, 0, 0] < G[0, 0])  # conditional variance below the marginal one
    # JSON
    d = res.to_dict()
    assert list(d) == sorted(d)
    assert json.loads(json.dumps(d))["llf"] == res.llf
    text = res.summary()
    for part in (
        "Linear mixed-effects model fit by REML",
        "12855.39",
        "-6419.695",
        "Fixed effects:  mathach ~ ses * Sector",
        "SectorPublic",
        "1935",
        "Standardized Within-Group Residuals",
        "Number of Groups: 40",
    ):
        assert part in text, part
    iv = res.intervals(0.9)
    assert set(iv) == {"fixed", "random", "sigma"}
    assert (iv["fixed"]["lower"] < iv["fixed"]["est."]).all()


def test_summary_oneway_matches_nlme_layout(hs_raw):
    text = lmm("mathach ~ 1", random="~1", group="school", data=hs_raw).summary()
    assert "       AIC      BIC    logLik\n  12985.94 13002.71 -6489.969" in text
    assert "StdDev:    2.836278 6.296759" in text
    assert "(Intercept) 12.60468 0.4711941 1937 26.75049       0" in text


# ------------------------------------------------------------------ invariances
small_data = st.builds(
    lambda seed, ng, per: _sim(ng, per, seed),
    st.integers(0, 10_000),
    st.integers(5, 9),
    st.integers(4, 7),
)


def _key(res):
    return res.llf, res.params.to_numpy(), res.sd_re.to_numpy(), res.sigma


# near the face of a correlation at +-1, where Newton alone crawled and stopped at a point
# that depended on the order of the rows (optimise.py, onto_face)
@example(_sim(5, 6, 1343), random.Random(53))
@example(_sim(6, 6, 488), random.Random(8))
@settings(max_examples=25, deadline=None)
@given(small_data, st.randoms(use_true_random=False))
def test_row_permutation_and_relabelling_change_nothing(df, rnd):
    base = lmm("y ~ x + w", random="~ 1 + x", group="g", data=df)
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    shuffled = df.iloc[perm].copy()
    labels = {g: f"c{rnd.randrange(10**6)}_{g}" for g in df["g"].unique()}
    shuffled["g"] = shuffled["g"].map(labels)
    other = lmm("y ~ x + w", random="~ 1 + x", group="g", data=shuffled)
    assert other.llf == pytest.approx(base.llf, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(other.params, base.params, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(other.sd_re, base.sd_re, rtol=1e-4, atol=1e-5)
    assert other.sigma == pytest.approx(base.sigma, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(small_data, st.floats(-1e3, 1e3, allow_nan=False), st.floats(0.01, 100))
def test_shift_and_scale_of_y(df, shift, scale):
    base = lmm("y ~ x", random="~ 1 + x", group="g", data=df)
    moved = lmm("y ~ x", random="~ 1 + x", group="g", data=df.assign(y=df["y"] + shift))
    assert moved.llf == pytest.approx(base.llf, rel=1e-8, abs=1e-8)
    assert moved.params["(Intercept)"] == pytest.approx(
        base.params["(Intercept)"] + shift, rel=1e-7, abs=1e-6
    )
    assert moved.params["x"] == pytest.approx(base.params["x"], rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(moved.sd_re, base.sd_re, rtol=1e-4, atol=1e-5)
    for c in (scale, -scale):
        scaled = lmm("y ~ x", random="~ 1 + x", group="g", data=df.assign(y=df["y"] * c))
        assert scaled.sigma == pytest.approx(abs(c) * base.sigma, rel=1e-6)
        np.testing.assert_allclose(scaled.sd_re, abs(c) * base.sd_re, rtol=1e-4, atol=1e-5 * abs(c))
        np.testing.assert_allclose(scaled.params, c * base.params, rtol=1e-5, atol=1e-6 * abs(c))
        # the log-likelihood moves by the Jacobian: -(N - p) log|c| (REML)
        assert scaled.llf == pytest.approx(base.llf - (len(df) - 2) * np.log(abs(c)), rel=1e-8)


# ------------------------------------------------------------------ bad input
def test_errors_are_mixed_model_errors():
    assert issubclass(MixedModelError, ValueError)
    assert issubclass(MixedModelError, DataError)


def test_unknown_column(hs_raw):
    with pytest.raises(MixedModelError, match="nosuch"):
        lmm("mathach ~ nosuch", random="~1", group="school", data=hs_raw)
    with pytest.raises(MixedModelError, match="klass"):
        lmm("mathach ~ 1", random="~1", group="klass", data=hs_raw)


def test_non_numeric_outcome(hs_raw):
    with pytest.raises(MixedModelError, match="'Sex'.*not numeric"):
        lmm("Sex ~ ses", random="~1", group="school", data=hs_raw)


def test_rank_deficient_fixed_effects(hs_raw):
    df = hs_raw.assign(ses2=2 * hs_raw["ses"] + 1)
    with pytest.raises(MixedModelError, match=r"rank deficient.*ses2"):
        lmm("mathach ~ ses + ses2", random="~1", group="school", data=df)
    with pytest.raises(MixedModelError, match="const"):
        lmm("mathach ~ one", random="~1", group="school", data=df.assign(one=3.0))


def test_random_slope_constant_within_clusters(hs_raw):
    with pytest.raises(MixedModelError, match=r"SectorPublic.*constant within every cluster"):
        lmm("mathach ~ Sector", random="~ 1 + Sector", group="school", data=hs_raw)
    with pytest.raises(MixedModelError, match=r"Size.*school"):
        lmm("mathach ~ Size", random="~ 1 + Size", group="school", data=hs_raw)


def test_missing_values_listwise_deletion(hs_raw):
    df = hs_raw.copy()
    df.loc[[0, 5, 9], "ses"] = np.nan
    df.loc[[5, 11], "mathach"] = np.nan
    df.loc[20, "Minority"] = None  # not used by the model: must not drop the row
    res = lmm("mathach ~ ses", random="~1", group="school", data=df)
    assert res.n_dropped == 4 and res.n_obs == 1977 - 4
    ref = lmm("mathach ~ ses", random="~1", group="school", data=df.drop(index=[0, 5, 9, 11]))
    assert res.llf == ref.llf
    assert res.to_dict()["n_dropped"] == 4


def test_single_row_clusters_are_allowed():
    """A cluster with one row contributes to the fixed effects and to the between-cluster
    variance (its random effect is shrunk, not dropped): the fit equals the fit with the
    data duplicated nowhere else, and DF follow nlme's rule on the clusters present."""
    df = _sim(10, 6, seed=3)
    extra = pd.DataFrame({"y": [1.0, 4.0], "x": [0.3, -0.2], "w": [0.0, 1.0], "g": [100, 101]})
    res = lmm("y ~ x", random="~ 1 + x", group="g", data=pd.concat([df, extra]))
    assert res.n_groups == 12 and res.converged
    assert set(res.ranef().index) >= {100, 101}
    assert list(res.df) == [62 - 12 - 1, 62 - 12 - 1]


def test_bad_arguments(hs_raw):
    with pytest.raises(MixedModelError, match="method"):
        lmm("mathach ~ 1", random="~1", group="school", data=hs_raw, method="OLS")
    with pytest.raises(MixedModelError, match="cannot parse"):
        lmm("mathach ~ ses +", random="~1", group="school", data=hs_raw)
    with pytest.raises(MixedModelError, match="unknown function"):
        lmm("mathach ~ log(ses)", random="~1", group="school", data=hs_raw)
    with pytest.raises(MixedModelError, match="at least 2"):
        lmm("mathach ~ ses", random="~1", group="school", data=hs_raw[hs_raw["school"] == 1317])


# ------------------------------------------------------------------ statsmodels
@pytest.mark.parametrize("reml", [True, False])
def test_agrees_with_statsmodels_where_it_converges(hs_raw, reml):
    import statsmodels.formula.api as smf

    ours = lmm(
        "mathach ~ ses",
        random="~ 1 + ses",
        group="school",
        data=hs_raw,
        method="REML" if reml else "ML",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = smf.mixedlm("mathach ~ ses", hs_raw, groups=hs_raw["school"], re_formula="~ses").fit(
            reml=reml, method="lbfgs"
        )
    assert sm.converged
    assert ours.llf >= sm.llf - 1e-6 * abs(sm.llf)
    assert ours.llf == pytest.approx(sm.llf, rel=1e-6)
    np.testing.assert_allclose(ours.params, sm.fe_params, rtol=1e-4)
    np.testing.assert_allclose(ours.G.to_numpy(), np.asarray(sm.cov_re), rtol=1e-3, atol=1e-4)
    assert ours.sigma == pytest.approx(np.sqrt(sm.scale), rel=1e-4)
