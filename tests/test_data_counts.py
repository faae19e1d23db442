"""The data chapter's counts agree with the preparation step (rows read, kept by the subset,
used, removed for missing values; level-2 clusters without rows), in the right number: the
sentences of templates/partials/data.html.j2, rendered by the report's own Jinja environment
from what prepare() records."""

from pathlib import Path

import pandas as pd

from multilevel.data.prepare import prepare
from multilevel.report.render import environment

from .helpers import ROOT, spec_from

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "partials" / "data.html.j2"
SLEEP = ROOT / "data" / "raw" / "sleepstudy.csv"


def counts_text(prepared) -> str:
    """The counting sentences, for a prepare.json written from ``prepared``."""
    src = TEMPLATE.read_text()
    snippet = src[src.index("{% macro counted") : src.index("{% if prepare.duplicate_rows %}")]
    info = {
        "n_raw_rows": prepared.n_raw_rows,
        "n_subset_rows": prepared.n_subset_rows,
        "n_rows": len(prepared.long),
        "dropped_rows": prepared.dropped_rows,
        "dropped_missing": prepared.dropped_missing,
        "unused_level2_keys": [str(k) for k in prepared.unused_level2_keys],
    }
    html = environment().from_string(snippet).render(prepare=info)
    return " ".join(html.split())


def sleep_entry(path, level2=None, **extra):
    files = {"level1": {"path": str(path)}}
    if level2:
        files["level2"] = {"path": str(level2), "key": "Subject"}
    roles = {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"}
    return {"title": "t", "files": files, "roles": roles, **extra}


def test_subset_and_one_row_removed_for_a_missing_value(tmp_path):
    frame = pd.read_csv(SLEEP)
    frame.loc[4, "Reaction"] = None
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    subset = {"column": "Subject", "values": [308, 309, 310]}
    text = counts_text(prepare(spec_from(sleep_entry(path, subset=subset))))
    assert (
        "180 rows were read, of which the configured subset keeps 30: 29 rows are used and 1 "
        "removed for missing values in the columns used (listwise deletion; values missing: "
        "<code>Reaction</code> 1)." in text
    )
    assert "level-2 file" not in text


def test_nothing_removed_and_level2_clusters_without_rows(tmp_path):
    frame = pd.read_csv(SLEEP)
    subjects = pd.DataFrame({"Subject": [*frame["Subject"].unique(), 900], "Arm": "A"})
    path = tmp_path / "subjects.csv"
    subjects.to_csv(path, index=False)
    text = counts_text(prepare(spec_from(sleep_entry(SLEEP, level2=path))))
    assert "180 rows were read: 180 rows are used." in text
    assert "1 cluster of the level-2 file has no level-1 rows and is not used: 900." in text
    subjects = pd.concat([subjects, pd.DataFrame({"Subject": [901], "Arm": ["B"]})])
    subjects.to_csv(path, index=False)
    text = counts_text(prepare(spec_from(sleep_entry(SLEEP, level2=path))))
    assert "2 clusters of the level-2 file have no level-1 rows and are not used: 900, 901." in text
    many = [*frame["Subject"].unique(), *range(900, 925)]
    pd.DataFrame({"Subject": many, "Arm": "A"}).to_csv(path, index=False)
    text = counts_text(prepare(spec_from(sleep_entry(SLEEP, level2=path))))
    assert (
        "25 clusters of the level-2 file have no level-1 rows and are not used: 900, 901," in text
    )
    assert "918, 919 and 5 more." in text
