"""The Diagnostics chapter: from the central model's artifact to tables, figures and sentences.

The central model is the ladder's intercepts and slopes as outcomes (random coefficients when
the dataset has no group; workflow_names.central_model_key), REML fit, restored at its stored
estimates.  Three questions, each answered with numbers and sentences generated from them:
do the level-1 residuals look as the model says (residuals.py), do the random effects
(random_effects.py), and which clusters drive the fixed effects (influence.py).

Per-cluster pictures and tables show a documented selection at many clusters (selection.py):
the residual strips the TABLE_ROWS clusters with the most rows, the BLUPs' error bars the
LINES clusters with the most rows, the influence table the INFLUENCE_ROWS clusters with the
largest Cook's distance; the complete per-cluster table is written to CSV beside the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from multilevel.config import DatasetSpec
from multilevel.diagnostics.influence import EXACT_LIMIT, REFIT_LARGEST, cluster_influence
from multilevel.diagnostics.random_effects import blup_frame, boundary_words, effect_name
from multilevel.diagnostics.residuals import (
    LOOKS_NORMAL,
    cluster_spread,
    level1_frame,
    normality,
    spread_by_group,
)
from multilevel.hierarchical.blup import display_labels
from multilevel.hierarchical.ladder import restore, usable
from multilevel.plots import diagnostics as plots
from multilevel.report.figure_listing import FigureArtifact
from multilevel.report.tables import Table, format_frame
from multilevel.selection import LINES, TABLE_ROWS, largest_clusters, with_selection
from multilevel.workflow_names import DIAGNOSTICS_FIGURE_KEYS as FIGURE_KEYS
from multilevel.workflow_names import central_model_key

__all__ = ["FIGURE_KEYS", "INFLUENCE_ROWS", "DiagnosticsChapter", "diagnostics_chapter"]

#: rows of the influence table in the report (the clusters with the largest Cook's distance)
INFLUENCE_ROWS = 10
#: a change of a fixed effect by at least this many of its SEs is named in the text
NOTABLE_SES = 0.5
#: a correlation of the BLUPs with the cluster mean of the predictor at least this large (in
#: absolute value) is called a trend in the text
TREND_CORRELATION = 0.3


@dataclass
class DiagnosticsChapter:
    context: dict
    tables: list[Table] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # key -> FigureArtifact

    def save(self, svgs: dict) -> list[dict]:
        """Save every figure the rule expects (a placeholder where none was drawn); the
        report's listing of the drawn ones."""
        from multilevel.hierarchical.figures import placeholder
        from multilevel.plots.style import save_figure

        metas = []
        for key, path in svgs.items():
            art = self.figures.get(key)
            save_figure(art.figure if art else placeholder("not drawn (see the text)"), path)
            if art:
                metas.append(art.meta(path))
        return metas


def _listed(items: list[str], most: int = 5) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _residual_sentences(norm, group_spread, spread, labels, group) -> list[str]:
    shape = []
    if norm.skewness >= LOOKS_NORMAL["skewness"]:
        shape.append("skewed to the right")
    elif norm.skewness <= -LOOKS_NORMAL["skewness"]:
        shape.append("skewed to the left")
    if norm.kurtosis >= LOOKS_NORMAL["kurtosis"]:
        shape.append("heavier-tailed than the normal")
    elif norm.kurtosis <= -LOOKS_NORMAL["kurtosis"]:
        shape.append("lighter-tailed than the normal")
    verdict = "they look normal" if norm.looks_normal else "they are " + " and ".join(shape)
    out = [
        f"Of the {norm.n} standardized residuals, {_pct(norm.beyond2)} lie beyond ±2 and "
        f"{_pct(norm.beyond3)} beyond ±3 (4.6% and 0.3% for normal residuals); their skewness "
        f"is {norm.skewness:.2f} and their excess kurtosis {norm.kurtosis:.2f}: {verdict} "
        f"(the rule: |skewness| < {LOOKS_NORMAL['skewness']} and |excess kurtosis| < "
        f"{LOOKS_NORMAL['kurtosis']})."
    ]
    if group_spread is not None:
        sds = ", ".join(f"{v:.2f} in {k}" for k, v in group_spread.sd.items())
        differs = group_spread.pvalue < 0.05
        out.append(
            f"The residual SD is {sds}; the Brown-Forsythe test of equal spread gives "
            f"W = {group_spread.statistic:.2f}, p = {group_spread.pvalue:.3g}: "
            + (
                f"the spread differs by {group} at the 5% level, which a model with a "
                f"residual variance for each level of {group} (varIdent) would take into "
                "account."
                if differs
                else f"no evidence at the 5% level that the spread differs by {group}."
            )
        )
    sd = spread["sd"].dropna()
    if len(sd) >= 2:
        hi, lo = sd.idxmax(), sd.idxmin()
        out.append(
            f"Within clusters of two rows or more, the residual SD ranges from {sd.min():.2f} "
            f"({labels.get(lo, lo)}, {int(spread.loc[lo, 'n'])} rows) to {sd.max():.2f} "
            f"({labels.get(hi, hi)}, {int(spread.loc[hi, 'n'])} rows), median "
            f"{sd.median():.2f}."
        )
    return out


def _varies(values: pd.Series) -> bool:
    return bool(values.max() - values.min() > 1e-9 * max(1.0, float(values.abs().max())))


def _random_effect_sentences(fit, blups, predictor) -> list[str]:
    means = blups["predictor_mean"]
    varies = _varies(means)
    out = []
    for nm in fit.sd_re.index:
        b = blups[f"blup[{nm}]"]
        text = (
            f"The BLUPs of the random effect of {effect_name(nm)} have SD "
            f"{b.std(ddof=1):.3g}, against the model's SD of {fit.sd_re[nm]:.3g} "
            "(BLUPs are shrunk towards 0)"
        )
        if varies and b.std() > 0:
            r = float(np.corrcoef(means, b)[0, 1])
            text += f"; their correlation with the cluster mean of {predictor} is {r:.2f}"
            if abs(r) >= TREND_CORRELATION:
                text += (
                    ": they trend with the cluster mean, while the model assumes the random "
                    "effects do not depend on cluster-level variables; a contextual term for "
                    f"the cluster mean of {predictor} would take that up"
                )
        out.append(text + ".")
    if not varies:
        out.append(
            f"Every cluster has the same mean of {predictor}, so the BLUPs cannot trend with it."
        )
    corr = fit.corr_re.to_numpy()
    names = list(fit.sd_re.index)
    for i in range(len(names)):
        for j in range(i):
            bc = np.corrcoef(blups[f"blup[{names[j]}]"], blups[f"blup[{names[i]}]"])[0, 1]
            out.append(
                f"The estimated correlation of the random effects of {effect_name(names[j])} "
                f"and {effect_name(names[i])} is {corr[i, j]:.3f} (of their BLUPs: {bc:.3f})."
            )
    out += boundary_words(fit)
    return out


def _influence_sentences(inf, labels, spec_names) -> list[str]:
    J = inf.n_clusters
    db = inf.dfbetas
    exact_words = (
        f"Each of the {J} clusters was left out in turn and the model refitted"
        if inf.exact.all()
        else f"Each of the {J} clusters was left out in turn, the refit approximated by one "
        "Newton step of the variance parameters from the full fit's; the "
        f"{int(inf.exact.sum())} with the largest Cook's distance were refitted in full"
    )
    out = [exact_words + " (lme4's influence(); Cook's distance with lme4's scaling)."]
    lost = [labels[j] for j in np.flatnonzero(~inf.estimable)]
    if lost:
        out.append(
            f"Without {_listed(lost)}, the fixed effects cannot all be estimated (the design "
            "is rank deficient, e.g. the only cluster of a level of the group): "
            f"{'its' if len(lost) == 1 else 'their'} influence is not computed."
        )
    if not inf.estimable.any():
        return out
    moves = []
    for k, nm in enumerate(spec_names):
        j = int(np.nanargmax(np.abs(db[:, k])))
        moves.append((abs(db[j, k]), effect_name(nm), labels[j], db[j, k]))
    notable = [m for m in moves if m[0] >= NOTABLE_SES]
    if notable:
        out.append(
            "Leaving one cluster out moves "
            + "; ".join(f"{nm} by {v:+.2f} SEs ({lab})" for _, nm, lab, v in notable)
            + "."
        )
    biggest = max(moves)
    if not notable or len(notable) < len(moves):
        out.append(
            f"No cluster moves {'any other' if notable else 'any'} fixed effect by "
            f"{NOTABLE_SES} SE or more"
            + ("" if notable else f" (the largest change: {biggest[1]} by {biggest[3]:+.2f} "
               f"SEs, {biggest[2]})")
            + "."
        )  # fmt: skip
    order = np.argsort(-inf.cooks, kind="stable")[: min(3, int(inf.estimable.sum()))]
    cooks = ", ".join(f"{labels[j]} ({inf.cooks[j]:.3g})" for j in order)
    out.append(
        f"The largest Cook's distances: {cooks}; the median is {np.nanmedian(inf.cooks):.3g}."
    )
    n_sing = int(inf.singular.sum())
    if n_sing:
        out.append(
            f"{n_sing} of the refits {'is' if n_sing == 1 else 'are'} singular (a random-effect "
            "variance at 0 or a correlation at ±1 without the cluster)."
        )
    failed = int((~inf.converged & inf.estimable).sum())
    if failed:
        out.append(f"{failed} of the refits did not converge.")
    return out


def _influence_table(inf, labels, csv: str | None) -> Table:
    frame = inf.frame()
    frame.insert(0, "label", [labels[j] for j in range(inf.n_clusters)])
    top = np.argsort(-inf.cooks, kind="stable")[:INFLUENCE_ROWS]
    shown = frame.iloc[top]
    cols = ["label", "n", "cooks"] + [f"dfbetas[{nm}]" for nm in inf.names]
    digits = {"cooks": 4, **{f"dfbetas[{nm}]": 3 for nm in inf.names}}
    view = format_frame(shown[cols], digits)
    view.columns = ["Cluster", "Rows", "Cook's D"] + [f"Δ {nm} (SEs)" for nm in inf.names]
    view.index = [str(i) for i in shown.index]
    view.index.name = "id"
    caption = (
        f"The {len(shown)} clusters with the largest Cook's distance of {inf.n_clusters}: "
        "each fixed effect's change when the cluster is left out, in the refit's SEs "
        "(lme4's dfbetas), and Cook's distance (J - p) / (J p) Δβ' V⁻¹ Δβ, V the full fit's "
        "covariance."
    )
    if not inf.exact.all():
        caption += (
            f"; above {EXACT_LIMIT} clusters each refit is approximated by one Newton step of the "
            f"variance parameters, except for the {int(inf.exact.sum())} largest, refitted "
            "(column refitted in the CSV)."
        )
    return Table(
        key="diagnostics_influence",
        title="Influence of each cluster on the fixed effects",
        frame=view,
        caption=caption,
        full=frame,
        csv=f"{csv}/diagnostics_influence.csv" if csv else "",
    )


def diagnostics_chapter(
    arts: dict, long: pd.DataFrame, spec: DatasetSpec, csv: str | None = None
) -> DiagnosticsChapter:
    """The chapter from the ladder's artifacts (by model key; only the central model is used)
    and the long table; ``csv``: the link to the CSVs beside the report."""
    roles = spec.roles
    key = central_model_key(bool(roles.group))
    art = arts[key]
    context = {
        "model_key": key,
        "model_name": art["spec"]["name"],
        "fixed": art["spec"]["fixed"],
        "random": art["spec"]["random"],
        "usable": usable(art, "REML"),
        "has_group": bool(roles.group),
    }
    if not context["usable"]:
        context["reason"] = art.get("reason") or "the model could not be fitted"
        return DiagnosticsChapter(context)
    fit = restore(art, "REML", long, roles)
    labels_by_id = display_labels(long, roles.cluster, spec.id_label)
    ids = list(fit.design.labels)
    labels = labels_by_id.reindex(ids).fillna(pd.Series([str(c) for c in ids], index=ids))
    labels = [str(lab) for lab in labels]
    label_of = dict(zip(ids, labels, strict=True))

    frame = level1_frame(fit, long, roles.cluster, roles.predictor, roles.group)
    spread = cluster_spread(frame)
    norm = normality(frame["std_resid"])
    group_spread = spread_by_group(frame)
    blups = blup_frame(fit, long, roles.cluster, roles.predictor, roles.group)
    inf = cluster_influence(fit)
    J = len(ids)

    context["sentences"] = {
        "residuals": _residual_sentences(norm, group_spread, spread, label_of, roles.group),
        "random_effects": _random_effect_sentences(fit, blups, roles.predictor),
        "influence": _influence_sentences(inf, labels, list(inf.names)),
    }
    context["n_clusters"] = J
    context["singular"] = bool(fit.singular)
    context["all_refitted"] = bool(inf.exact.all())

    shown = largest_clusters(frame["cluster"], TABLE_ROWS)
    bars = largest_clusters(frame["cluster"], LINES)
    effects = list(fit.sd_re.index)
    figs = {
        "residuals": FigureArtifact(
            "diagnostics_residuals",
            f"Standardized conditional residuals of the {art['spec']['name'].lower()} model",
            "Residuals (y minus the fixed part minus the cluster's BLUPs) divided by σ, as "
            'lme4\'s residuals(type = "pearson"); dashed lines at ±2',
            "",
            plots.residuals_figure(frame, roles.predictor, roles.group),
        ),
        "cluster_spread": FigureArtifact(
            "diagnostics_cluster_spread",
            "Residual spread by cluster",
            with_selection(
                "Each cluster's standardized residuals (grey) and their mean ± 1 SD (blue), "
                "clusters ordered by SD; under the model every cluster's SD is about 1",
                len(shown),
                J,
                "cluster",
            ),
            "",
            plots.cluster_spread_figure(frame, spread.loc[shown], label_of),
        ),  # fmt: skip
        "blup_quantiles": FigureArtifact(
            "diagnostics_blup_quantiles",
            "Normal quantile plots of the BLUPs",
            with_selection(
                "Each cluster's BLUP of each random effect against the normal quantile, with "
                "±2 conditional SEs (lme4's condVar); the line has the BLUPs' SD as its slope",
                len(bars),
                J,
                "cluster",
                what="Error bars for",
            ),
            "",
            plots.blup_quantile_figure(blups, effects, bars),
        ),  # fmt: skip
        "blup_against": FigureArtifact(
            "diagnostics_blup_against",
            f"BLUPs against the cluster mean of {roles.predictor}",
            "One point per cluster, coloured by group when there is one: a trend means the "
            "random effects depend on the cluster mean, which the model assumes they do not",
            "",
            plots.blup_against_figure(blups, effects, roles.predictor),
        ),
        "influence": FigureArtifact(
            "diagnostics_influence",
            "Influence of each cluster",
            "Cook's distance and each fixed effect's change in SEs (dfbetas) when the cluster "
            f"is left out; the {plots.LABELLED} largest of each panel are labelled"
            + (
                ""
                if inf.exact.all()
                else "; each refit approximated by one Newton step of the variance parameters "
                f"except for the {REFIT_LARGEST} largest Cook's distances (refitted)"
            ),
            "",
            plots.influence_figure(inf.cooks, inf.dfbetas, list(inf.names), labels),
        ),
    }
    if not _varies(blups["predictor_mean"]):
        del figs["blup_against"]  # one vertical strip: the text says why
    return DiagnosticsChapter(context, [_influence_table(inf, labels, csv)], figs)
