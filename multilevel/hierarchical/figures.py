"""Figures of the hierarchical-model chapters (pages 152-169) from the ladder's artifacts:
what the model_figures step draws, beside :mod:`multilevel.hierarchical.artifacts` for the
tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.hierarchical.artifacts import cluster_lines, contextual_of, lines_model_key
from multilevel.hierarchical.blup import display_labels, oneway_cluster_table, population_lines
from multilevel.hierarchical.ladder import restore, usable
from multilevel.levels import display_order
from multilevel.mixed.design import INTERCEPT
from multilevel.plots.mixed import (
    blue_blup_beta_space_figure,
    blue_blup_by_cluster_figure,
    blup_lines_figure,
    contextual_effects_figure,
    outcome_by_cluster_figure,
    resid_fitted_figure,
    shrinkage_figure,
)
from multilevel.plots.style import new_figure, save_figure, style
from multilevel.report.figure_listing import FigureArtifact
from multilevel.selection import ARROWS, LINES, TABLE_ROWS, largest_clusters, with_selection


def with_note(caption: str, shown: int, total: int, what: str = "Shown:") -> str:
    return with_selection(caption, shown, total, "cluster", what)


def placeholder(message: str):
    """An empty figure saying why there is nothing to draw (not listed in the report)."""
    with style():
        fig, axes = new_figure(figsize=(4, 1))
        ax = axes[0, 0]
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return fig


@dataclass
class MixedFigures:
    """The figures drawn, by key, and their (key, title, caption, document pages), in order."""

    figures: dict = field(default_factory=dict)
    metas: list[tuple[str, str, str, str]] = field(default_factory=list)

    def save(self, svgs: dict) -> list[dict]:
        """Save every figure the rule expects (``svgs``: key -> path), a placeholder for those
        not drawn; the report's listing of the drawn ones."""
        for key in svgs:
            fig = self.figures.get(key) or placeholder("not drawn for this dataset (see the text)")
            save_figure(fig, svgs[key])
        return [FigureArtifact(f"mixed_{k}", t, c, r).meta(svgs[k]) for k, t, c, r in self.metas]


def oneway_figures(arts: dict, long: pd.DataFrame, spec: DatasetSpec, figs, metas) -> None:
    roles = spec.roles
    y, x = roles.outcome, roles.predictor
    ow = arts["oneway"]
    if not usable(ow, "REML"):
        return
    fit = restore(ow, "REML", long, roles)
    gamma = float(fit.params[INTERCEPT])
    figs["resid_fitted"] = resid_fitted_figure(fit.fitted(1), fit.resid(1, "pearson"))
    metas.append(
        (
            "resid_fitted",
            "Standardized residuals against fitted values, one-way model",
            "The fitted value of a unit is its cluster's BLUP. Within "
            "each cluster all units share one fitted value, so the residuals "
            "line up in vertical stripes; and because the BLUPs are shrunk "
            "towards the overall mean, the stripes tilt: units in clusters far "
            "from the mean have residuals on the side of their cluster",
            "p. 152",
        )
    )
    labels = display_labels(long, roles.cluster, spec.id_label)
    order = {c: i + 1 for i, c in enumerate(labels.index)}
    pos = long[roles.cluster].map(order)
    means = long.groupby(roles.cluster, observed=True)[y].mean()
    lines = {
        "mixed model GLS": gamma,
        "overall mean": float(long[y].mean()),
        "mean of cluster means": float(means.mean()),
    }
    figs["outcome_by_cluster"] = outcome_by_cluster_figure(pos, long[y], lines, ylabel=y)
    figs["outcome_by_cluster_zoom"] = outcome_by_cluster_figure(
        pos, long[y], lines, ylabel=y, zoom=True
    )
    metas.append(
        (
            "outcome_by_cluster",
            f"{y} of every unit, by cluster, with three estimates of the centre",
            "The mixed-model GLS estimate, the mean "
            "of all units (weights proportional to cluster size) and the mean of "
            "the cluster means (equal weights)",
            "pp. 155-156",
        )
    )
    metas.append(
        (
            "outcome_by_cluster_zoom",
            "The same, zoomed in on the three estimates",
            "The GLS estimate lies between the unit mean and the "
            "mean of cluster means: its weights, proportional to 1/(g00 + σ²/n), "
            "are between equal and proportional to n",
            "pp. 157-158",
        )
    )
    table = oneway_cluster_table(long, fit, roles.cluster, y, x, labels).loc[labels.index]
    n_clusters = len(table)
    axis = largest_clusters(long[roles.cluster], TABLE_ROWS)
    arrows = largest_clusters(long[roles.cluster], ARROWS)
    figs["blue_blup"] = blue_blup_by_cluster_figure(table[table.index.isin(axis)], gamma, ylabel=y)
    metas.append(
        (
            "blue_blup",
            "BLUE and BLUP of each cluster's mean",
            with_note(
                "Clusters in "
                "the order of their labels; every BLUP is closer to the GLS "
                "estimate than its BLUE",
                len(axis),
                n_clusters,
            ),
            "p. 161",
        )
    )
    balanced = table["n"].nunique() == 1
    figs["shrinkage"] = shrinkage_figure(
        table.set_index("label"),
        gamma,
        ylabel=y,
        x="ols" if balanced else "n",
        title="Shrinking from the BLUE to the BLUP"
        + ("" if balanced else ", against cluster size"),
        arrows=table.loc[table.index.isin(arrows), "label"],
    )
    metas.append(
        (
            "shrinkage",
            "Shrinking from the BLUE to the BLUP" + ("" if balanced else ", against cluster size"),
            "Each arrow goes from a cluster's mean (BLUE) to its BLUP. The shrinkage is "
            "proportional to the distance from the GLS estimate"
            + (
                f"; every cluster has {int(table['n'].iloc[0])} units, so all are shrunk "
                "by the same factor and the clusters are placed by their BLUE"
                if balanced
                else " and smaller for larger clusters"
            )
            + with_note("", len(arrows), n_clusters, "Arrows only for"),
            "p. 163",
        )
    )


def lines_figures(arts: dict, long: pd.DataFrame, spec: DatasetSpec, figs, metas) -> None:
    roles = spec.roles
    y, x = roles.outcome, roles.predictor
    model = cluster_lines(arts, long, roles)
    if model is None:
        return
    fit, lines = model
    art = arts[lines_model_key(roles)]
    levels = [str(v) for v in long[roles.group].cat.categories] if roles.group else []
    pop = population_lines(fit, roles.group, levels, roles.predictor)
    if roles.group:
        pop = pop.loc[display_order(pop.index, roles.group_order)]
    drawn = largest_clusters(long[roles.cluster], LINES)
    arrows = largest_clusters(long[roles.cluster], ARROWS)
    held = (
        "With the covariates held constant, lines are at covariates 0 (a categorical one at "
        "its reference level) and a BLUE is of the outcome net of their fitted effect. "
        if roles.covariates
        else ""
    )
    figs["blup_lines"] = blup_lines_figure(
        long,
        lines,
        pop,
        cluster=roles.cluster,
        outcome=y,
        predictor=x,
        group=roles.group,
        shown=drawn,
    )
    name = art["spec"]["name"]
    metas.append(
        (
            "blup_lines",
            f"BLUP lines from the model with random slopes ({name})",
            held
            + with_note(
                "Each cluster's line (fixed part plus its predicted random "
                "effects) over the range of its data, with the mean line in black",
                len(drawn),
                len(lines),
                "Lines only for",
            ),
            "Figure 18, p. 166",
        )
    )
    figs["beta_space"] = blue_blup_beta_space_figure(
        lines, pop, predictor=x, arrows=arrows, group=roles.group
    )
    metas.append(
        (
            "beta_space",
            "BLUEs and BLUPs in beta space",
            "Each cluster's OLS "
            "line (BLUE, blue) and BLUP (orange) as a point (slope, intercept), an "
            "arrow from one to the other, the 1-SD dispersion ellipse of each "
            "group's BLUEs and BLUPs, and each group's mean line (green star). "
            + held
            + with_note(
                "Slopes shrink much more than intercepts: most of the spread of the "
                "OLS slopes is sampling error",
                len(arrows),
                len(lines),
                "Arrows only for",
            ),
            "Figure 19, pp. 167-170",
        )
    )


def contextual_figure(arts: dict, long: pd.DataFrame, spec: DatasetSpec, figs, metas) -> None:
    x = spec.roles.predictor
    effects = contextual_of(arts, long, spec.roles)
    if effects is None:
        return
    figs["contextual"] = contextual_effects_figure(effects, predictor=x)
    metas.append(
        (
            "contextual",
            f"Within, between and contextual effects of {x}",
            "Estimates with 95% intervals, overall and in each group; the "
            "contextual effect is the between effect minus the within effect",
            "pp. 120, 147-148",
        )
    )


def mixed_figures(arts: dict, long: pd.DataFrame, spec: DatasetSpec) -> MixedFigures:
    """The chapters' figures from the ladder's artifacts ``arts`` (by model key) and the long
    table; a figure whose model is not usable is not drawn."""
    out = MixedFigures()
    for part in (oneway_figures, lines_figures, contextual_figure):
        part(arts, long, spec, out.figures, out.metas)
    return out
