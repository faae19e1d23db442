"""Which clusters per-cluster figures and tables show when there are many, and what the
captions say about it (multilevel.selection); the grouped mode that replaced a function call
per cluster."""

import numpy as np
import pandas as pd

from multilevel.classical.artifacts.figures import cluster_order
from multilevel.data.describe import data_tables
from multilevel.data.grouping import up
from multilevel.data.prepare import prepare
from multilevel.selection import (
    TABLE_ROWS,
    keep_selected,
    largest_clusters,
    selection_note,
    with_selection,
)
from multilevel.simulation.many_clusters import many_clusters_entry, many_small_clusters

from .helpers import spec_from


def test_the_largest_clusters_with_ties_broken_by_id():
    rows = pd.Series([5, 5, 5, 1, 1, 9, 9, 9, 2, 2, 7])  # sizes: 5:3, 9:3, 1:2, 2:2, 7:1
    assert list(largest_clusters(rows, 2)) == [5, 9]
    assert list(largest_clusters(rows, 3)) == [1, 5, 9]  # 1 before 2 at size 2
    assert list(largest_clusters(rows, 4)) == [1, 2, 5, 9]
    assert list(largest_clusters(rows, 5)) == [1, 2, 5, 7, 9]
    assert list(largest_clusters(rows, 50)) == [1, 2, 5, 7, 9]


def test_a_selection_keeps_the_display_order():
    assert keep_selected([9, 1, 5, 2], pd.Index([1, 2, 9])) == [9, 1, 2]


def test_captions_say_what_is_shown_only_when_a_selection_applies():
    assert selection_note(40, 40, "school") == ""
    assert with_selection("Caption", 40, 40, "school") == "Caption"
    note = selection_note(40, 160, "school", "schools.csv")
    assert note == (
        "Shown: the 40 schools with the most rows of 160 (ties by id); "
        "every school is in schools.csv"
    )
    caption = with_selection("Caption", 5, 9, "id", "Lines only for")
    assert caption.startswith("Caption. Lines only for the 5 ids with the most rows of 9")
    assert caption.endswith(" beside the report.")  # a sentence, before the page reference


def test_the_mode_of_each_cluster_breaks_ties_by_level_order():
    frame = pd.DataFrame(
        {
            "c": [1, 1, 2, 2, 2, 3, 3, 4],
            "k": pd.Categorical(["b", "a", "b", "b", "a", "a", None], ["b", "a"])[
                [0, 1, 2, 3, 4, 5, 6, 6]
            ],
            "s": ["y", "x", "x", "y", "y", "z", "z", "w"],
            "v": [1.0, 3.0, 2.0, 2.0, 5.0, 0.0, 1.0, 4.0],
        }
    )
    out = up(frame, "c", summarise=True)
    # c=1: a tie between b and a goes to b, the first level; c=4: no value
    assert out["k"].tolist()[:3] == ["b", "b", "a"] and pd.isna(out["k"].iloc[3])
    assert out["s"].tolist() == ["x", "y", "z", "w"]  # c=1: a tie, x first in sorted order
    assert out["v"].tolist() == [2.0, 3.0, 0.5, 4.0]


def many(tmp_path, clusters):
    frame = many_small_clusters(clusters, np.random.default_rng(7))
    path = tmp_path / "tiny.csv"
    frame.to_csv(path, index=False)
    spec = spec_from(many_clusters_entry(path, clusters))
    return prepare(spec).long, spec


def test_the_generator_is_seeded_and_makes_tiny_clusters_in_two_groups():
    a = many_small_clusters(500, np.random.default_rng(3))
    b = many_small_clusters(500, np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b)
    sizes = a.groupby("id").size()
    assert len(sizes) == 500 and set(sizes) == {2, 3}
    assert (a.groupby("id")["group"].nunique() == 1).all()
    assert set(a["group"]) == {"A", "B"} and set(a["kind"]) == {"u", "v"}


def test_per_cluster_tables_show_a_selection_and_keep_every_cluster(tmp_path):
    long, spec = many(tmp_path, 400)
    tables = {t.key: t for t in data_tables(long, spec, csv_link="tables/data")}
    chosen = largest_clusters(long["id"], TABLE_ROWS)
    for key in ("up", "up_summary", "tab_group_cluster", "tab_kind_cluster"):
        table = tables[key]
        expected = 400 + (key.startswith("tab_"))  # the Total row
        assert len(table.full) == expected, key
        shown = [str(i) for i in table.frame.index if i != "Total"]
        assert shown == [str(c) for c in chosen], key
        assert table.csv == f"tables/data/{key}.csv"
        assert f"the {TABLE_ROWS} ids with the most rows of 400" in table.caption
        assert f"every id is in tables/data/{key}.csv" in table.caption
    # the Total row still counts every cluster
    total = tables["tab_group_cluster"].frame.loc["Total", "Total"]
    assert total == len(long)
    labels = tables["up_label"]
    assert len(labels.full) == 400 and len(labels.frame) == TABLE_ROWS
    assert set(labels.frame.index) == set(
        long.drop_duplicates("id").set_index("id").loc[chosen, "code"].astype(str)
    )


def test_cluster_order_follows_the_informative_label(tmp_path):
    long, spec = many(tmp_path, 60)
    ids, labels = cluster_order(long, spec)
    categories = list(long["code"].cat.categories)
    assert [labels[c] for c in ids] == categories
    assert sorted(ids) == sorted(long["id"].unique().tolist())


def test_beta_space_frames_the_bulk_and_counts_the_wild_lines():
    from multilevel.plots.style import frame_bulk, new_figure

    rng = np.random.default_rng(5)
    x, y = rng.normal(size=200), rng.normal(size=200)
    fig, axes = new_figure()
    ax = axes[0, 0]
    ax.scatter(x, y)
    before = ax.get_xlim(), ax.get_ylim()
    assert frame_bulk(ax, x, y) == 0
    assert (ax.get_xlim(), ax.get_ylim()) == before and not ax.texts
    x[:3] = [500.0, -800.0, 1e4]  # three clusters of two rows with nearly equal x
    ax.scatter(x, y)
    assert frame_bulk(ax, x, y, "cluster lines") == 3
    assert ax.get_xlim()[1] < 10 and ax.get_xlim()[0] > -10
    (note,) = [t.get_text() for t in ax.texts]
    assert note == "3 of 200 cluster lines outside the frame"


def test_an_estimate_without_standard_errors_is_drawn_without_an_ellipse():
    """Fixed effects on clusters of 2 rows: one line per cluster leaves no residual degrees of
    freedom; the picture shows the estimate and says why there is no ellipse."""
    from multilevel.classical import BetaEstimate
    from multilevel.plots.beta_space import EllipseLayer, beta_space_figure

    nan = float("nan")
    est = BetaEstimate("B", np.array([1.0, 2.0]), np.array([[nan, nan], [nan, nan]]), None)
    layer = EllipseLayer(est, "joint", 0.95, "#000000", "-", 1.4, "o", "B: fixed effects", None)
    fig = beta_space_figure([layer])
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["B: fixed effects (no ellipse: no standard errors)"]
