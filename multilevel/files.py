"""Writing files: whole, so that a reader never meets half of one, and the workflow's JSON."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from multilevel.formatting import json_clean


def write_whole(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it to ``path``: a job
    stopped midway, or another job writing the same file, leaves the old file or the new one,
    never a mix."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        handle.write(payload)
    os.replace(handle.name, path)


def write_json(path: str | Path, obj) -> None:
    """``obj`` as the workflow's JSON: indented, keys sorted, a trailing newline; NaN and
    infinities written as null and numpy scalars as plain numbers (:func:`json_clean`). The
    parent directory is created. Streamed to the file: an artifact with a value per cluster
    would otherwise be held twice as text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        json.dump(json_clean(obj), handle, indent=1, sort_keys=True, allow_nan=False)
        handle.write("\n")
