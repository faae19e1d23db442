"""A residual SD per level of a level-2 group (multilevel/mixed/var_ident.py) against nlme's
``lme(..., weights = varIdent(form = ~ 1 | group))`` (tests/fixtures/r/df_rules.json).

Our log-likelihood is at least nlme's (to 1e-7) and equal to 1e-6.  On hs the likelihood is
flat in the SD ratio (nlme stops 3.5e-6 from our ratio), which moves the SEs by up to 2e-5
relative: hence 1e-4 on hs's SEs; orthodont agrees to 1e-6."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from multilevel.mixed import MixedModelError
from multilevel.mixed.var_ident import lmm_var_ident
from tests.test_mixed_fixtures import dataset

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "df_rules.json"
MODELS = {
    "hs": ("mathach ~ ses * Sector", "~ 1 + ses", "school", "Sector", 1e-4),
    "orthodont": ("distance ~ age * Sex", "~ 1 + age", "Subject", "Sex", 1e-6),
}


@cache
def fit(ds: str):
    formula, random, group, by, _ = MODELS[ds]
    return lmm_var_ident(formula, random, group, dataset(ds), by=by)


@pytest.mark.parametrize("ds", sorted(MODELS))
def test_matches_nlme_var_ident(ds):
    ref = json.loads(FIXTURE.read_text())["var_ident"][ds]
    ours = fit(ds)
    assert ours.llf >= ref["logLik"] - 1e-7
    assert ours.llf == pytest.approx(ref["logLik"], abs=1e-6)
    assert ours.equal.llf == pytest.approx(ref["logLik_equal"], abs=1e-6)
    assert ours.lr_statistic == pytest.approx(ref["lr_statistic"], abs=1e-5)
    assert ours.lr_df == ref["lr_df"]
    assert ours.lr_p == pytest.approx(ref["lr_p"], rel=1e-4)
    # nlme's reference level may differ from ours: compare the SDs of the levels
    r_ref = next(lv for lv, v in ref["ratios"].items() if v == 1)
    r_sigmas = {lv: ref["sigma"] * v for lv, v in ref["ratios"].items()}
    for level, sd in ours.sigmas.items():
        assert sd == pytest.approx(r_sigmas[level], rel=1e-5), level
    assert ours.ratios[r_ref] / ours.ratios.iloc[0] == pytest.approx(
        1 / ref["ratios"][ours.ratios.index[0]], rel=1e-5
    )
    se_rtol = MODELS[ds][4]
    names = ref["fixed"]["names"]
    np.testing.assert_allclose(ours.fit.params[names], ref["fixed"]["value"], rtol=1e-5)
    np.testing.assert_allclose(ours.fit.bse[names], ref["fixed"]["se"], rtol=se_rtol)
    np.testing.assert_array_equal(ours.fit.df[names], ref["fixed"]["df"])


def test_three_levels_nest_two():
    """Splitting one level in two (by school id parity) can only raise the likelihood, and
    the ratio of the unsplit level stays close to the split levels' pooled value."""
    data = dataset("hs").copy()
    odd = data["school"].astype(int) % 2 == 1
    data["SectorSplit"] = np.where(
        data["Sector"] == "Public", np.where(odd, "Public odd", "Public even"), "Catholic"
    )
    three = lmm_var_ident("mathach ~ ses * Sector", "~ 1 + ses", "school", data, by="SectorSplit")
    two = fit("hs")
    assert list(three.ratios.index) == ["Catholic", "Public even", "Public odd"]
    assert three.lr_df == 2
    assert three.llf >= two.llf - 1e-7
    pooled = two.ratios["Public"]
    assert min(three.ratios.iloc[1:]) <= pooled * 1.001
    assert max(three.ratios.iloc[1:]) >= pooled * 0.999


def test_level1_group_is_refused():
    with pytest.raises(MixedModelError, match=r"'age'.*constant within each cluster.*27 cluster"):
        lmm_var_ident("distance ~ age", "~ 1", "Subject", dataset("orthodont"), by="age")
