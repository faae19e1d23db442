"""Likelihood-ratio tests between two stored mixed-model fits, refusing incomparable pairs.

Two fits can be compared only when their likelihoods are of the same data under nested models:
the same rows, the same estimation method and, under REML, the same fixed part (REML
maximises the likelihood of residuals that depend on the fixed part, so two REML likelihoods
with different fixed parts are likelihoods of different data). A pair that breaks a rule is not
dropped: the test carries the reason, and the report prints it in place of the statistic.

A fit is the plain record of :meth:`multilevel.mixed.MixedResults.to_dict` (keys ``llf``,
``n_params``, ``n_obs``, ``n_groups``, ``fixed_names``, ``random_names``, ``method``) with a
``status`` (``ok`` and ``singular`` are usable).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from multilevel.distributions import chi2_sf

USABLE = ("ok", "singular")


def boundary_pvalue(lr: float, df: int) -> float:
    """P-value of a likelihood-ratio statistic for adding a variance (and ``df - 1``
    covariances) whose null value is on the boundary: the 50:50 mixture of chi-square(df) and
    chi-square(df - 1), chi-square(0) being a point mass at zero."""
    lr = max(float(lr), 0.0)
    upper = chi2_sf(lr, df)
    lower = chi2_sf(lr, df - 1) if df > 1 else (0.0 if lr > 0 else 1.0)
    return 0.5 * upper + 0.5 * lower


@dataclass(frozen=True)
class LikelihoodRatioTest:
    """One comparison of a smaller and a larger model. ``refused`` says why the two fits
    cannot be compared; the statistic and p-values are then None."""

    smaller: str
    larger: str
    question: str
    kind: str  # "fixed" (the fixed parts differ) or "random" (the random parts differ)
    method: str  # "ML" or "REML"
    df: int | None = None
    LR: float | None = None
    p: float | None = None
    p_boundary: float | None = None  # random parts only: the 50:50 mixture
    refused: str | None = None

    @property
    def computed(self) -> bool:
        return self.refused is None

    def to_dict(self) -> dict:
        return asdict(self)


def _not_usable(name: str, fit: dict | None, method: str) -> str | None:
    status = None if fit is None else fit.get("status")
    if status in USABLE:
        return None
    if status in ("skipped", "not estimable"):
        return f"{name} was not fitted ({status})"
    if status == "not converged":
        return f"the {method} fit of {name} did not converge"
    if status == "failed":
        return f"the {method} fit of {name} failed"
    return f"{name} has no {method} fit"


def _incomparable(small: dict, large: dict, kind: str, method: str) -> str | None:
    if small["method"] != large["method"]:
        return f"one fit is {small['method']}, the other {large['method']}"
    if (small["n_obs"], small["n_groups"]) != (large["n_obs"], large["n_groups"]):
        return (
            f"the fits use different data ({small['n_obs']} rows in {small['n_groups']} "
            f"clusters against {large['n_obs']} in {large['n_groups']})"
        )
    if method == "REML" and small["fixed_names"] != large["fixed_names"]:
        return "REML likelihoods of models with different fixed parts are not comparable"
    if kind == "fixed" and small["random_names"] != large["random_names"]:
        return "the random parts differ too, so the test would not be of the fixed part alone"
    if kind == "random" and small["fixed_names"] != large["fixed_names"]:
        return "the fixed parts differ too, so the test would not be of the random part alone"
    if large["n_params"] <= small["n_params"]:
        return "not nested: the larger model has no more parameters than the smaller"
    return None


def likelihood_ratio_test(
    smaller: tuple[str, dict | None],
    larger: tuple[str, dict | None],
    question: str,
    kind: str,
    method: str,
) -> LikelihoodRatioTest:
    """Compare two fits ``(name, record)``; ``kind`` says which part of the model differs
    ("fixed": compared with ML fits by the caller's choice, "random": with a boundary
    p-value beside the naive one)."""
    (small_name, small), (large_name, large) = smaller, larger
    base = {
        "smaller": small_name,
        "larger": large_name,
        "question": question,
        "kind": kind,
        "method": method,
    }
    reason = _not_usable(small_name, small, method) or _not_usable(large_name, large, method)
    if reason is None:
        reason = _incomparable(small, large, kind, method)
    if reason is not None:
        return LikelihoodRatioTest(**base, refused=reason)
    df = int(large["n_params"] - small["n_params"])
    lr = 2.0 * (float(large["llf"]) - float(small["llf"]))
    return LikelihoodRatioTest(
        **base,
        df=df,
        LR=lr,
        p=float(chi2_sf(max(lr, 0.0), df)),
        p_boundary=float(boundary_pvalue(lr, df)) if kind == "random" else None,
    )
