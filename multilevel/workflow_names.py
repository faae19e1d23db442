"""Names the workflow expands when Snakemake parses it: the classical methods, the models of the
ladder and the figures of the mixed chapters, in the document's order. Rules, scripts and the
library take them from here.

Kept free of heavy imports (numpy, scipy, matplotlib): every Snakemake run imports this module,
including a run that has nothing to do.
"""

# The classical methods of pages 35-75, fitted by one job (rule fit_methods).
METHOD_KEYS = ("pooled", "fe2a", "fe2b", "twostage", "between")

MODEL_KEYS = (
    "oneway",
    "means_as_outcomes",
    "oneway_ancova",
    "random_coefficients",
    "intercepts_slopes_outcomes",
    "nonrandom_slopes",
    "parallel_slopes",
    "contextual_cwg",
    "contextual_raw",
    "contextual_full",
)

# The hierarchical models that join the classical methods in the summary of methods (p. 76)
# and the beta-space comparison: the mixed model and the mixed model with contextual effects.
SUMMARY_MODEL_KEYS = ("intercepts_slopes_outcomes", "contextual_full")

MIXED_FIGURE_KEYS = (
    "resid_fitted",
    "outcome_by_cluster",
    "outcome_by_cluster_zoom",
    "blue_blup",
    "shrinkage",
    "blup_lines",
    "beta_space",
    "contextual",
)

# The Diagnostics chapter's figures, in the report's order (rule model_figures).
DIAGNOSTICS_FIGURE_KEYS = (
    "residuals",
    "cluster_spread",
    "blup_quantiles",
    "blup_against",
    "influence",
)


def central_model_key(has_group: bool) -> str:
    """The model the BLUE and BLUP lines and the diagnostics are drawn for: intercepts and
    slopes as outcomes when there is a level-2 group, random coefficients otherwise."""
    return "intercepts_slopes_outcomes" if has_group else "random_coefficients"
