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
