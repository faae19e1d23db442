"""The one exception type for errors a user can cause: bad config, missing column, bad file."""

from __future__ import annotations

from collections.abc import Iterable


def describe_rows(rows: Iterable, limit: int = 10) -> str:
    """The first ``limit`` items, then how many more."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{shown}{more}"


def rows_phrase(rows: list, label: str = "rows") -> str:
    """ "rows 3, 7" or "row 3" (``label`` in the plural, agreeing in number with ``rows``)."""
    return f"{label.removesuffix('s') if len(rows) == 1 else label} {describe_rows(rows)}"


class DataError(ValueError):
    """A problem with the user's data or configuration.

    The message names the file, the column and the rows (or clusters) concerned, so the user can
    find and fix the problem without reading a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Iterable | None = None,
        row_label: str = "rows",
    ):
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else None
        parts = []
        if file:
            parts.append(f"file {file}")
        if column:
            parts.append(f"column '{column}'")
        if self.rows:
            parts.append(rows_phrase(self.rows, row_label))
        where = f" [{'; '.join(parts)}]" if parts else ""
        super().__init__(f"{message}{where}")
