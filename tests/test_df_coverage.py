"""The df-rules coverage study (multilevel/simulation/df_coverage.py) and its step."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from multilevel.errors import DataError
from multilevel.simulation.df_coverage import RULES, check_clusters, run_df_study, summarise_df
from multilevel.simulation.simulate import StudyDesign
from scripts.montecarlo_df import main
from tests.helpers import CONFIG

DESIGN = StudyDesign(cluster_size=(("distribution", "fixed"), ("size", 8)))


@pytest.fixture(scope="module")
def records():
    return run_df_study(DESIGN, 7, [6, 10], 12)


def test_same_seed_same_records(records):
    again = run_df_study(DESIGN, 7, [6, 10], 12)
    pd.testing.assert_frame_equal(records, again)
    other = run_df_study(DESIGN, 8, [6], 12)
    assert not np.allclose(other["estimate"], records[records["clusters"] == 6]["estimate"])


def test_summary_counts_the_records(records):
    s = summarise_df(records).set_index(["clusters", "quantity", "rule"])
    r = records[(records["clusters"] == 10) & (records["quantity"] == "slope_gap")]
    for rule in RULES:
        ok = r[(r["rule"] == rule) & r["ok"]]
        row = s.loc[(10, "slope_gap", rule)]
        assert row["n"] == len(ok) and row["failures"] == 12 - len(ok)
        assert row["coverage"] == pytest.approx(ok["covered"].mean())
        c = row["coverage"]
        assert row["coverage_mcse"] == pytest.approx(np.sqrt(c * (1 - c) / len(ok)))


def test_rules_differ_where_they_should(records):
    """The slope gap is a level-1 effect: nlme's df count rows (8 per cluster), Satterthwaite's
    and Kenward-Roger's follow the clusters (their median below 10); z uses none.  The same
    estimate, different intervals."""
    r = records[(records["clusters"] == 10) & (records["quantity"] == "slope_gap") & records["ok"]]
    by = {rule: g.set_index("replicate") for rule, g in r.groupby("rule")}
    assert (by["nlme"]["df"] >= 80 - 10 - 4).all()
    for rule in ("Satterthwaite", "Kenward-Roger"):
        assert by[rule]["df"].median() < 10 and (by[rule]["df"] < 40).all(), rule
    assert np.isinf(by["z"]["df"]).all()
    common = by["nlme"].index.intersection(by["Satterthwaite"].index)
    np.testing.assert_array_equal(
        by["nlme"].loc[common, "estimate"], by["Satterthwaite"].loc[common, "estimate"]
    )


def test_records_are_the_fits_of_the_seeded_replicates(records):
    """Replicate i at c clusters is the design with c clusters drawn from
    SeedSequence([seed, c]).spawn(R)[i], fitted by REML; its records are that fit's
    fixed_table under each rule (z: nlme's estimate and SE)."""
    from dataclasses import replace

    from multilevel.mixed import lmm
    from multilevel.simulation.simulate import simulate_study

    names = {"within": "x", "slope_gap": "x:groupB", "intercept_gap": "groupB"}
    for total, i in [(6, 0), (10, 5)]:
        seed = np.random.SeedSequence([7, total]).spawn(12)[i]
        data = simulate_study(
            replace(DESIGN, clusters_per_group=total // 2), np.random.default_rng(seed)
        )
        fit = lmm("y ~ x * group + cvar(x)", random="~ 1 + x", group="cluster", data=data)
        mine = records[(records["clusters"] == total) & (records["replicate"] == i)]
        for rule in RULES:
            table = fit.fixed_table("nlme" if rule == "z" else rule)
            for q, name in names.items():
                row = mine[(mine["rule"] == rule) & (mine["quantity"] == q)].iloc[0]
                assert row["estimate"] == table.loc[name, "estimate"]
                assert row["se"] == table.loc[name, "se"]
                df = np.inf if rule == "z" else table.loc[name, "df"]
                assert row["df"] == df


@pytest.mark.parametrize("bad", [[7], [4], [], [10, 21]])
def test_cluster_counts_are_checked(bad):
    with pytest.raises(DataError, match="df_rules.clusters"):
        check_clusters(bad)


def test_step_writes_table_figure_and_numbers(tmp_path):
    cfg = yaml.safe_load(CONFIG.read_text())["simulation"]["montecarlo"]
    cfg.update(
        seed=3,
        cluster_size={"distribution": "fixed", "size": 8},
        df_rules={"clusters": [6, 8], "replicates": 4},
    )
    out = {k: tmp_path / f"{k}.{ext}" for k, ext in [
        ("replicates", "parquet"), ("tables", "json"), ("context", "json"), ("figure", "svg"),
        ("meta", "json"),
    ]}  # fmt: skip
    main(cfg, *out.values())
    (table,) = json.loads(out["tables"].read_text())
    assert table["key"] == "mc_df_rules" and len(table["rows"]) == 2 * len(RULES)
    ctx = json.loads(out["context"].read_text())["montecarlo_df"]
    assert ctx["clusters"] == [6, 8] and set(ctx["summary"]["6"]["within"]) == set(RULES)
    svg = out["figure"].read_text()
    assert "df_coverage:Kenward-Roger:slope_gap" in svg
