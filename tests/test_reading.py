"""The fitted models read in words (multilevel.hierarchical.reading): the sentences follow the
numbers. On hs the slopes vary no more than sampling error explains (document page 145); on
sleepstudy the random slope is needed; the ML fit of hs's intercepts and slopes as outcomes is
singular (a correlation at +1); the other coding of the γ's is checked by refitting with the
other reference level."""

from dataclasses import replace
from functools import cache

import pandas as pd
import pytest

from multilevel.data.prepare import prepare
from multilevel.hierarchical.ladder import fit_model, lr_tests, spec_for
from multilevel.hierarchical.reading import (
    gamma_reading,
    lr_sentences,
    p_words,
    singular_sentences,
)
from tests.helpers import ROOT, configured

SLOPES = ("oneway_ancova", "random_coefficients", "nonrandom_slopes", "intercepts_slopes_outcomes")


@cache
def ladder(name: str, keys=SLOPES, reference: str | None = None):
    spec = configured(name)
    if reference:
        spec = replace(spec, roles=replace(spec.roles, group_reference=reference))
    long = prepare(spec, ROOT).long
    arts = {k: fit_model(spec_for(spec.roles, k), long, spec.roles) for k in keys}
    return spec, long, arts


def reading(name: str):
    _, _, arts = ladder(name)
    tests = lr_tests(arts)
    names = {k: a["spec"]["short"] for k, a in arts.items()}
    return tests, lr_sentences(tests, names)


def test_hs_slopes_consistent_with_sampling_error():
    tests, words = reading("hs")
    row = tests[tests["larger"] == "random_coefficients"].iloc[0]
    assert row["p_boundary"] > 0.05
    (first, second) = words["random"]  # the two random-part tests of the ladder
    assert f"LR = {row['LR']:.3f} on 2 df, {p_words(row['p'])}" in first
    assert f"{p_words(row['p_boundary'])} against the boundary mixture" in first
    assert "consistent with sampling error" in first and "page 145" in first
    assert "consistent with sampling error" in second
    assert not any("needed" in s for s in words["random"])


def test_sleepstudy_random_slope_needed():
    tests, words = reading("sleepstudy")
    computed = tests[tests["refused"].isna()]
    assert list(computed["kind"]) == ["random"]  # the tests that need a group are refused
    (sentence,) = words["random"]
    assert computed.iloc[0]["p_boundary"] < 0.05
    assert "the random slope is needed" in sentence
    assert "sampling error alone" not in sentence
    assert len(tests) == 3 and words["fixed"] == []  # refused tests are left to the table


def test_fixed_sentence_follows_p():
    base = {
        "smaller": "a",
        "larger": "b",
        "question": "Q",
        "kind": "fixed",
        "method": "ML",
        "df": 1,
        "LR": 2.0,
        "p_boundary": None,
        "refused": None,
    }
    frame = pd.DataFrame([{**base, "p": 0.157}, {**base, "p": 0.001}])
    weak, strong = lr_sentences(frame, {"a": "A", "b": "B"})["fixed"]
    assert "no evidence against the smaller model" in weak
    assert "support the larger model" in strong


def test_hs_singular_ml_fit_explained():
    _, _, arts = ladder("hs")
    ml = arts["intercepts_slopes_outcomes"]["fits"]["ML"]
    assert ml["status"] == "singular"
    (text,) = singular_sentences(arts)
    r = ml["corr_re"][1][0]
    assert "The ML fit of Intercepts and slopes as outcomes is singular" in text
    assert f"the correlation of the random intercepts and slopes of ses is {r:+.3f}" in text
    assert "the REML fit is not singular" in text
    assert singular_sentences({k: arts[k] for k in SLOPES[:3]}) == []


@pytest.mark.parametrize("name", ["hs", "orthodont"])
def test_other_coding_is_the_refit_with_the_other_reference(name):
    spec, long, arts = ladder(name)
    levels = [str(v) for v in long[spec.roles.group].cat.categories]
    rec = arts["intercepts_slopes_outcomes"]["fits"]["REML"]
    read = gamma_reading(rec, spec.roles, levels)
    other = read["other"]
    assert other["reference"] == levels[1] and other["indicator"] == levels[0]
    _, _, swapped = ladder(name, ("intercepts_slopes_outcomes",), reference=levels[1])
    params = swapped["intercepts_slopes_outcomes"]["fits"]["REML"]["params"]
    x, w = spec.roles.predictor, spec.roles.group
    expected = {
        "gamma00": params["(Intercept)"],
        "gamma01": params[f"{w}{levels[0]}"],
        "gamma10": params[x],
        "gamma11": params[f"{x}:{w}{levels[0]}"],
    }
    for key, value in expected.items():
        assert other[key] == pytest.approx(value, rel=1e-6, abs=1e-8), key
    gap = rec["params"][f"{w}{levels[1]}"]
    assert any(
        s.startswith(f"γ01 = {gap:.3f}") and ("lower" if gap < 0 else "higher") in s
        for s in read["words"]
    )


def test_no_group_reads_two_gammas():
    spec, long, arts = ladder("sleepstudy", ("random_coefficients",))
    read = gamma_reading(arts["random_coefficients"]["fits"]["REML"], spec.roles, None)
    assert len(read["words"]) == 2 and read["other"] is None
    assert "over clusters" in read["words"][0]
