"""One clean, modern look for every figure of the project, and deterministic saving.

``STYLE`` is a dict of matplotlib rcParams; ``style()`` applies it as a context manager (figure
functions build their figures inside it, so artists pick it up; nothing global is changed).
``save_figure(fig, path)`` writes SVG with a fixed ``svg.hashsalt`` and no date, or PNG with
fixed metadata, so the same input gives byte-identical files.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
from cycler import cycler  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from multilevel.report.svg_tidy import tidy_svg  # noqa: E402

# Okabe-Ito, a palette that colour-blind readers can tell apart.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
INK = "#222222"
MUTED = "#8a8a8a"
HASH_SALT = "multilevel"

STYLE: dict = {
    "figure.figsize": (6.4, 4.8),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.edgecolor": "#b0b0b0",
    "axes.labelcolor": INK,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=PALETTE),
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.frameon": False,
    "legend.fontsize": 8.0,
    "lines.linewidth": 1.6,
    "lines.markersize": 4.0,
    "scatter.marker": "o",
    "svg.hashsalt": HASH_SALT,
    "svg.fonttype": "none",
    "path.simplify": False,
}


@contextmanager
def style():
    """Apply ``STYLE`` for the duration of the block."""
    with matplotlib.rc_context(STYLE):
        yield


@contextmanager
def collector_paused():
    """No cyclic garbage collection in the block (as it was after). Building or saving a figure
    makes tens of thousands of objects, and their count sets the collector off, a full pass
    walking every object of the process (some 150,000 once pandas and matplotlib are imported):
    0.1 to 0.35 s of a figure job went in passes that freed almost nothing (a figure lives until
    it is saved; what drawing throws away, reference counting frees)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def styled(func):
    """Decorator: build the figure inside ``style()``, the collector paused."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with style(), collector_paused():
            return func(*args, **kwargs)

    return wrapper


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=None, sharex=False, sharey=False):
    """A Figure (not registered with pyplot) and its axes array (always 2-D)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False)
    return fig, axes


def new_panel_grid(
    nrows: int, ncols: int, *, panel=(1.3, 1.25), top: float = 0.25, gap=(0.12, 0.3)
):
    """A Figure with a grid of small panels sharing their axes, with fixed margins (inches)
    instead of constrained layout, which costs about a second per 40-panel figure. ``top``
    leaves room above the panels (for a legend); ``gap`` is the space between panels as a
    fraction of a panel's width and height."""
    left, right, bottom = 0.55, 0.1, 0.5
    width, height = panel[0] * ncols + left + right, panel[1] * nrows + bottom + top
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(
        nrows,
        ncols,
        sharex=True,
        sharey=True,
        squeeze=False,
        gridspec_kw={
            "left": left / width,
            "right": 1 - right / width,
            "bottom": bottom / height,
            "top": 1 - top / height,
            "wspace": gap[0],
            "hspace": gap[1],
        },
    )
    return fig, axes


@contextmanager
def scaled_once(axes):
    """Draw into ``axes`` that share their limits, for a block that sets no limits itself: the
    shared limits are scaled once, at draw, from every panel's data, to what matplotlib's
    autoscaling gives. Without this, every scatter rescales the whole group (matplotlib brings
    the shared limits up to date before adding a collection): quadratic in the panels, about
    half the cost of a 40-panel figure."""
    flat = list(np.ravel(axes))
    for ax in flat:
        ax.set_autoscale_on(False)
    yield
    for ax in flat:
        ax.autoscale(True)


def level_colors(levels: Iterable) -> dict:
    """A colour for each level, in order, from ``PALETTE``."""
    return {lv: PALETTE[i % len(PALETTE)] for i, lv in enumerate(levels)}


DENSE_POINTS = 1000
# A cluster's own OLS line from 2 or 3 rows can be wild (its slope is a ratio of differences):
# beta-space pictures frame the bulk of the points, within this many interquartile ranges of
# the quartiles, and say how many fall outside.
BULK_IQRS = 6.0


def frame_bulk(ax, x, y, what: str = "points") -> int:
    """When some points lie beyond BULK_IQRS interquartile ranges of the quartiles of `x` or
    of `y`, set the axes' limits to the other points and write in the corner how many fall
    outside. Nothing changes when every point is inside. Returns the number outside."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 4:
        return 0
    bounds = []
    for values in (x, y):
        q1, q3 = np.quantile(values, [0.25, 0.75])
        spread = BULK_IQRS * max(q3 - q1, 1e-12)
        bounds.append((q1 - spread, q3 + spread))
    (x0, x1), (y0, y1) = bounds
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    outside = int((~inside).sum())
    if outside == 0:
        return 0
    pad_x, pad_y = 0.05 * (np.ptp(x[inside]) or 1.0), 0.05 * (np.ptp(y[inside]) or 1.0)
    ax.set_xlim(x[inside].min() - pad_x, x[inside].max() + pad_x)
    ax.set_ylim(y[inside].min() - pad_y, y[inside].max() + pad_y)
    corner_note(
        ax, f"{outside} of {len(x)} {what} outside the frame", "lower right", "note:outside"
    )
    return outside


CORNERS = {
    "lower right": (0.99, 0.01, "right", "bottom"),
    "lower left": (0.02, 0.02, "left", "bottom"),
    "upper right": (0.98, 0.98, "right", "top"),
}


def corner_note(ax, text: str, corner: str, gid: str) -> None:
    """A small muted note in a corner of the axes (what the picture leaves out)."""
    x, y, ha, va = CORNERS[corner]
    ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=7, color=MUTED, gid=gid)


def rasterize_point_clouds(fig: Figure, threshold: int = DENSE_POINTS) -> None:
    """When a figure draws more than `threshold` markers in all, draw the markers as an embedded
    bitmap inside the SVG: the file stays small and fast to render, while lines, ellipses, axes
    and text stay vector."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

    clouds = []
    for ax in fig.axes:
        for artist in ax.get_children():
            if isinstance(artist, PathCollection):
                clouds.append((artist, len(artist.get_offsets())))
            elif isinstance(artist, Line2D) and artist.get_linestyle() in ("None", "", " "):
                clouds.append((artist, len(artist.get_xdata())))
    if sum(n for _, n in clouds) > threshold:
        for artist, n in clouds:
            if n > 1:
                artist.set_rasterized(True)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` as SVG (fixed hash salt, no date, tidied by ``svg_tidy``) or PNG (fixed
    metadata) by the suffix of ``path``; the directory is created if needed. Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    rasterize_point_clouds(fig)
    with style(), collector_paused():
        if suffix == ".svg":
            path.write_text(tidy_svg(_svg_text(fig)))
        elif suffix == ".png":
            fig.savefig(path, format="png", metadata={"Software": "multilevel"})
        else:
            raise ValueError(f"save_figure writes .svg or .png, not {path.name!r}")
    return path


def _svg_text(fig: Figure) -> str:
    """The SVG of ``fig`` cropped to its artists, as ``savefig(bbox_inches="tight")`` writes it,
    with one draw instead of two: savefig draws the whole figure once (without output) only to
    lay it out and measure it, then again to write it. Here the layout engine runs and the
    bounding box is measured with the same SVG renderer, and the figure is drawn once.
    ``_get_renderer`` and ``_cm_set`` are matplotlib's own helpers for this in savefig (private:
    tests/test_figure_saving.py compares the result with savefig's, should an upgrade move them)."""
    from matplotlib.backend_bases import _get_renderer
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    canvas = FigureCanvasSVG(fig)
    engine = fig.get_layout_engine()
    with fig._cm_set(dpi=matplotlib.rcParams["savefig.dpi"]):
        renderer = _get_renderer(fig, canvas.print_svg)  # the renderer savefig measures with
        if engine is not None:
            engine.execute(fig)
        bbox = fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    buffer = io.StringIO()
    with fig._cm_set(layout_engine=None):  # laid out above; savefig would lay out again
        fig.savefig(buffer, format="svg", bbox_inches=bbox, metadata={"Date": None})
    return buffer.getvalue()
