"""Small-sample rules for the fixed effects of a REML fit: Satterthwaite and Kenward-Roger.

Both work from the derivatives of variance_sums.py (linear parametrisation gamma of the
marginal covariance, centred coordinates), for a contrast L (rows of L, ell of them):

Satterthwaite (as lmerTest, one row): with Phi = vcov(beta), v = L'Phi L and
g_r = L' dPhi/dgamma_r L, df = 2 v^2 / (g' Cov(gamma) g), Cov(gamma) = 2 Hess^{-1} the
inverse observed information of the REML likelihood.  The df does not depend on how the
variance parameters are written (lmerTest uses theta and sigma) because the information and
the Jacobian transform together at a stationary point.

Kenward-Roger (1997, as pbkrtest): W = 2 E^{-1} (the inverse expected information) and
Phi_A = Phi + 2 Phi [sum_rs W_rs (Q_rs - P_r Phi P_s)] Phi, the covariance of beta adjusted for
the estimation of gamma (the second-derivative term of the paper is zero in gamma).  The
denominator df for L comes from A1 = sum W_rs tr(Theta Phi P_r Phi) tr(Theta Phi P_s Phi) and
A2 = sum W_rs tr(Theta Phi P_r Phi Theta Phi P_s Phi), Theta = L (L'Phi L)^{-1} L', through the
paper's moment matching (m below); for one row the t statistic uses sqrt(L'Phi_A L).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .variance_sums import VarianceDerivatives


@dataclass
class ContrastTest:
    estimate: float
    se: float
    df: float


def satterthwaite_df(d: VarianceDerivatives, L: np.ndarray) -> tuple[float, float]:
    """(variance of L'beta, Satterthwaite df) for one contrast L (centred coordinates)."""
    v = float(L @ d.phi @ L)
    g = np.array([float(L @ J @ L) for J in d.jacobian()])
    return v, 2.0 * v * v / float(g @ d.inverse_hessian @ g)


def kenward_roger_cov(d: VarianceDerivatives) -> np.ndarray:
    """Phi_A, the Kenward-Roger adjusted covariance of the fixed effects."""
    W = d.inverse_expected
    phi, P, Q = d.phi, d.P, d.Q
    k = len(P)
    U = np.zeros_like(phi)
    for r in range(k):
        for s in range(k):
            U += W[r, s] * (Q[r][s] - P[r] @ phi @ P[s])
    adj = phi + 2.0 * phi @ U @ phi
    return 0.5 * (adj + adj.T)


def kenward_roger_df(d: VarianceDerivatives, L: np.ndarray) -> float:
    """Kenward-Roger denominator df for the rows of L (ell x p, or one row)."""
    L = np.atleast_2d(L)
    ell = L.shape[0]
    phi = d.phi
    theta = L.T @ np.linalg.solve(L @ phi @ L.T, L)
    W = d.inverse_expected
    U = [theta @ phi @ P @ phi for P in d.P]
    tr = np.array([np.trace(u) for u in U])
    k = len(U)
    A1 = float(tr @ W @ tr)
    A2 = float(sum(W[r, s] * (U[r] * U[s].T).sum() for r in range(k) for s in range(k)))
    B = (A1 + 6.0 * A2) / (2.0 * ell)
    g = ((ell + 1) * A1 - (ell + 4) * A2) / ((ell + 2) * A2)
    denom = 3 * ell + 2 * (1 - g)
    c1, c2, c3 = g / denom, (ell - g) / denom, (ell + 2 - g) / denom
    e_star = 1.0 / (1.0 - A2 / ell)
    v_star = (2.0 / ell) * (1 + c1 * B) / ((1 - c2 * B) ** 2 * (1 - c3 * B))
    rho = v_star / (2.0 * e_star**2)
    return 4.0 + (ell + 2) / (ell * rho - 1)


RULES = ("nlme", "Satterthwaite", "Kenward-Roger")


def fixed_effect_tests(
    d: VarianceDerivatives, T: np.ndarray, estimates: np.ndarray, rule: str
) -> list[ContrastTest]:
    """One test per fixed effect (beta = T gamma + const, gamma the centred coordinates)
    under "Satterthwaite" or "Kenward-Roger" (df NaN where the rule gives none)."""
    out = []
    adjusted = kenward_roger_cov(d) if rule == "Kenward-Roger" else None
    for k, est in enumerate(estimates):
        L = T[k]
        if adjusted is None:
            v, df = satterthwaite_df(d, L)
        else:
            v, df = float(L @ adjusted @ L), kenward_roger_df(d, L)
        # a df <= 0 comes from an information that is not positive definite (near a
        # boundary fit): the rule gives no df there
        df = float(df) if np.isfinite(df) and df > 0 else np.nan
        out.append(ContrastTest(estimate=float(est), se=float(np.sqrt(v)), df=df))
    return out
