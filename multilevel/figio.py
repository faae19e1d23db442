"""Saving figures so that the same input gives byte-identical files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def save_figure(fig, path: str | Path) -> None:
    """Save as SVG (text kept as paths-free text, fixed ids) or PNG with no timestamps."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    with matplotlib.rc_context({"svg.hashsalt": "multilevel", "svg.fonttype": "none"}):
        if suffix == ".svg":
            fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        elif suffix == ".png":
            fig.savefig(path, format="png", dpi=150, metadata={"Software": None})
        elif suffix == ".pdf":
            fig.savefig(path, format="pdf", metadata={"CreationDate": None, "Creator": None})
        else:
            raise ValueError(f"unsupported figure format: {path}")
    plt.close(fig)
