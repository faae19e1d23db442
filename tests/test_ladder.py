"""The ladder of models (page 120): formulas from roles, statuses, LR tests with the boundary
mixture. Reference numbers: the document (page 149) and the R fixtures
(tests/fixtures/r/mixed_models.json, nlme 3.1-162)."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from multilevel.config import Roles
from multilevel.hierarchical.ladder import (
    MODEL_KEYS,
    fit_model,
    ladder_specs,
    ladder_table,
    lr_table,
    lr_tests,
    restore,
    spec_for,
)
from multilevel.hierarchical.likelihood_ratio import boundary_pvalue
from multilevel.mixed import MixedModelError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "mixed_models.json"
HS = Roles(cluster="school", outcome="mathach", predictor="ses", group="Sector")


@cache
def r_fits() -> dict:
    return json.loads(FIXTURE.read_text())["fits"]["hs"]


@pytest.fixture(scope="module")
def hs_artifacts(hs_raw):
    return {s.key: fit_model(s, hs_raw, HS) for s in ladder_specs(HS)}


def test_formulas_come_from_the_roles():
    roles = Roles(cluster="pid", outcome="score", predictor="week no", group="arm")
    specs = {s.key: s for s in ladder_specs(roles)}
    assert list(specs) == list(MODEL_KEYS)
    assert specs["oneway"].fixed == "score ~ 1"
    assert specs["intercepts_slopes_outcomes"].fixed == "score ~ `week no` * arm"
    assert specs["intercepts_slopes_outcomes"].random == "~ 1 + `week no`"
    assert specs["contextual_full"].fixed == "score ~ (cvar(`week no`) + dvar(`week no`)) * arm"
    assert specs["contextual_raw"].random == "~ 1 + dvar(`week no`)"
    assert not any("mathach" in s.fixed or "ses" in s.fixed for s in specs.values())


def test_oneway_matches_the_document(hs_artifacts):
    art = hs_artifacts["oneway"]
    assert art["status"] == "ok"
    rec = art["fits"]["REML"]
    assert round(rec["aic"], 2) == 12985.94
    assert round(rec["bic"], 2) == 13002.71
    assert round(rec["llf"], 3) == -6489.969
    assert round(rec["params"]["(Intercept)"], 5) == 12.60468
    assert round(rec["resid_quantiles"]["Med"], 8) == 0.03825124
    assert "Linear mixed-effects model fit by REML" in rec["summary"]


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_every_model_reaches_nlme_likelihood(hs_artifacts, key):
    """Our optimum is at least nlme's (less 1e-9 relative) and within 1e-3 of the better of
    nlme and lme4 (the fixture README: nlme/lme4 stop early on flat surfaces)."""
    for method in ("REML", "ML"):
        ours = hs_artifacts[key]["fits"][method]["llf"]
        r = r_fits()[key][method]
        best = max(r["logLik"], r["lme4"]["logLik"])
        assert ours >= r["logLik"] - 1e-9 * abs(r["logLik"])
        assert ours <= best + 1e-3
        assert hs_artifacts[key]["fits"][method]["n_params"] == r["df_logLik"]


def test_models_needing_a_group_are_skipped_without_one(hs_raw):
    roles = Roles(cluster="school", outcome="mathach", predictor="ses")
    art = fit_model(spec_for(roles, "means_as_outcomes"), hs_raw, roles)
    assert art["status"] == "skipped" and art["fits"] == {}
    assert "no group" in art["reason"]
    assert fit_model(spec_for(roles, "oneway"), hs_raw, roles)["status"] == "ok"


def _balanced(seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(12), 4)
    x = np.tile([8.0, 10.0, 12.0, 14.0], 12)
    y = 20 + 0.6 * x + rng.normal(0, 2, 12)[ids] + rng.normal(0, 1, ids.size)
    return pd.DataFrame({"id": ids, "x": x, "y": y, "g": np.where(ids < 6, "a", "b")})


def test_contextual_models_are_not_estimable_in_balanced_data():
    roles = Roles(cluster="id", outcome="y", predictor="x", group="g")
    data = _balanced()
    for key in ("contextual_cwg", "contextual_raw", "contextual_full"):
        art = fit_model(spec_for(roles, key), data, roles)
        assert art["status"] == "not estimable"
        assert "cvar(x)" in art["reason"]
    assert fit_model(spec_for(roles, "random_coefficients"), data, roles)["status"] in (
        "ok",
        "singular",
    )


def test_a_model_that_cannot_be_fitted_is_reported_not_raised():
    roles = Roles(cluster="id", outcome="y", predictor="x", group="g")
    data = _balanced().assign(x=5.0)  # a constant predictor: collinear with the intercept
    art = fit_model(spec_for(roles, "oneway_ancova"), data, roles)
    assert art["status"] == "failed"
    assert all(f["status"] == "failed" and f["error"] for f in art["fits"].values())
    table = ladder_table({"oneway_ancova": art})
    assert table.frame.loc["One-way ANCOVA", "status"] == "failed"


def test_boundary_mixture_critical_values():
    # 5% critical values of the 50:50 mixtures (Stram and Lee 1994): 2.706 for
    # chi2(0):chi2(1) and 5.138 for chi2(1):chi2(2)
    assert boundary_pvalue(2.7055, 1) == pytest.approx(0.05, abs=1e-4)
    assert boundary_pvalue(5.1384, 2) == pytest.approx(0.05, abs=1e-4)
    assert boundary_pvalue(0.0, 1) == 1.0
    assert boundary_pvalue(3.0, 2) < stats.chi2.sf(3.0, 2)


def test_lr_tests_use_ml_for_fixed_and_reml_for_random_parts(hs_artifacts):
    tests = lr_tests(hs_artifacts).set_index(["smaller", "larger"])
    r = r_fits()
    row = tests.loc[("oneway", "oneway_ancova")]
    assert row["method"] == "ML" and row["df"] == 1
    expected = 2 * (r["oneway_ancova"]["ML"]["logLik"] - r["oneway"]["ML"]["logLik"])
    assert row["LR"] == pytest.approx(expected, abs=1e-4)
    row = tests.loc[("oneway_ancova", "random_coefficients")]
    assert row["method"] == "REML" and row["df"] == 2
    expected = 2 * (
        r["random_coefficients"]["REML"]["logLik"] - r["oneway_ancova"]["REML"]["logLik"]
    )
    assert row["LR"] == pytest.approx(expected, abs=1e-4)
    assert row["p_boundary"] == pytest.approx(
        0.5 * stats.chi2.sf(expected, 2) + 0.5 * stats.chi2.sf(expected, 1), abs=1e-4
    )
    # models with different random parts are never compared on fixed effects
    assert ("random_coefficients", "contextual_cwg") not in tests.index
    # every comparison of the ladder is computed on hs
    assert tests["refused"].isna().all() and len(tests) == 9


def test_lr_tests_keep_a_row_with_the_reason_when_a_model_was_not_fitted(hs_raw):
    roles = Roles(cluster="school", outcome="mathach", predictor="ses", group=None)
    arts = {s.key: fit_model(s, hs_raw, roles) for s in ladder_specs(roles)[:5]}
    tests = lr_tests(arts).set_index(["smaller", "larger"])
    row = tests.loc[("oneway", "means_as_outcomes")]
    assert row["refused"] == "Means as outcomes was not fitted (skipped)"
    assert np.isnan(row["LR"]) and np.isnan(row["p"])
    assert pd.isna(tests.loc[("oneway", "oneway_ancova"), "refused"])
    names = {k: a["spec"]["short"] for k, a in arts.items()}
    frame = lr_table(lr_tests(arts), names).frame
    shown = frame.loc["Group shifts the mean"]
    assert shown["LR"] == "—" and shown["not compared because"].startswith("Means as outcomes")
    assert frame.loc["Predictor (one slope)", "not compared because"] == ""


def test_restore_refuses_data_the_fit_was_not_made_on(hs_artifacts, hs_raw):
    art = hs_artifacts["oneway_ancova"]
    fit = restore(art, "REML", hs_raw, HS)
    assert fit.llf == pytest.approx(art["fits"]["REML"]["llf"], rel=1e-12)
    changed = hs_raw.copy()
    changed.loc[0, "mathach"] += 1.0
    with pytest.raises(MixedModelError, match="does not match the data"):
        restore(art, "REML", changed, HS)
