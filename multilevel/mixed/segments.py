"""Per-cluster sums over the rows, block by block: O(rows + clusters) time and memory.

When the rows come grouped by cluster (cluster codes non-decreasing, as after sorting a
file by its cluster id), each block holds whole clusters and its sums are
np.add.reduceat over contiguous segments, several times faster than np.bincount, which
is used otherwise (blocks of at least as many rows as there are clusters, so the per-block
cluster-length arrays cost O(rows) overall).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: rows per block: the block's temporaries (a few row-length arrays) stay small
ROW_BLOCK = 1 << 14


@dataclass(frozen=True)
class Block:
    rows: slice
    clusters: slice  # the clusters whose sums this block adds to (all of them if unsorted)
    starts: np.ndarray | None  # first row of each cluster, relative to the block (sorted)


class Segments:
    """The clusters of the rows (codes 0..J-1, every cluster present)."""

    def __init__(self, codes: np.ndarray, n_groups: int):
        self.codes = codes
        self.n_groups = J = n_groups
        N = codes.size
        if _is_sorted(codes):
            starts = np.flatnonzero(codes[1:] != codes[:-1])
            starts += 1
            starts = np.concatenate(([0], starts))
            self.counts = np.diff(np.append(starts, N))
            inner = np.searchsorted(starts, np.arange(ROW_BLOCK, N, ROW_BLOCK))
            cuts = np.unique(np.concatenate(([0], inner, [J])))
            self.blocks = [
                Block(
                    slice(int(starts[c0]), int(starts[c1]) if c1 < J else N),
                    slice(int(c0), int(c1)),
                    starts[c0:c1] - starts[c0],
                )
                for c0, c1 in zip(cuts[:-1], cuts[1:], strict=True)
            ]
        else:
            self.counts = np.bincount(codes, minlength=J)
            size = max(ROW_BLOCK, J)
            self.blocks = [
                Block(slice(a, min(a + size, N)), slice(0, J), None) for a in range(0, N, size)
            ]

    def block_sums(self, block: Block, weights: np.ndarray | None) -> np.ndarray:
        """Sums of weights (the block's rows; None: ones) by cluster, to add to
        out[block.clusters]."""
        if block.starts is not None:
            if weights is None:
                return self.counts[block.clusters]
            return np.add.reduceat(weights, block.starts)
        return np.bincount(self.codes[block.rows], weights=weights, minlength=self.n_groups)


def _is_sorted(codes: np.ndarray) -> bool:
    return codes.size < 2 or bool(np.all(codes[1:] >= codes[:-1]))


def varies_within(col: np.ndarray | None, codes: np.ndarray, n_groups: int) -> bool:
    """Does the column take more than one value inside at least one cluster (exact
    comparison, as nlme does)?"""
    if col is None:
        return False
    if _is_sorted(codes):
        return bool(np.any((col[1:] != col[:-1]) & (codes[1:] == codes[:-1])))
    # compare every row with one row of its cluster (which one does not matter: when a
    # fancy-index assignment repeats an index, one of the assigned values is kept)
    rep = np.zeros(n_groups, dtype=np.intp)
    rep[codes] = np.arange(codes.size)
    return bool(np.any(col != col[rep[codes]]))
