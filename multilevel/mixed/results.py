"""Results of a mixed-model fit (statsmodels-like attributes, nlme conventions)."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pandas as pd

from multilevel.distributions import norm_ppf, t_ppf

from .ddf import RULES, fixed_effect_tests, kenward_roger_cov
from .design import INTERCEPT, Design
from .errors import MixedModelError
from .fit import Optimum
from .inference import nlme_fixed_df, numerical_hessian, t_pvalues
from .profile import ProfiledDeviance, theta_index
from .smallmat import matrix_times, times_matrix
from .sufficient import Sufficient
from .variance_sums import VarianceDerivatives, variance_derivatives


class MixedResults:
    """A fitted linear mixed model.

    Attributes: params, bse, df, tvalues, pvalues (pandas Series over the fixed-effect
    columns); G (covariance of the random effects, DataFrame), sd_re, corr_re, sigma;
    llf, deviance, aic, bic, n_params; theta (relative covariance factor entries);
    converged, singular, grad_norm, newton_decrement, convergence (one line: the check made
    and its value), optimizers, n_obs, n_groups, n_dropped, method.
    Methods: cov_params(), intervals(level), ranef(), ranef_cov(), coef(), fitted(level),
    resid(level, type), summary(), to_dict().

    nlme conventions: cov_params() is vcov(fit) (sigma^2 (X'V*^{-1}X)^{-1}); for ML fits bse,
    tvalues and pvalues are summary.lme's, i.e. scaled by sqrt(N / (N - p)) (adjustSigma),
    while the fixed-effect intervals use the unscaled vcov, as intervals.lme does.
    singular: a diagonal entry of Lambda below 1e-4 (a variance at 0 or a correlation at
    +-1); a singular fit can still be converged (grad_norm is the projected gradient).
    converged: the Newton decrement 0.5 g'H^-1 g (the decrease of the deviance a Newton step
    predicts, on the parameters not held at the boundary) is at most 1e-6 and H is positive
    definite there (multilevel/mixed/optimise.py)."""

    def __init__(
        self,
        design: Design,
        suff: Sufficient,
        prof: ProfiledDeviance,
        opt: Optimum,
        method: str,
    ):
        self.design = design
        self._suff = suff
        self._prof = prof
        self.method = method
        self.theta = opt.theta.copy()
        self.converged = opt.converged
        self.singular = opt.singular
        self.grad_norm = opt.grad_norm
        self.newton_decrement = opt.decrement
        self.convergence = opt.criterion
        self.optimizers = list(opt.optimizers)
        self.n_evals = opt.n_evals
        self.optimizer_message = opt.message
        self.n_obs = design.n_obs
        self.n_groups = design.n_groups
        self.n_dropped = design.n_dropped
        self.formula = design.fixed_formula
        self.random_formula = design.random_formula
        self.group = design.group

        ev = prof.evaluate(self.theta)
        self._ev = ev
        self.deviance = ev.deviance
        self.llf = -0.5 * ev.deviance
        self.sigma = math.sqrt(ev.r2 / prof.dof)
        xn, zn = design.x_names, design.z_names
        T = suff.uncentre_matrix()
        beta = T @ ev.beta_c
        if suff.intercept_pos is not None:
            beta[suff.intercept_pos] += suff.y_mean
        cov = self.sigma**2 * T @ np.linalg.inv(ev.A) @ T.T
        self._beta = beta
        self._cov_matrix = 0.5 * (cov + cov.T)
        # nlme's summary (adjustSigma = TRUE) scales ML standard errors by sqrt(N / (N - p));
        # cov_params() is vcov(fit), unadjusted, and the fixed-effect intervals use it.
        adj = math.sqrt(self.n_obs / (self.n_obs - len(xn))) if method == "ML" else 1.0
        self._se_vcov = np.sqrt(np.diag(self._cov_matrix))
        self._bse = self._se_vcov * adj
        self._df = nlme_fixed_df(design)
        self._G = self.sigma**2 * ev.lam @ ev.lam.T
        p, q = len(xn), len(zn)
        self.n_params = p + q * (q + 1) // 2 + 1
        self.aic = -2.0 * self.llf + 2.0 * self.n_params
        n_bic = self.n_obs - p if method == "REML" else self.n_obs
        self.bic = -2.0 * self.llf + self.n_params * math.log(n_bic)

    # The pandas views are built on first use: a Monte Carlo study fits hundreds of models
    # and reads a few numbers of each, and pandas objects cost more than the fit's algebra.
    @cached_property
    def _xi(self) -> pd.Index:
        return pd.Index(self.design.x_names)  # built once: pandas string indexes are slow

    @cached_property
    def _zi(self) -> pd.Index:
        return pd.Index(self.design.z_names)

    @cached_property
    def params(self) -> pd.Series:
        return pd.Series(self._beta, index=self._xi, name="params")

    @cached_property
    def _cov(self) -> pd.DataFrame:
        return pd.DataFrame(self._cov_matrix, index=self._xi, columns=self._xi)

    @cached_property
    def bse(self) -> pd.Series:
        return pd.Series(self._bse, index=self._xi, name="bse")

    @cached_property
    def df(self) -> pd.Series:
        return pd.Series(self._df, index=self._xi, name="df")

    @cached_property
    def tvalues(self) -> pd.Series:
        return pd.Series(self._beta / self._bse, index=self._xi, name="tvalues")

    @cached_property
    def pvalues(self) -> pd.Series:
        p = t_pvalues(self._beta / self._bse, self._df)
        return pd.Series(p, index=self._xi, name="pvalues")

    @cached_property
    def G(self) -> pd.DataFrame:
        return pd.DataFrame(self._G, index=self._zi, columns=self._zi)

    @cached_property
    def sd_re(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self._G)), index=self._zi, name="sd")

    @cached_property
    def corr_re(self) -> pd.DataFrame:
        sd = np.sqrt(np.diag(self._G))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = self._G / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        return pd.DataFrame(corr, index=self._zi, columns=self._zi)

    # ------------------------------------------------------------------ fixed effects
    def cov_params(self) -> pd.DataFrame:
        return self._cov.copy()

    @property
    def fe_corr(self) -> pd.DataFrame:
        c = self._cov.to_numpy()
        s = np.sqrt(np.diag(c))
        return pd.DataFrame(c / np.outer(s, s), index=self._cov.index, columns=self._cov.index)

    @cached_property
    def _variance_derivatives(self) -> VarianceDerivatives:
        return variance_derivatives(self._prof, self._ev, self.sigma**2, list(self.design.z_names))

    def fixed_table(self, ddf: str = "nlme") -> pd.DataFrame:
        """Estimate, SE, df, t and p of each fixed effect under a denominator-df rule:
        "nlme" (between/within, the default of summary()), "Satterthwaite" (as lmerTest) or
        "Kenward-Roger" (as pbkrtest: SEs from the adjusted covariance); the last two for
        REML fits only (multilevel/mixed/ddf.py)."""
        est, se, df = self.fixed_estimates(ddf)
        t = est / se
        return pd.DataFrame(
            {"estimate": est, "se": se, "df": df, "t": t, "p": t_pvalues(t, df)},
            index=self.params.index,
        )

    def fixed_estimates(
        self, ddf: str = "nlme", names: list[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The estimate, SE and df columns of ``fixed_table(ddf)`` as arrays, for the fixed
        effects ``names`` (default: all, in the order of ``design.x_names``), without building
        the table (a Monte Carlo study needs a few numbers of each of hundreds of fits)."""
        if ddf not in RULES:
            raise MixedModelError(f"ddf must be one of {RULES}, not {ddf!r}")
        xn = self.design.x_names
        rows = list(range(len(xn))) if names is None else [xn.index(nm) for nm in names]
        if ddf == "nlme":
            return self._beta[rows], self._bse[rows], self._df[rows]
        tests = fixed_effect_tests(
            self._variance_derivatives, self._suff.uncentre_matrix()[rows], self._beta[rows], ddf
        )
        est = np.array([t.estimate for t in tests])
        se = np.array([t.se for t in tests])
        df = np.array([t.df for t in tests])
        return est, se, df

    def cov_params_kr(self) -> pd.DataFrame:
        """The Kenward-Roger adjusted covariance of the fixed effects (REML fits)."""
        T = self._suff.uncentre_matrix()
        adj = T @ kenward_roger_cov(self._variance_derivatives) @ T.T
        return pd.DataFrame(adj, index=self._cov.index, columns=self._cov.index)

    # ------------------------------------------------------------------ random effects
    @cached_property
    def _u(self) -> np.ndarray:
        return self._prof.spherical_effects(self._ev)

    def ranef(self) -> pd.DataFrame:
        """BLUPs of the random effects, one row per cluster (in sorted cluster order)."""
        b = (self._ev.lam @ self._u).T
        return pd.DataFrame(b, index=self.design.labels, columns=self.design.z_names)

    def ranef_cov(self) -> np.ndarray:
        """Conditional covariance of each cluster's random effects given the data (and
        beta, theta, sigma at their estimates): sigma^2 Lambda M_j^{-1} Lambda', shape
        (J, q, q) (lme4's condVar convention)."""
        lam = self._ev.lam
        cond = times_matrix(matrix_times(lam, self._prof.conditional_inverses(self._ev)), lam.T)
        return self.sigma**2 * np.moveaxis(cond, 2, 0)

    def coef(self) -> pd.DataFrame:
        """Cluster-specific coefficients: fixed effects plus the matching random effects."""
        re = self.ranef()
        out = pd.DataFrame(
            np.tile(self.params.to_numpy(), (self.n_groups, 1)),
            index=re.index,
            columns=self.params.index,
        )
        for nm in re.columns:
            if nm in out.columns:
                out[nm] = out[nm] + re[nm]
            else:
                out[nm] = re[nm]
        return out

    # ------------------------------------------------------------------ fitted values
    def fitted(self, level: int = 1) -> pd.Series:
        d = self.design
        fit = np.zeros(d.n_obs)
        for nm, b in self.params.items():
            col = d.columns[nm]
            fit += b if col is None else b * col
        if level == 1:
            re = self.ranef().to_numpy()
            for k, nm in enumerate(d.z_names):
                col = d.columns[nm]
                contrib = re[d.codes, k]
                fit += contrib if col is None else contrib * col
        elif level != 0:
            raise MixedModelError(f"level must be 0 or 1, not {level!r}")
        return pd.Series(fit, index=d.row_index, name="fitted")

    @property
    def fittedvalues(self) -> pd.Series:
        return self.fitted(1)

    def resid(self, level: int = 1, type: str = "response") -> pd.Series:  # noqa: A002
        """Residuals y - fitted(level); type="pearson" divides by sigma (nlme's
        standardized within-group residuals for level 1)."""
        r = self.design.y - self.fitted(level).to_numpy()
        if type == "pearson":
            r = r / self.sigma
        elif type != "response":
            raise MixedModelError(f"type must be 'response' or 'pearson', not {type!r}")
        return pd.Series(r, index=self.design.row_index, name="resid")

    @property
    def resid_pearson(self) -> pd.Series:
        return self.resid(1, "pearson")

    # ------------------------------------------------------------------ intervals
    def _natural(self) -> np.ndarray:
        """phi = (log SDs, atanh correlations (lower triangle by columns), log sigma)."""
        q = len(self.design.z_names)
        sd = self.sd_re.to_numpy()
        corr = self.corr_re.to_numpy()
        cors = [corr[i, j] for j in range(q) for i in range(j + 1, q)]
        with np.errstate(divide="ignore"):
            return np.concatenate([np.log(sd), np.arctanh(cors), [math.log(self.sigma)]])

    def _natural_loglik(self, phi: np.ndarray) -> float:
        """(Restricted) log-likelihood at phi, beta profiled (ML) or integrated (REML)."""
        q = len(self.design.z_names)
        sd = np.exp(phi[:q])
        R = np.eye(q)
        k = q
        for j in range(q):
            for i in range(j + 1, q):
                R[i, j] = R[j, i] = np.tanh(phi[k])
                k += 1
        sigma = math.exp(phi[-1])
        try:
            lam = np.linalg.cholesky(R * np.outer(sd, sd)) / sigma
            ev = self._prof.evaluate(np.array([lam[i, j] for (i, j) in theta_index(q)]))
        except np.linalg.LinAlgError:
            return -np.inf
        dof = self._prof.dof
        val = dof * math.log(2 * math.pi * sigma**2) + ev.logdet_M + ev.r2 / sigma**2
        if self._prof.reml:
            val += ev.logdet_A
        return -0.5 * val

    @cached_property
    def vc_cov(self) -> pd.DataFrame:
        """Approximate covariance of phi (log SDs, atanh correlations, log sigma)."""
        phi = self._natural()
        names = self._vc_names()
        if not np.all(np.isfinite(phi)):
            raise MixedModelError(
                "boundary (singular) fit: a random-effect SD is zero or a correlation is "
                "+-1, so the approximate covariance of the variance components does not exist"
            )
        H = numerical_hessian(self._natural_loglik, phi)
        if np.any(np.linalg.eigvalsh(-H) <= 0):
            raise MixedModelError(
                "non-positive definite approximate variance-covariance of the variance "
                "components (the fit is at or near the boundary)"
            )
        return pd.DataFrame(np.linalg.inv(-H), index=names, columns=names)

    def _vc_names(self) -> list[str]:
        zn = self.design.z_names
        q = len(zn)
        names = [f"sd({nm})" for nm in zn]
        names += [f"cor({zn[j]},{zn[i]})" for j in range(q) for i in range(j + 1, q)]
        return names + ["sigma"]

    def intervals(self, level: float = 0.95) -> dict[str, pd.DataFrame]:
        """nlme-style approximate intervals: {"fixed": ..., "random": ..., "sigma": ...},
        each a DataFrame with columns lower, est., upper."""
        if not 0 < level < 1:
            raise MixedModelError(f"level must be in (0, 1), not {level!r}")
        tq = t_ppf((1 + level) / 2, self.df.to_numpy())
        half = tq * self._se_vcov
        est = self.params.to_numpy()
        fixed = pd.DataFrame(
            {"lower": est - half, "est.": est, "upper": est + half}, index=self.params.index
        )
        cov = self.vc_cov
        phi = self._natural()
        se = np.sqrt(np.diag(cov.to_numpy()))
        z = norm_ppf((1 + level) / 2)
        q = len(self.design.z_names)
        lo, hi = phi - z * se, phi + z * se
        with np.errstate(over="ignore"):
            return self._back_transform(fixed, cov, phi, lo, hi, q)

    def profile_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Profile-likelihood intervals of the SDs, correlations and sigma, profiling this
        fit's own criterion (REML or ML; lme4's confint profiles the ML deviance, so a REML
        fit's intervals match lme4's only for the same fit by ML): profile_ci.py."""
        from .profile_ci import profile_intervals

        return profile_intervals(self, level)

    @staticmethod
    def _back_transform(fixed, cov, phi, lo, hi, q) -> dict[str, pd.DataFrame]:
        back = np.concatenate(
            [
                np.exp(np.c_[lo, phi, hi][:q]),
                np.tanh(np.c_[lo, phi, hi][q:-1]),
                np.exp(np.c_[lo, phi, hi][-1:]),
            ]
        )
        frame = pd.DataFrame(back, index=cov.index, columns=["lower", "est.", "upper"])
        return {"fixed": fixed, "random": frame.iloc[:-1], "sigma": frame.iloc[-1:]}

    # ------------------------------------------------------------------ output
    def summary(self) -> str:
        from .summary import format_summary

        return format_summary(self)

    def __repr__(self) -> str:
        return (
            f"<MixedResults {self.method} {self.formula!r} random={self.random_formula!r} "
            f"group={self.group!r} logLik={self.llf:.3f}>"
        )

    def to_dict(self) -> dict:
        """Plain floats/lists/strings, keys sorted (for JSON)."""

        def ser(s: pd.Series) -> dict:
            return {str(k): float(v) for k, v in sorted(s.items())}

        def mat(df: pd.DataFrame) -> list[list[float]]:
            return [[float(v) for v in row] for row in df.to_numpy()]

        re = self.ranef()
        out = {
            "aic": float(self.aic),
            "bic": float(self.bic),
            "bse": ser(self.bse),
            "converged": bool(self.converged),
            "corr_re": mat(self.corr_re),
            "cov_params": mat(self._cov),
            "df": ser(self.df),
            "fixed_names": list(self.params.index),
            "formula": self.formula,
            "G": mat(self.G),
            "grad_norm": float(self.grad_norm),
            "group": self.group,
            "llf": float(self.llf),
            "method": self.method,
            "n_dropped": int(self.n_dropped),
            "n_groups": int(self.n_groups),
            "n_obs": int(self.n_obs),
            "n_params": int(self.n_params),
            "params": ser(self.params),
            "pvalues": ser(self.pvalues),
            "random_formula": self.random_formula,
            "random_names": list(self.design.z_names),
            "ranef": {
                str(k): [float(v) for v in row]
                for k, row in zip(re.index, re.to_numpy(), strict=True)
            },
            "sd_re": ser(self.sd_re),
            "sigma": float(self.sigma),
            "singular": bool(self.singular),
            "theta": [float(t) for t in self.theta],
            "tvalues": ser(self.tvalues),
        }
        return dict(sorted(out.items()))


__all__ = ["MixedResults", "INTERCEPT"]
