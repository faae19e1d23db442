"""Figures of pages 14-15 and 36-66: check what is drawn (read back from the Axes), not only that
a figure exists."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from multilevel import classical as C
from multilevel.classical.ellipse import joint_radius, shadow_radius
from multilevel.plots import (
    cluster_lines_by_group,
    cluster_panels,
    difference_ellipses,
    fitted_lines_by_group,
    group_ellipses,
    group_panels,
    pooled_scatter,
    save_figure,
)
from multilevel.selection import POINTS, thinned_rows, thinning_note

from .helpers import panel_label

ROLES = {"cluster": "school", "outcome": "mathach", "predictor": "ses", "group": "Sector"}
N_POINTS = 241  # points per ellipse outline (the routine's default)
# worst gap between a sampled outline and its true extreme, as a fraction of the half-width
DISCRETISATION = 1 - np.cos(np.pi / (N_POINTS - 1))


@pytest.fixture(scope="module")
def fits(hs_raw):
    return {
        "pooled": C.pooled_ols(hs_raw, "mathach", "ses", "Sector"),
        "fixed effects": C.fixed_effects_separate(hs_raw, **ROLES),
        "two-stage": C.two_stage(hs_raw, **ROLES),
        "between": C.between_cluster(hs_raw, **ROLES),
    }


def _lines(fig, prefix):
    return {
        ln.get_gid(): ln
        for ax in fig.axes
        for ln in ax.get_lines()
        if (ln.get_gid() or "").startswith(prefix)
    }


def _slope_intercept(line):
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    return slope, y[0] - slope * x[0]


def _ls(x, y):
    slope, intercept = np.polyfit(np.asarray(x, float), np.asarray(y, float), 1)
    return slope, intercept


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_pooled_scatter_page_36(hs_raw):
    fig = pooled_scatter(hs_raw, "mathach", "ses")
    (ax,) = fig.axes
    pts = [c for c in ax.collections if c.get_gid() == "points:all"]
    assert len(pts) == 1 and len(pts[0].get_offsets()) == len(hs_raw)
    (line,) = _lines(fig, "fit:").values()
    assert _slope_intercept(line) == pytest.approx(_ls(hs_raw["ses"], hs_raw["mathach"]))
    assert list(line.get_xdata()) == [hs_raw["ses"].min(), hs_raw["ses"].max()]


def test_group_panels_with_subgroups_pages_37_39(hs_raw):
    fig = group_panels(hs_raw, "mathach", "ses", "Sector", subgroup="Sex")
    axes = _visible_axes(fig)
    assert [ax.get_title(loc="center") for ax in axes] == ["Sector: Catholic", "Sector: Public"]
    lines = _lines(fig, "fit:")
    assert len(lines) == 4
    for (sector, sex), sub in hs_raw.groupby(["Sector", "Sex"], observed=True):
        line = lines[f"fit:{sector}:{sex}"]
        assert _slope_intercept(line) == pytest.approx(_ls(sub["ses"], sub["mathach"]))
    no_lines = group_panels(hs_raw, "mathach", "ses", "Sector", subgroup="Sex", lines=False)
    assert _lines(no_lines, "fit:") == {}
    one_line = group_panels(hs_raw, "mathach", "ses", "Sector")
    assert sorted(_lines(one_line, "fit:")) == ["fit:Catholic", "fit:Public"]


def test_cluster_panels_follow_order_figures_2_3(hs_raw):
    sector = hs_raw.groupby("school")["Sector"].first()
    order = hs_raw.groupby("school")["ses"].mean().sort_values().index.tolist()
    fig = cluster_panels(
        hs_raw, "school", "mathach", "ses", order=order, labels=lambda c: f"{sector[c][0]}{c}"
    )
    axes = _visible_axes(fig)
    assert len(axes) == 40
    assert [panel_label(ax) for ax in axes] == [f"{sector[c][0]}{c}" for c in order]
    lines = _lines(fig, "fit:")
    assert len(lines) == 40
    for school in order[:5]:
        sub = hs_raw[hs_raw["school"] == school]
        assert _slope_intercept(lines[f"fit:{school}"]) == pytest.approx(
            _ls(sub["ses"], sub["mathach"])
        )
    by_sex = cluster_panels(hs_raw, "school", "mathach", "ses", order=order, subgroup="Sex")
    n_groups = hs_raw.groupby(["school", "Sex"]).ngroups
    assert len(_lines(by_sex, "fit:")) == n_groups
    with pytest.raises(ValueError, match="absent"):
        cluster_panels(hs_raw, "school", "mathach", "ses", order=[1, 2])


def test_fitted_lines_by_group_pages_47_48(hs_raw, fits):
    est = fits["pooled"].group_estimates()
    fig = fitted_lines_by_group(est, hs_raw, "ses", "Sector")
    lines = _lines(fig, "fit:")
    slope, intercept = _slope_intercept(lines["fit:Catholic"])
    assert round(slope, 4) == 2.2999 and round(intercept, 4) == 13.5579
    slope, _ = _slope_intercept(lines["fit:Public"])
    assert slope == pytest.approx(2.2999 + 1.6051, abs=1e-4)
    public = hs_raw.loc[hs_raw["Sector"] == "Public", "ses"]
    assert list(lines["fit:Public"].get_xdata()) == [public.min(), public.max()]


def test_fitted_lines_by_group_with_data_and_ellipses_page_47(hs_raw, fits):
    est = fits["pooled"].group_estimates()
    fig = fitted_lines_by_group(est, hs_raw, "ses", "Sector", outcome="mathach")
    ax = fig.axes[0]
    points = {c.get_gid(): c for c in ax.collections}
    lines = _lines(fig, "ellipse:")
    for level in ("Catholic", "Public"):
        d = hs_raw.loc[hs_raw["Sector"] == level, ["ses", "mathach"]]
        assert len(points[f"points:{level}"].get_offsets()) == len(d)  # every row at hs's size
        # the standard data ellipse: its shadows are the means +- 1 SD
        outline = lines[f"ellipse:{level}"]
        for values, column in ((outline.get_xdata(), "ses"), (outline.get_ydata(), "mathach")):
            mean, sd = d[column].mean(), d[column].std()
            half = (np.max(values) - np.min(values)) / 2
            assert half == pytest.approx(sd, rel=DISCRETISATION + 1e-9)
            assert (np.max(values) + np.min(values)) / 2 == pytest.approx(mean, abs=1e-3 * sd)
    assert set(_lines(fig, "fit:")) == {"fit:Catholic", "fit:Public"}


def test_fitted_lines_by_group_thins_the_points_of_a_large_table(hs_raw, fits):
    est = fits["pooled"].group_estimates()
    big = pd.concat([hs_raw] * 11, ignore_index=True)  # 21,747 rows: over the limit
    fig = fitted_lines_by_group(est, big, "ses", "Sector", outcome="mathach")
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    keep, step = thinned_rows(len(big))
    assert step == 2 and drawn == len(keep) <= POINTS
    note = thinning_note(len(big))
    assert f"one row in 2 of the {len(big)}" in note and thinning_note(len(hs_raw)) == ""


def test_cluster_lines_by_group_page_51(hs_raw, fits):
    coefs = fits["fixed effects"].cluster_coefs
    fig = cluster_lines_by_group(coefs, hs_raw, "school", "ses", "Sector")
    axes = _visible_axes(fig)
    counts = coefs["Sector"].value_counts()
    for ax, level in zip(axes, ["Catholic", "Public"], strict=True):
        assert len(ax.get_lines()) == counts[level]
    lines = _lines(fig, "fit:")
    for school, row in coefs.head(4).iterrows():
        assert _slope_intercept(lines[f"fit:{school}"]) == pytest.approx(
            (row["slope"], row["intercept"])
        )


def _check_ellipse(line, est, r):
    """The outline is centred on the estimate (slope horizontal, intercept vertical) and its
    extent on each axis is the estimate -/+ r * SE."""
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    half = r * est.se  # (intercept, slope)
    for values, centre, h in ((x, est.slope, half[1]), (y, est.intercept, half[0])):
        assert values.max() <= centre + h * (1 + 1e-12)
        assert values.max() >= centre + h * (1 - DISCRETISATION)
        assert values.min() >= centre - h * (1 + 1e-12)
        assert values.min() <= centre - h * (1 - DISCRETISATION)
    d = np.column_stack([y, x]) - est.centre
    q = np.einsum("ij,jk,ik->i", d, np.linalg.inv(est.cov), d)
    assert np.allclose(q, r * r, rtol=1e-9)


def test_group_ellipses_figures_4_to_6_and_page_64(hs_raw, fits):
    coefs = fits["fixed effects"].cluster_coefs
    fig = group_ellipses(fits, predictor="ses", points=coefs, group="Sector")
    ellipses = _lines(fig, "ellipse:")
    assert len(ellipses) == 8  # 4 methods x 2 sectors
    for name, res in fits.items():
        for level, est in res.group_estimates().items():
            _check_ellipse(
                ellipses[f"ellipse:{name}:{level}:joint"], est, joint_radius(0.95, est.df)
            )
            (centre,) = _lines(fig, f"centre:{name}:{level}").values()
            assert list(centre.get_xdata()) == [est.slope]
            assert list(centre.get_ydata()) == [est.intercept]
    # Figure 4: the pooled Catholic centre is (2.2999, 13.5579)
    cath = _lines(fig, "centre:pooled:Catholic")["centre:pooled:Catholic"]
    assert round(cath.get_xdata()[0], 4) == 2.2999 and round(cath.get_ydata()[0], 4) == 13.5579
    # one marker per school, split by sector
    ax = fig.axes[0]
    offsets = {c.get_gid(): c.get_offsets() for c in ax.collections}
    assert len(offsets["clusters:Catholic"]) + len(offsets["clusters:Public"]) == 40
    cath_pts = np.asarray(offsets["clusters:Catholic"])
    expected = coefs.loc[coefs["Sector"] == "Catholic", ["slope", "intercept"]].to_numpy()
    assert np.allclose(np.sort(cath_pts, axis=0), np.sort(expected, axis=0))
    # page 58: fixed effects and two-stage ellipses share their centre; two-stage is larger
    fe = ellipses["ellipse:fixed effects:Public:joint"].get_xdata()
    ts = ellipses["ellipse:two-stage:Public:joint"].get_xdata()
    assert np.ptp(ts) > np.ptp(fe)


def test_difference_ellipses_pages_50_61_66(fits):
    kinds = {"two-stage": ["joint", "shadow"]}
    fig = difference_ellipses(fits, [("Catholic", "Public")], predictor="ses", kinds=kinds)
    ellipses = _lines(fig, "ellipse:")
    assert len(ellipses) == 5
    what = "Catholic - Public"
    for name, res in fits.items():
        est = res.difference("Catholic", "Public")
        _check_ellipse(ellipses[f"ellipse:{name}:{what}:joint"], est, joint_radius(0.95, est.df))
    # page 50: the pooled difference (Catholic - Public) is (-1.6051, +1.4666)
    pooled = _lines(fig, f"centre:pooled:{what}")[f"centre:pooled:{what}"]
    assert round(pooled.get_xdata()[0], 4) == -1.6051
    assert round(pooled.get_ydata()[0], 4) == 1.4666
    # page 61: the small two-stage ellipse's shadow on the slope axis is the 95% interval of
    # the sector difference in slope (page 43: 1.1100, SE 0.5086, 38 df), which just misses 0
    shadow = ellipses[f"ellipse:two-stage:{what}:shadow"]
    est = fits["two-stage"].difference("Catholic", "Public")
    _check_ellipse(shadow, est, shadow_radius(0.95, 38))
    q = stats.t.ppf(0.975, 38)
    slope_row = fits["two-stage"].responses["slope"].loc["SectorPublic"]
    upper = -slope_row["estimate"] + q * slope_row["se"]
    assert est.slope + q * est.se[1] == pytest.approx(upper, rel=1e-12)
    half = q * est.se[1]
    assert upper - half * DISCRETISATION <= np.max(shadow.get_xdata()) <= upper + 1e-12
    assert -0.1 < upper < 0  # "the p-value ... would be just below 0.05"
    # ... while the large (joint 95%) ellipse reaches across the vertical axis
    assert np.max(ellipses[f"ellipse:two-stage:{what}:joint"].get_xdata()) > 0


def test_save_figure_is_deterministic(tmp_path, fits):
    paths = []
    for i in range(2):
        fig = difference_ellipses(fits, [("Catholic", "Public")], predictor="ses")
        paths.append(save_figure(fig, tmp_path / f"d{i}.svg"))
        paths.append(save_figure(fig, tmp_path / f"d{i}.png"))
    assert paths[0].read_bytes() == paths[2].read_bytes()
    assert paths[1].read_bytes() == paths[3].read_bytes()
    svg = paths[0].read_text()
    assert "<dc:date>" not in svg and 'id="ellipse:pooled:Catholic - Public:joint"' in svg
    with pytest.raises(ValueError, match="svg or .png"):
        save_figure(fig, tmp_path / "d.jpg")


def test_difference_ellipses_one_panel_per_contrast_on_one_frame(fits):
    """k > 2 levels: one panel per level minus the reference, every panel on the same axes
    centred on the origin; a line a method cannot estimate is named, not drawn."""
    contrasts = [("Catholic", "Public"), ("Public", "Catholic")]
    fig = difference_ellipses(fits, contrasts, predictor="ses", group="Sector")
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in shown] == ["Catholic − Public", "Public − Catholic"]
    assert len({(ax.get_xlim(), ax.get_ylim()) for ax in shown}) == 1
    xlim, ylim = shown[0].get_xlim(), shown[0].get_ylim()
    assert xlim[0] == -xlim[1] and ylim[0] == -ylim[1]
    # the mirror contrast is the mirror image
    a = {ln.get_gid(): ln for ln in shown[0].get_lines()}["centre:pooled:Catholic - Public"]
    b = {ln.get_gid(): ln for ln in shown[1].get_lines()}["centre:pooled:Public - Catholic"]
    assert a.get_xdata()[0] == pytest.approx(-b.get_xdata()[0], rel=1e-12)
