"""Influence of each cluster on the fixed effects: leave-one-cluster-out refits.

The quantities are lme4's (``influence(fit, groups = cluster)`` and the methods on its result,
lme4 1.1-31):

* the model is refitted without cluster j, by the same criterion (REML or ML), starting from
  the full fit's variance parameters theta, and the fixed effects beta_(-j) and their
  covariance V_(-j) are those of the refit;
* dfbeta_j = beta_(-j) - beta;  dfbetas_j = dfbeta_j / sqrt(diag V_(-j)) (the change in SEs of
  the refit);
* Cook's distance D_j = (J - p) / (J p) dfbeta_j' V^{-1} dfbeta_j, V the full fit's
  covariance, J the number of clusters, p the number of fixed effects.  (lme4's scaling; the
  usual 1/p scaling is D_j J / (J - p).)

A refit costs O(clusters), not O(rows): the engine works from per-cluster sufficient
statistics (multilevel/mixed/sufficient.py), so the data without cluster j are the full
statistics with cluster j's column removed and its rows' X'X, X'y, y'y subtracted (the
centring of the full data is kept: it is an exact reparametrisation whatever the subset).

All J refits cost O(J^2).  Above ``EXACT_LIMIT`` clusters, the influence of every cluster is
approximated by one Newton step in theta from the full fit's (``_one_step``: a few passes
over the clusters, O(J) in all), and only the ``REFIT_LARGEST`` clusters with the largest
approximate Cook's distance are refitted exactly; ``ClusterInfluence.exact`` says which.
Removing one of J clusters moves theta by O(1/J), so the step's error shrinks like 1/J^2:
against full refits, the largest error of dfbetas was 0.032 SEs at 40 clusters (hs), 0.0038
at 200 and 0.00036 at 1,000 (simulated, benchmarks/mixed_shapes.py), and of Cook's distance
2.9%, 1.6% and 0.45% of the largest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from multilevel.mixed.design import Design
from multilevel.mixed.optimise import optimise
from multilevel.mixed.profile import ProfiledDeviance
from multilevel.mixed.sufficient import Sufficient, compute_sufficient

__all__ = [
    "EXACT_LIMIT",
    "REFIT_LARGEST",
    "ClusterInfluence",
    "cluster_influence",
    "cluster_cross_products",
    "estimable_without",
    "without_cluster",
]

#: every cluster is refitted when there are at most this many (the cost grows as J^2)
EXACT_LIMIT = 2000
#: above EXACT_LIMIT, the clusters with the largest approximate Cook's distance refitted
#: (twice the rows of the report's influence table, so that its rows are all refits)
REFIT_LARGEST = 20


@dataclass
class CrossProducts:
    """Each cluster's X_j'X_j (p, p, J), X_j'y_j (p, J), y_j'y_j (J,) and rows (J,), with X and
    y centred as in the Sufficient statistics they go with."""

    XtX: np.ndarray
    Xty: np.ndarray
    yty: np.ndarray
    n: np.ndarray


def cluster_cross_products(design: Design, suff: Sufficient) -> CrossProducts:
    """One pass over the rows: the per-cluster sums of products of X and y (O(rows) time,
    O(clusters p^2) memory)."""
    J, p = design.n_groups, suff.p
    codes = design.codes
    cols = []
    for k, nm in enumerate(design.x_names):
        c = design.columns[nm]
        cols.append(None if c is None else c - suff.x_means[k])
    y = design.y - suff.y_mean

    def sums(w):
        return np.bincount(codes, weights=w, minlength=J)

    n = np.bincount(codes, minlength=J).astype(float)
    XtX = np.empty((p, p, J))
    Xty = np.empty((p, J))
    for a in range(p):
        for b in range(a, p):
            ca, cb = cols[a], cols[b]
            if ca is None or cb is None:
                w = cb if ca is None else ca
                XtX[a, b] = XtX[b, a] = n if w is None else sums(w)
            else:
                XtX[a, b] = XtX[b, a] = sums(ca * cb)
        Xty[a] = sums(y if cols[a] is None else cols[a] * y)
    return CrossProducts(XtX, Xty, sums(y * y), n)


def without_cluster(suff: Sufficient, cross: CrossProducts, j: int) -> Sufficient:
    """The sufficient statistics of the data without cluster j (same centring)."""
    return replace(
        suff,
        ZtZ=np.delete(suff.ZtZ, j, axis=2),
        ZtX=np.delete(suff.ZtX, j, axis=2),
        Zty=np.delete(suff.Zty, j, axis=1),
        XtX=suff.XtX - cross.XtX[:, :, j],
        Xty=suff.Xty - cross.Xty[:, j],
        yty=suff.yty - float(cross.yty[j]),
        n_obs=suff.n_obs - int(cross.n[j]),
    )


def _uncentred(suff: Sufficient, beta_c: np.ndarray, cov_c: np.ndarray):
    """beta and its covariance from the centred coordinates (sufficient.py's T)."""
    T = suff.uncentre_matrix()
    beta = beta_c @ T.T
    if suff.intercept_pos is not None:
        beta[..., suff.intercept_pos] += suff.y_mean
    cov = T @ cov_c @ T.T
    return beta, cov


def estimable_without(suff: Sufficient, cross: CrossProducts) -> np.ndarray:
    """(J,) bool: are the fixed effects still estimable without cluster j (X of full rank)?
    Not when the cluster is the only one of a level of the group, for instance.  The same
    test as the engine's check of a design: X'X scaled to unit diagonal, its smallest
    eigenvalue above 1e-10."""
    XtX = suff.XtX[None] - np.moveaxis(cross.XtX, 2, 0)  # (J, p, p)
    diag = np.einsum("jkk->jk", XtX)
    ok = np.all(diag > 1e-12 * np.maximum(np.diag(suff.XtX), 1e-300), axis=1)
    scale = np.sqrt(np.where(ok[:, None], diag, 1.0))
    R = XtX / (scale[:, :, None] * scale[:, None, :])
    ok &= np.linalg.eigvalsh(np.where(ok[:, None, None], R, np.eye(suff.p)))[:, 0] > 1e-10
    return ok


def _refit(suff: Sufficient, reml: bool, theta0: np.ndarray):
    """(beta, SEs, criterion, converged, singular) of the fit to ``suff`` started at theta0
    (criterion: the REML or ML deviance at the optimum)."""
    prof = ProfiledDeviance(suff, reml=reml)
    opt = optimise(prof, theta0=theta0)
    ev = prof.evaluate(opt.theta)
    sigma2 = ev.r2 / prof.dof
    beta, cov = _uncentred(suff, ev.beta_c, sigma2 * np.linalg.inv(ev.A))
    return beta, np.sqrt(np.diag(cov)), opt.deviance, opt.converged, opt.singular


def _deletions_at(prof: ProfiledDeviance, theta: np.ndarray, cross: CrossProducts, ok):
    """For every cluster j, the fit without it at a given theta (beta and sigma profiled):
    beta_(-j) (J, p), SE_(-j) (J, p) and the deviance (J,), NaN where not ``ok``
    (estimable_without).  The cluster's own terms are taken out of A, b, r^2 and the
    log-determinants (profile.py's notation): O(J p^3)."""
    s = prof.s
    ev = prof.evaluate(theta)
    XX, Xy, yy, logdet_M = prof.cluster_terms(ev)
    b_full = ev.A @ ev.beta_c
    A = ev.A[None] - np.moveaxis(cross.XtX - XX, 2, 0)  # (J, p, p)
    A[~ok] = np.eye(s.p)  # any invertible matrix: its results are set to NaN below
    b = b_full[None] - (cross.Xty - Xy).T  # (J, p)
    beta_c = np.linalg.solve(A, b[..., None])[..., 0]
    r2 = (s.yty - cross.yty) - (float(yy.sum()) - yy) - np.einsum("jk,jk->j", b, beta_c)
    dof = prof.dof - cross.n
    beta, cov = _uncentred(s, beta_c, (r2 / dof)[:, None, None] * np.linalg.inv(A))
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = (ev.logdet_M - logdet_M) + dof * (1.0 + np.log(2.0 * np.pi * r2 / dof))
        se = np.sqrt(np.einsum("jkk->jk", cov))
    if prof.reml:
        dev += np.linalg.slogdet(A)[1]
    beta[~ok], se[~ok], dev[~ok] = np.nan, np.nan, np.nan
    return beta, se, dev


#: relative step of the central differences in theta of the one-step approximation
ONE_STEP_H = 1e-4


def _one_step(prof: ProfiledDeviance, theta: np.ndarray, cross: CrossProducts, ok):
    """beta_(-j) and SE_(-j) of every cluster after one Newton step in theta from the full
    fit's: theta_(-j) = theta - H^{-1} g_j, g_j the gradient of the deviance without cluster j
    at theta and H the full data's Hessian there (central differences, 2 n_theta + 1
    evaluations of _deletions_at: O(J) in all); beta_(-j) and SE_(-j) moved linearly along
    the step.  Removing one of J clusters moves theta by O(1/J), so the error is O(1/J^2)."""
    beta0, se0, _ = _deletions_at(prof, theta, cross, ok)
    k = theta.size
    g = np.empty((beta0.shape[0], k))
    dbeta = np.empty(beta0.shape + (k,))
    dse = np.empty(beta0.shape + (k,))
    H = np.empty((k, k))
    for i in range(k):
        h = ONE_STEP_H * max(abs(theta[i]), 0.1)
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        bu, su, du = _deletions_at(prof, up, cross, ok)
        bd, sd, dd = _deletions_at(prof, down, cross, ok)
        g[:, i] = (du - dd) / (2 * h)
        dbeta[..., i] = (bu - bd) / (2 * h)
        dse[..., i] = (su - sd) / (2 * h)
        H[:, i] = (prof.value_and_grad(up)[1] - prof.value_and_grad(down)[1]) / (2 * h)
    evals, vecs = np.linalg.eigh(0.5 * (H + H.T))
    # directions H cannot resolve (a flat or boundary direction) are not stepped along
    keep = evals > 1e-8 * max(float(np.abs(evals).max()), np.finfo(float).tiny)
    step = -(((g @ vecs)[:, keep] / evals[keep]) @ vecs[:, keep].T)  # (J, k); NaN where not ok
    return beta0 + np.einsum("jpk,jk->jp", dbeta, step), se0 + np.einsum("jpk,jk->jp", dse, step)


@dataclass
class ClusterInfluence:
    """Leave-one-cluster-out results, one row per cluster (design order: sorted ids)."""

    labels: pd.Index
    names: list[str]  # fixed-effect names
    params: np.ndarray  # (p,) full fit
    cov: np.ndarray  # (p, p) full fit
    params_without: np.ndarray  # (J, p)
    se_without: np.ndarray  # (J, p)
    exact: np.ndarray  # (J,) bool: refitted (True) or approximated (one Newton step)
    converged: np.ndarray  # (J,) bool (True where approximated: nothing to converge)
    singular: np.ndarray  # (J,) bool: the refit is at the boundary
    n_rows: np.ndarray  # (J,)
    criterion_without: np.ndarray  # (J,) the refit's REML/ML deviance (NaN where approximated)
    estimable: np.ndarray  # (J,) bool: False where X is rank deficient without the cluster

    @property
    def n_clusters(self) -> int:
        return len(self.labels)

    @property
    def dfbeta(self) -> np.ndarray:
        return self.params_without - self.params[None]

    @property
    def dfbetas(self) -> np.ndarray:
        return self.dfbeta / self.se_without

    @property
    def cooks(self) -> np.ndarray:
        J, p = self.params_without.shape
        db = self.dfbeta
        scaled = np.linalg.solve(self.cov, db.T).T
        return (J - p) / (J * p) * np.einsum("jk,jk->j", db, scaled)

    def frame(self) -> pd.DataFrame:
        """One row per cluster: rows, Cook's distance, each effect's dfbetas and beta_(-j),
        whether refitted."""
        out = pd.DataFrame({"n": self.n_rows.astype(int), "cooks": self.cooks}, index=self.labels)
        for k, nm in enumerate(self.names):
            out[f"dfbetas[{nm}]"] = self.dfbetas[:, k]
        for k, nm in enumerate(self.names):
            out[f"without[{nm}]"] = self.params_without[:, k]
        out["refitted"] = self.exact
        out["refit_singular"] = self.singular
        out["refit_converged"] = self.converged
        out["estimable_without"] = self.estimable
        out.index.name = "cluster"
        return out


def cluster_influence(
    fit, exact_limit: int = EXACT_LIMIT, refit_largest: int = REFIT_LARGEST
) -> ClusterInfluence:
    """The influence of each cluster of a fitted model (a multilevel.mixed MixedResults): every
    cluster refitted when there are at most ``exact_limit``; otherwise every cluster
    approximated by one Newton step in theta and the ``refit_largest`` with the largest
    approximate Cook's distance refitted (module doc)."""
    design = fit.design
    reml = fit.method == "REML"
    suff = compute_sufficient(design)
    cross = cluster_cross_products(design, suff)
    J = design.n_groups
    theta = np.asarray(fit.theta, dtype=float)
    prof = ProfiledDeviance(suff, reml=reml)
    params = fit.params.to_numpy()
    cov = fit.cov_params().to_numpy()
    ok = estimable_without(suff, cross)
    if J <= exact_limit:
        chosen = np.arange(J)
        beta_w = np.full((J, suff.p), np.nan)
        se_w = np.full((J, suff.p), np.nan)
    else:
        beta_w, se_w = _one_step(prof, theta, cross, ok)
        approx = ClusterInfluence(
            design.labels, list(design.x_names), params, cov, beta_w, se_w,
            *(np.zeros(J, bool),) * 3, cross.n, np.full(J, np.nan), ok,
        )  # fmt: skip
        chosen = np.sort(np.argsort(-approx.cooks, kind="stable")[:refit_largest])
    chosen = chosen[ok[chosen]]
    exact = np.zeros(J, bool)
    converged = ok.copy()  # nothing to converge where approximated; False where not estimable
    singular = np.zeros(J, bool)
    criterion = np.full(J, np.nan)
    for j in chosen:
        b, se, crit, conv, sing = _refit(without_cluster(suff, cross, j), reml, theta)
        beta_w[j], se_w[j], criterion[j] = b, se, crit
        exact[j], converged[j], singular[j] = True, conv, sing
    return ClusterInfluence(
        labels=design.labels,
        names=list(design.x_names),
        params=params,
        cov=cov,
        params_without=beta_w,
        se_without=se_w,
        exact=exact,
        converged=converged,
        singular=singular,
        n_rows=cross.n,
        criterion_without=criterion,
        estimable=ok,
    )
