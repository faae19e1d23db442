"""One way to list a figure for the report: its key, title, caption, the document's figure or
pages it reproduces, and the file it was saved to (the JSON lists the report's parts read)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FigureArtifact"]


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
