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
from multilevel.levels import contrast_label, display_order
from multilevel.report.figure_listing import FigureArtifact
from multilevel.selection import (
    LINES,
    PANELS,
    keep_selected,
    largest_clusters,
    thinning_note,
    with_selection,
)


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
                group_panels(long, r.outcome, r.predictor, r.group, order=r.group_order),
            )
        )
        if sub:
            out.append(
                FigureArtifact(
                    "group_panels_subgroup",
                    f"{r.outcome} against {r.predictor} by {sub} within each {r.group}",
                    f"Points and least-squares lines coloured by {sub}",
                    "pp. 37, 39",
                    group_panels(
                        long, r.outcome, r.predictor, r.group, subgroup=sub, order=r.group_order
                    ),
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


def difference_contrasts(levels: list, order: list) -> list[tuple[str, str]]:
    """The group differences the figures draw: each level minus the reference (the model's
    first level); with two levels, the later minus the earlier in the configured order, so a
    dataset can draw its difference the way round its readers know (hs: Catholic - Public)."""
    ref = str(levels[0])
    if len(levels) == 2:
        return [(order[1], order[0])]
    return [(lv, ref) for lv in order if lv != ref]


def _difference_note(group: str, contrasts: list) -> str:
    what = "; ".join(contrast_label(group, m, s) for m, s in contrasts)
    n = len(contrasts)
    panels = f"one panel per difference ({what})" if n > 1 else f"the difference {what}"
    return (
        f"Drawn: {panels}, on axes centred on zero and the same in every difference figure, "
        "so that an ellipse covering the origin is a gap not significant at 5%"
    )


def beta_space_figures(
    long: pd.DataFrame, spec: DatasetSpec, artifacts: dict[str, dict]
) -> list[FigureArtifact]:
    """The methods' fitted lines in data space (pp. 47-48, 51) and in beta space (Figures 4-7
    and pp. 49-66), from the method artifacts."""
    from multilevel.plots import (
        cluster_lines_by_group,
        cluster_panels,
        difference_ellipses,
        difference_limits,
        fitted_lines_by_group,
        group_ellipses,
    )

    r = spec.roles
    x = r.predictor
    fitted = {k: a for k, a in artifacts.items() if a["status"] == "fitted"}
    res = {k: stored_result(a) for k, a in fitted.items()}
    label = {k: SHORT[k] for k in METHODS} | {k: a["short"] for k, a in fitted.items()}
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
    level_order = display_order(fitted["pooled"]["levels"], r.group_order)
    contrasts = difference_contrasts(fitted["pooled"]["levels"], level_order)
    clusters = cluster_frame(fitted["fe2a"], r.group)
    sign = _difference_note(r.group, contrasts)
    series = {
        label[n]: res[n]
        for n in ("pooled", "fe2a", "twostage", "between", "mixed", "mixed_contextual")
        if n in res
    }
    ts_kinds = {label["twostage"]: ["joint", "shadow"]}
    limits = difference_limits(series, contrasts, kinds=ts_kinds)

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
    diff = dict(predictor=x, group=r.group, limits=limits, title="")
    lines = dict(predictor=x, group=r.group, order=level_order, title="")
    figures = [
        FigureArtifact(
            "pooled_lines",
            f"Method 1: the pooled fitted line in each {r.group}",
            ". ".join(
                filter(
                    None,
                    [
                        f"Each line drawn over its {r.group}'s range of {x}, with the "
                        f"{r.group}'s data (a marker per {r.group}) and its standard data "
                        f"ellipse, centred at the means of {x} and {r.outcome}, whose shadows "
                        "on the axes are the means ± 1 SD",
                        thinning_note(len(long)),
                    ],
                )
            ),
            "pp. 47-48",
            fitted_lines_by_group(
                res["pooled"].group_estimates(),
                long,
                x,
                r.group,
                outcome=r.outcome,
                order=level_order,
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
                order=level_order,
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
            group_ellipses(pick("pooled"), **lines),
        ),
        FigureArtifact(
            "diff_pooled",
            f"The {r.group} gap in beta space, pooled OLS",
            f"{joint} of the gap. {sign}",
            "p. 50",
            difference_ellipses(pick("pooled"), contrasts, **diff),
        ),
        FigureArtifact(
            "beta_pooled_clusters",
            f"Pooled estimates with each {r.cluster}'s own line",
            f"{joint}; markers: each {r.cluster}'s least-squares line",
            "Figure 5, p. 53",
            group_ellipses(pick("pooled"), points=clusters, **lines),
        ),
        FigureArtifact(
            "beta_fe",
            f"Adding the {r.group} averages of the {r.cluster} lines (fixed effects)",
            f"{joint}; the fixed-effects ellipses use only within-{r.cluster} variability",
            "Figure 6, p. 54",
            group_ellipses(pooled_fe, points=clusters, **lines),
        ),
        FigureArtifact(
            "diff_fe",
            f"The {r.group} gap: pooled and fixed effects",
            f"{joint} of the gap. {sign}",
            "Figure 7, p. 55",
            difference_ellipses(pooled_fe, contrasts, **diff),
        ),
        FigureArtifact(
            "beta_fe_twostage",
            "Fixed effects (dashed) and two-stage (solid) ellipses",
            f"{joint}. Same centres; the two-stage ellipses are larger because their standard "
            f"errors include the variability between {r.cluster}s",
            "pp. 58-60",
            group_ellipses(pick("fe2a", "twostage"), points=clusters, linestyles=styles, **lines),
        ),
        FigureArtifact(
            "diff_twostage",
            f"The {r.group} gap: pooled, fixed effects and two-stage",
            f"{joint} of the gap; for two-stage also the smaller ellipse whose shadows on the "
            f"axes are the 95% intervals of each gap. {sign}",
            "pp. 61-63",
            difference_ellipses(
                pick("pooled", "fe2a", "twostage"), contrasts, kinds=ts_kinds, **diff
            ),
        ),
    ]
    # The between-cluster model is missing in a balanced design (every cluster has the same
    # mean of the predictor): then there is nothing to add to the picture.
    models = [label[k] for k in ("mixed", "mixed_contextual") if k in res]
    hierarchical = (
        f"With the hierarchical models ({' and '.join(models)}), as the document's summary of "
        "methods has them (p. 76). "
        if models
        else ""
    )
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
                    points=clusters,
                    linestyles={**styles, label["pooled"]: ":", label["between"]: "-."},
                    **lines,
                ),
            ),
            FigureArtifact(
                "diff_between",
                f"The {r.group} gap: every method",
                f"{joint} of the gap; two-stage also with its 95%-shadow ellipse. The pooled gap "
                f"lies between the within and between estimates. {hierarchical}{sign}",
                "p. 66",
                difference_ellipses(series, contrasts, kinds=ts_kinds, **diff),
            ),
        ]
    return figures
