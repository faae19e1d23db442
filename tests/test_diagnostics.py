"""The Diagnostics chapter's quantities (multilevel.diagnostics) checked against their
definitions and R, and the chapter built for a dataset with a group (hs), without one
(sleepstudy) and with more clusters than the influence refits every one of (a simulated
dataset of 2,500 clusters)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest

from multilevel.data.prepare import prepare
from multilevel.diagnostics.chapter import FIGURE_KEYS, diagnostics_chapter
from multilevel.diagnostics.influence import EXACT_LIMIT, REFIT_LARGEST
from multilevel.diagnostics.random_effects import blup_frame, boundary_words
from multilevel.diagnostics.residuals import (
    brown_forsythe,
    cluster_spread,
    level1_frame,
    normality,
    spread_by_group,
)
from multilevel.files import json_clean
from multilevel.hierarchical.ladder import fit_model, spec_for
from multilevel.mixed import lmm
from multilevel.simulation.many_clusters import many_clusters_entry, write_many_small_clusters
from multilevel.workflow_names import central_model_key

from .helpers import ROOT, configured, spec_from

R_FITS = ROOT / "tests" / "fixtures" / "r" / "mixed_models.json"


@cache
def chapter_of(name: str):
    spec = configured(name)
    long = prepare(spec, ROOT).long
    key = central_model_key(bool(spec.roles.group))
    art = fit_model(spec_for(spec.roles, key), long, spec.roles, spec.id_label)
    art = json.loads(json.dumps(json_clean(art)))  # as the rule reads it
    return spec, long, diagnostics_chapter({key: art}, long, spec, "tables/diagnostics")


def test_standardized_residuals_are_nlmes_pearson_residuals(hs_raw):
    fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs_raw)
    frame = level1_frame(fit, hs_raw, "school", "ses", "Sector")
    np.testing.assert_allclose(
        frame["std_resid"], (hs_raw["mathach"] - frame["fitted"]) / fit.sigma, rtol=1e-12
    )
    # nlme's summary quantiles of resid(fit, type = "pearson"), at nlme's optimum
    ref = json.loads(R_FITS.read_text())["fits"]["hs"]["intercepts_slopes_outcomes"]["REML"]
    q = np.quantile(frame["std_resid"], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(q, list(ref["resid_pearson_quantiles"].values()), atol=1e-5)
    spread = cluster_spread(frame)
    one = frame[frame["cluster"] == 1317]["std_resid"]
    assert spread.loc[1317, "n"] == len(one) and spread.loc[1317, "sd"] == pytest.approx(one.std())
    assert len(spread) == 40 and spread["n"].sum() == len(hs_raw)


def test_normality_and_group_spread_verdicts():
    rng = np.random.default_rng(5)
    assert normality(rng.standard_normal(4000)).looks_normal
    skewed = normality(rng.exponential(size=4000))
    assert not skewed.looks_normal and skewed.skewness > 1.5
    frame = pd.DataFrame(
        {
            "std_resid": np.r_[rng.normal(0, 1, 500), rng.normal(0, 2, 500)],
            "group": ["a"] * 500 + ["b"] * 500,
        }
    )
    gs = spread_by_group(frame)
    assert gs.pvalue < 1e-6 and gs.sd["b"] == pytest.approx(2 * gs.sd["a"], rel=0.15)
    assert spread_by_group(frame.drop(columns="group")) is None


def test_moments_and_brown_forsythe_equal_scipy_stats():
    """The job computes skewness, kurtosis and the Brown-Forsythe test itself (scipy.stats
    costs half a second to import): the same numbers as scipy.stats, for two and three groups
    of unequal sizes."""
    from scipy import stats

    rng = np.random.default_rng(11)
    r = rng.gamma(2.0, size=1977) - 2.0
    shape = normality(r)
    assert shape.skewness == pytest.approx(stats.skew(r), rel=1e-12)
    assert shape.kurtosis == pytest.approx(stats.kurtosis(r), rel=1e-12)
    samples = [rng.normal(0, sd, n) for n, sd in [(900, 1.0), (1077, 1.2), (31, 2.0)]]
    for k in (2, 3):
        expected = stats.levene(*samples[:k], center="median")
        w, p = brown_forsythe(samples[:k])
        assert w == pytest.approx(expected.statistic, rel=1e-12)
        assert p == pytest.approx(expected.pvalue, rel=1e-9)


def test_blup_conditional_se_of_a_random_intercept(hs_raw):
    """One random intercept: the conditional variance is (1/g + n_j/sigma^2)^-1."""
    fit = lmm("mathach ~ 1", random="~ 1", group="school", data=hs_raw)
    blups = blup_frame(fit, hs_raw, "school", "ses", "Sector")
    g = float(fit.G.iloc[0, 0])
    expected = np.sqrt(1.0 / (1.0 / g + blups["n"] / fit.sigma**2))
    np.testing.assert_allclose(blups["se[(Intercept)]"], expected, rtol=1e-9)
    np.testing.assert_allclose(blups["blup[(Intercept)]"], fit.ranef()["(Intercept)"])
    means = hs_raw.groupby("school")["ses"].mean()
    np.testing.assert_allclose(blups["predictor_mean"], means.loc[blups.index])
    assert set(blups["group"]) == {"Catholic", "Public"}


def test_boundary_in_words():
    dye = pd.read_csv(ROOT / "data" / "raw" / "Dyestuff2.csv")
    fit = lmm("Yield ~ 1", random="~ 1", group="Batch", data=dye)
    words = boundary_words(fit)
    assert fit.singular and len(words) == 1 and "the intercept is estimated at 0" in words[0]
    sleep = pd.read_csv(ROOT / "data" / "raw" / "sleepstudy.csv")
    assert (
        boundary_words(lmm("Reaction ~ Days", random="~ 1 + Days", group="Subject", data=sleep))
        == []
    )


def test_hs_chapter_numbers_and_sentences():
    _, _, ch = chapter_of("hs")
    ctx = ch.context
    assert ctx["usable"] and ctx["model_key"] == "intercepts_slopes_outcomes"
    assert set(ch.figures) == set(FIGURE_KEYS)
    res, re_, infl = (ctx["sentences"][k] for k in ("residuals", "random_effects", "influence"))
    assert res[0].startswith("Of the 1977 standardized residuals") and "look normal" in res[0]
    assert "Brown-Forsythe" in res[1] and "Catholic" in res[1]
    assert "correlation of the random effects of the intercept and ses is 0.52" in " ".join(re_)
    assert infl[0].startswith("Each of the 40 clusters was left out in turn and the model refitted")
    # the largest Cook's distance named in the text is the first row of the table
    (table,) = ch.tables
    top = table.full.sort_values("cooks", ascending=False).iloc[0]
    assert f"The largest Cook's distances: {top['label']} ({top['cooks']:.3g})" in " ".join(infl)
    assert len(table.frame) == 10 and len(table.full) == 40 and table.csv.endswith(".csv")


def test_sleepstudy_chapter_without_a_group(tmp_path):
    _, _, ch = chapter_of("sleepstudy")
    assert ch.context["model_key"] == "random_coefficients" and not ch.context["has_group"]
    assert len(ch.context["sentences"]["residuals"]) == 2  # no sentence on groups
    # balanced in Days: every subject has the same mean, and the text says so
    assert (
        "Every cluster has the same mean of Days" in ch.context["sentences"]["random_effects"][-2]
    )
    metas = ch.save({k: tmp_path / f"{k}.svg" for k in FIGURE_KEYS})
    drawn = [k for k in FIGURE_KEYS if k != "blup_against"]  # Days' mean is the same everywhere
    assert [m["key"] for m in metas] == [f"diagnostics_{k}" for k in drawn]
    assert "Histogram" in (tmp_path / "residuals.svg").read_text()


def test_many_clusters_are_selected_and_said(tmp_path):
    clusters = EXACT_LIMIT + 500
    csv = write_many_small_clusters(tmp_path / "many.csv", clusters, seed=3)
    entry = many_clusters_entry(csv, clusters)
    entry.pop("id_label")
    spec = spec_from(entry, "many")
    long = prepare(spec, ROOT).long
    key = central_model_key(True)
    art = fit_model(spec_for(spec.roles, key), long, spec.roles)
    ch = diagnostics_chapter({key: art}, long, spec, "tables/diagnostics")
    (table,) = ch.tables
    assert table.full["refitted"].sum() == REFIT_LARGEST and len(table.full) == clusters
    # the refitted clusters are those the table shows first
    assert table.full.sort_values("cooks", ascending=False)["refitted"].iloc[:10].all()
    assert f"the {REFIT_LARGEST} with the largest Cook's" in ch.context["sentences"]["influence"][0]
    caption = ch.figures["cluster_spread"].caption
    assert f"the 50 clusters with the most rows of {clusters}" in caption
    assert "Error bars for the 200 clusters" in ch.figures["blup_quantiles"].caption


def test_influence_sentences_when_a_cluster_cannot_be_left_out(hs_raw):
    from multilevel.diagnostics.chapter import _influence_sentences
    from multilevel.diagnostics.influence import cluster_influence

    public = hs_raw.loc[hs_raw["Sector"] == "Public", "school"].unique()
    data = hs_raw[(hs_raw["Sector"] == "Catholic") | (hs_raw["school"] == public[0])]
    fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=data)
    inf = cluster_influence(fit)
    labels = [str(c) for c in inf.labels]
    text = " ".join(_influence_sentences(inf, labels, inf.names))
    assert f"Without {public[0]}, the fixed effects cannot all be estimated" in text
    assert "The largest Cook's distances: " in text and "nan" not in text
    assert "did not converge" not in text
