"""Error type of the mixed-model engine."""

from __future__ import annotations

from multilevel.errors import DataError


class MixedModelError(DataError):
    """Bad input to, or an impossible request of, the mixed-model engine.

    A :class:`multilevel.errors.DataError`, hence a ValueError; the message names the
    offending column(s) or cluster(s)."""
