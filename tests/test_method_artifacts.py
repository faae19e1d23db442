"""The classical methods as the pipeline runs them (multilevel.classical.artifacts): every number
the document prints on pages 35-75 is reproduced by the functions the rules call, artifacts
are plain JSON that rebuild the estimates, a dataset without group skips the group comparisons
and says so, and the figures draw what their captions claim."""

import json

import numpy as np
import pytest

from multilevel.classical.artifacts.figures import (
    beta_space_figures,
    cluster_order,
    data_space_figures,
    effects_figures,
)
from multilevel.classical.artifacts.fitting import METHODS, fit_method
from multilevel.classical.artifacts.stored import effects_artifact, method_artifact, stored_result
from multilevel.classical.artifacts.tables import method_tables
from multilevel.classical.artifacts.values import method_values, registry_values
from multilevel.classical.effects import three_effects
from multilevel.config import DatasetSpec
from multilevel.data.prepare import prepare
from multilevel.report.published import audit, load_registry

from .helpers import ROOT, configured, panel_label, spec_from

REGISTRY = load_registry(ROOT / "data" / "published.csv")


def _first_page(page: str) -> int:
    return int(page.split(";")[0])


METHOD_ENTRIES = REGISTRY[REGISTRY["page"].map(_first_page).between(35, 75)]


@pytest.fixture(scope="module")
def hs():
    spec = configured("hs")
    return spec, prepare(spec, ROOT).long


@pytest.fixture(scope="module")
def fits(hs):
    spec, long = hs
    return {name: fit_method(name, long, spec) for name in METHODS}


@pytest.fixture(scope="module")
def artifacts(fits):
    # through JSON, as the rules hand them on
    return {
        name: json.loads(json.dumps(method_artifact(fit), allow_nan=False))
        for name, fit in fits.items()
    }


def test_every_registry_entry_of_pages_35_to_75_is_reproduced(fits):
    values = {}
    for fit in fits.values():
        values.update(registry_values(method_values(fit), REGISTRY["key"]))
    result = audit(METHOD_ENTRIES, values)
    failures = result[~result["agree"]]
    assert failures.empty, failures.to_string()
    assert len(result) == len(METHOD_ENTRIES) == 64
    assert set(values) == set(METHOD_ENTRIES["key"])
    pages = sorted(set(METHOD_ENTRIES["page"].map(_first_page)))
    assert pages == [41, 42, 43, 44, 46]


def test_a_wrong_sign_is_caught(fits):
    values = method_values(fits["fe2a"])
    flipped = {k: -v for k, v in values.items() if k == "fe2a/test/Int/estimate"}
    result = audit(METHOD_ENTRIES[METHOD_ENTRIES["key"] == "fe2a/test/Int/estimate"], flipped)
    assert not result["agree"].iloc[0]


def test_fit_method_step_keeps_only_registry_values(hs):
    """What the fit_methods step writes for a method: its artifact, its tables, and of its
    values only those the registry checks."""
    config = {"dataset": "hs", "report": {}, "datasets": {"hs": _config_entry("hs")}}
    spec = DatasetSpec.from_config(config, "hs")
    fit = fit_method("pooled", hs[1], spec)
    assert not fit.skipped
    values = registry_values(method_values(fit), REGISTRY["key"])
    assert set(values) == {k for k in METHOD_ENTRIES["key"] if k.startswith("pooled/")}
    assert len(values) == 29
    assert method_artifact(fit)["status"] == "fitted"
    assert [t.key for t in method_tables(fit)] == ["pooled_coef", "pooled_fit"]


def _config_entry(name):
    import yaml

    entry = yaml.safe_load((ROOT / "config" / "datasets" / f"{name}.yaml").read_text())
    return entry


def test_artifacts_rebuild_each_groups_line_and_the_gap(fits, artifacts):
    for name, fit in fits.items():
        art = artifacts[name]
        assert art["status"] == "fitted" and art["reference"] == "Catholic"
        assert art["description"] == fit.result.description
        stored = stored_result(art)
        for level, est in fit.result.group_estimates().items():
            back = stored.group_estimates()[level]
            assert back.centre == pytest.approx(est.centre, rel=1e-12)
            assert back.cov == pytest.approx(est.cov, rel=1e-12)
            assert back.df == est.df
        live = fit.result.difference("Public", "Catholic")
        for a, b, sign in (("Public", "Catholic", 1), ("Catholic", "Public", -1)):
            back = stored.difference(a, b)
            assert back.centre == pytest.approx(sign * live.centre, rel=1e-12)
            assert back.cov == pytest.approx(live.cov, rel=1e-12)
    # page 41: the fixed-effects gap is Public - Catholic = (-2.027255, 1.109995)
    gap = artifacts["fe2a"]["gaps"]["Public"]
    assert round(gap["intercept"], 6) == -2.027255 and round(gap["slope"], 6) == 1.109995
    assert round(gap["se"][0], 6) == 0.351992 and round(gap["se"][1], 6) == 0.454114
    # the per-school lines travel with methods 2a and 3
    assert len(artifacts["fe2a"]["clusters"]) == 40
    assert isinstance(artifacts["fe2a"]["clusters"][0]["cluster"], int)


def test_between_artifact_keeps_the_page_44_model_without_group(artifacts):
    art = artifacts["between"]
    assert set(art["overall"]["params"]) == {"(Intercept)", "ses"}
    assert round(art["overall"]["params"]["ses"], 4) == 5.7734
    assert "SectorPublic" in art["estimates"]["params"]
    keys = [t["key"] for t in art["tables"]]
    assert keys == ["between_coef", "between_group_coef"]


def test_summary_of_methods_pages_73_to_75(hs, artifacts):
    spec, long = hs
    art, tables = effects_artifact(long, spec, artifacts)
    summary = next(t for t in tables if t.key == "methods_summary").frame
    assert len(summary) == 5
    assert list(summary.columns[:5]) == ["estimates", "intercept gap", "SE", "slope gap", "SE"]
    fe = summary.iloc[1]
    assert list(fe.iloc[1:5]) == ["-2.027", "0.352", "1.110", "0.454"]  # page 41
    two = summary.iloc[3]
    assert list(two.iloc[3:5]) == ["1.110", "0.509"]  # page 43: same gap, larger SE
    assert summary.iloc[2]["slope gap"] == "1.205"  # page 42
    assert "population of schools" in two["SE generalises to"]
    assert "same schools" in fe["SE generalises to"]
    assert summary.iloc[4]["estimates"].startswith("the between-school")
    # the three effects, and hs shows neither paradox
    effects = next(t for t in tables if t.key == "three_effects").frame
    assert effects.loc["overall", "between"] == "5.7734"  # page 44
    assert effects.loc["Catholic", "pooled"] == "2.2999"  # page 46
    assert art["any_paradox"] is False and len(art["paradoxes"]) == 6
    json.dumps(art, allow_nan=False)


def test_cluster_panels_follow_the_informative_label(hs):
    spec, long = hs
    order, labels = cluster_order(long, spec)
    assert [labels[c] for c in order] == list(long[spec.id_label].cat.categories)
    assert labels[1317] == "C1317G"
    figures = {f.key: f for f in data_space_figures(long, spec)}
    assert list(figures) == [
        "pooled_scatter",
        "group_panels",
        "group_panels_subgroup",
        "cluster_panels",
        "cluster_panels_subgroup",
    ]
    panels = [ax for ax in figures["cluster_panels"].figure.axes if ax.get_visible()]
    assert [panel_label(ax) for ax in panels] == [labels[c] for c in order]
    assert figures["cluster_panels"].doc_ref == "Figure 2, p. 14"
    sub = figures["cluster_panels_subgroup"].figure
    fits = {ln.get_gid() for ax in sub.axes for ln in ax.get_lines()}
    assert "fit:1317:Female" in fits  # lines by the first label, Sex


def _slope(line):
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    return (y[-1] - y[0]) / (x[-1] - x[0])


def test_three_effects_picture_draws_the_three_slopes(hs):
    spec, long = hs
    (fig,) = effects_figures(long, spec)
    eff = three_effects(long, "school", "mathach", "ses")
    lines = {ln.get_gid(): ln for ln in fig.figure.axes[0].get_lines()}
    assert _slope(lines["between"]) == pytest.approx(eff.effect("between"), rel=1e-10)
    assert _slope(lines["pooled"]) == pytest.approx(eff.effect("pooled"), rel=1e-10)
    within = [ln for gid, ln in lines.items() if gid.startswith("within:")]
    assert len(within) == 40
    assert all(_slope(ln) == pytest.approx(eff.effect("within"), rel=1e-10) for ln in within)
    # each within segment passes through its school's means
    means = long.groupby("school")[["ses", "mathach"]].mean()
    x, y = (np.asarray(v, float) for v in lines["within:1317"].get_data())
    at_mean = y[0] + _slope(lines["within:1317"]) * (means.loc[1317, "ses"] - x[0])
    assert at_mean == pytest.approx(means.loc[1317, "mathach"], rel=1e-10)


def test_beta_space_figures_from_the_artifacts(hs, artifacts):
    spec, long = hs
    figures = {f.key: f for f in beta_space_figures(long, spec, artifacts)}
    refs = {k: f.doc_ref for k, f in figures.items()}
    assert refs["beta_pooled"] == "Figure 4, p. 49" and refs["diff_fe"] == "Figure 7, p. 55"
    assert refs["beta_pooled_clusters"] == "Figure 5, p. 53"
    assert refs["beta_fe"] == "Figure 6, p. 54"
    assert refs["cluster_panels_pooled"] == "p. 52"
    assert len(figures) == 12

    # p. 52: in each school's panel, its own least-squares line and the pooled line of its Sector
    panels = figures["cluster_panels_pooled"].figure
    drawn = {ln.get_gid(): ln for ax in panels.axes for ln in ax.get_lines()}
    assert sum(gid.startswith("reference:") for gid in drawn) == 40
    pooled = artifacts["pooled"]
    for school, sector in ((1317, "Catholic"), (2626, "Public")):
        own = long[long["school"] == school]
        slope_own = np.polyfit(own["ses"], own["mathach"], 1)[0]
        assert _slope(drawn[f"fit:{school}"]) == pytest.approx(slope_own, rel=1e-9)
        pooled_slope = stored_result(pooled).group_estimates()[sector].centre[1]
        assert _slope(drawn[f"reference:{school}"]) == pytest.approx(pooled_slope, rel=1e-12)

    def centre(fig, gid):
        (ln,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]
        return ln.get_xdata()[0], ln.get_ydata()[0]

    # The differences are drawn as the document draws them, Catholic - Public (group_order
    # lists Public first): the mirror image of the model's gap Public - Catholic (slope
    # 1.6051, intercept -1.4666 in the pooled fit).
    slope, intercept = centre(figures["diff_pooled"].figure, "centre:pooled:Catholic - Public")
    assert round(slope, 4) == -1.6051 and round(intercept, 4) == 1.4666
    # one frame for the whole series, centred on the origin
    frames = {
        key: (figures[key].figure.axes[0].get_xlim(), figures[key].figure.axes[0].get_ylim())
        for key in ("diff_pooled", "diff_fe", "diff_twostage", "diff_between")
    }
    (xlim, ylim), *_ = frames.values()
    assert all(frame == (xlim, ylim) for frame in frames.values())
    assert xlim[0] == -xlim[1] and ylim[0] == -ylim[1]
    # every method's gap is drawn on p. 66, two-stage with joint and shadow ellipses
    gids = {ln.get_gid() for ln in figures["diff_between"].figure.axes[0].get_lines()}
    what = "Catholic - Public"
    for name in ("pooled", "fixed effects (2a)", "two-stage", "between"):
        assert f"ellipse:{name}:{what}:joint" in gids
    assert f"ellipse:two-stage:{what}:shadow" in gids
    # pp. 58-60: fixed effects dashed, two-stage solid, same centres
    lines = {ln.get_gid(): ln for ln in figures["beta_fe_twostage"].figure.axes[0].get_lines()}
    fe = lines["ellipse:fixed effects (2a):Public:joint"]
    ts = lines["ellipse:two-stage:Public:joint"]
    assert fe.get_linestyle() == "--" and ts.get_linestyle() == "-"
    assert centre(figures["beta_fe_twostage"].figure, "centre:fixed effects (2a):Public") == (
        pytest.approx(centre(figures["beta_fe_twostage"].figure, "centre:two-stage:Public"))
    )


@pytest.fixture(scope="module")
def sleep():
    """A dataset with no group: sleepstudy (reaction time over days, per subject)."""
    entry = {
        "title": "sleepstudy",
        "description": "no group",
        "files": {"level1": {"path": str(ROOT / "data" / "raw" / "sleepstudy.csv")}},
        "roles": {"cluster": "Subject", "outcome": "Reaction", "predictor": "Days"},
    }
    spec = spec_from(entry, "sleep")
    return spec, prepare(spec, ROOT).long


def test_a_dataset_without_group_skips_the_group_comparisons(sleep):
    spec, long = sleep
    fits = {name: fit_method(name, long, spec) for name in METHODS}
    for name in ("fe2a", "fe2b", "twostage"):
        fit = fits[name]
        assert fit.result is None and "no group role" in fit.skipped
        art = method_artifact(fit)
        assert art["status"] == "skipped" and art["skipped"] == fit.skipped
        assert method_tables(fit) == [] and method_values(fit) == {}
    # every subject is observed on the same days: no between-subject slope either
    assert "same mean Days" in fits["between"].skipped
    assert fits["pooled"].result is not None
    assert list(fits["pooled"].result.params.index) == ["(Intercept)", "Days"]
    artifacts = {n: json.loads(json.dumps(method_artifact(f))) for n, f in fits.items()}
    art, tables = effects_artifact(long, spec, artifacts)
    json.dumps(art, allow_nan=False)
    assert [t.key for t in tables] == ["three_effects", "methods_summary"]
    assert tables[0].frame.loc["overall", "between"] == "—"  # a missing cell of a report table
    summary = tables[1]
    assert "no group role" in summary.caption
    assert summary.frame.loc[:, "intercept gap"].tolist().count("skipped") == 4
    assert art["methods"]["fe2a"]["status"] == "skipped"
    assert [f.key for f in data_space_figures(long, spec)] == ["pooled_scatter", "cluster_panels"]
    (beta,) = beta_space_figures(long, spec, artifacts)
    gids = {ln.get_gid() for ln in beta.figure.axes[0].get_lines()}
    assert "ellipse:pooled:all:joint" in gids


def test_between_without_group_is_the_page_44_model(hs):
    spec, long = hs
    roles = {k: v for k, v in _config_entry("hs")["roles"].items() if not k.startswith("group")}
    entry = {**_config_entry("hs"), "roles": roles}
    entry["files"] = {k: {**v, "path": str(ROOT / v["path"])} for k, v in entry["files"].items()}
    nogroup = spec_from(entry, "hs_nogroup")
    fit = fit_method("between", long, nogroup)
    assert fit.result is fit.overall and list(fit.result.params.index) == ["(Intercept)", "ses"]
    values = method_values(fit)
    assert round(values["between/coef/ses/estimate"], 4) == 5.7734
    assert not any(k.startswith("between_by_group/") for k in values)
    assert method_artifact(fit)["gaps"] == {}


def test_balanced_design_with_a_group_draws_no_between_model():
    # orthodont: every child is measured at the same ages, so there is no between-child slope;
    # the beta-space figures are drawn without it instead of failing
    spec = configured("orthodont")
    long = prepare(spec, ROOT).long
    fits = {name: fit_method(name, long, spec) for name in METHODS}
    assert fits["between"].result is None and fits["between"].skipped
    artifacts = {n: json.loads(json.dumps(method_artifact(f))) for n, f in fits.items()}
    keys = [f.key for f in beta_space_figures(long, spec, artifacts)]
    assert "diff_twostage" in keys
    assert "beta_between" not in keys and "diff_between" not in keys
