"""The simulated school (pages 89-100) and the Monte Carlo design: the data follow the model
they claim, the draws reproduce the design's parameters, and the same seed gives the same
numbers and byte-identical figures."""

import numpy as np
import pandas as pd
import pytest

from multilevel.errors import DataError
from multilevel.plots.simulation import EXAMPLE_FIGURES, example_figures
from multilevel.plots.style import save_figure
from multilevel.report.published import audit, load_registry
from multilevel.simulation.document_school import read_given_school
from multilevel.simulation.example_artifacts import (
    example_figure_listing,
    example_figure_paths,
    example_values,
)
from multilevel.simulation.simulate import (
    ExampleDesign,
    StudyDesign,
    cluster_sizes,
    draw_effects,
    simulate_example,
    simulate_study,
)
from tests.helpers import ROOT


def _example(seed=15, **kw):
    design = ExampleDesign(seed=seed, **kw)
    return simulate_example(design, np.random.default_rng(design.seed))


def test_example_follows_the_model_of_page_89():
    ex = _example()
    st = ex.students
    school = ex.schools.loc[st["school"]]
    # Y = beta_0j + beta_1j SES + eps, with the school's true coefficients
    np.testing.assert_allclose(
        st["y"], school["beta0"].to_numpy() + school["beta1"].to_numpy() * st["ses"] + st["eps"]
    )
    s1 = ex.school(1)
    assert s1["n"] == len(s1["ses"]) == int(ex.schools.loc[1, "n"])
    # the least-squares line and sigma^2 (X'X)^-1 of school 1, computed another way
    slope, intercept = np.polyfit(s1["ses"], s1["y"], 1)
    np.testing.assert_allclose(s1["beta_hat"], [intercept, slope], rtol=1e-10)
    sxx = np.sum((s1["ses"] - s1["ses"].mean()) ** 2)
    assert s1["sampling_cov"][1, 1] == pytest.approx(20.0 / sxx, rel=1e-12)
    np.testing.assert_allclose(s1["V"], ex.G + s1["sampling_cov"])


def test_example_draws_reproduce_gamma_G_and_the_sizes():
    # 3000 schools: the mean and covariance of the true coefficients, the mean school size
    # and the distribution of SES agree with the design within Monte Carlo error.
    ex = _example(seed=3, schools=3000)
    b = ex.schools[["beta0", "beta1"]].to_numpy()
    J = len(b)
    se_mean = np.sqrt(np.diag(ex.G) / J)
    assert np.all(np.abs(b.mean(axis=0) - ex.gamma) < 3.5 * se_mean)
    S = np.cov(b.T)
    # SE of a sample covariance entry: sqrt((G_ik^2 + G_ii G_kk) / J)
    G = ex.G
    se_cov = np.sqrt((G**2 + np.outer(np.diag(G), np.diag(G))) / J)
    assert np.all(np.abs(S - G) < 3.5 * se_cov)
    n = ex.schools["n"]
    assert abs(n.mean() - 30) < 3.5 * np.sqrt(30 / J)
    ses = ex.students["ses"]
    assert abs(ses.mean()) < 3.5 / np.sqrt(len(ses))
    assert abs(ses.std() - 1) < 3.5 / np.sqrt(2 * len(ses))
    eps = ex.students["eps"]
    assert abs(eps.var() - 20) < 3.5 * 20 * np.sqrt(2 / len(eps))


def test_example_is_deterministic_and_seed_dependent():
    a, b, c = _example(15), _example(15), _example(16)
    pd.testing.assert_frame_equal(a.students, b.students)
    pd.testing.assert_frame_equal(a.schools, b.schools)
    assert not np.allclose(a.schools["beta0"], c.schools["beta0"])


def test_example_figures_are_byte_identical_for_the_same_seed(tmp_path):
    outs = []
    for run in ("a", "b"):
        ex = _example(15)
        figs = example_figures(ex.school(1), ex.gamma, ex.G)
        assert list(figs) == list(EXAMPLE_FIGURES)
        outs.append({k: save_figure(f, tmp_path / run / f"{k}.svg") for k, f in figs.items()})
    for key in EXAMPLE_FIGURES:
        assert outs[0][key].read_bytes() == outs[1][key].read_bytes(), key
    # each figure draws what its document figure shows, and the last shows everything
    last = outs[0]["sim_fig17"].read_text()
    for gid in ("gamma", "ellipse:G", "beta", "ellipse:sampling", "beta-hat", "ellipse:V"):
        assert f'id="{gid}"' in last, gid
    first_beta = outs[0]["sim_fig12"].read_text()
    assert 'id="gamma"' in first_beta and 'id="ellipse:G"' not in first_beta
    data = outs[0]["sim_fig11"].read_text()
    for gid in ("mean-line", "true-line", "data", "ls-line"):
        assert f'id="{gid}"' in data, gid
    # another seed draws another school
    ex = _example(16)
    other = save_figure(
        example_figures(ex.school(1), ex.gamma, ex.G)["sim_fig11"], tmp_path / "c.svg"
    )
    assert other.read_bytes() != outs[0]["sim_fig11"].read_bytes()


def test_figure_paths_are_paired_with_figures_by_their_number():
    paths = [f"out/document_figure_{n:02d}.svg" for n in range(17, 7, -1)]  # reversed order
    svgs = example_figure_paths(paths)
    assert list(svgs) == list(EXAMPLE_FIGURES)
    for key, (number, *_) in EXAMPLE_FIGURES.items():
        assert svgs[key] == f"out/document_figure_{number:02d}.svg"
    listing = example_figure_listing(svgs, (12, 2))
    assert [(m["key"], m["file"]) for m in listing] == list(svgs.items())
    assert listing[0]["doc_ref"] == "Figure 8, p. 91" and "(12, 2)" in listing[0]["caption"]
    with pytest.raises(ValueError, match="Figures"):
        example_figure_paths(paths[1:])
    with pytest.raises(ValueError, match="document_figure"):
        example_figure_paths([*paths[1:], "out/figure_8.svg"])


def test_draw_effects_uses_the_cholesky_factor():
    G = np.array([[16.0, 8.0], [8.0, 25.0]])
    z = np.random.default_rng(1).standard_normal((5, 2))
    u = draw_effects(np.random.default_rng(1), G, 5)
    np.testing.assert_allclose(u, z @ np.linalg.cholesky(G).T)
    with pytest.raises(ValueError, match="positive definite"):
        draw_effects(np.random.default_rng(1), [[1.0, 2.0], [2.0, 1.0]], 3)


def test_cluster_size_distributions():
    rng = np.random.default_rng(0)
    n = cluster_sizes({"distribution": "poisson", "mean": 4, "min": 3}, 2000, rng)
    assert n.min() == 3 and 3.5 < n.mean() < 5
    assert set(cluster_sizes({"distribution": "fixed", "size": 7}, 5, rng)) == {7}
    u = cluster_sizes({"distribution": "uniform", "low": 5, "high": 8}, 2000, rng)
    assert set(u) == {5, 6, 7, 8}
    with pytest.raises(ValueError, match="distribution"):
        StudyDesign(cluster_size=(("distribution", "gamma"),))


def test_study_replicate_layout():
    d = StudyDesign(clusters_per_group=4, groups=("Catholic", "Public"))
    data = simulate_study(d, np.random.default_rng(2))
    assert list(data.columns) == ["cluster", "group", "x", "y"]
    assert list(data["group"].cat.categories) == ["Catholic", "Public"]
    per_cluster = data.groupby("cluster")["group"].agg(["nunique", "first"])
    assert (per_cluster["nunique"] == 1).all()
    assert (per_cluster["first"] == ["Catholic"] * 4 + ["Public"] * 4).all()
    assert data.groupby("cluster").size().min() >= 5


def test_study_reproduces_within_between_and_group_parameters():
    """Many clusters in one replicate: the within-cluster slopes, the between-cluster slope
    and the group gaps estimated directly (not with the methods under study) match the design.
    """
    d = StudyDesign(
        clusters_per_group=1500,
        cluster_size=(("distribution", "fixed"), ("size", 12)),
        G=((4.0, 0.5), (0.5, 1.0)),
    )
    data = simulate_study(d, np.random.default_rng(11))
    g = data.groupby("cluster")
    xbar, ybar = g["x"].transform("mean"), g["y"].transform("mean")
    dx, dy = data["x"] - xbar, data["y"] - ybar
    slopes = (dx * dy).groupby(data["cluster"]).sum() / (dx * dx).groupby(data["cluster"]).sum()
    grp = g["group"].first()
    ref, other = d.groups
    s_ref, s_other = slopes[grp == ref], slopes[grp == other]
    assert abs(s_ref.mean() - d.within) < 3.5 * s_ref.std() / np.sqrt(len(s_ref))
    gap_se = np.sqrt(s_ref.var() / len(s_ref) + s_other.var() / len(s_other))
    assert abs(s_other.mean() - s_ref.mean() - d.slope_gap) < 3.5 * gap_se
    # between: regress the cluster means of y on those of x in the reference group
    means = g[["x", "y"]].mean()[grp == ref]
    b = np.polyfit(means["x"], means["y"], 1)
    resid_sd = np.std(means["y"] - np.polyval(b, means["x"]), ddof=2)
    se_b = resid_sd / np.sqrt(np.sum((means["x"] - means["x"].mean()) ** 2))
    assert abs(b[0] - d.between) < 3.5 * se_b
    # the x of each group has the configured mean and between/within spread
    cm = g["x"].mean()
    for k, mu in enumerate(d.x_group_means):
        m = cm[grp == d.groups[k]]
        assert abs(m.mean() - mu) < 3.5 * 0.45 / np.sqrt(len(m))
    assert abs(dx.pow(2).sum() / (len(data) - 2 * 1500) - 0.49) < 0.02


SCHOOL_FILE = ROOT / "data" / "simulated_school.csv"


def test_school_1_is_the_documents_printed_school():
    # page 90: 23 students; the registry holds the printed values, the data file the same
    given = read_given_school(SCHOOL_FILE)
    design = ExampleDesign(seed=15)
    ex = simulate_example(design, np.random.default_rng(15), given)
    registry = load_registry(ROOT / "data" / "published.csv")
    rows = registry[registry["key"].str.startswith("sim/school1/")]
    result = audit(rows, example_values(ex))
    assert len(result) == 3 * 23 and result["agree"].all(), result[~result["agree"]]
    s1 = ex.school(1)
    assert s1["n"] == 23
    # the recovered true line passes through Y - eps up to the printing's rounding (0.005 in
    # each of SES, eps and Y)
    fitted = s1["beta"][0] + s1["beta"][1] * s1["ses"]
    bound = 0.005 * (2 + abs(s1["beta"][1]))
    assert np.max(np.abs(s1["y"] - s1["eps"] - fitted)) <= bound
    # the other schools are those the seed draws without the document's school
    plain = simulate_example(design, np.random.default_rng(15))
    pd.testing.assert_frame_equal(ex.schools.iloc[1:], plain.schools.iloc[1:])
    others = ex.students[ex.students["school"] > 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        others, plain.students[plain.students["school"] > 1].reset_index(drop=True)
    )


def test_a_bad_school_file_names_the_file_and_rows(tmp_path):
    bad = tmp_path / "school.csv"
    bad.write_text("ses,eps,y\n1.0,0.5,3\nx,0.1,2\n0.2,0.3,1\n")
    with pytest.raises(DataError, match=r"school\.csv.*; line 3\]"):
        read_given_school(bad)
    bad.write_text("ses,y\n1,2\n")
    with pytest.raises(DataError, match="add eps"):
        read_given_school(bad)
