"""Counts in the data chapter's notes agree in number with their noun ("1 cluster has", "3
clusters have"): the note of templates/partials/data.html.j2, rendered by the report's own
Jinja environment for one and for several single-row clusters."""

from pathlib import Path

import pytest

from multilevel.report.render import environment

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "partials" / "data.html.j2"


def _note(single_row_clusters: list) -> str:
    src = TEMPLATE.read_text()
    start = src.index("{% set n_single")
    end = src.index("{% endif %}</p>", start) + len("{% endif %}</p>")
    html = (
        environment()
        .from_string(src[start:end])
        .render(prepare={"single_row_clusters": single_row_clusters})
    )
    return " ".join(html.split())


@pytest.mark.parametrize(
    "ids, expected",
    [
        ([7], "1 cluster has a single row: it contributes"),
        ([7, 9, 11], "3 clusters have a single row: they contribute"),
    ],
)
def test_single_row_note_agrees_in_number(ids, expected):
    assert expected in _note(ids)


def _render(start: str, end: str, **context) -> str:
    src = TEMPLATE.read_text()
    first = src.index(start)
    snippet = src[first : src.index(end, first) + len(end)]
    return " ".join(environment().from_string(snippet).render(**context).split())


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([40], "1 row repeats an earlier row exactly (row 40); it is kept"),
        ([40, 52], "2 rows repeat an earlier row exactly (rows 40, 52); they are kept"),
    ],
)
def test_duplicate_rows_note_agrees_in_number(rows, expected):
    html = _render(
        "{% if prepare.duplicate_rows %}",
        "twice.</p>\n{% endif %}",
        prepare={"duplicate_rows": rows},
    )
    assert expected in html
    assert ("check that it is not" if len(rows) == 1 else "check that they are not") in html


def test_a_group_level_of_one_cluster_and_one_row():
    roles = {"cluster": "c", "outcome": "y", "predictor": "x", "group": "arm"}
    groups = {
        "reference": "A",
        "levels": [
            {"name": "A", "rows": 1, "clusters": 1},
            {"name": "B", "rows": 9, "clusters": 3},
        ],
    }
    counts = {"rows": 10, "clusters": 4, "min_size": 1, "max_size": 3}
    html = _render(
        "{% set r = dataset.roles %}",
        "</p>",
        dataset={"roles": roles},
        groups=groups,
        counts=counts,
    )
    assert "A, 1 row in 1 cluster; B, 9 rows in 3 clusters." in html


@pytest.mark.parametrize("chunks, expected", [(1, "in 1 job)"), (4, "in 4 jobs)")])
def test_the_monte_carlo_jobs_agree_in_number(chunks, expected):
    src = (TEMPLATE.parent / "how_made.html.j2").read_text()
    start = src.index("<p>The Monte Carlo study is small")
    end = src.index("so that the report builds", start)
    sim = {"montecarlo": {"replicates": 200, "chunks": chunks}}
    html = environment().from_string(src[start:end]).render(sim=sim)
    assert f"(200 replicates {expected}" in " ".join(html.split())
