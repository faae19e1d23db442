"""A job's figures saved as <key>.svg, in order, with the listing the report reads."""

import json

from multilevel.plots.style import new_figure
from multilevel.report.figure_listing import FigureArtifact, save_listed


def _drawn(key: str) -> FigureArtifact:
    fig, axes = new_figure(1, 1)
    axes[0, 0].plot([0, 1], [1, 0])
    return FigureArtifact(key, f"title {key}", f"caption {key}", "p. 1", figure=fig)


def test_each_figure_is_saved_under_its_key_and_listed_in_order(tmp_path):
    listing = save_listed([_drawn("b"), _drawn("a")], tmp_path / "svgs", tmp_path / "meta.json")
    assert [entry["key"] for entry in listing] == ["b", "a"]
    assert json.loads((tmp_path / "meta.json").read_text()) == listing
    for entry in listing:
        assert entry["file"] == str(tmp_path / "svgs" / f"{entry['key']}.svg")
        assert (tmp_path / "svgs" / f"{entry['key']}.svg").read_text().startswith("<?xml")
    assert listing[0]["caption"] == "caption b" and listing[0]["doc_ref"] == "p. 1"
