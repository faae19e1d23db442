"""The classical methods' plain JSON artifacts and their way back: a method's results artifact,
the effects part's artifact, and the stored estimates and cluster lines read back for figures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.classical.artifacts.fitting import DOC_PAGES, SHORT, MethodFit, fit_effects, title
from multilevel.classical.artifacts.tables import (
    GAP_PARTS,
    effects_tables,
    method_tables,
    summary_tables,
)
from multilevel.classical.results import BetaEstimate
from multilevel.config import DatasetSpec
from multilevel.formatting import (
    json_clean,
    plain,
)
from multilevel.report.tables import Table


def _gaps(fit: MethodFit) -> dict:
    """Each non-reference level minus the reference, in (intercept, slope)."""
    if fit.result is None or len(fit.levels) < 2:
        return {}
    return {
        str(lv): fit.result.difference(lv, fit.reference).to_dict() | {"se": _se(fit, lv)}
        for lv in fit.levels[1:]
    }


def _gap_tests(fit: MethodFit) -> dict:
    """The omnibus tests of the group (every level against the reference), by part."""
    if fit.result is None or len(fit.levels) < 2:
        return {}
    return {part: fit.result.gap_test(fit.reference, part) for part in GAP_PARTS}


def _se(fit: MethodFit, lv) -> list[float]:
    return [float(v) for v in fit.result.difference(lv, fit.reference).se]


def method_artifact(fit: MethodFit) -> dict:
    """The method's results artifact: what it estimates, estimates, covariance, DF, the group
    gaps, per-cluster lines (methods 2a, 3) and its report tables; JSON-serialisable."""
    r = fit.spec.roles
    out = {
        "method": fit.name,
        "title": title(fit.name, fit.spec),
        "short": SHORT[fit.name],
        "doc_pages": DOC_PAGES[fit.name],
        "roles": {
            "cluster": r.cluster,
            "outcome": r.outcome,
            "predictor": r.predictor,
            "group": r.group,
        },
        "status": "skipped" if fit.result is None else "fitted",
        "skipped": fit.skipped,
        "aliasing": fit.aliasing,
    }
    if fit.result is None:
        return json_clean(out)
    res = fit.result
    out.update(
        description=res.description,
        levels=fit.levels,
        reference=fit.reference,
        estimates=res.to_dict(),
        gaps=_gaps(fit),
        gap_tests=_gap_tests(fit),
        tables=[t.to_dict() for t in method_tables(fit)],
    )
    if fit.overall is not None and fit.overall is not res:
        out["overall"] = fit.overall.to_dict()
    coefs = getattr(res, "cluster_coefs", None)
    if coefs is not None:
        out["clusters"] = _cluster_records(coefs)
        out["dropped_clusters"] = [plain(c) for c in getattr(res, "dropped_clusters", [])]
    return json_clean(out)


def _cluster_records(coefs: pd.DataFrame) -> list[dict]:
    """One plain dict per cluster line (column by column: a row loop over 100,000 clusters
    costs seconds)."""
    columns = {"cluster": [plain(c) for c in coefs.index.tolist()]}
    for name in coefs.columns:
        values = coefs[name].tolist()  # numeric columns give plain Python numbers
        numeric = pd.api.types.is_numeric_dtype(coefs[name])
        columns[str(name)] = values if numeric else [plain(v) for v in values]
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


@dataclass
class StoredResult:
    """A method result rebuilt from its artifact, with what the beta-space pictures need:
    ``group_estimates()`` and ``difference()`` (between a level and the reference)."""

    estimates: dict[str, BetaEstimate]
    gaps: dict[str, BetaEstimate]
    reference: str | None

    def group_estimates(self) -> dict[str, BetaEstimate]:
        return dict(self.estimates)

    def difference(self, minuend, subtrahend) -> BetaEstimate:
        minuend, subtrahend = str(minuend), str(subtrahend)
        if subtrahend == self.reference and minuend in self.gaps:
            g = self.gaps[minuend]
            return BetaEstimate(f"{minuend} - {subtrahend}", g.centre, g.cov, g.df)
        if minuend == self.reference and subtrahend in self.gaps:
            g = self.gaps[subtrahend]
            return BetaEstimate(f"{minuend} - {subtrahend}", -g.centre, g.cov, g.df)
        raise KeyError(
            f"the artifact holds differences from the reference {self.reference!r} only, "
            f"not {minuend!r} - {subtrahend!r}"
        )


def _beta(d: dict) -> BetaEstimate:
    return BetaEstimate(
        d["label"],
        np.array([d["intercept"], d["slope"]], dtype=float),
        np.asarray(d["cov"], dtype=float),
        d["df"],
    )


def stored_result(artifact: dict, which: str = "estimates") -> StoredResult:
    """Rebuild a :class:`StoredResult` from a method artifact; ``which="overall"`` gives the
    between-cluster fit without group."""
    if artifact["status"] != "fitted":
        raise ValueError(f"method {artifact['method']} was skipped: {artifact['skipped']}")
    part = artifact[which] if which in artifact else artifact["estimates"]
    estimates = {k: _beta(v) for k, v in part["group_estimates"].items()}
    gaps = {k: _beta(v) for k, v in artifact["gaps"].items()} if which == "estimates" else {}
    return StoredResult(estimates, gaps, artifact.get("reference"))


def cluster_frame(artifact: dict, group: str | None) -> pd.DataFrame:
    """The per-cluster lines of a method artifact as ``classical.cluster_coefficients`` gives
    them (indexed by cluster, with intercept, slope and the group column)."""
    frame = pd.DataFrame(artifact["clusters"]).set_index("cluster")
    frame.index.name = artifact["roles"]["cluster"]
    if group is not None and group in frame:
        frame[group] = frame[group].astype(str)
    return frame


def effects_artifact(
    long: pd.DataFrame, spec: DatasetSpec, artifacts: dict[str, dict]
) -> tuple[dict, list[Table]]:
    """The three effects, the paradox checks, the decomposition of the pooled slope and the
    summary of methods: the effects part's artifact and its tables."""
    r = spec.roles
    from multilevel.classical.effects import pooled_decomposition  # here: the effects job only

    effects = fit_effects(long, spec)
    tables = effects_tables(effects, spec) + summary_tables(artifacts, spec)
    paradoxes = effects.paradoxes()
    art = {
        "roles": {
            "cluster": r.cluster,
            "outcome": r.outcome,
            "predictor": r.predictor,
            "group": r.group,
        },
        **effects.to_dict(),
        "any_paradox": any(p.holds for p in paradoxes),
        "all_checked": all(p.checked for p in paradoxes),
        "decomposition": pooled_decomposition(long, r.cluster, r.outcome, r.predictor),
        "methods": {
            name: {
                "title": a["title"],
                "status": a["status"],
                "skipped": a["skipped"],
            }
            for name, a in artifacts.items()
        },
        "tables": [t.to_dict() for t in tables],
    }
    return json_clean(art), tables
