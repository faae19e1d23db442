"""End to end on many tiny clusters: the workflow builds a readable report of a dataset of
CLUSTERS clusters of 2-3 rows, whose per-cluster figures and tables show a documented selection
and whose complete per-cluster tables are CSV files beside the report.

CLUSTERS is as large as keeps this test near two minutes on the development machine (the
benchmark benchmarks/bench_report_scale.py runs the same build at 100,000 clusters)."""

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from multilevel.config import DatasetSpec
from multilevel.hierarchical.ladder import restore
from multilevel.mixed.design import INTERCEPT
from multilevel.selection import ARROWS, LINES, PANELS, TABLE_ROWS, largest_clusters
from multilevel.simulation.many_clusters import many_clusters_entry, write_many_small_clusters

from .helpers import ROOT
from .workflow import html_table, make_workdir, run

pytestmark = pytest.mark.slow

CLUSTERS = 600
SEED = 20261130


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    # the simulation chapter does not depend on the dataset: a small Monte Carlo study suffices
    config["simulation"]["montecarlo"].update(replicates=10, chunks=1)
    config["datasets"] = {"tiny": many_clusters_entry("input/tiny.csv", CLUSTERS)}
    config["dataset"] = "tiny"
    workdir = make_workdir(tmp_path_factory.mktemp("tiny"), config)
    write_many_small_clusters(workdir / "input" / "tiny.csv", CLUSTERS, SEED)
    result = run(workdir, "reports/tiny/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir, config


def test_the_report_is_small_and_says_what_it_shows(built):
    workdir, _ = built
    html_path = workdir / "reports" / "tiny" / "report.html"
    html = html_path.read_text()
    assert html_path.stat().st_size < 20e6
    assert (workdir / "reports" / "tiny" / "report.pdf").read_bytes().startswith(b"%PDF")
    notes = [
        f"Shown: the {PANELS} ids with the most rows of {CLUSTERS} (ties by id)",
        f"Lines only for the {LINES} ids with the most rows of {CLUSTERS}",
        f"Segments only for the {LINES} ids with the most rows of {CLUSTERS}",
        f"Shown: the {TABLE_ROWS} clusters with the most rows of {CLUSTERS}",
        f"Arrows only for the {ARROWS} clusters with the most rows of {CLUSTERS}",
        f"Lines only for the {LINES} clusters with the most rows of {CLUSTERS}",
        "every id is in the table tables/data/up_summary.csv beside the report",
        'href="tables/data/up_summary.csv"',
        'href="tables/mixed/oneway_clusters.csv"',
    ]
    for note in notes:
        assert note in html, note
    # one panel per shown cluster, not per cluster: every figure is a few hundred kB at most
    figures = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert figures and max(len(f) for f in figures) < 2_000_000


def test_the_csv_files_hold_every_cluster(built):
    workdir, _ = built
    tables = workdir / "reports" / "tiny" / "tables"
    raw = pd.read_csv(workdir / "input" / "tiny.csv")
    summary = pd.read_csv(tables / "data" / "up_summary.csv", index_col="id")
    assert len(summary) == CLUSTERS
    means = raw.groupby("id")[["x", "y"]].mean()
    np.testing.assert_allclose(summary.loc[means.index, "y"], means["y"], rtol=1e-12)
    counts = pd.read_csv(tables / "data" / "tab_group_cluster.csv", index_col="id")
    assert len(counts) == CLUSTERS + 1 and counts.loc["Total", "Total"] == len(raw)
    oneway = pd.read_csv(tables / "mixed" / "oneway_clusters.csv")
    assert len(oneway) == CLUSTERS
    assert oneway["n"].sum() == len(raw)
    influence = pd.read_csv(tables / "diagnostics" / "diagnostics_influence.csv")
    assert len(influence) == CLUSTERS and influence["n"].sum() == len(raw)
    assert influence["refitted"].all()  # CLUSTERS is under EXACT_LIMIT: every cluster refitted


def test_the_diagnostics_chapter_shows_a_selection(built):
    workdir, _ = built
    html = (workdir / "reports" / "tiny" / "report.html").read_text()
    chapter = html[html.index('<section id="diagnostics"') :]
    chapter = chapter[: chapter.index("</section>")]
    assert f"Shown: the {TABLE_ROWS} clusters with the most rows of {CLUSTERS}" in chapter
    assert f"Error bars for the {LINES} clusters with the most rows of {CLUSTERS}" in chapter
    assert 'href="tables/diagnostics/diagnostics_influence.csv"' in chapter
    _, rows = html_table(html, "diagnostics_influence")
    assert len(rows) == 10


def test_shown_rows_are_the_largest_clusters_with_the_librarys_numbers(built):
    workdir, config = built
    html = (workdir / "reports" / "tiny" / "report.html").read_text()
    raw = pd.read_csv(workdir / "input" / "tiny.csv")
    chosen = largest_clusters(raw["id"], TABLE_ROWS)
    _, rows = html_table(html, "up_summary")
    assert [int(r[0]) for r in rows] == list(chosen)

    # the one-way model's BLUE and BLUP of each shown cluster, from the fitted model
    spec = DatasetSpec.from_config(config, "tiny")
    long = pd.read_parquet(workdir / "results" / "tiny" / "data" / "long.parquet")
    art = json.loads((workdir / "results" / "tiny" / "mixed" / "oneway.json").read_text())
    fit = restore(art, "REML", long, spec.roles)
    gamma, g00, sigma2 = float(fit.params[INTERCEPT]), float(fit.G.iloc[0, 0]), fit.sigma**2
    head, rows = html_table(html, "oneway_clusters")
    assert len(rows) == TABLE_ROWS
    column = {name: i for i, name in enumerate(head)}
    label = long.drop_duplicates("id").set_index("code")["id"]
    stats = raw.groupby("id")["y"].agg(["mean", "size"])
    for row in rows:
        cid = int(label[row[0]])
        mean, n = stats.loc[cid, "mean"], stats.loc[cid, "size"]
        assert cid in chosen
        assert row[column["n"]] == str(n)
        assert row[column["OLS (BLUE)"]] == f"{mean:.4f}"
        blup = gamma + (mean - gamma) / (1 + sigma2 / (n * g00))
        assert row[column["BLUP"]] == f"{blup:.4f}"
