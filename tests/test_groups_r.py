"""Groups of more than two levels against R (tests/fixtures/r/groups.json, written by
tests/fixtures/r/make_groups.R): every classical method and the ladder's models with a group,
on ChickWeight (4 diets, unbalanced: the between regression by diet has aliased terms, NA in
R) and BodyWeight (3 diets, balanced: no between-rat effect of Time at all)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from multilevel.classical import (
    between_cluster,
    fixed_effects_common_slope,
    pooled_ols,
    two_stage,
)
from multilevel.classical.manova import STATISTICS
from multilevel.mixed import lmm

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "groups.json"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
DATASETS = {"chickweight": ("ChickWeight.csv", "Chick"), "bodyweight": ("BodyWeight.csv", "Rat")}
LADDER = {
    "means_as_outcomes": ("weight ~ Diet", "~ 1"),
    "intercepts_slopes_outcomes": ("weight ~ Time * Diet", "~ 1 + Time"),
    "nonrandom_slopes": ("weight ~ Time * Diet", "~ 1"),
    "parallel_slopes": ("weight ~ Time + Diet", "~ 1 + Time"),
}


def fixture(name: str) -> dict:
    return json.loads(FIXTURE.read_text())[name]


def data(name: str) -> tuple[pd.DataFrame, str]:
    file, cluster = DATASETS[name]
    d = pd.read_csv(RAW / file)
    levels = sorted(d["Diet"].astype(str).unique(), key=int)
    return d.assign(Diet=pd.Categorical(d["Diet"].astype(str), categories=levels)), cluster


def _same_table(ours: pd.DataFrame, r: dict, rtol: float = 1e-9):
    """Estimates and SEs term by term; an aliased term is NA in R and NaN here."""
    assert list(ours.index) == list(r)
    for term, row in r.items():
        for ours_col, r_col in (("estimate", "estimate"), ("se", "se")):
            value = ours.loc[term, ours_col]
            if row[r_col] is None:
                assert np.isnan(value), (term, ours_col)
            else:
                assert value == pytest.approx(row[r_col], rel=rtol, abs=1e-12), (term, ours_col)


@pytest.mark.parametrize("name", DATASETS)
def test_pooled_and_between_equal_lm(name):
    d, cluster = data(name)
    r = fixture(name)
    pooled = pooled_ols(d, "weight", "Time", "Diet", "1")
    _same_table(pooled.table, r["pooled"]["coef"])
    assert pooled.sigma == pytest.approx(r["pooled"]["sigma"], rel=1e-12)
    between = between_cluster(d, cluster, "weight", "Time", "Diet", "1")
    _same_table(between.table, r["between"]["coef"])
    assert between.df_resid == r["between"]["df_resid"]


@pytest.mark.parametrize("name", DATASETS)
def test_omnibus_tests_equal_car_linear_hypothesis(name):
    d, _ = data(name)
    r = fixture(name)["pooled_omnibus"]
    pooled = pooled_ols(d, "weight", "Time", "Diet", "1")
    for part in ("intercept", "slope", "both"):
        ours = pooled.gap_test("1", part)
        assert ours["num_df"] == r[part]["num_df"] and ours["den_df"] == r[part]["den_df"]
        assert ours["F"] == pytest.approx(r[part]["F"], rel=1e-9)
        assert ours["p"] == pytest.approx(r[part]["p"], rel=1e-6)


@pytest.mark.parametrize("name", DATASETS)
def test_two_stage_equals_lm_and_summary_manova(name):
    d, cluster = data(name)
    r = fixture(name)
    res = two_stage(d, cluster, "weight", "Time", "Diet", "1")
    _same_table(res.responses["intercept"], r["twostage_intercept"]["coef"])
    _same_table(res.responses["slope"], r["twostage_slope"]["coef"])
    for stat in STATISTICS:
        for field in ("value", "F", "num_df", "den_df", "p"):
            assert res.manova.loc[stat, field] == pytest.approx(
                r["twostage_manova"][stat][field], rel=1e-9
            ), (stat, field)
    for part in ("intercept", "slope"):
        ours, ref = res.gap_test("1", part), r["twostage_omnibus"][part]
        assert ours["num_df"] == ref["num_df"] and ours["den_df"] == ref["den_df"]
        assert ours["F"] == pytest.approx(ref["F"], rel=1e-9)


@pytest.mark.parametrize("name", DATASETS)
def test_fixed_effects_slope_gaps_equal_lm(name):
    d, cluster = data(name)
    res = fixed_effects_common_slope(d, cluster, "weight", "Time", "Diet", reference="1")
    for lv, ref in fixture(name)["fe2b_slope_gaps"].items():
        gap = res.difference(lv, "1")
        assert gap.slope == pytest.approx(ref["slope"], rel=1e-9)
        assert gap.se[1] == pytest.approx(ref["se"], rel=1e-9)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("model", LADDER)
@pytest.mark.parametrize("method", ["REML", "ML"])
def test_ladder_models_with_a_group_equal_nlme(name, model, method):
    d, cluster = data(name)
    r = fixture(name)["ladder"][model][method]
    fixed, random = LADDER[model]
    fit = lmm(fixed, random=random, group=cluster, data=d, method=method)
    # nlme was run to tight tolerances (make_groups.R); our optimum is at least as high
    assert fit.llf == pytest.approx(r["logLik"], rel=1e-9)
    assert fit.llf >= r["logLik"] - 1e-7
    table = pd.DataFrame({"estimate": fit.params, "se": fit.bse})
    _same_table(table, r["coef"], rtol=5e-5)
    assert [int(v) for v in fit.df] == r["df"]
    sds = [*fit.sd_re.to_numpy(), fit.sigma]
    assert sds == pytest.approx(r["sd"], rel=5e-5)


def test_the_hierarchical_model_as_a_row_of_the_summary_equals_nlme():
    """The summary of methods' hierarchical row (multilevel.hierarchical.as_method): each
    level's gap is the model's W and X:W coefficients, with nlme's SEs, and the omnibus test of
    the slopes is nlme's marginal F for Time:Diet on the units' DF."""
    from multilevel.config import Roles
    from multilevel.hierarchical.as_method import model_as_method
    from multilevel.hierarchical.ladder import fit_model, spec_for

    d, cluster = data("chickweight")
    roles = Roles(cluster=cluster, outcome="weight", predictor="Time", group="Diet")
    model = fit_model(spec_for(roles, "intercepts_slopes_outcomes"), d, roles)
    row = model_as_method("mixed", model, ["1", "2", "3", "4"], roles)
    r = fixture("chickweight")["ladder"]["intercepts_slopes_outcomes"]["REML"]["coef"]
    for lv in ("2", "3", "4"):
        gap = row["gaps"][lv]
        assert gap["intercept"] == pytest.approx(r[f"Diet{lv}"]["estimate"], rel=5e-5)
        assert gap["slope"] == pytest.approx(r[f"Time:Diet{lv}"]["estimate"], rel=5e-5)
        assert gap["se"] == pytest.approx(
            [r[f"Diet{lv}"]["se"], r[f"Time:Diet{lv}"]["se"]], rel=5e-5
        )
    slopes = row["gap_tests"]["slope"]
    # nlme: anova(fit, type = "marginal") gives Time:Diet F = 5.696 on 3 and 524 DF
    assert (slopes["num_df"], slopes["den_df"]) == (3, 524)
    assert round(slopes["F"], 3) == 5.696
