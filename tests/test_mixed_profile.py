"""The profiled deviance and its gradient (multilevel/mixed/profile.py) against a dense
computation from the marginal model, for q = 1 and 2 (closed forms) and q = 3 (Cholesky)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from multilevel.mixed.design import build_design
from multilevel.mixed.profile import ProfiledDeviance, lambda_from_theta
from multilevel.mixed.sufficient import compute_sufficient


def _data(seed=3, J=9, per=7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(J), rng.integers(per - 3, per + 4, J))
    x, w = rng.normal(size=g.size), rng.normal(size=g.size)
    y = 1 + 0.5 * x - w + rng.normal(size=J)[g] + rng.normal(size=J)[g] * x
    return pd.DataFrame({"y": y + rng.normal(size=g.size), "x": x, "w": w, "g": g})


def dense_deviance(design, theta, reml: bool) -> float:
    """-2 log-likelihood with beta and sigma profiled out, from V* = I + Z Lambda Lambda' Z'
    built as an N x N matrix (small data only)."""
    X, y = design.matrix(design.x_names), design.y
    Zc = design.matrix(design.z_names)
    q = Zc.shape[1]
    N, p = X.shape
    lam = lambda_from_theta(np.asarray(theta, dtype=float), q)
    V = np.eye(N)
    for j in range(design.n_groups):
        rows = np.flatnonzero(design.codes == j)
        Zj = Zc[rows] @ lam
        V[np.ix_(rows, rows)] += Zj @ Zj.T
    Vi = np.linalg.inv(V)
    A = X.T @ Vi @ X
    beta = np.linalg.solve(A, X.T @ Vi @ y)
    r = y - X @ beta
    r2 = r @ Vi @ r
    dof = N - p if reml else N
    dev = np.linalg.slogdet(V)[1] + dof * (1 + np.log(2 * np.pi * r2 / dof))
    return dev + (np.linalg.slogdet(A)[1] if reml else 0.0)


@pytest.mark.parametrize(
    ("random", "theta"),
    [
        ("~ 1", [0.7]),
        ("~ 1 + x", [0.8, -0.3, 0.5]),
        ("~ 1 + x + w", [0.8, -0.3, 0.2, 0.5, 0.1, 0.4]),
    ],
)
@pytest.mark.parametrize("reml", [True, False])
def test_deviance_and_gradient_match_a_dense_computation(random, theta, reml):
    design = build_design(_data(), "y ~ x + w", random, "g")
    prof = ProfiledDeviance(compute_sufficient(design), reml)
    theta = np.array(theta)
    dev, grad = prof.value_and_grad(theta)
    assert dev == pytest.approx(dense_deviance(design, theta, reml), rel=1e-11)
    h = 1e-6
    fd = [(prof(theta + e) - prof(theta - e)) / (2 * h) for e in np.eye(theta.size) * h]
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)
