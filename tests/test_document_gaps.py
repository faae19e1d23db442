"""The smaller gaps of issue 17.6: the some() listings of pages 24, 25 and 30 (the document's
own rows for hs, seeded random rows elsewhere) and the answer to page 42's question (the group
is aliased with the cluster effects), generated from the data."""

import pandas as pd

from multilevel.classical.artifacts.fitting import group_aliasing
from multilevel.data.describe import SOME_ROWS, document_rows, some_tables
from multilevel.data.prepare import prepare
from multilevel.report.published import load_registry
from tests.helpers import ROOT, configured

REGISTRY = load_registry(ROOT / "data" / "published.csv")


def test_some_listings_show_the_documents_rows_with_its_variables():
    spec = configured("hs")
    long = prepare(spec, ROOT).long
    tables = {t.key: t for t in some_tables(long, spec, REGISTRY)}
    assert list(tables) == ["some_24", "some_25", "some_30"]
    assert [int(i) for i in tables["some_24"].frame.index] == [
        419,
        483,
        627,
        960,
        1272,
        1632,
        1709,
        1717,  # as printed on page 24
    ]
    for page, table in zip(("24", "25", "30"), tables.values(), strict=True):
        assert [int(i) for i in table.frame.index] == document_rows(REGISTRY, page)
        assert table.doc_pages == page
    comp, cat = spec.composition["name"], spec.composition["category"]["name"]
    columns = {k: set(t.frame.columns) for k, t in tables.items()}
    assert comp not in columns["some_24"] and cat not in columns["some_24"]
    assert comp in columns["some_25"] and cat not in columns["some_25"]
    assert {comp, cat} <= columns["some_30"]
    assert spec.id_label not in set.union(*columns.values())  # added on page 31
    row = tables["some_24"].frame.loc["419"]
    printed = REGISTRY.set_index("key")["value"]
    assert row["mathach"] == printed["row/419/mathach"]
    assert row["raw-file row"] == printed["row/419/row"]


def test_some_listing_elsewhere_is_seeded_and_random():
    spec = configured("orthodont")
    long = prepare(spec, ROOT).long
    (table,) = some_tables(long, spec)
    (again,) = some_tables(long, spec)
    assert table.key == "some" and len(table.frame) == SOME_ROWS
    pd.testing.assert_frame_equal(table.frame, again.frame)
    rows = [int(i) for i in table.frame.index]
    assert rows == sorted(set(rows)) and rows != list(range(1, SOME_ROWS + 1))


def test_page_42_answer_follows_the_data():
    spec = configured("hs")
    long = prepare(spec, ROOT).long
    r = spec.roles
    text = group_aliasing(long, r.cluster, r.group, r.predictor)
    counts = long.groupby(r.group, observed=True)[r.cluster].nunique()
    listed = ", ".join(f"{n} {lv}" for lv, n in counts.items())
    assert f"({listed} schools)" in text and "aliased with the school effects" in text
    mixed = pd.DataFrame(
        {"c": [1, 1, 2, 2, 3, 3], "g": ["a", "b", "a", "a", "b", "b"], "x": range(6)}
    )
    other = group_aliasing(mixed, "c", "g", "x")
    assert "1 cs contain more than one level of g" in other and "aliased" not in other
