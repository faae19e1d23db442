"""Ellipse routine: points lie on the ellipse, shadows are the intended intervals, radii are the
intended quantiles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from multilevel.classical.ellipse import ellipse, joint_radius, radius, shadow_radius

S = np.array([[0.0354, -0.0210], [-0.0210, 0.0667]])  # a covariance of (intercept, slope)
C = np.array([13.56, 2.30])


def _quad(points, centre, cov):
    d = points - centre
    return np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)


def test_points_lie_on_the_ellipse():
    e = ellipse(C, S, 2.5, n=101)
    assert e.points.shape == (101, 2)
    assert np.allclose(_quad(e.points, C, S), 2.5**2, rtol=1e-10)
    assert np.array_equal(e.points[0], e.points[-1])


def test_axes_are_eigen_directions_scaled_by_radius():
    e = ellipse(C, S, 2.0)
    lam = np.linalg.eigvalsh(S)[::-1]
    assert e.half_axes == pytest.approx(2.0 * np.sqrt(lam))
    for k in range(2):
        v = e.directions[:, k]
        assert S @ v == pytest.approx(lam[k] * v)
        # the end of each semi-axis is on the ellipse
        assert _quad(C + e.half_axes[k] * v[None, :], C, S)[0] == pytest.approx(4.0)


def test_shadow_ellipse_projects_to_t_intervals():
    df = 38
    e = ellipse(C, S, shadow_radius(0.95, df), n=4001)
    q = stats.t.ppf(0.975, df)
    se = np.sqrt(np.diag(S))
    expected = np.column_stack([C - q * se, C + q * se])
    assert e.shadows() == pytest.approx(expected)
    # the drawn points reach the shadow ends (up to the discretisation of the curve)
    lo, hi = e.points.min(axis=0), e.points.max(axis=0)
    step = 2 * np.pi / 4000
    slack = q * se * step**2
    assert np.all(lo >= expected[:, 0] - 1e-12) and np.all(lo <= expected[:, 0] + slack)
    assert np.all(hi <= expected[:, 1] + 1e-12) and np.all(hi >= expected[:, 1] - slack)


def test_radii_are_the_intended_quantiles():
    assert joint_radius(0.95) == pytest.approx(np.sqrt(stats.chi2.ppf(0.95, 2)))
    assert joint_radius(0.95, 1973) == pytest.approx(np.sqrt(2 * stats.f.ppf(0.95, 2, 1973)))
    assert shadow_radius(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert shadow_radius(0.95, 38) == pytest.approx(stats.t.ppf(0.975, 38))
    assert radius(0.9, "chisq", df=3) == pytest.approx(np.sqrt(stats.chi2.ppf(0.9, 3)))
    # coverage + distribution is the same as giving the radius
    a = ellipse(C, S, coverage=0.95, dist="F", df1=2, df2=1973)
    b = ellipse(C, S, joint_radius(0.95, 1973))
    assert np.allclose(a.points, b.points)


def test_joint_region_covers_its_shadow_ellipse():
    big = ellipse(C, S, joint_radius(0.95, 38))
    small = ellipse(C, S, shadow_radius(0.95, 38))
    assert big.radius > small.radius
    assert big.contains(small.points).all()
    assert not small.contains(big.points).any()


def test_bad_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        ellipse(C, S)
    with pytest.raises(ValueError, match="exactly one"):
        ellipse(C, S, 1.0, coverage=0.95)
    with pytest.raises(ValueError, match="symmetric"):
        ellipse(C, np.array([[1.0, 0.5], [0.0, 1.0]]), 1.0)
    with pytest.raises(ValueError, match="semi-definite"):
        ellipse(C, np.array([[1.0, 2.0], [2.0, 1.0]]), 1.0)
    with pytest.raises(ValueError, match="df2"):
        radius(0.95, "F")
    with pytest.raises(ValueError, match="unknown"):
        radius(0.95, "gamma")


def test_degenerate_covariance_gives_a_segment():
    e = ellipse([0, 0], [[1.0, 1.0], [1.0, 1.0]], 1.0)
    assert e.half_axes[1] == pytest.approx(0.0)
    assert np.allclose(e.points[:, 0], e.points[:, 1])


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.05, 20),
    b=st.floats(0.05, 20),
    rho=st.floats(-0.95, 0.95),
    r=st.floats(0.1, 5),
    cx=st.floats(-50, 50),
    cy=st.floats(-50, 50),
)
def test_property_on_ellipse_and_shadows(a, b, rho, r, cx, cy):
    cov = np.array([[a * a, rho * a * b], [rho * a * b, b * b]])
    c = np.array([cx, cy])
    e = ellipse(c, cov, r, n=64)
    assert np.allclose(_quad(e.points, c, cov), r * r, rtol=1e-8)
    sh = e.shadows()
    assert np.all(e.points.min(axis=0) >= sh[:, 0] - 1e-9 * (1 + abs(c)))
    assert np.all(e.points.max(axis=0) <= sh[:, 1] + 1e-9 * (1 + abs(c)))
