"""The classical (non-mixed) ways of analysing clustered data with one level-1 predictor and a
level-2 grouping factor (pages 40-46 and 73-75 of the document):

1. ``pooled_ols``: ignore the clusters, ``outcome ~ predictor * group`` by OLS;
2. a. ``fixed_effects_separate``: an intercept and a slope per cluster, then a Wald test of the
      difference between groups in the equally weighted averages of the cluster lines;
   b. ``fixed_effects_common_slope``: an intercept per cluster and one slope per group;
3. ``two_stage``: OLS line per cluster, then a multivariate regression (MANOVA) of the cluster
   intercepts and slopes on the group;
4. ``between_cluster``: OLS of the cluster means of the outcome on those of the predictor
   (optionally by group).

Nothing here knows a dataset's column names: every function takes the DataFrame and the names
of the columns playing each role. Coefficients are named as R names them (``(Intercept)``,
``<predictor>``, ``<group><level>``, ``<predictor>:<group><level>``) so that results line up
with the document's printed output.

Each function returns a dataclass with ``params``, ``cov_params()``, ``df_resid``, a coefficient
``table`` (estimate, se, df, t, p), a ``description`` of what the method estimates, and
``group_estimates()`` / ``difference()`` giving the (intercept, slope) of each group as a
:class:`BetaEstimate` for beta-space pictures. ``to_dict()`` gives plain JSON-able data.

The methods live in submodules by family (:mod:`.ols` for methods 1 and 4,
:mod:`.fixed_effects` for 2a and 2b, :mod:`.two_stage` for 3), on per-cluster sufficient
statistics from :mod:`.clusters`; every name is importable from here (each imports only
its submodule, on first use: :mod:`multilevel.lazy_names`). Time and memory are
O(rows + clusters): no method forms a rows x clusters or clusters x clusters matrix.
"""

from multilevel.lazy_names import export_lazily

export_lazily(
    __name__,
    {
        "INTERCEPT": "ols",
        "BetaEstimate": "results",
        "LinearMethodResult": "results",
        "OLSResult": "results",
        "FixedEffectsResult": "results",
        "TwoStageResult": "results",
        "cluster_coefficients": "clusters",
        "cluster_means": "clusters",
        "group_levels": "clusters",
        "require_columns": "clusters",
        "pooled_ols": "ols",
        "fixed_effects_separate": "fixed_effects",
        "fixed_effects_common_slope": "fixed_effects",
        "two_stage": "two_stage",
        "between_cluster": "ols",
    },
)

__all__ = [
    "INTERCEPT",
    "BetaEstimate",
    "LinearMethodResult",
    "OLSResult",
    "FixedEffectsResult",
    "TwoStageResult",
    "cluster_coefficients",
    "cluster_means",
    "group_levels",
    "require_columns",
    "pooled_ols",
    "fixed_effects_separate",
    "fixed_effects_common_slope",
    "two_stage",
    "between_cluster",
]
