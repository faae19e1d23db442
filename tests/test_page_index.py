"""The index maps the document's pages to the report's numbered tables and figures."""

from multilevel.report.render import document_pages, page_index


def test_page_references_are_parsed():
    assert document_pages("10-11, 18", pages_only=True) == [10, 11, 18]
    assert document_pages("Figure 4, p. 49", pages_only=False) == [49]
    assert document_pages("Figure 5, p. 53; pp. 58-60", pages_only=False) == [53, 58, 59, 60]
    assert document_pages("", pages_only=True) == []


def test_index_lists_items_by_page():
    tables = {"t": {"doc_pages": "19-20"}}
    figures = {"f": {"doc_ref": "Figure 1, p. 20"}, "g": {"doc_ref": ""}}
    numbers = {
        "tables": [{"n": 3, "key": "t", "title": "T"}],
        "figures": [{"n": 1, "key": "f", "title": "F"}, {"n": 2, "key": "g", "title": "G"}],
    }
    index = page_index(tables, figures, numbers)
    assert [row["page"] for row in index] == [19, 20]
    assert [(i["kind"], i["n"]) for i in index[1]["items"]] == [("table", 3), ("figure", 1)]


def test_index_lists_the_some_listings_and_the_one_way_summary():
    from multilevel.data.describe import some_tables
    from multilevel.data.prepare import prepare
    from multilevel.hierarchical.artifacts import oneway_fit_table
    from multilevel.hierarchical.ladder import fit_model, spec_for
    from multilevel.report.published import load_registry

    from .helpers import ROOT, configured

    spec = configured("hs")
    long = prepare(spec, ROOT).long
    registry = load_registry(ROOT / "data" / "published.csv")
    made = some_tables(long, spec, registry)
    oneway = fit_model(spec_for(spec.roles, "oneway"), long, spec.roles)
    made.append(oneway_fit_table(oneway["fits"]["REML"]))
    tables = {t.key: {"doc_pages": t.doc_pages} for t in made}
    numbers = {
        "tables": [{"n": i, "key": t.key, "title": t.title} for i, t in enumerate(made, 1)],
        "figures": [],
    }
    pages = [row["page"] for row in page_index(tables, {}, numbers)]
    assert pages == [24, 25, 30, 149]


def test_numbers_follow_the_pages_not_the_first_citation():
    """Text may cite a table before the table stands: the numbers still run in page order."""
    from multilevel.report.render import Numbering

    first = Numbering()
    assert first("table", "b") == 0  # a citation, before "b" is placed
    first("table", "a", placed=True)
    first("table", "b", placed=True)
    first("figure", "only_cited")
    fixed = Numbering(fixed=first.finished())
    assert fixed("table", "a") == 1 and fixed("table", "b") == 2
    assert fixed("figure", "only_cited") == 1
