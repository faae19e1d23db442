"""Within, between and contextual effects (pages 120, 147-148) from stored fit records."""

import pandas as pd
import pytest

from multilevel.classical.wald import wald
from multilevel.config import Roles
from multilevel.hierarchical.contextual import combination, contextual_effects, verdict
from multilevel.hierarchical.ladder import fit_model, restore, spec_for

HS = Roles(cluster="school", outcome="mathach", predictor="ses", group="Sector")


@pytest.fixture(scope="module")
def arts(hs_raw):
    keys = ("contextual_cwg", "contextual_raw", "contextual_full", "oneway_ancova")
    return {k: fit_model(spec_for(HS, k), hs_raw, HS) for k in keys}


def rec(arts, key):
    return arts[key]["fits"]["REML"]


def test_contextual_effect_is_the_cluster_mean_coefficient_of_the_raw_model(arts):
    eff = contextual_effects(rec(arts, "contextual_cwg"), None, "ses").set_index("effect")
    raw = rec(arts, "contextual_raw")
    assert eff.loc["contextual", "estimate"] == pytest.approx(raw["params"]["cvar(ses)"], rel=1e-5)
    assert eff.loc["contextual", "se"] == pytest.approx(raw["bse"]["cvar(ses)"], rel=1e-4)
    assert eff.loc["within", "estimate"] == pytest.approx(raw["params"]["ses"], rel=1e-5)


def test_combination_agrees_with_wald(arts, hs_raw):
    fit = restore(arts["contextual_cwg"], "REML", hs_raw, HS)
    L = pd.DataFrame({"cvar(ses)": [1.0], "dvar(ses)": [-1.0]}, index=["contextual"])
    w = wald(fit, L)
    c = combination(rec(arts, "contextual_cwg"), {"cvar(ses)": 1.0, "dvar(ses)": -1.0})
    assert c["estimate"] == pytest.approx(w.table.loc["contextual", "estimate"], rel=1e-12)
    assert c["se"] == pytest.approx(w.table.loc["contextual", "se"], rel=1e-10)
    assert c["t"] ** 2 == pytest.approx(w.F, rel=1e-10)
    assert c["df"] == w.den_df


def test_effects_in_the_second_group_match_a_refit_with_it_as_reference(arts, hs_raw):
    eff = contextual_effects(
        rec(arts, "contextual_cwg"), rec(arts, "contextual_full"), "ses", "Sector",
        ["Catholic", "Public"],
    )  # fmt: skip
    public = eff[eff["scope"] == "Public"].set_index("effect")
    releveled = hs_raw.assign(
        Sector=pd.Categorical(hs_raw["Sector"].astype(str), categories=["Public", "Catholic"])
    )
    ref = fit_model(spec_for(HS, "contextual_full"), releveled, HS)["fits"]["REML"]
    assert public.loc["within", "estimate"] == pytest.approx(ref["params"]["dvar(ses)"], rel=1e-4)
    assert public.loc["between", "estimate"] == pytest.approx(ref["params"]["cvar(ses)"], rel=1e-4)
    assert public.loc["between", "se"] == pytest.approx(ref["bse"]["cvar(ses)"], rel=1e-3)


def test_verdict_on_hs(arts):
    eff = contextual_effects(
        rec(arts, "contextual_cwg"), None, "ses", plain=rec(arts, "oneway_ancova")
    )
    ctx = eff.set_index("effect")
    # the plain random-effects slope lies between the within and between effects
    assert ctx.loc["within", "estimate"] < ctx.loc["random-effects slope", "estimate"]
    assert ctx.loc["random-effects slope", "estimate"] < ctx.loc["between", "estimate"]
    text = verdict(eff, "ses")
    assert "biased" in text and "fails" in text
    assert ctx.loc["contextual", "p"] < 1e-4
