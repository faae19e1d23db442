"""The hierarchical chapter's inference artifact (multilevel/hierarchical/inference.py) and its
tables: the numbers are the engine's, checked against lmerTest/pbkrtest/nlme in test_ddf.py,
test_profile_ci.py and test_var_ident.py; here, that the report's artifact carries them."""

import json
from pathlib import Path

import pandas as pd
import pytest

from multilevel.config import Roles
from multilevel.hierarchical.inference import inference_artifact
from multilevel.hierarchical.inference_tables import context, tables
from multilevel.hierarchical.ladder import fit_model, ladder_specs

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "df_rules.json"
HS = Roles(cluster="school", outcome="mathach", predictor="ses", group="Sector")


@pytest.fixture(scope="module")
def hs_art(hs_raw):
    arts = {s.key: fit_model(s, hs_raw, HS) for s in ladder_specs(HS)}
    return inference_artifact(arts, hs_raw, HS)


def test_central_model_df_are_lmertest_and_pbkrtest(hs_art):
    ref = json.loads(FIXTURE.read_text())["fits"]["hs"]
    assert hs_art["central"] == "intercepts_slopes_outcomes" and hs_art["n_groups"] == 40
    for key, entry in hs_art["models"].items():
        assert entry["status"] == "ok", key
        for rule, name in [("Satterthwaite", "satterthwaite"), ("Kenward-Roger", "kenward_roger")]:
            r = ref[key][name]
            ours = entry["rules"][rule]
            for k, r_name in enumerate(r["names"]):
                effect = r_name.replace("ses.m", "cvar(ses)").replace("ses.d", "dvar(ses)")
                assert ours[effect]["df"] == pytest.approx(r["df"][k], rel=1e-3), (key, effect)
                assert ours[effect]["se"] == pytest.approx(r["se"][k], rel=1e-3), (key, effect)
    nlme = hs_art["models"]["intercepts_slopes_outcomes"]["rules"]["nlme"]
    assert [nlme[e]["df"] for e in ("(Intercept)", "ses", "SectorPublic")] == [1935, 1935, 38]


def test_tables_and_sentences_numbers(hs_art):
    keys = [t.key for t in tables(hs_art)]
    assert keys == [
        "inference_df_central",
        "inference_df_ladder",
        "inference_profile",
        "inference_var_ident",
    ]
    central = tables(hs_art)[0].frame
    assert list(central.index) == ["(Intercept)", "ses", "SectorPublic", "ses:SectorPublic"]
    assert central.loc["SectorPublic", "nlme df"] == "38"
    ctx = context(hs_art)["inference"]
    g = ctx["df"]
    sat = hs_art["models"]["intercepts_slopes_outcomes"]["rules"]["Satterthwaite"]
    assert g["min_df"] == pytest.approx(min(v["df"] for v in sat.values()), rel=0.3)
    assert 0 < g["max_gap"] < 0.25
    assert ctx["var_ident"]["lr_df"] == 1
    assert ctx["var_ident"]["lr_statistic"] == pytest.approx(6.8077, abs=1e-3)
    assert "sd(ses)" in ctx["profile"]["bounded"]


def test_without_a_group_the_central_model_is_the_random_slopes_model(hs_raw):
    roles = Roles(cluster="school", outcome="mathach", predictor="ses")
    arts = {s.key: fit_model(s, hs_raw, roles) for s in ladder_specs(roles)[:4]}
    art = inference_artifact(arts, hs_raw, roles)
    assert art["central"] == "random_coefficients"
    assert art["var_ident"] == {"status": "skipped", "reason": "the dataset has no level-2 group"}
    assert [t.key for t in tables(art)][:2] == ["inference_df_central", "inference_df_ladder"]
    json.dumps(art)  # JSON-ready
    assert isinstance(pd.DataFrame(tables(art)[0].frame), pd.DataFrame)
