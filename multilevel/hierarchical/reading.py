"""The fitted models read in words: sentences generated from the numbers of the ladder, so a
reader learns what the likelihood-ratio tests conclude, what a singular fit means and what
each fixed effect γ is, for whatever dataset the report is built on.

Every sentence is a function of the stored fits and tests (never of the dataset's name): the
same code says "consistent with sampling error" for hs and "the random slope is needed" for a
dataset whose slopes do vary. A test is read at :data:`ALPHA`; a test of a variance (random
part) is read with its boundary p-value (document page 145: the slopes of hs vary no more than
sampling error explains).
"""

from __future__ import annotations

import math

import pandas as pd

from multilevel.formatting import is_missing, p_report
from multilevel.mixed.design import INTERCEPT

__all__ = ["ALPHA", "lr_sentences", "singular_sentences", "gamma_reading", "p_words"]

#: the level at which the report reads a test in words (said in the sentence)
ALPHA = 0.05
#: a random-effect SD below this fraction of the residual SD counts as zero
ZERO_SD = 1e-3
#: a correlation this close to +-1 counts as +-1
UNIT_CORR = 1e-6


def p_words(p: float) -> str:
    shown = p_report(p)
    return "p < 0.0001" if shown.startswith("<") else f"p = {shown}"


def _random_sentence(t, names: dict[str, str], alpha: float) -> str:
    small, large = names[t["smaller"]], names[t["larger"]]
    head = (
        f"{t['question']} ({large} against {small}, REML fits): the log-likelihood rises by "
        f"{t['LR'] / 2:.3f}, LR = {t['LR']:.3f} on {int(t['df'])} df, {p_words(t['p'])}, or "
        f"{p_words(t['p_boundary'])} against the boundary mixture"
    )
    if t["p_boundary"] >= alpha:
        return (
            f"{head}. The variation of the clusters' slopes is consistent with sampling error "
            f"alone (at the {alpha:g} level): the data give no evidence that the true slopes "
            f"differ from cluster to cluster, and the simpler model, {small}, is not rejected "
            "(the document's point on page 145)."
        )
    return (
        f"{head}. The clusters' slopes vary more than sampling error explains: the random "
        f"slope is needed, and {small}, which gives every cluster the same slope, would "
        "understate the uncertainty of the mean slope."
    )


def _fixed_sentence(t, names: dict[str, str], alpha: float) -> str:
    small, large = names[t["smaller"]], names[t["larger"]]
    head = (
        f"{t['question']} ({large} against {small}, ML fits): LR = {t['LR']:.3f} on "
        f"{int(t['df'])} df, {p_words(t['p'])}"
    )
    if t["p"] < alpha:
        return f"{head}: the data support the larger model."
    return f"{head}: no evidence against the smaller model at the {alpha:g} level."


def lr_sentences(tests: pd.DataFrame, names: dict[str, str], alpha: float = ALPHA) -> dict:
    """The likelihood-ratio tests in words: ``{"random": [...], "fixed": [...]}``, one
    sentence per computed test, in the table's order."""
    out: dict[str, list[str]] = {"random": [], "fixed": []}
    for t in tests.to_dict(orient="records"):
        if t["refused"] is not None and not is_missing(t["refused"]):
            continue  # the table gives the reason, and the ladder's notes why a model is absent
        if t["kind"] == "random":
            out["random"].append(_random_sentence(t, names, alpha))
        else:
            out["fixed"].append(_fixed_sentence(t, names, alpha))
    return out


def _effect(name: str) -> str:
    return "intercepts" if name == INTERCEPT else f"slopes of {name}"


def _edge(rec: dict) -> list[str]:
    """Which random-effect variances are at zero and which correlations at +-1."""
    names, sds = rec["random_names"], rec["sd_re"]
    sigma = float(rec["sigma"])
    found = [
        f"the SD of the random {_effect(n)} is {sds[n]:.2g}"
        for n in names
        if sds[n] < ZERO_SD * sigma
    ]
    corr = rec.get("corr_re") or []
    for i in range(len(names)):
        for j in range(i):
            r = corr[i][j]
            if abs(abs(r) - 1.0) < UNIT_CORR:
                found.append(
                    f"the correlation of the random {_effect(names[j])} and "
                    f"{_effect(names[i])} is {r:+.3f}"
                )
    return found or ["the estimated G is on the edge of the variance matrices"]


def singular_sentences(artifacts: dict[str, dict]) -> list[str]:
    """One paragraph per model with a singular fit: where the estimate sits and what it
    means for the model and the tests."""
    out = []
    for art in artifacts.values():
        singular = [m for m, f in art.get("fits", {}).items() if f.get("status") == "singular"]
        for method in singular:
            rec = art["fits"][method]
            others = [m for m, f in art["fits"].items() if m != method and f.get("status") == "ok"]
            slope_sd = {n: rec["sd_re"][n] for n in rec["random_names"] if n != INTERCEPT}
            out.append(
                f"The {method} fit of {art['spec']['short']} is singular: "
                + "; ".join(_edge(rec))
                + ". The estimate of G sits on the edge of the variance matrices: G has lost "
                "a dimension, as if the clusters had one random effect fewer. That is what a "
                "likelihood does when the data say little about a variance: "
                + (
                    "here the spread of the random "
                    + " and ".join(f"{_effect(n)} (SD {sd:.3f})" for n, sd in slope_sd.items())
                    + " is small beside its sampling error, and "
                    if slope_sd
                    else ""
                )
                + (
                    "ML, which does not allow for the degrees of freedom of the fixed effects, "
                    "shrinks variances further than REML"
                    if method == "ML"
                    else "REML finds no room for it"
                )
                + (f"; the {' and '.join(others)} fit is not singular" if others else "")
                + ". A singular fit is a valid maximum: its log-likelihood can be used in "
                "likelihood-ratio tests, but its variance components and their intervals "
                "should not be interpreted, and a simpler random part describes the data as "
                "well."
            )
    return out


def _term_kind(name: str, predictor: str, group: str | None) -> tuple[str, str | None]:
    """A fixed-effect name as (role, group level): intercept, slope, intercept gap or slope
    gap of a non-reference level."""
    if name == INTERCEPT:
        return "intercept", None
    if ":" in name:
        a, b = name.split(":", 1)
        other = b if a == predictor else a
        if group and other.startswith(group):
            return "slope gap", other[len(group) :]
    if group and name.startswith(group):
        return "intercept gap", name[len(group) :]
    if name == predictor:
        return "slope", None
    return "other", None


#: a group's coefficient: its symbol, what it shifts, the words for a positive and a negative gap
_GAPS = {
    "intercept gap": ("γ01", "intercept", "higher", "lower"),
    "slope gap": ("γ11", "slope of {x}", "steeper", "flatter"),
}


def gamma_reading(rec: dict, roles, levels: list[str] | None) -> dict:
    """The γ's of a fit of ``Y ~ X * W`` (or ``Y ~ X``) read in words, and, for a group of two
    levels, the same model in the other coding (the other level as reference): what the
    coefficients would be, since the intercept and slope gaps change sign."""
    x, group = roles.predictor, roles.group
    ref = levels[0] if levels else None
    p = rec["params"]
    words, gaps = [], {}
    for name in rec["fixed_names"]:
        kind, level = _term_kind(name, x, group)
        value = p[name]
        if kind == "intercept":
            where = f"in {ref} clusters (the reference level)" if group else "over clusters"
            words.append(
                f"γ00 = {value:.3f} is the mean intercept {where}: the expected "
                f"{roles.outcome} at {x} = 0"
            )
        elif kind == "slope":
            where = f"in {ref} clusters" if group else "over clusters"
            words.append(
                f"γ10 = {value:.3f} is the mean slope of {x} {where}: the expected change in "
                f"{roles.outcome} per unit of {x} within a typical cluster"
            )
        elif kind in _GAPS:
            symbol, what, up, down = _GAPS[kind]
            gaps.setdefault(level, {})[kind.split()[0]] = value
            words.append(
                f"{symbol} = {value:.3f} ({name}): the mean {what.format(x=x)} is "
                f"{abs(value):.3f} {up if value >= 0 else down} in {level} clusters than in "
                f"{ref} clusters"
            )
    out = {"words": words, "reference": ref, "other": None}
    if group and levels and len(levels) == 2 and len(gaps) == 1:
        level, gap = next(iter(gaps.items()))
        icept = p[INTERCEPT] + gap.get("intercept", 0.0)
        slope = p.get(x, math.nan) + gap.get("slope", 0.0)
        out["other"] = {
            "reference": level,
            "indicator": ref,
            "gamma00": icept,
            "gamma01": -gap.get("intercept", math.nan),
            "gamma10": slope,
            "gamma11": -gap.get("slope", math.nan),
        }
    return out
