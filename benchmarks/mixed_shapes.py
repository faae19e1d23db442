"""The data shapes of bench_mixed.py, each generated once and written to one CSV that every
peer reads (Python peers with pandas or polars, lme4 with read.csv).

A shape is a model (outcome, fixed formula, one random slope, cluster column) and a file.
The simulated shapes share one generator: cluster sizes min_size + a multinomial share of the
remaining rows (weights uniform on [0.5, 1.5], so sizes vary and the total is exact), a
predictor with a between-cluster component (x = m_j + e_ij) and a contextual effect, and a
correlated random intercept and slope. hsb is the High School and Beyond data of data/raw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shape:
    name: str
    title: str
    outcome: str
    fixed: str  # fixed-effects formula, "y ~ x"
    slope: str  # the predictor with a random slope (random intercept and slope)
    group: str
    input_columns: tuple[str, ...]
    categories: dict[str, list[str]] = field(default_factory=dict)
    time_target_s: float | None = None

    def spec(self, csv: Path) -> dict:
        """What a peer's process needs to load the file and fit the model (JSON-able)."""
        return {**asdict(self), "csv": str(csv)}


@dataclass(frozen=True)
class Simulated:
    name: str
    rows: int
    clusters: int
    min_size: int
    string_ids: bool = False
    time_target_s: float | None = None


# Full-size shapes (issue 12, item 5) and their --quick versions (a tenth of the rows and
# clusters; the time targets are for the full sizes only).
FULL = (
    Simulated("1M/10k", 1_000_000, 10_000, 20, time_target_s=0.5),
    Simulated("200k/50k str", 200_000, 50_000, 2, string_ids=True, time_target_s=0.3),
    Simulated("200k/100k", 200_000, 100_000, 2),
    Simulated("100k/1k", 100_000, 1_000, 20),
)
QUICK = (
    Simulated("100k/1k", 100_000, 1_000, 20),
    Simulated("20k/5k str", 20_000, 5_000, 2, string_ids=True),
    Simulated("20k/10k", 20_000, 10_000, 2),
    Simulated("10k/100", 10_000, 100, 20),
)
HSB_TIME_TARGET_S = 0.010


def cluster_sizes(rng: np.random.Generator, rows: int, clusters: int, min_size: int) -> np.ndarray:
    if rows < clusters * min_size:
        raise ValueError(f"{rows} rows cannot fill {clusters} clusters of >= {min_size}")
    weights = rng.uniform(0.5, 1.5, size=clusters)
    return min_size + rng.multinomial(rows - clusters * min_size, weights / weights.sum())


def simulate(sim: Simulated, rng: np.random.Generator) -> pd.DataFrame:
    sizes = cluster_sizes(rng, sim.rows, sim.clusters, sim.min_size)
    codes = np.repeat(np.arange(sim.clusters), sizes)
    x_between = rng.normal(size=sim.clusters)
    x = x_between[codes] + rng.normal(size=sim.rows)
    b0 = rng.normal(scale=2.0, size=sim.clusters)
    b1 = 0.15 * b0 + rng.normal(scale=0.5, size=sim.clusters)
    y = (
        10.0
        + 1.5 * x
        + 0.8 * x_between[codes]
        + b0[codes]
        + b1[codes] * x
        + rng.normal(scale=3.0, size=sim.rows)
    )
    if sim.string_ids:
        # Labels whose sorted order is neither the order of appearance nor numeric order.
        labels = np.char.add("site", rng.permutation(sim.clusters).astype(str))
        g = labels[codes]
    else:
        g = codes
    return pd.DataFrame({"y": y, "x": x, "g": g})


def hsb_table() -> pd.DataFrame:
    """Students with their school's sector: the columns of mathach ~ ses * Sector."""
    raw = ROOT / "data" / "raw"
    students = pd.read_csv(raw / "MathAchieve.csv", usecols=["School", "SES", "MathAch"])
    schools = pd.read_csv(raw / "MathAchSchool.csv", usecols=["School", "Sector"])
    df = students.merge(schools, on="School", how="left", validate="many_to_one")
    return df.rename(columns={"School": "school", "MathAch": "mathach", "SES": "ses"})[
        ["school", "mathach", "ses", "Sector"]
    ]


def write_shapes(folder: Path, sims: tuple[Simulated, ...], seed: int, names: set[str] | None):
    """Generate the shapes named (all if None) once and write their CSVs; returns
    [(Shape, csv path, rows, clusters)]. The i-th shape of `sims` always draws from the i-th
    Generator spawned from the seed, so choosing shapes does not change their data."""
    out = []
    streams = np.random.SeedSequence(seed).spawn(len(sims))
    for sim, stream in zip(sims, streams, strict=True):
        if names is not None and sim.name not in names:
            continue
        df = simulate(sim, np.random.default_rng(stream))
        csv = folder / f"{sim.name.replace('/', '_').replace(' ', '_')}.csv"
        df.to_csv(csv, index=False)  # floats as shortest round-trip text
        shape = Shape(
            name=sim.name,
            title=f"{sim.rows:,} rows, {sim.clusters:,} clusters"
            + (", string ids" if sim.string_ids else ""),
            outcome="y",
            fixed="y ~ x",
            slope="x",
            group="g",
            input_columns=("y", "x", "g"),
            time_target_s=sim.time_target_s,
        )
        out.append((shape, csv, len(df), sim.clusters))
    if names is None or "hsb" in names:
        df = hsb_table()
        csv = folder / "hsb.csv"
        df.to_csv(csv, index=False)
        shape = Shape(
            name="hsb",
            title=f"High School and Beyond, {len(df):,} rows, {df['school'].nunique()} schools",
            outcome="mathach",
            fixed="mathach ~ ses * Sector",
            slope="ses",
            group="school",
            input_columns=("mathach", "ses", "Sector", "school"),
            categories={"Sector": ["Catholic", "Public"]},
            time_target_s=HSB_TIME_TARGET_S,
        )
        out.append((shape, csv, len(df), df["school"].nunique()))
    return out
