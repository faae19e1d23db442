"""The df-rules coverage study's table and the numbers its sentences use
(:mod:`multilevel.simulation.df_coverage`); what the montecarlo_df step writes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.formatting import MISSING, df_text
from multilevel.report.tables import Table
from multilevel.simulation.df_coverage import RULES
from multilevel.simulation.montecarlo import QUANTITIES

SHORT = {"within": "within effect", "slope_gap": "slope gap", "intercept_gap": "intercept gap"}


def coverage_table(summary: pd.DataFrame, level: float, replicates: int) -> Table:
    pct = f"{100 * level:g}%"
    index, rows = [], []
    for total in sorted(summary["clusters"].unique()):
        for k, rule in enumerate(RULES):
            index.append(f"{total} clusters" if k == 0 else "")
            row = {"rule": RULES[rule]}
            for q in QUANTITIES:
                r = summary[
                    (summary["clusters"] == total)
                    & (summary["quantity"] == q)
                    & (summary["rule"] == rule)
                ].iloc[0]
                cover = f"{100 * r.coverage:.1f} ± {100 * r.coverage_mcse:.1f}"
                df = "" if rule == "z" else f" ({df_text(r.median_df, 1)})"
                row[SHORT[q]] = cover + df if r.n else MISSING
            rows.append(row)
    frame = pd.DataFrame(rows, index=pd.Index(index, name="clusters (total)"))
    return Table(
        key="mc_df_rules",
        title=f"Coverage of the mixed model's {pct} intervals under four df rules",
        frame=frame,
        caption=(
            f"{replicates} simulated studies per number of clusters (the total, half in each "
            "group; the design of the Monte Carlo study otherwise), each fitted by the "
            "generating model y ~ x * group + cvar(x) with a random intercept and slope (REML). "
            f"Per quantity: the percentage of the {pct} intervals containing the true value ± "
            "its Monte Carlo SE, and in brackets the median df the rule used (Kenward-Roger "
            "also uses its adjusted SE)"
        ),
        doc_pages="",
    )


def context(summary: pd.DataFrame, cfg: dict) -> dict:
    level = float(cfg["level"])
    study = cfg["df_rules"]
    nums: dict = {}
    for row in summary.to_dict(orient="records"):
        nums.setdefault(str(row["clusters"]), {}).setdefault(row["quantity"], {})[row["rule"]] = {
            k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in row.items()
            if k not in ("clusters", "quantity", "rule")
        }
    honest = {
        str(total): {
            q: [
                rule
                for rule in RULES
                if abs(nums[str(total)][q][rule]["coverage"] - level)
                <= 3 * nums[str(total)][q][rule]["nominal_mcse"]
            ]
            for q in QUANTITIES
        }
        for total in sorted(summary["clusters"].unique())
    }
    return {
        "montecarlo_df": {
            "level": level,
            "clusters": [int(c) for c in study["clusters"]],
            "replicates": int(study["replicates"]),
            "rules": [[rule, label] for rule, label in RULES.items()],
            "summary": nums,
            "honest": honest,
            # per rule: the most fits lost for one quantity, over all numbers of clusters
            "failures": {
                rule: int(f.groupby("quantity")["failures"].sum().max())
                for rule, f in summary.groupby("rule")
            },
        }
    }
