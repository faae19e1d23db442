"""The classical methods' figures: data-space pictures of the clusters' lines, the three
effects, and beta-space pictures of the cluster and group (intercept, slope) estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from multilevel.classical import (
    cluster_coefficients,
)
from multilevel.classical.artifacts.fitting import METHODS, SHORT
from multilevel.classical.artifacts.stored import cluster_frame, stored_result
from multilevel.config import DatasetSpec
from multilevel.formatting import (
    plain,
)
from multilevel.report.figure_listing import FigureArtifact
from multilevel.selection import LINES, PANELS, keep_selected, largest_clusters, with_selection


def cluster_coefficients_for(long: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Each cluster's OLS line (for pictures of a dataset without group, where no method
    artifact holds them)."""
    r = spec.roles
    coefs, _ = cluster_coefficients(long, r.cluster, r.outcome, r.predictor, r.group)
    return coefs


def cluster_order(long: pd.DataFrame, spec: DatasetSpec) -> tuple[list, dict | None]:
    """Cluster ids in the order of the informative label's categories (Figure 2), and each
    cluster's label; sorted ids and no labels when the dataset has no informative label."""
    cl, label = spec.roles.cluster, spec.id_label
    if not label or label not in long:
        return sorted(long[cl].unique().tolist()), None
    first = long.groupby(cl, sort=True)[label].first()
    col = long[label]
    if isinstance(col.dtype, pd.CategoricalDtype):
        rank = first.cat.codes.to_numpy() if isinstance(first.dtype, pd.CategoricalDtype) else None
        if rank is None:
            position = {c: i for i, c in enumerate(col.cat.categories)}
            rank = first.map(position).to_numpy()
    else:
        first = first.astype(str)
        rank = first.rank(method="dense").to_numpy()
    ordered = first.iloc[np.argsort(rank, kind="stable")]
    ids = [plain(c) for c in ordered.index]
    return ids, dict(zip(ids, ordered.astype(str), strict=True))


def _panel_selection(long: pd.DataFrame, spec: DatasetSpec, order: list, limit: int):
    """`order` restricted to the `limit` largest clusters, and a function that adds the
    caption's note on the selection (the caption unchanged when every cluster is shown)."""
    cl = spec.roles.cluster
    shown = keep_selected(order, largest_clusters(long[cl], limit))

    def note(caption: str, what: str = "Shown:") -> str:
        return with_selection(caption, len(shown), len(order), cl, what)

    return shown, note


def data_space_figures(long: pd.DataFrame, spec: DatasetSpec) -> list[FigureArtifact]:
    """Pictures of the data alone: pooled scatter (p. 36), panels by group (pp. 37-39) and
    one panel per cluster (Figures 2 and 3, pp. 14-15)."""
    from multilevel.plots import cluster_panels, group_panels, pooled_scatter

    r = spec.roles
    sub = r.labels[0] if r.labels else None
    out = [
        FigureArtifact(
            "pooled_scatter",
            f"{r.outcome} against {r.predictor}, every observation pooled",
            f"The least-squares line ignores the {r.cluster}s"
            + (f" and the {r.group}" if r.group else ""),
            "p. 36",
            pooled_scatter(long, r.outcome, r.predictor, title=""),
        )
    ]
    if r.group:
        out.append(
            FigureArtifact(
                "group_panels",
                f"{r.outcome} against {r.predictor} in each {r.group}",
                f"One panel per level of {r.group}, each with its least-squares line",
                "p. 38",
                group_panels(long, r.outcome, r.predictor, r.group),
            )
        )
        if sub:
            out.append(
                FigureArtifact(
                    "group_panels_subgroup",
                    f"{r.outcome} against {r.predictor} by {sub} within each {r.group}",
                    f"Points and least-squares lines coloured by {sub}",
                    "pp. 37, 39",
                    group_panels(long, r.outcome, r.predictor, r.group, subgroup=sub),
                )
            )
    order, labels = cluster_order(long, spec)
    by = f" in the order of their label {spec.id_label}" if labels else ""
    shown, note = _panel_selection(long, spec, order, PANELS)
    out.append(
        FigureArtifact(
            "cluster_panels",
            f"One panel per {r.cluster}, with its least-squares line",
            note(f"{len(order)} {r.cluster}s{by}"),
            "Figure 2, p. 14",
            cluster_panels(long, r.cluster, r.outcome, r.predictor, order=shown, labels=labels),
        )
    )
    if sub:
        lines_by = f"least-squares lines coloured by {sub}"
        out.append(
            FigureArtifact(
                "cluster_panels_subgroup",
                f"One panel per {r.cluster}, by {sub}",
                note(f"As the previous figure, with points and {lines_by}"),
                "Figure 3, p. 15",
                cluster_panels(
                    long,
                    r.cluster,
                    r.outcome,
                    r.predictor,
                    order=shown,
                    labels=labels,
                    subgroup=sub,
                ),
            )
        )
    return out


def effects_figures(long: pd.DataFrame, spec: DatasetSpec) -> list[FigureArtifact]:
    """The picture of the three effects (pages 67-69; the document's pictures are missing
    from its PDF, this one is ours)."""
    from multilevel.plots import three_effects_picture

    r = spec.roles
    order = sorted(long[r.cluster].unique().tolist())
    shown, note = _panel_selection(long, spec, order, LINES)
    return [
        FigureArtifact(
            "three_effects",
            f"Within, between and pooled effects of {r.predictor}",
            note(
                f"Short black segments: the common within-{r.cluster} slope through each "
                f"{r.cluster} mean (open circles), over the {r.cluster}'s range of "
                f"{r.predictor}. Blue: the between-{r.cluster} line through the means. "
                "Dashed: the pooled line",
                "Segments only for",
            ),
            "pp. 67-69",
            three_effects_picture(
                long,
                r.cluster,
                r.outcome,
                r.predictor,
                title="",
                shown=shown if len(shown) < len(order) else None,
            ),
        )
    ]


def beta_space_figures(
    long: pd.DataFrame, spec: DatasetSpec, artifacts: dict[str, dict]
) -> list[FigureArtifact]:
    """The methods' fitted lines in data space (pp. 47-48, 51) and in beta space (Figures 4-7
    and pp. 49-66), from the method artifacts."""
    from multilevel.plots import (
        cluster_lines_by_group,
        cluster_panels,
        difference_ellipses,
        fitted_lines_by_group,
        group_ellipses,
    )

    r = spec.roles
    x = r.predictor
    fitted = {k: a for k, a in artifacts.items() if a["status"] == "fitted"}
    res = {k: stored_result(a) for k, a in fitted.items()}
    label = {k: SHORT[k] for k in METHODS}
    joint = "Joint 95% confidence ellipses of (intercept, slope)"
    if r.group is None:
        points = cluster_coefficients_for(long, spec)
        overall = {label[k]: res[k] for k in ("pooled", "between") if k in res}
        return [
            FigureArtifact(
                "beta_lines",
                f"Pooled and between-{r.cluster} lines in beta space",
                f"{joint}; open circles: each {r.cluster}'s own line",
                "Figure 5, p. 53; p. 64",
                group_ellipses(overall, predictor=x, points=points, title=""),
            )
        ]
    ref, other = fitted["pooled"]["reference"], fitted["pooled"]["levels"][1]
    clusters = cluster_frame(fitted["fe2a"], r.group)
    sign = (
        f"Differences are {other} minus {ref}; the document's difference figures show "
        f"{ref} minus {other}, the mirror image through the origin"
    )

    def pick(*names):
        return {label[n]: res[n] for n in names}

    order, labels = cluster_order(long, spec)
    shown, panel_note = _panel_selection(long, spec, order, PANELS)
    line_ids, line_note = _panel_selection(long, spec, order, LINES)
    pooled_lines = {str(lv): est.centre for lv, est in res["pooled"].group_estimates().items()}
    group_of = long.groupby(r.cluster, observed=True)[r.group].first().astype(str)
    pooled_line_of_cluster = {c: pooled_lines[group_of[c]] for c in shown}

    pooled_fe = pick("pooled", "fe2a")
    styles = {label["fe2a"]: "--", label["twostage"]: "-"}
    ts_kinds = {label["twostage"]: ["joint", "shadow"]}
    figures = [
        FigureArtifact(
            "pooled_lines",
            f"Method 1: the pooled fitted line in each {r.group}",
            f"Drawn over each {r.group}'s range of {x}",
            "pp. 47-48",
            fitted_lines_by_group(
                res["pooled"].group_estimates(), long, x, r.group, ylabel=f"fitted {r.outcome}"
            ),
        ),
        FigureArtifact(
            "cluster_lines",
            f"Method 2: each {r.cluster}'s least-squares line, by {r.group}",
            line_note(f"Each line over its {r.cluster}'s range of {x}", "Lines only for"),
            "p. 51",
            cluster_lines_by_group(
                clusters,
                long,
                r.cluster,
                x,
                r.group,
                ylabel=f"fitted {r.outcome}",
                shown=line_ids if len(line_ids) < len(order) else None,
            ),
        ),
        FigureArtifact(
            "cluster_panels_pooled",
            f"Methods 1 and 2 in each {r.cluster}: the pooled line and the {r.cluster}'s own line",
            panel_note(
                f"One panel per {r.cluster}: its data, its least-squares line (dark) and the "
                f"pooled fitted line of its {r.group} (orange)"
            ),
            "p. 52",
            cluster_panels(
                long,
                r.cluster,
                r.outcome,
                x,
                order=shown,
                labels=labels,
                ncols=5,
                reference=pooled_line_of_cluster,
                names=(f"{r.cluster}'s own line", f"pooled line of its {r.group}"),
            ),
        ),
        FigureArtifact(
            "beta_pooled",
            f"Pooled lines of each {r.group} in beta space",
            f"{joint}: a fitted line is a point (slope across, intercept up)",
            "Figure 4, p. 49",
            group_ellipses(pick("pooled"), predictor=x, title=""),
        ),
        FigureArtifact(
            "diff_pooled",
            f"The {r.group} gap in beta space, pooled OLS",
            f"{joint} of the gap. {sign}",
            "p. 50",
            difference_ellipses(pick("pooled"), other, ref, predictor=x, title=""),
        ),
        FigureArtifact(
            "beta_pooled_clusters",
            f"Pooled estimates with each {r.cluster}'s own line",
            f"{joint}; markers: each {r.cluster}'s least-squares line",
            "Figure 5, p. 53",
            group_ellipses(pick("pooled"), predictor=x, points=clusters, group=r.group, title=""),
        ),
        FigureArtifact(
            "beta_fe",
            f"Adding the {r.group} averages of the {r.cluster} lines (fixed effects)",
            f"{joint}; the fixed-effects ellipses use only within-{r.cluster} variability",
            "Figure 6, p. 54",
            group_ellipses(pooled_fe, predictor=x, points=clusters, group=r.group, title=""),
        ),
        FigureArtifact(
            "diff_fe",
            f"The {r.group} gap: pooled and fixed effects",
            f"{joint} of the gap. {sign}",
            "Figure 7, p. 55",
            difference_ellipses(pooled_fe, other, ref, predictor=x, title=""),
        ),
        FigureArtifact(
            "beta_fe_twostage",
            "Fixed effects (dashed) and two-stage (solid) ellipses",
            f"{joint}. Same centres; the two-stage ellipses are larger because their standard "
            f"errors include the variability between {r.cluster}s",
            "pp. 58-60",
            group_ellipses(
                pick("fe2a", "twostage"),
                predictor=x,
                points=clusters,
                group=r.group,
                linestyles=styles,
                title="",
            ),
        ),
        FigureArtifact(
            "diff_twostage",
            f"The {r.group} gap: pooled, fixed effects and two-stage",
            f"{joint} of the gap; for two-stage also the smaller ellipse whose shadows on the "
            f"axes are the 95% intervals of each gap. {sign}",
            "pp. 61-63",
            difference_ellipses(
                pick("pooled", "fe2a", "twostage"),
                other,
                ref,
                predictor=x,
                kinds=ts_kinds,
                title="",
            ),
        ),
    ]
    # The between-cluster model is missing in a balanced design (every cluster has the same
    # mean of the predictor): then there is nothing to add to the picture.
    if "between" in res:
        figures += [
            FigureArtifact(
                "beta_between",
                f"Adding the between-{r.cluster} model",
                f"{joint}. The pooled estimates lie between the within-{r.cluster} and the "
                f"between-{r.cluster} estimates",
                "p. 64",
                group_ellipses(
                    pick("pooled", "fe2a", "twostage", "between"),
                    predictor=x,
                    points=clusters,
                    group=r.group,
                    linestyles={**styles, label["pooled"]: ":", label["between"]: "-."},
                    title="",
                ),
            ),
            FigureArtifact(
                "diff_between",
                f"The {r.group} gap: every method",
                f"{joint} of the gap; two-stage also with its 95%-shadow ellipse. The pooled gap "
                f"lies between the within and between estimates. {sign}",
                "p. 66",
                difference_ellipses(
                    pick("pooled", "fe2a", "twostage", "between"),
                    other,
                    ref,
                    predictor=x,
                    kinds=ts_kinds,
                    title="",
                ),
            ),
        ]
    return figures
