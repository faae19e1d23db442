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
