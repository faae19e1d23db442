"""The report's front matter: the abstract, written from the numbers the parts computed (never
typed in), and the reading guide. Sentences are plain text: the template escapes them."""

from __future__ import annotations

SOURCE_DOCUMENT = (
    "G. Monette, Mixed Models with R: Hierarchical Models to Mixed Models, "
    "Day 2 Part 1: Hierarchical Models (SCS 2017)"
)

# What each chapter answers, for the reading guide; a chapter not named here is listed by its
# title alone.
GUIDE = {
    "data": "what was measured, on whom, in which clusters",
    "methods": "what four classical methods say about the groups, and how far apart they are",
    "effects": "why they disagree: three different effects of the predictor",
    "theory": "how the hierarchical model becomes a mixed model",
    "simulation": "where the truth is known: which methods are consistent, efficient, honest",
    "mixed": "what mixed models fitted to these data say",
    "audit": "which of the document's numbers are reproduced, and why some differ",
}


def _effect(rows: list[dict], name: str, scope: str = "overall") -> dict | None:
    for row in rows:
        if row["effect"] == name and row["scope"] == scope and row.get("estimate") is not None:
            return row
    return None


def _f(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _effects_sentence(roles, effects: list[dict]) -> str | None:
    within, between = _effect(effects, "within"), _effect(effects, "between")
    pooled = _effect(effects, "pooled")
    if within is None:
        return None
    sentence = (
        f"Within a {roles.cluster}, {roles.outcome} changes by {_f(within['estimate'])} "
        f"(SE {_f(within['se'])}) per unit of {roles.predictor}"
    )
    if between is None:
        return sentence + (
            f"; the {roles.cluster} means of {roles.predictor} do not vary, so there is no "
            f"between-{roles.cluster} effect to set beside it."
        )
    sentence += (
        f"; between {roles.cluster}s, comparing their means, by {_f(between['estimate'])} "
        f"(SE {_f(between['se'])})"
    )
    if pooled is not None:
        sentence += (
            f". Pooled OLS, which ignores the {roles.cluster}s, gives "
            f"{_f(pooled['estimate'])}, a blend of the two"
        )
    return sentence + "."


def _contextual_sentence(roles, contextual: dict | None) -> str | None:
    row = _effect((contextual or {}).get("effects") or [], "contextual")
    if row is None or row.get("lower") is None:
        return None
    return (
        f"In the mixed model with the {roles.cluster} mean of {roles.predictor}, the contextual "
        f"effect (between minus within) is {_f(row['estimate'])}, 95% interval "
        f"{_f(row['lower'])} to {_f(row['upper'])}."
    )


def _group_sentence(roles, groups: dict | None, effects: list[dict]) -> str | None:
    if not groups or len(groups["levels"]) != 2:
        return None
    levels = [level["name"] for level in groups["levels"]]
    means = [level.get("mean_outcome") for level in groups["levels"]]
    slopes = [_effect(effects, "within", level) for level in levels]
    parts = []
    if None not in means:
        parts.append(
            f"mean {roles.outcome} is {_f(means[0])} in {levels[0]} and {_f(means[1])} in "
            f"{levels[1]} {roles.cluster}s ({levels[1]} minus {levels[0]}: "
            f"{_f(means[1] - means[0])})"
        )
    if None not in slopes:
        parts.append(
            f"the within-{roles.cluster} slope of {roles.predictor} is "
            f"{_f(slopes[0]['estimate'])} in {levels[0]} and {_f(slopes[1]['estimate'])} in "
            f"{levels[1]} {roles.cluster}s"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return f"By {roles.group}: {text}."


def _variance_sentence(roles, oneway: dict | None) -> str | None:
    if not oneway or oneway.get("sd_re") is None or oneway.get("icc") is None:
        return None
    return (
        f"In the one-way random-effects model, {roles.cluster} means of {roles.outcome} vary "
        f"around {_f(oneway['gamma'])} with SD {_f(oneway['sd_re'])}, and {roles.outcome} "
        f"varies within a {roles.cluster} with SD {_f(oneway['sigma'])}: "
        f"{100 * oneway['icc']:.0f}% of the variance lies between {roles.cluster}s "
        f"(intraclass correlation {_f(oneway['icc'])})."
    )


def abstract(spec, overview: dict, parts: dict) -> list[str]:
    """The findings in a few sentences, each from a number some part computed; a sentence
    whose numbers this dataset lacks (no group, no between effect) is left out."""
    roles = spec.roles
    counts = overview["counts"]
    effects = (parts.get("effects") or {}).get("effects") or []
    mixed = parts.get("mixed") or {}
    sizes = (
        f"{counts['min_size']}"
        if counts["min_size"] == counts["max_size"]
        else f"{counts['min_size']} to {counts['max_size']}"
    )
    sentences = [
        f"{counts['rows']:,} rows in {counts['clusters']:,} {roles.cluster}s ({sizes} rows "
        f"each); the outcome is {roles.outcome} and the level-1 predictor {roles.predictor}."
    ]
    for sentence in (
        _effects_sentence(roles, effects),
        _contextual_sentence(roles, mixed.get("contextual")),
        _group_sentence(roles, overview.get("groups"), effects),
        _variance_sentence(roles, mixed.get("oneway")),
    ):
        if sentence:
            sentences.append(sentence)
    return sentences


def reading_guide(sections: list[dict]) -> list[dict]:
    return [{**s, "about": GUIDE.get(s["id"], "")} for s in sections]
