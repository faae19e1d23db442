"""The Monte Carlo study's results gathered from its chunks: every replicate in order, and the
simulation chapter's tables and template context from the per-method summary
(:func:`multilevel.simulation.montecarlo.summarise`); what the simulation_chapter step writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from multilevel.report.tables import Table, format_frame
from multilevel.simulation.montecarlo import (
    DOCUMENT_CLAIMS,
    METHODS,
    QUANTITIES,
    chunk_bounds,
    verdicts,
)
from multilevel.simulation.simulate import StudyDesign


def gather(paths, n_replicates: int, chunks: int) -> pd.DataFrame:
    """Concatenate the chunks in order and check that every replicate is there once."""
    frames = [pd.read_parquet(p) for p in paths]
    records = pd.concat(frames, ignore_index=True)
    expected = [r for a, b in chunk_bounds(n_replicates, chunks) for r in range(a, b)]
    found = records["replicate"].drop_duplicates().tolist()
    if found != expected:
        raise ValueError(
            f"the chunks hold {len(found)} replicates ({found[:5]}...), "
            f"expected 0..{n_replicates - 1} once each"
        )
    return records


def _label(method: str) -> str:
    return METHODS[method].label if method in METHODS else method


def summary_tables(summary: pd.DataFrame, level: float) -> list[Table]:
    pct = f"{100 * level:g}%"
    out = []
    for q, title in QUANTITIES.items():
        s = summary[summary["quantity"] == q]
        frame = pd.DataFrame(
            {
                "mean": s["mean"].to_numpy(),
                "bias": s["bias"].to_numpy(),
                "±MC SE": s["bias_mcse"].to_numpy(),
                "emp. SD": s["emp_sd"].to_numpy(),
                "mean SE": s["mean_se"].to_numpy(),
                "SE/SD": s["se_ratio"].to_numpy(),
                "cover %": (100 * s["coverage"]).to_numpy(),
                "±MC SE ": (100 * s["coverage_mcse"]).to_numpy(),
                "RMSE": s["rmse"].to_numpy(),
                "failed": s["failures"].to_numpy(),
            },
            index=pd.Index([_label(m) for m in s["method"]], name="method"),
        )
        digits = {c: 3 for c in frame.columns}
        digits.update({"cover %": 1, "±MC SE ": 1, "failed": None})
        truth = float(s["truth"].iloc[0])
        out.append(
            Table(
                key=f"mc_{q}",
                title=f"Monte Carlo: {title.lower()} (true value {truth:g})",
                frame=format_frame(frame, digits),
                caption=(
                    "Per method, over the replicates: the mean estimate and its bias (± its "
                    "Monte Carlo SE), the empirical SD of the estimates (efficiency), the mean "
                    "SE the method reports and its ratio to the empirical SD (1 = honest), the "
                    f"coverage of the {pct} intervals in percent (± its MC SE), the RMSE and "
                    "the number of failed fits"
                ),
                doc_pages="73-76",
            )
        )
    return out


def verdict_table(summary: pd.DataFrame, level: float) -> Table:
    v = verdicts(summary, "within", level)
    rows, index = [], []
    for method, r in v.iterrows():
        doc = DOCUMENT_CLAIMS.get(method, ("", "", ""))
        eff = "biased: not compared" if np.isnan(r.efficiency) else f"{r.efficiency:.2f}"
        measured = [
            f"bias {r.bias:+.3f} (MC SE {r.bias_mcse:.3f})",
            f"relative efficiency {eff}",
            f"SE/SD {r.se_ratio:.2f}, coverage {100 * r.coverage:.1f}%",
        ]
        for k, criterion in enumerate(("consistent?", "efficient?", "honest?")):
            index.append(_label(method) if k == 0 else "")
            rows.append({"": criterion, "document": doc[k], "measured": measured[k]})
    frame = pd.DataFrame(rows, index=pd.Index(index, name="method"))
    return Table(
        key="mc_verdicts",
        title="The document's verdicts and the measured ones, for the within-cluster effect of x",
        frame=frame,
        caption=(
            "The document's summary of methods (pages 73-76, in our words) beside this study. "
            "Relative efficiency: the smallest empirical variance among the methods without "
            "detectable bias divided by this method's"
        ),
        doc_pages="8, 73-76",
    )


def design_table(design: StudyDesign, cfg: dict) -> Table:
    d = design.to_dict()
    size = d["cluster_size"]
    size_text = ", ".join(f"{k} {v}" for k, v in size.items() if k != "distribution")
    rows = [
        ("clusters", f"{d['clusters_per_group']} per group ({' / '.join(d['groups'])})"),
        ("rows per cluster", f"{size['distribution']} ({size_text})"),
        (
            "x",
            f"cluster means ~ N({d['x_group_means'][0]:g} / {d['x_group_means'][1]:g}, "
            f"{d['x_between_sd']:g}²) + within-cluster N(0, {d['x_within_sd']:g}²)",
        ),
        ("intercept (reference group)", f"{d['intercept']:g}"),
        ("group gap in intercept", f"{d['intercept_gap']:g}"),
        ("within-cluster effect of x", f"{d['within']:g}"),
        ("group gap in slope", f"{d['slope_gap']:g}"),
        ("between-cluster effect of x", f"{d['between']:g}"),
        ("contextual effect (between - within)", f"{d['contextual']:g}"),
        ("G (random intercept, slope)", json.dumps(d["G"])),
        ("σ²", f"{d['sigma2']:g}"),
        ("replicates", f"{cfg['replicates']} in {cfg['chunks']} chunks, seed {cfg['seed']}"),
    ]
    frame = pd.DataFrame({"value": [v for _, v in rows]}, index=[k for k, _ in rows])
    frame.index.name = "design"
    return Table(
        key="mc_design",
        title="The Monte Carlo design",
        frame=frame,
        caption="the seed, and how to run a larger study: How this report was made",
    )


def context(summary: pd.DataFrame, design: StudyDesign, cfg: dict) -> dict:
    level = float(cfg["level"])
    nums = {}
    for row in summary.to_dict(orient="records"):
        nums.setdefault(row["method"], {})[row["quantity"]] = {
            k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in row.items()
            if k not in ("method", "quantity")
        }
    v = verdicts(summary, "within", level)
    return {
        "montecarlo": {
            "design": design.to_dict(),
            "replicates": int(cfg["replicates"]),
            "chunks": int(cfg["chunks"]),
            "seed": int(cfg["seed"]),
            "level": level,
            "labels": {m: _label(m) for m in summary["method"].unique()},
            "summary": nums,
            "consistent": [m for m in v.index if v.loc[m, "consistent"]],
            "honest": [m for m in v.index if v.loc[m, "honest"]],
            "failures": int(summary["failures"].sum()),
        }
    }
