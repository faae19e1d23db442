"""Satterthwaite and Kenward-Roger degrees of freedom (multilevel/mixed/ddf.py) against
lmerTest / pbkrtest (tests/fixtures/r/df_rules.json, written by make_df.R), and the
derivatives they are built on against dense matrix algebra.

The engine is evaluated at R's theta (lme4, bobyqa with rhoend 1e-12), so the comparison is
of the rules, not of two optimisers.  Kenward-Roger is closed-form in both programs and
agrees to rounding; lmerTest's Satterthwaite differentiates numerically (numDeriv), which
limits the agreement to about 1e-6 relative, hence 1e-5 below."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from multilevel.mixed import MixedModelError, lmm
from multilevel.mixed.variance_sums import variance_derivatives
from tests.test_mixed_fixtures import dataset

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "r" / "df_rules.json"


@cache
def fixtures() -> dict:
    return json.loads(FIXTURE.read_text())


CASES = [(ds, key) for ds, fits in fixtures()["fits"].items() for key in fits]


def model_args(ds: str, rec: dict) -> dict:
    """lmer's formula 'y ~ x + (1 + z | g)' as the engine's arguments."""
    lhs, rhs = rec["formula"].split("~", 1)
    fixed, random = rhs.rsplit("+ (", 1)
    random, group = random.rstrip(")").split("|")
    return {
        "formula": f"{lhs.strip()} ~ {fixed.strip()}",
        "random": f"~ {random.strip()}",
        "group": group.strip(),
        "data": dataset(ds),
    }


@cache
def fit_at_r(ds: str, key: str):
    rec = fixtures()["fits"][ds][key]
    return lmm(**model_args(ds, rec), theta=np.array(rec["theta"]))


def _r_table(rec: dict) -> dict:
    return {name: k for k, name in enumerate(rec["names"])}


@pytest.mark.parametrize("case", CASES, ids=["/".join(c) for c in CASES])
@pytest.mark.parametrize(
    "rule, key, df_rtol",
    [("Satterthwaite", "satterthwaite", 1e-5), ("Kenward-Roger", "kenward_roger", 1e-9)],
)
def test_rule_matches_r(case, rule, key, df_rtol):
    rec = fixtures()["fits"][case[0]][case[1]]
    ref = rec[key]
    ours = fit_at_r(*case).fixed_table(rule)
    index = _r_table(ref)
    assert sorted(index) == sorted(ours.index)
    order = [index[name] for name in ours.index]
    for col, rtol in [("estimate", 1e-9), ("se", 1e-9), ("df", df_rtol), ("t", 1e-9)]:
        np.testing.assert_allclose(
            ours[col].to_numpy(), np.array(ref[col])[order], rtol=rtol, err_msg=col
        )
    # p from t(df): its relative error follows the df's (largest for tiny p)
    np.testing.assert_allclose(ours["p"].to_numpy(), np.array(ref["p"])[order], rtol=50 * df_rtol)


@pytest.mark.parametrize("case", CASES, ids=["/".join(c) for c in CASES])
def test_kenward_roger_covariance_matches_pbkrtest(case):
    rec = fixtures()["fits"][case[0]][case[1]]
    ref = rec["vcov_kr"]
    ours = fit_at_r(*case).cov_params_kr().loc[ref["rownames"], ref["colnames"]]
    np.testing.assert_allclose(
        ours.to_numpy(), np.array(ref["values"]), rtol=1e-9, atol=1e-12 * np.abs(ours).max().max()
    )


def test_own_optimum_gives_r_df():
    """Fitted by our own optimiser, the central model's df agree with R's to 1e-4."""
    ds, key = "hs", "intercepts_slopes_outcomes"
    rec = fixtures()["fits"][ds][key]
    fit = lmm(**model_args(ds, rec))
    for rule, name in [("Satterthwaite", "satterthwaite"), ("Kenward-Roger", "kenward_roger")]:
        ours = fit.fixed_table(rule)
        ref = dict(zip(rec[name]["names"], rec[name]["df"], strict=True))
        np.testing.assert_allclose(
            ours["df"].to_numpy(), [ref[n] for n in ours.index], rtol=1e-4, err_msg=rule
        )


def test_rules_differ_on_an_unbalanced_design():
    """hs is unbalanced: the three rules give different df for the level-1 slope, and the
    fixtures say by how much (a bug that returned one rule's df for another fails here)."""
    fit = fit_at_r("hs", "intercepts_slopes_outcomes")
    df = {
        rule: fit.fixed_table(rule).loc["ses", "df"]
        for rule in ("nlme", "Satterthwaite", "Kenward-Roger")
    }
    assert df["nlme"] == 1935
    assert abs(df["Satterthwaite"] - df["Kenward-Roger"]) > 1


def _dense(fit):
    """Sigma, its derivatives G_r, X (centred as the engine does) and y, as dense arrays."""
    d = fit.design
    n = d.n_obs
    X = np.column_stack(
        [np.ones(n) if d.columns[nm] is None else d.columns[nm] for nm in d.x_names]
    )
    X[:, 1:] -= X[:, 1:].mean(axis=0)
    Zr = np.column_stack(
        [np.ones(n) if d.columns[nm] is None else d.columns[nm] for nm in d.z_names]
    )
    q, J = Zr.shape[1], d.n_groups
    Z = np.zeros((n, q * J))
    for k in range(q):
        Z[np.arange(n), d.codes * q + k] = Zr[:, k]
    G = fit.G.to_numpy()
    Gs = []
    for j in range(q):
        for i in range(j, q):
            D = np.zeros((q, q))
            D[i, j] = D[j, i] = 1.0
            Gs.append(Z @ np.kron(np.eye(J), D) @ Z.T)
    Gs.append(np.eye(n))
    sigma = Z @ np.kron(np.eye(J), G) @ Z.T + fit.sigma**2 * np.eye(n)
    return sigma, Gs, X, d.y


def test_derivatives_match_dense_algebra():
    """P, Q, the expected and the observed REML information from per-cluster sums equal the
    n x n matrix formulas, on an unbalanced subset (rows dropped unevenly) of sleepstudy."""
    data = dataset("sleepstudy")
    keep = np.ones(len(data), bool)
    keep[[0, 1, 2, 15, 33, 34, 50, 51, 52, 53, 54, 99, 120, 121, 177]] = False
    fit = lmm("Reaction ~ Days", random="~ 1 + Days", group="Subject", data=data[keep])
    d = variance_derivatives(fit._prof, fit._ev, fit.sigma**2, list(fit.design.z_names))
    sigma, Gs, X, y = _dense(fit)
    Si = np.linalg.inv(sigma)
    phi = np.linalg.inv(X.T @ Si @ X)
    Pi = Si - Si @ X @ phi @ X.T @ Si
    np.testing.assert_allclose(d.phi, phi, rtol=1e-9)
    k = len(Gs)
    for r in range(k):
        np.testing.assert_allclose(d.P[r], -X.T @ Si @ Gs[r] @ Si @ X, rtol=1e-9, atol=1e-15)
        for s in range(k):
            Q = X.T @ Si @ Gs[r] @ Si @ Gs[s] @ Si @ X
            np.testing.assert_allclose(d.Q[r][s], Q, rtol=1e-9, atol=1e-12 * np.abs(Q).max())
            E = np.trace(Pi @ Gs[r] @ Pi @ Gs[s])
            H = -E + 2 * y @ Pi @ Gs[r] @ Pi @ Gs[s] @ Pi @ y
            assert d.expected[r, s] == pytest.approx(E, rel=1e-9)
            assert d.hessian[r, s] == pytest.approx(H, rel=1e-9)


def test_ml_fit_and_unknown_rule_are_refused():
    data = dataset("sleepstudy")
    ml = lmm("Reaction ~ Days", random="~ 1 + Days", group="Subject", data=data, method="ML")
    with pytest.raises(MixedModelError, match="REML fits only"):
        ml.fixed_table("Kenward-Roger")
    with pytest.raises(MixedModelError, match="ddf must be one of"):
        ml.fixed_table("containment")
    assert ml.fixed_table("nlme")["df"].tolist() == ml.df.tolist()
