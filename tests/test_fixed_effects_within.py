"""Methods 2a and 2b by the within transformation against the dense dummy-variable fits they
replace (statsmodels OLS on an explicit cluster-dummy design, built here), on small random
data with three groups, unequal cluster sizes, a one-row cluster and a cluster whose
predictor does not vary; the degenerate cases; and the size guard."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from multilevel import classical as C
from multilevel.classical.artifacts.fitting import fit_method
from multilevel.classical.artifacts.stored import method_artifact
from multilevel.classical.artifacts.tables import method_tables
from multilevel.classical.artifacts.values import method_values
from multilevel.classical.wald import WaldResult, wald
from multilevel.errors import DataError
from multilevel.size_guard import LIMIT_VARIABLE, check_dense

from .helpers import spec_from

ROLES = {"cluster": "c", "outcome": "y", "predictor": "x", "group": "g"}


def _data(seed=7, clusters=14):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 9, size=clusters)
    sizes[3] = 1  # one row: no line of its own (2a drops it, 2b keeps its intercept)
    cl = np.repeat(np.arange(100, 100 + clusters), sizes)
    x = rng.normal(size=len(cl)) + rng.normal(size=clusters)[cl - 100]
    x[cl == 105] = 0.7  # no spread in x: dropped by 2a
    group = np.array(["lo", "mid", "hi"])[np.arange(clusters) % 3][cl - 100]
    y = 2 + 0.8 * x + (group == "hi") * (1 - 0.5 * x) + rng.normal(size=clusters)[cl - 100]
    y = y + rng.normal(scale=0.7, size=len(cl))
    return pd.DataFrame({"c": cl, "y": y, "x": x, "g": group})


def _dummies(frame, columns):
    return pd.DataFrame(columns, index=frame.index).astype(float)


def _dense_separate(d):
    """lm(y ~ c/x - 1) on the clusters with a line of their own."""
    varies = d.groupby("c")["x"].transform("nunique") > 1
    d = d[varies]
    ids = sorted(d["c"].unique())
    cols = {f"c[{c}]": d["c"] == c for c in ids}
    cols |= {f"c[{c}]:x": (d["c"] == c) * d["x"] for c in ids}
    return d, ids, sm.OLS(d["y"].to_numpy(), _dummies(d, cols)).fit()


def _dense_common(d, levels):
    """lm(y ~ x + c + x:g) with treatment coding and levels[0] as the reference."""
    ids = sorted(d["c"].unique())
    cols = {"(Intercept)": np.ones(len(d)), "x": d["x"]}
    cols |= {f"c[{c}]": d["c"] == c for c in ids[1:]}
    cols |= {f"x:g{lv}": (d["g"] == lv) * d["x"] for lv in levels[1:]}
    return ids, sm.OLS(d["y"].to_numpy(), _dummies(d, cols)).fit()


def _close(a, b, rtol=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-11)


def _group_L(names, rows):
    """A (2 x coefficients) DataFrame from {(row, name): weight}."""
    L = pd.DataFrame(0.0, index=["intercept", "slope"], columns=names)
    for (row, name), w in rows.items():
        L.loc[row, name] += w
    return L


def test_separate_lines_equal_the_dummy_fit_three_groups():
    data = _data()
    with pytest.warns(UserWarning, match="dropped"):
        res = C.fixed_effects_separate(data, **ROLES, reference="mid")
    d, ids, dense = _dense_separate(data)
    assert sorted(res.dropped_clusters) == [103, 105]
    assert list(res.params.index) == list(dense.params.index)
    _close(res.params, dense.params)
    _close(res.bse, dense.bse)
    _close(res.cov_params(), dense.cov_params())
    assert res.df_resid == dense.df_resid == len(d) - 2 * len(ids)
    assert res.nobs == len(d)
    _close(res.sigma, np.sqrt(dense.scale))
    _close(res.resid_quantiles, np.quantile(dense.resid, [0, 0.25, 0.5, 0.75, 1]))
    # the equally weighted average line of each group, and the gaps from the reference
    group_of = d.groupby("c")["g"].first()
    Ls = {}
    for lv in ("mid", "hi", "lo"):
        members = group_of.index[group_of == lv]
        w = 1.0 / len(members)
        rows = {("intercept", f"c[{c}]"): w for c in members}
        rows |= {("slope", f"c[{c}]:x"): w for c in members}
        Ls[lv] = _group_L(dense.params.index, rows).to_numpy()
        est = res.group_estimates()[lv]
        _close(est.centre, Ls[lv] @ dense.params)
        _close(est.cov, Ls[lv] @ dense.cov_params() @ Ls[lv].T)
    gap = res.difference("lo", "hi")
    A = Ls["lo"] - Ls["hi"]
    _close(gap.centre, A @ dense.params)
    _close(gap.cov, A @ dense.cov_params() @ A.T)
    # the Wald test: rows Int hi, Int lo, Slope hi, Slope lo (each level minus mid)
    assert list(res.test.table.index) == ["Int hi", "Int lo", "Slope hi", "Slope lo"]
    L = np.vstack([Ls[lv][j] - Ls["mid"][j] for j in (0, 1) for lv in ("hi", "lo")])
    ref = dense.f_test(L)
    assert res.test.num_df == 4 and res.test.den_df == dense.df_resid
    _close(res.test.F, np.squeeze(ref.fvalue))
    _close(res.test.p_value, ref.pvalue)
    tt = dense.t_test(L)
    _close(res.test.table["estimate"], tt.effect)
    _close(res.test.table["se"], tt.sd)
    _close(res.test.table["p"], tt.pvalue)


def test_common_slope_equals_the_dummy_fit_three_groups():
    data = _data(seed=11)
    levels = ["hi", "lo", "mid"]
    res = C.fixed_effects_common_slope(data, **ROLES, reference="hi")
    ids, dense = _dense_common(data, levels)
    assert list(res.params.index) == list(dense.params.index)
    _close(res.params, dense.params)
    _close(res.bse, dense.bse)
    _close(res.cov_params(), dense.cov_params())
    assert res.df_resid == dense.df_resid == len(data) - len(ids) - 3
    _close(res.sigma, np.sqrt(dense.scale))
    _close(
        [res.r_squared, res.adj_r_squared, res.fvalue, res.f_pvalue],
        [dense.rsquared, dense.rsquared_adj, dense.fvalue, dense.f_pvalue],
    )
    assert res.f_df == (dense.df_model, dense.df_resid)
    # each group's line: (Intercept) + the mean of its clusters' dummies, and its slope
    group_of = data.groupby("c")["g"].first()
    for lv in levels:
        members = group_of.index[group_of == lv]
        rows = {("intercept", "(Intercept)"): 1.0, ("slope", "x"): 1.0}
        rows |= {("intercept", f"c[{c}]"): 1.0 / len(members) for c in members if c != ids[0]}
        if lv != "hi":
            rows[("slope", f"x:g{lv}")] = 1.0
        L = _group_L(dense.params.index, rows).to_numpy()
        est = res.group_estimates()[lv]
        _close(est.centre, L @ dense.params)
        _close(est.cov, L @ dense.cov_params() @ L.T)
    test = res.test
    assert list(test.table.index) == ["x:glo", "x:gmid"]
    ref = wald(dense, "^x:g")
    _close(test.F, ref.F)
    assert test.num_df == 2 and test.den_df == dense.df_resid
    _close(test.table[["estimate", "se", "t", "p"]], ref.table[["estimate", "se", "t", "p"]])


def test_within_fit_wald_equals_the_dense_wald():
    data = _data(seed=3)
    res = C.fixed_effects_common_slope(data, **ROLES)
    ids, dense = _dense_common(data, ["hi", "lo", "mid"])
    for L in ("^c\\[", "x"):
        ours, theirs = wald(res.fit, L), wald(dense, L)
        _close(ours.F, theirs.F)
        _close(ours.table["se"], theirs.table["se"])
        assert ours.num_df == theirs.num_df


def test_from_estimates_equals_wald_on_a_dense_fit():
    data = _data(seed=5)
    ids, dense = _dense_common(data, ["hi", "lo", "mid"])
    L = pd.DataFrame(0.0, index=["a", "b", "a+b"], columns=dense.params.index)
    L.loc["a", "x"] = L.loc["b", "x:glo"] = 1.0
    L.loc["a+b", ["x", "x:glo"]] = 1.0
    ref = wald(dense, L)
    A = L.to_numpy()
    built = WaldResult.from_estimates(
        A @ dense.params, A @ dense.cov_params() @ A.T, dense.df_resid, L
    )
    assert built.dropped == ["a+b"] == ref.dropped
    _close(built.F, ref.F)
    _close(built.table, ref.table)


def test_two_rows_per_cluster_leaves_2a_without_error_variance():
    rng = np.random.default_rng(2)
    J = 30
    data = pd.DataFrame(
        {
            "c": np.repeat(np.arange(J), 2),
            "x": rng.normal(size=2 * J),
            "y": rng.normal(size=2 * J),
            "g": np.repeat(np.where(np.arange(J) < 12, "A", "B"), 2),
        }
    )
    res = C.fixed_effects_separate(data, **ROLES)
    assert res.df_resid == 0 and res.test is None
    assert "no residual degrees of freedom" in res.note
    gap = res.difference("B", "A")
    lines = data.groupby("c").apply(lambda f: np.polyfit(f["x"], f["y"], 1), include_groups=False)
    slopes = np.array([v[0] for v in lines])
    _close(gap.slope, slopes[12:].mean() - slopes[:12].mean())
    # the artifact and the tables say why instead of failing
    entry = {
        "title": "pairs",
        "files": {"level1": {"path": "unused.csv"}},
        "roles": dict(ROLES),  # the schema fills in defaults
    }
    fit = fit_method("fe2a", data, spec_from(entry, "pairs"))
    art = method_artifact(fit)
    assert art["estimates"]["test"] is None and "not computable" in art["estimates"]["note"]
    joint, rows = method_tables(fit)
    assert joint.notes == [res.note] and rows.notes == [res.note]
    assert rows.frame.loc["Slope", "Std. Error"] == "not computable"
    assert rows.frame.loc["Slope", "Estimate"] == f"{gap.slope:.6f}"
    assert not any("/test/" in k for k in method_values(fit))
    # 2b still has residual DF: N - J - 2
    common = C.fixed_effects_common_slope(data, **ROLES)
    assert common.df_resid == 2 * J - J - 2 and common.test is not None


def test_common_slope_needs_within_variation_in_every_group():
    data = _data()
    data.loc[data["g"] == "lo", "x"] = data.loc[data["g"] == "lo", "c"] * 0.1
    with pytest.raises(DataError, match="lo") as err:
        C.fixed_effects_common_slope(data, **ROLES)
    assert err.value.column == "x"


def test_size_guard_stops_a_dense_covariance(monkeypatch):
    res = C.fixed_effects_common_slope(_data(), **ROLES)
    p = len(res.params)
    assert res.cov_params().shape == (p, p)  # under the default limit
    monkeypatch.setenv(LIMIT_VARIABLE, str(8 * p * p - 1))
    with pytest.raises(DataError, match="cov_params") as err:
        res.cov_params()
    message = str(err.value)
    assert f"{p} x {p}" in message and LIMIT_VARIABLE in message and "Instead" in message
    # the pattern form of a Wald test builds a rows x coefficients matrix: guarded too
    monkeypatch.setenv(LIMIT_VARIABLE, "100")
    with pytest.raises(DataError, match="hypothesis matrix"):
        wald(res.fit, "^c\\[")
    # what the report uses never forms a big matrix, so it still runs under a tiny limit
    assert res.difference("lo", "hi").cov.shape == (2, 2)
    monkeypatch.setenv(LIMIT_VARIABLE, "a lot")
    with pytest.raises(DataError, match="not a number of bytes"):
        res.cov_params()


def test_check_dense_reports_the_step_and_size():
    assert check_dense("small", (10, 10), why="w", instead="i", limit=800) == 800
    with pytest.raises(DataError) as err:
        check_dense("A step", (100_000, 200_000), why="reasons", instead="do this", limit=2**31)
    text = str(err.value)
    assert "A step" in text and "100,000 x 200,000" in text and "149.0 GiB" in text
    assert "because reasons" in text and "Instead: do this" in text


def test_no_ellipse_without_standard_errors():
    from multilevel.classical.ellipse import ellipse

    rng = np.random.default_rng(4)
    data = pd.DataFrame(
        {
            "c": np.repeat(np.arange(8), 2),
            "x": rng.normal(size=16),
            "y": rng.normal(size=16),
            "g": np.repeat(["A", "B"] * 4, 2),
        }
    )
    gap = C.fixed_effects_separate(data, **ROLES).difference("B", "A")
    with pytest.raises(ValueError, match="no ellipse"):
        ellipse(gap.centre, gap.cov, 1.0)
