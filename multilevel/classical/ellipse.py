"""Confidence ellipses in a two-dimensional parameter space ("beta space").

An ellipse is the set of points ``p`` with ``(p - c)' S^-1 (p - c) = r^2`` for a centre ``c``,
a 2x2 covariance ``S`` and a radius ``r``. Three radii are used in the document's pictures:

* the joint 95% confidence region of the two parameters: ``r = sqrt(2 F(.95; 2, df))``, or
  ``r = sqrt(chi2(.95; 2))`` for large samples (``joint_radius``);
* the ellipse whose shadows (projections on each axis) are the 95% intervals of each parameter:
  ``r = t(.975; df)`` or ``z(.975)`` (``shadow_radius``);
* any radius given directly.

The shadow of the ellipse on coordinate ``i`` is ``c_i -/+ r sqrt(S_ii)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multilevel.distributions import chi2_ppf, f_ppf, norm_ppf, t_ppf

__all__ = ["Ellipse", "ellipse", "radius", "joint_radius", "shadow_radius"]


def radius(
    coverage: float,
    dist: str = "chisq",
    *,
    df: float | None = None,
    df1: float = 2,
    df2: float | None = None,
) -> float:
    """Radius of a ``coverage`` ellipse for a reference distribution.

    ``dist``: ``"F"`` (``sqrt(df1 F(coverage; df1, df2))``), ``"chisq"``
    (``sqrt(chi2(coverage; df))``, df defaults to 2), ``"t"`` (``t((1 + coverage)/2; df)``, a
    95%-shadow radius) or ``"normal"`` (``z((1 + coverage)/2)``)."""
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be in (0, 1), got {coverage}")
    if dist == "F":
        if df2 is None:
            raise ValueError("dist='F' needs df2 (the denominator DF)")
        return float(np.sqrt(df1 * f_ppf(coverage, df1, df2)))
    if dist == "chisq":
        return float(np.sqrt(chi2_ppf(coverage, 2 if df is None else df)))
    if dist == "t":
        if df is None:
            raise ValueError("dist='t' needs df")
        return float(t_ppf(0.5 + coverage / 2, df))
    if dist == "normal":
        return float(norm_ppf(0.5 + coverage / 2))
    raise ValueError(f"unknown distribution {dist!r}; use 'F', 'chisq', 't' or 'normal'")


def joint_radius(level: float = 0.95, df: float | None = None) -> float:
    """Radius of the joint ``level`` confidence region of two parameters: F(2, df) based, or
    chi-square(2) based when ``df`` is None."""
    if df is None:
        return radius(level, "chisq", df=2)
    return radius(level, "F", df1=2, df2=df)


def shadow_radius(level: float = 0.95, df: float | None = None) -> float:
    """Radius whose ellipse casts ``level`` confidence intervals as its shadows on the axes."""
    if df is None:
        return radius(level, "normal")
    return radius(level, "t", df=df)


@dataclass(frozen=True)
class Ellipse:
    """Points of an ellipse and its geometry.

    ``points`` is (n, 2), closed (the last point repeats the first); ``half_axes`` are the
    semi-axis lengths, longest first, and ``directions`` the matching unit vectors (columns)."""

    centre: np.ndarray
    cov: np.ndarray
    radius: float
    points: np.ndarray
    half_axes: np.ndarray
    directions: np.ndarray

    def shadows(self) -> np.ndarray:
        """(2, 2) array: row i is the interval (low, high) the ellipse projects on axis i."""
        half = self.radius * np.sqrt(np.diag(self.cov))
        return np.column_stack([self.centre - half, self.centre + half])

    def contains(self, p) -> np.ndarray:
        """Whether each point (rows of ``p``) lies inside or on the ellipse."""
        d = np.atleast_2d(np.asarray(p, dtype=float)) - self.centre
        q = np.einsum("ij,jk,ik->i", d, np.linalg.pinv(self.cov), d)
        return q <= self.radius**2 * (1 + 1e-12)


def ellipse(
    centre,
    cov,
    r: float | None = None,
    *,
    coverage: float | None = None,
    dist: str = "chisq",
    df: float | None = None,
    df1: float = 2,
    df2: float | None = None,
    n: int = 241,
) -> Ellipse:
    """The ellipse ``(p - centre)' cov^-1 (p - centre) = r^2`` as ``n`` points.

    Give either the radius ``r`` or a ``coverage`` with its distribution (see :func:`radius`).
    ``cov`` must be symmetric positive semi-definite (a degenerate ellipse is a segment)."""
    c = np.asarray(centre, dtype=float).reshape(2)
    S = np.asarray(cov, dtype=float).reshape(2, 2)
    if not (np.all(np.isfinite(S)) and np.all(np.isfinite(c))):
        raise ValueError(
            "the centre or covariance has missing or infinite entries (e.g. a fit without "
            "residual degrees of freedom has no standard errors): there is no ellipse to draw"
        )
    if not np.allclose(S, S.T, rtol=1e-10, atol=1e-14 * max(1.0, np.abs(S).max())):
        raise ValueError("cov must be symmetric")
    if (r is None) == (coverage is None):
        raise ValueError("give exactly one of the radius r or a coverage")
    if r is None:
        r = radius(coverage, dist, df=df, df1=df1, df2=df2)
    if not r >= 0:
        raise ValueError(f"radius must be non-negative, got {r}")
    lam, vec = np.linalg.eigh((S + S.T) / 2)
    if lam[0] < -1e-12 * max(1.0, abs(lam[-1])):
        raise ValueError("cov must be positive semi-definite")
    lam = np.clip(lam, 0.0, None)[::-1]
    vec = vec[:, ::-1]
    theta = np.linspace(0.0, 2 * np.pi, n)
    unit = np.vstack([np.cos(theta), np.sin(theta)])
    pts = c + (r * (vec * np.sqrt(lam)) @ unit).T
    pts[-1] = pts[0]
    return Ellipse(c, S, float(r), pts, r * np.sqrt(lam), vec)
