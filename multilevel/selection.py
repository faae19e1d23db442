"""Which clusters a per-cluster figure or table shows when there are many.

A report of 100,000 clusters cannot draw a panel, a line or a table row for each. Per-cluster
pictures and tables show the clusters with the most rows (ties broken by sorted cluster id), up
to a limit per kind of artifact, in their usual display order; the caption says what is shown
(``selection_note``) and the full per-cluster tables are written to CSV beside the report. A
dataset with no more clusters than the limit is shown whole, exactly as before (hs has 40
clusters, at every limit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "PANELS",
    "TABLE_ROWS",
    "LINES",
    "ARROWS",
    "CLUSTER_CSV",
    "POINTS",
    "thinned_rows",
    "thinning_note",
    "largest_clusters",
    "selection_note",
    "with_selection",
    "keep_selected",
]

# One small panel per cluster (Figures 2-3, p. 52).
PANELS = 40
# One row per cluster in a table, one labelled position per cluster on an axis (p. 161).
TABLE_ROWS = 50
# One line per cluster in a spaghetti plot (p. 51, Figure 18): all of hsb's 160.
LINES = 200
# One arrow per cluster from its BLUE to its BLUP (p. 163, Figure 19).
ARROWS = 200
# Points in a scatter of all rows (p. 47): beyond this, every k-th row is drawn.
POINTS = 20_000
# The one-row-per-cluster table with every cluster, relative to the report (rule describe_data).
CLUSTER_CSV = "tables/data/up_summary.csv"


def largest_clusters(clusters: pd.Series, limit: int) -> pd.Index:
    """The ids of the `limit` clusters with the most rows in `clusters` (one value per row),
    ties broken by sorted id; every cluster when there are no more than `limit`. The result is
    in sorted id order."""
    sizes = clusters.value_counts(sort=False)
    sizes = sizes[sizes > 0].sort_index(kind="stable")
    if len(sizes) <= limit:
        return sizes.index
    # stable sort on -size keeps the sorted-id order among clusters of the same size
    order = np.argsort(-sizes.to_numpy(), kind="stable")[:limit]
    return sizes.index[np.sort(order)]


def keep_selected(ids, selected: pd.Index) -> list:
    """`ids` (a display order) restricted to `selected`, order kept."""
    keep = set(selected.tolist())
    return [c for c in ids if c in keep]


def selection_note(
    shown: int, total: int, cluster: str, where: str | None = None, what: str = "Shown:"
) -> str:
    """The caption's sentence on what is shown, empty when every cluster is."""
    if shown >= total:
        return ""
    note = f"{what} the {shown} {cluster}s with the most rows of {total} (ties by id)"
    if where:
        note += f"; every {cluster} is in {where}"
    return note


def with_selection(caption: str, shown: int, total: int, cluster: str, what: str = "Shown:") -> str:
    """A figure's caption, with the sentence on the selection when not every cluster is shown
    (every cluster is in the one-row-per-cluster CSV)."""
    where = f"the table {CLUSTER_CSV} beside the report"
    note = selection_note(shown, total, cluster, where, what)
    return f"{caption}. {note}." if note else caption


def thinned_rows(n: int, limit: int = POINTS) -> tuple[np.ndarray, int]:
    """Positions of the rows a scatter of ``n`` rows draws, and the step ``k``: every row when
    ``n <= limit``, else every k-th row in the table's order (k = ceil(n / limit)), a
    systematic sample that keeps the picture's density and needs no random draw."""
    step = max(1, -(-n // limit))
    return np.arange(0, n, step), step


def thinning_note(total: int, limit: int = POINTS) -> str:
    """The caption's sentence on a scatter of ``total`` rows thinned by :func:`thinned_rows`,
    empty when every row is drawn."""
    shown, step = thinned_rows(total, limit)
    if step == 1:
        return ""
    return (
        f"Points: one row in {step} of the {total}, in the table's order ({len(shown)} drawn); "
        "the lines and ellipses use every row"
    )
