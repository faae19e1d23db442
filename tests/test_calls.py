"""The R and statsmodels calls printed beside each method and model
(multilevel.report.calls): the statsmodels calls, run as printed on hs, give our numbers, and
so do the R calls (run through Rscript into tests/fixtures/r/calls_hs.json; see the README
there). The mixed models: the other tool's REML log-likelihood within 1e-5 of ours (and never
above it: ours is the maximum) and every fixed effect within a thousandth of its standard
error; the classical methods: the same coefficients."""

import json
import re
import warnings
from functools import cache

import pandas as pd
import pytest

from multilevel.classical.artifacts.fitting import fit_method
from multilevel.config import Roles
from multilevel.data.prepare import prepare
from multilevel.hierarchical.ladder import MODEL_KEYS, fit_model, spec_for
from multilevel.report.calls import all_calls, method_calls, model_calls
from multilevel.workflow_names import METHOD_KEYS
from tests.helpers import ROOT, configured


@cache
def hs():
    spec = configured("hs")
    return spec, prepare(spec, ROOT).long


def run(code: str, long: pd.DataFrame, preamble: str):
    """Run the printed Python as a reader would, ``d`` being the long table; its ``fit``."""
    ns = {}
    exec(re.sub(r"pd\.read_parquet\([^)]*\)", "long", preamble), {"long": long}, ns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own notes on its optimiser
        exec(code, {**ns, "smf": ns["smf"]}, ns)
    return ns["fit"]


def ours(name: str) -> str:
    """A statsmodels coefficient name as our engine names it."""
    name = re.sub(r"C\((\w+), Treatment\(reference='[^']*'\)\)\[T\.([^\]]+)\]", r"\1\2", name)
    name = re.sub(r"\b(cvar|dvar)_(\w+)", r"\1(\2)", name)
    return "(Intercept)" if name == "Intercept" else name


@cache
def our_fit(key: str) -> dict:
    spec, long = hs()
    return fit_model(spec_for(spec.roles, key), long, spec.roles)["fits"]["REML"]


def check_same_fit(llf: float, fixef: dict, rec: dict):
    assert llf == pytest.approx(rec["llf"], abs=1e-5) and llf <= rec["llf"] + 1e-9
    assert sorted(map(ours, fixef)) == sorted(rec["fixed_names"])
    for name, value in fixef.items():
        assert abs(value - rec["params"][ours(name)]) < 1e-3 * rec["bse"][ours(name)], name


@pytest.mark.parametrize("key", MODEL_KEYS)
def test_statsmodels_calls_reproduce_the_mixed_models_on_hs(key):
    spec, long = hs()
    calls = all_calls(spec.roles, METHOD_KEYS)
    fit = run(calls["models"][key]["statsmodels"], long, calls["preamble"]["statsmodels"])
    assert fit.converged
    check_same_fit(fit.llf, dict(fit.fe_params.items()), our_fit(key))


def test_r_calls_reproduce_the_models_and_methods_on_hs():
    fixture = json.loads((ROOT / "tests" / "fixtures" / "r" / "calls_hs.json").read_text())
    spec, long = hs()
    calls = all_calls(spec.roles, METHOD_KEYS)
    for key, run_ in fixture["models"].items():
        assert run_["R"] == calls["models"][key]["R"], f"{key}: regenerate the fixture"
        for tool in ("nlme", "lme4"):
            check_same_fit(run_[tool]["logLik"], run_[tool]["fixef"], our_fit(key))
    assert list(fixture["models"]) == calls["model_order"]
    for key in ("pooled", "fe2b", "between"):
        assert fixture["methods"][key]["R"] == calls["methods"][key]["R"]
        params = fit_method(key, long, spec).result.params
        for name, value in fixture["methods"][key]["coef"].items():
            if not name.startswith(spec.roles.cluster):  # cluster effects: another baseline
                assert value == pytest.approx(params[name], rel=1e-9, abs=1e-9), name
    gap = fixture["methods"]["twostage"]["coef"]["SectorPublic|ses"]
    assert gap == pytest.approx(
        fit_method("twostage", long, spec).result.params["[slope] SectorPublic"]
    )


@pytest.mark.parametrize("key", ["pooled", "fe2b", "between"])
def test_statsmodels_calls_reproduce_the_ols_methods_on_hs(key):
    spec, long = hs()
    calls = all_calls(spec.roles, METHOD_KEYS)
    fit = run(calls["methods"][key]["statsmodels"], long, calls["preamble"]["statsmodels"])
    params = fit_method(key, long, spec).result.params
    for name in params.index:
        if name.startswith("school["):
            continue  # the cluster effects: statsmodels codes them against a baseline school
        (theirs,) = [n for n in fit.params.index if ours(n) == name]
        assert fit.params[theirs] == pytest.approx(params[name], rel=1e-9, abs=1e-9), name


def test_statsmodels_two_stage_gives_the_slope_gap_of_page_43():
    spec, long = hs()
    calls = all_calls(spec.roles, METHOD_KEYS)
    fit = run(calls["methods"]["twostage"]["statsmodels"], long, calls["preamble"]["statsmodels"])
    ours_fit = fit_method("twostage", long, spec).result.params
    gap = fit.params["C(Sector, Treatment(reference='Catholic'))[T.Public]"]
    assert gap == pytest.approx(ours_fit["[slope] SectorPublic"], rel=1e-9)
    assert round(gap, 4) == 1.1100  # the document's SectorPublic, page 43


def test_calls_use_the_roles_and_quote_odd_names():
    roles = Roles("my id", "score", "week", "arm", "placebo")
    spec = spec_for(roles, "intercepts_slopes_outcomes")
    calls = model_calls(spec, roles)
    assert "lme(score ~ week * arm, random = ~ 1 + week | `my id`, data = d)" in calls["R"]
    assert "lmer(score ~ week * arm + (1 + week | `my id`), data = d)" in calls["R"]
    assert "C(arm, Treatment(reference='placebo'))" in calls["statsmodels"]
    assert 'groups=d["my id"]' in calls["statsmodels"]
    no_group = Roles("id", "y", "x")
    assert method_calls("fe2a", no_group) is None
    assert "fit <- lm(y ~ x, data = d)" == method_calls("pooled", no_group)["R"]
    everything = all_calls(no_group, METHOD_KEYS)
    assert "means_as_outcomes" not in everything["models"]
    assert "relevel" not in everything["preamble"]["R"]
