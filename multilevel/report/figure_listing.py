"""One way to list a figure for the report: its key, title, caption, the document's figure or
pages it reproduces, and the file it was saved to (the JSON lists the report's parts read)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FigureArtifact", "save_listed"]


@dataclass
class FigureArtifact:
    """A figure to save as ``<key>.svg`` with the metadata the report shows; ``figure`` is the
    drawn figure, when the caller keeps it with its metadata."""

    key: str
    title: str
    caption: str
    doc_ref: str
    figure: object = None

    def meta(self, path) -> dict:
        """The report's listing of this figure, saved at ``path``."""
        return {
            "key": self.key,
            "title": self.title,
            "caption": self.caption,
            "doc_ref": self.doc_ref,
            "file": str(path),
        }


def save_listed(figures: list[FigureArtifact], out_dir, listing_out) -> list[dict]:
    """Save each drawn figure as ``<out_dir>/<key>.svg`` and write their listing, in order, to
    ``listing_out``; returns the listing."""
    from pathlib import Path

    from multilevel.files import write_json
    from multilevel.plots.style import save_figure

    out_dir = Path(out_dir)
    listing = [fig.meta(save_figure(fig.figure, out_dir / f"{fig.key}.svg")) for fig in figures]
    write_json(listing_out, listing)
    return listing
