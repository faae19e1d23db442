"""Simulated clustered data: the document's simulated school (pages 89-100) and the design of
the Monte Carlo study that compares the methods.

Randomness comes only from a ``numpy.random.Generator`` passed in by the caller; the same
Generator state gives the same data, bit for bit.

**The simulated school** (:class:`ExampleDesign`, :func:`simulate_example`). The random
coefficients model of page 88 with one level-1 predictor (SES) and no level-2 predictor:

    beta_j = gamma + u_j,   u_j ~ N(0, G)
    Y_ij = beta_0j + beta_1j SES_ij + eps_ij,   eps_ij ~ N(0, sigma^2)

with the document's gamma = (12, 2), G = [[16, 8], [8, 25]], sigma^2 = 20 (page 89). SES is not
part of the model (its values are constants in it), so, as on page 89, the simulation draws
the school's coefficients first, then its size N_j ~ Poisson(30) and SES ~ N(0, 1). Draws, in
this order, for all schools at once: the standard normals of u (J x 2, turned into N(0, G) by
the Cholesky factor of G), the sizes, the SES values, the errors. The report's school 1 is the
document's own (page 90, :mod:`multilevel.simulation.document_school`): its printed students
replace the first school's draws, and the other schools stay simulated from the seed.

**The Monte Carlo design** (:class:`StudyDesign`, :func:`simulate_study`). Two groups of
clusters (a level-2 factor with a reference level and one other level, like the sectors of
hs). The predictor has a cluster-mean component, so that the between-cluster and
within-cluster effects of x can differ (a contextual effect):

    x_ij = m_j + w_ij,  m_j ~ N(mu_g(j), tau_x^2),  w_ij ~ N(0, sigma_w^2)
    Y_ij = beta_0j + beta_1j x_ij + delta xbar_j + eps_ij
    beta_0j = gamma_00 + gamma_01 g_j + u_0j,  beta_1j = gamma_10 + gamma_11 g_j + u_1j

where g_j is 1 in the other group and 0 in the reference group, (u_0j, u_1j) ~ N(0, G),
eps ~ N(0, sigma^2), and xbar_j is the *sample* mean of x in cluster j (so the model
``y ~ x * group + cvar(x)`` with random ``~ 1 + x`` is exactly the generating model). The
design's parameters are named for what they mean: ``intercept`` gamma_00, ``intercept_gap``
gamma_01, ``within`` gamma_10 (the within-cluster effect of x in the reference group),
``slope_gap`` gamma_11, ``between`` gamma_10 + delta (the between-cluster effect of x in the
reference group: the slope of the cluster mean of Y on the cluster mean of x); the contextual
effect is delta = between - within.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.errors import DataError
from multilevel.simulation.document_school import GivenSchool

__all__ = [
    "Example",
    "ExampleDesign",
    "StudyDesign",
    "draw_effects",
    "ls_line",
    "simulate_example",
    "simulate_study",
    "cluster_sizes",
]


def _matrix(value, name: str) -> np.ndarray:
    m = np.asarray(value, dtype=float)
    if m.shape != (2, 2) or not np.allclose(m, m.T):
        raise DataError(f"{name} must be a symmetric 2x2 matrix, got {value!r}")
    if np.linalg.eigvalsh(m)[0] <= 0:
        raise DataError(f"{name} must be positive definite, got {value!r}")
    return m


def draw_effects(rng: np.random.Generator, G, n: int) -> np.ndarray:
    """``n`` draws of N(0, G) (rows), as standard normals times the Cholesky factor of G
    (the same numbers on every platform, unlike an SVD-based draw)."""
    L = np.linalg.cholesky(_matrix(G, "G"))
    return rng.standard_normal((n, 2)) @ L.T


def ls_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares (intercept, slope) of y on x and (X'X)^-1 for X = [1, x]."""
    X = np.column_stack([np.ones(len(x)), x])
    XtX_inv = np.linalg.inv(X.T @ X)
    return XtX_inv @ X.T @ y, XtX_inv


# --------------------------------------------------------------------------- the example


@dataclass(frozen=True)
class ExampleDesign:
    """The simulated school of pages 89-100. ``min_size``: a school needs at least this many
    students (N_j below it is raised to it) so that its least-squares line exists."""

    seed: int = 2017
    schools: int = 10
    gamma: tuple[float, float] = (12.0, 2.0)
    G: tuple = ((16.0, 8.0), (8.0, 25.0))
    sigma2: float = 20.0
    mean_size: float = 30.0
    min_size: int = 3
    ses_mean: float = 0.0
    ses_sd: float = 1.0

    @classmethod
    def from_config(cls, cfg: dict) -> ExampleDesign:
        return cls(
            seed=int(cfg["seed"]),
            schools=int(cfg["schools"]),
            gamma=tuple(float(v) for v in cfg["gamma"]),
            G=tuple(tuple(float(v) for v in row) for row in cfg["G"]),
            sigma2=float(cfg["sigma2"]),
            mean_size=float(cfg["mean_size"]),
            min_size=int(cfg["min_size"]),
            ses_mean=float(cfg["ses"]["mean"]),
            ses_sd=float(cfg["ses"]["sd"]),
        )

    def __post_init__(self):
        _matrix(self.G, "simulation.example.G")
        if self.schools < 1 or self.min_size < 3 or self.sigma2 <= 0 or self.ses_sd <= 0:
            raise DataError(
                "simulation.example needs schools >= 1, min_size >= 3, sigma2 > 0 and ses sd > 0"
            )


@dataclass
class Example:
    """Result of :func:`simulate_example`: ``schools`` (one row per school: n, true
    beta0/beta1, least-squares b0/b1, and sigma^2 (X'X)^-1 as v00, v01, v11), ``students``
    (school, ses, eps, y) and the design."""

    design: ExampleDesign
    schools: pd.DataFrame
    students: pd.DataFrame

    @property
    def gamma(self) -> np.ndarray:
        return np.asarray(self.design.gamma, dtype=float)

    @property
    def G(self) -> np.ndarray:
        return np.asarray(self.design.G, dtype=float)

    def school(self, j: int = 1) -> dict:
        """Everything the figures need about school ``j``: its data, true and estimated
        (intercept, slope), sigma^2 (X'X)^-1 and V_j = G + sigma^2 (X'X)^-1."""
        row = self.schools.loc[j]
        d = self.students[self.students["school"] == j]
        S = np.array([[row.v00, row.v01], [row.v01, row.v11]])
        return {
            "school": int(j),
            "n": int(row.n),
            "ses": d["ses"].to_numpy(),
            "y": d["y"].to_numpy(),
            "eps": d["eps"].to_numpy(),
            "beta": np.array([row.beta0, row.beta1]),
            "beta_hat": np.array([row.b0, row.b1]),
            "sampling_cov": S,
            "V": self.G + S,
        }


def simulate_example(
    design: ExampleDesign, rng: np.random.Generator, given: GivenSchool | None = None
) -> Example:
    """Draw ``design.schools`` schools of the random coefficients model (module docstring).
    With ``given`` (the document's printed school), school 1 is that school, its true line
    recovered from its data; every draw is still made, so the other schools are the same
    with or without it."""
    J = design.schools
    gamma = np.asarray(design.gamma, dtype=float)
    beta = gamma + draw_effects(rng, design.G, J)
    n = np.maximum(rng.poisson(design.mean_size, J), design.min_size)
    school = np.repeat(np.arange(1, J + 1), n)
    ses = design.ses_mean + design.ses_sd * rng.standard_normal(n.sum())
    eps = np.sqrt(design.sigma2) * rng.standard_normal(n.sum())
    idx = school - 1
    y = beta[idx, 0] + beta[idx, 1] * ses + eps
    if given is not None:
        rest = school != 1
        school = np.concatenate([np.ones(given.n, dtype=int), school[rest]])
        ses = np.concatenate([given.ses, ses[rest]])
        eps = np.concatenate([given.eps, eps[rest]])
        y = np.concatenate([given.y, y[rest]])
        beta[0] = given.beta
    students = pd.DataFrame({"school": school, "ses": ses, "eps": eps, "y": y})
    rows = []
    for j in range(1, J + 1):
        m = school == j
        b, XtX_inv = ls_line(ses[m], y[m])
        S = design.sigma2 * XtX_inv
        rows.append(
            {
                "school": j,
                "n": int(m.sum()),
                "beta0": beta[j - 1, 0],
                "beta1": beta[j - 1, 1],
                "b0": b[0],
                "b1": b[1],
                "v00": S[0, 0],
                "v01": S[0, 1],
                "v11": S[1, 1],
            }
        )
    schools = pd.DataFrame(rows).set_index("school")
    return Example(design, schools, students)


# --------------------------------------------------------------------------- the study


@dataclass(frozen=True)
class StudyDesign:
    """One replicate's design (module docstring). ``cluster_size``: ``{"distribution":
    "poisson", "mean": m, "min": k}`` (N_j = max(k, Poisson(m))), ``{"distribution": "fixed",
    "size": n}`` or ``{"distribution": "uniform", "low": a, "high": b}`` (integers, both
    ends included). ``groups``: the names of the reference level and of the other level."""

    clusters_per_group: int = 20
    groups: tuple[str, str] = ("A", "B")
    cluster_size: tuple = (("distribution", "poisson"), ("mean", 50), ("min", 5))
    x_group_means: tuple[float, float] = (0.0, 0.5)
    x_between_sd: float = 0.4
    x_within_sd: float = 0.7
    intercept: float = 12.0
    intercept_gap: float = -2.0
    within: float = 2.0
    slope_gap: float = 1.0
    between: float = 5.0
    G: tuple = ((4.0, 0.5), (0.5, 1.0))
    sigma2: float = 36.0

    @classmethod
    def from_config(cls, cfg: dict) -> StudyDesign:
        fixed = cfg["fixed"]
        return cls(
            clusters_per_group=int(cfg["clusters_per_group"]),
            groups=tuple(str(g) for g in cfg["groups"]),
            cluster_size=tuple(sorted(cfg["cluster_size"].items())),
            x_group_means=tuple(float(v) for v in cfg["x"]["group_means"]),
            x_between_sd=float(cfg["x"]["between_sd"]),
            x_within_sd=float(cfg["x"]["within_sd"]),
            intercept=float(fixed["intercept"]),
            intercept_gap=float(fixed["intercept_gap"]),
            within=float(fixed["within"]),
            slope_gap=float(fixed["slope_gap"]),
            between=float(fixed["between"]),
            G=tuple(tuple(float(v) for v in row) for row in cfg["G"]),
            sigma2=float(cfg["sigma2"]),
        )

    def __post_init__(self):
        where = "simulation.montecarlo"
        _matrix(self.G, f"{where}.G")
        size = dict(self.cluster_size)
        kind = size.get("distribution")
        needs = {"poisson": ["mean"], "fixed": ["size"], "uniform": ["low", "high"]}
        if kind not in needs:
            raise DataError(
                f"{where}.cluster_size: distribution must be one of {list(needs)}, got {size}"
            )
        missing = [k for k in needs[kind] if k not in size]
        if missing:
            raise DataError(f"{where}.cluster_size: a {kind} size needs {missing}, got {size}")
        if kind == "uniform" and not 3 <= size["low"] <= size["high"]:
            raise DataError(f"{where}.cluster_size: needs 3 <= low <= high, got {size}")
        if self.clusters_per_group < 3:
            raise DataError(f"{where}.clusters_per_group must be at least 3")
        if len(self.groups) != 2 or self.groups[0] == self.groups[1]:
            raise DataError(f"{where}.groups must be two distinct names, got {self.groups}")
        if min(self.x_within_sd, self.sigma2) <= 0 or self.x_between_sd < 0:
            raise DataError(f"{where}: x.within_sd and sigma2 must be > 0, x.between_sd >= 0")

    @property
    def contextual(self) -> float:
        """delta = between - within: the effect of the cluster mean of x holding x fixed."""
        return self.between - self.within

    def truth(self) -> dict[str, float]:
        """The values the study's three quantities estimate (see
        multilevel.simulation.montecarlo)."""
        return {
            "within": self.within,
            "slope_gap": self.slope_gap,
            "intercept_gap": self.intercept_gap,
        }

    def to_dict(self) -> dict:
        return {
            "clusters_per_group": self.clusters_per_group,
            "groups": list(self.groups),
            "cluster_size": dict(self.cluster_size),
            "x_group_means": list(self.x_group_means),
            "x_between_sd": self.x_between_sd,
            "x_within_sd": self.x_within_sd,
            "intercept": self.intercept,
            "intercept_gap": self.intercept_gap,
            "within": self.within,
            "slope_gap": self.slope_gap,
            "between": self.between,
            "contextual": self.contextual,
            "G": [list(r) for r in self.G],
            "sigma2": self.sigma2,
        }


def cluster_sizes(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` cluster sizes from a ``cluster_size`` spec (see :class:`StudyDesign`)."""
    kind = spec["distribution"]
    if kind == "poisson":
        return np.maximum(rng.poisson(float(spec["mean"]), n), int(spec.get("min", 3)))
    if kind == "fixed":
        return np.full(n, int(spec["size"]))
    if kind == "uniform":
        return rng.integers(int(spec["low"]), int(spec["high"]) + 1, n)
    raise DataError(f"unknown cluster size distribution {kind!r}")


def simulate_study(design: StudyDesign, rng: np.random.Generator) -> pd.DataFrame:
    """One replicate: a long DataFrame with columns cluster (0..2K-1; the first K clusters
    are in the reference group), group (categorical, reference level first), x, y.

    Draws, in this order: cluster sizes, cluster means of x, random effects, within-cluster
    deviations of x, errors."""
    K = design.clusters_per_group
    J = 2 * K
    g = np.repeat([0, 1], K)
    n = cluster_sizes(dict(design.cluster_size), J, rng)
    if n.min() < 3:
        raise DataError(f"every cluster needs at least 3 rows; the design gave {n.min()}")
    m = np.asarray(design.x_group_means, dtype=float)[g] + design.x_between_sd * (
        rng.standard_normal(J)
    )
    u = draw_effects(rng, design.G, J)
    cl = np.repeat(np.arange(J), n)
    x = m[cl] + design.x_within_sd * rng.standard_normal(cl.size)
    eps = np.sqrt(design.sigma2) * rng.standard_normal(cl.size)
    xbar = np.bincount(cl, weights=x, minlength=J) / n
    b0 = design.intercept + design.intercept_gap * g + u[:, 0]
    b1 = design.within + design.slope_gap * g + u[:, 1]
    y = b0[cl] + b1[cl] * x + design.contextual * xbar[cl] + eps
    group = pd.Categorical.from_codes(g[cl], dtype=_group_dtype(design.groups))
    return pd.DataFrame({"cluster": cl, "group": group, "x": x, "y": y})


@functools.lru_cache(maxsize=16)
def _group_dtype(groups: tuple[str, str]) -> pd.CategoricalDtype:
    """The group column's dtype, built once per design (building it costs more than
    coding the column)."""
    return pd.CategoricalDtype(list(groups))
