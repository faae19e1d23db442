"""A guard before any step that would allocate a dense array whose size grows with the data
faster than rows + clusters (a rows x clusters design, a clusters x clusters covariance).

Such a step is fine on a few hundred clusters and kills the job on a hundred thousand: the
kernel ends it with SIGKILL and the user sees nothing useful. :func:`check_dense` estimates the
array's bytes first and, above a limit, raises one :class:`~multilevel.errors.DataError` that
says which step, how big, why the step needs it and what to do instead.

The limit is 2 GiB unless the environment variable ``MULTILEVEL_MAX_DENSE_BYTES`` (a number of
bytes) says otherwise, or the caller passes ``limit``.
"""

from __future__ import annotations

import math
import os

from multilevel.errors import DataError

__all__ = ["DEFAULT_LIMIT", "LIMIT_VARIABLE", "check_dense", "dense_limit", "human_bytes"]

DEFAULT_LIMIT = 2 * 1024**3
LIMIT_VARIABLE = "MULTILEVEL_MAX_DENSE_BYTES"


def dense_limit() -> int:
    """The largest dense allocation allowed, in bytes."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LIMIT
    try:
        value = int(float(text))
    except ValueError:
        raise DataError(
            f"{LIMIT_VARIABLE}={text!r} is not a number of bytes (e.g. 2147483648 for 2 GiB)"
        ) from None
    if value <= 0:
        raise DataError(f"{LIMIT_VARIABLE}={text!r} must be a positive number of bytes")
    return value


def human_bytes(n: float) -> str:
    """``n`` bytes in binary units (``1.5 GiB``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def check_dense(
    step: str,
    shape: tuple[int, ...],
    *,
    why: str,
    instead: str,
    itemsize: int = 8,
    limit: int | None = None,
) -> int:
    """Raise a DataError if a dense array of ``shape`` (``itemsize`` bytes per entry) would
    exceed the limit; return its size in bytes otherwise.

    ``step`` names what is about to run, ``why`` says why it needs the array, ``instead`` what
    the user can do."""
    nbytes = math.prod(int(s) for s in shape) * itemsize
    allowed = dense_limit() if limit is None else limit
    if nbytes > allowed:
        dims = " x ".join(f"{int(s):,}" for s in shape)
        raise DataError(
            f"{step} would allocate a dense {dims} array of {human_bytes(nbytes)}, above the "
            f"limit of {human_bytes(allowed)} ({LIMIT_VARIABLE}); it needs it because {why}. "
            f"Stopped before the system runs out of memory. Instead: {instead}"
        )
    return nbytes
