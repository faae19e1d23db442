"""Influence of each cluster (multilevel.diagnostics.influence) against lme4's influence().

The fixture (tests/fixtures/r/influence.json, written by make_influence.R) holds, for hs's
intercepts-and-slopes-as-outcomes model and sleepstudy's random slopes (REML), lme4's own
``influence(fit, groups = cluster)`` and the same quantities from refits run to convergence
(bobyqa, rhoend = 1e-10).  Against the converged refits: every refit's REML criterion is
ours at least as low (to 1e-9 relative), and dfbetas and Cook's distances agree to 2e-6: the
refits' REML criteria agree to 1e-9 but hs's surface is flat, so theta agrees only to about
1e-6 relative, which moves the fixed effects by up to 8e-7 SEs.  Against lme4's influence()
itself (its refits stop at its default optimizer's tolerance), to 1e-4: the fixture records
that lme4's own refits are within 6e-5 of the converged ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from multilevel.diagnostics.influence import cluster_influence
from multilevel.mixed import lmm

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "r" / "influence.json"

MODELS = {
    "hs": ("mathach ~ ses * Sector", "~ 1 + ses", "school"),
    "sleepstudy": ("Reaction ~ Days", "~ 1 + Days", "Subject"),
}


@cache
def fixture() -> dict:
    return json.loads(FIXTURE.read_text())


@cache
def fitted(name: str):
    from .conftest import _hs_from_raw

    data = _hs_from_raw() if name == "hs" else pd.read_csv(ROOT / "data" / "raw" / "sleepstudy.csv")
    fixed, random, group = MODELS[name]
    fit = lmm(fixed, random=random, group=group, data=data)
    return data, fit, cluster_influence(fit)


def _by_cluster(table: dict, ids: list[str]) -> np.ndarray:
    return np.array(
        [list(table[i].values()) if isinstance(table[i], dict) else table[i] for i in ids]
    )


@pytest.mark.parametrize("name", list(MODELS))
def test_refits_equal_converged_lme4_refits(name):
    _, fit, inf = fitted(name)
    ref = fixture()["models"][name]["converged"]
    ids = [str(c) for c in inf.labels]
    assert sorted(ids) == sorted(ref["deleted"]) and inf.exact.all() and inf.converged.all()
    crit = _by_cluster(ref["REMLcrit"], ids)
    assert np.all(inf.criterion_without <= crit + 1e-9 * np.abs(crit))
    np.testing.assert_allclose(
        inf.dfbeta, _by_cluster(ref["dfbeta"], ids), atol=2e-6 * inf.se_without.max()
    )
    np.testing.assert_allclose(inf.dfbetas, _by_cluster(ref["dfbetas"], ids), rtol=0, atol=2e-6)
    np.testing.assert_allclose(inf.cooks, _by_cluster(ref["cooks"], ids), rtol=0, atol=2e-6)
    assert list(inf.singular) == [ref["singular"][i] for i in ids]


@pytest.mark.parametrize("name", list(MODELS))
def test_equal_to_lme4_influence(name):
    _, _, inf = fitted(name)
    ref = fixture()["models"][name]
    assert max(ref["lme4_vs_converged_max_abs"].values()) < 1e-4
    ids = [str(c) for c in inf.labels]
    lme4 = ref["lme4"]
    np.testing.assert_allclose(inf.dfbetas, _by_cluster(lme4["dfbetas"], ids), rtol=0, atol=1e-4)
    np.testing.assert_allclose(inf.cooks, _by_cluster(lme4["cooks"], ids), rtol=0, atol=1e-4)
    assert list(lme4["dfbeta"][ids[0]]) == inf.names  # the effects in lme4's names and order


@pytest.mark.parametrize("name", list(MODELS))
def test_held_theta_approximation_is_a_refit_at_the_full_theta(name):
    """Above EXACT_LIMIT clusters every cluster is first approximated with theta held at the full
    fit's: that must be exactly lmm(theta=full theta) on the data without the cluster."""
    data, fit, _ = fitted(name)
    approx = cluster_influence(fit, exact_limit=0, refit_largest=0)
    assert not approx.exact.any()
    fixed, random, group = MODELS[name]
    for j in (0, len(approx.labels) // 2, len(approx.labels) - 1):
        sub = data[data[group] != approx.labels[j]]
        ref = lmm(fixed, random=random, group=group, data=sub, theta=fit.theta)
        np.testing.assert_allclose(approx.params_without[j], ref.params.to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(approx.se_without[j], ref.bse.to_numpy(), rtol=1e-9)


def test_many_clusters_refit_the_largest_approximate_cooks():
    _, fit, full = fitted("hs")
    approx = cluster_influence(fit, exact_limit=0, refit_largest=0)
    some = cluster_influence(fit, exact_limit=0, refit_largest=5)
    top = np.sort(np.argsort(-approx.cooks, kind="stable")[:5])
    assert list(np.flatnonzero(some.exact)) == list(top)
    np.testing.assert_allclose(some.params_without[top], full.params_without[top], rtol=1e-12)
    rest = ~some.exact
    np.testing.assert_array_equal(some.params_without[rest], approx.params_without[rest])
    assert np.isnan(some.criterion_without[rest]).all()
