"""Error type of the mixed-model engine."""

from __future__ import annotations

try:  # a project-wide base class, if the project defines one
    from multilevel.errors import DataError as _Base  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the rest of the project
    _Base = ValueError


class MixedModelError(_Base):  # type: ignore[misc, valid-type]
    """Bad input to, or an impossible request of, the mixed-model engine.

    Always a subclass of ValueError; the message names the offending column(s) or
    cluster(s)."""


if not issubclass(MixedModelError, ValueError):  # pragma: no cover
    raise TypeError("MixedModelError must subclass ValueError")
