"""Ordinary least squares on a design of full column rank: the numbers R's ``summary(lm)``
prints (coefficients and their covariance, residual SE, R-squared, the overall F test).

Methods 1 and 4 fit one small design each (rows x 4, or clusters x 4): this is what they need of
a regression, without importing statsmodels (a second of every job that fits them, and of each
Monte Carlo replicate's share). The solution is the pseudo-inverse's, as statsmodels' default
``OLS.fit()``; time and memory O(rows x columns^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multilevel.distributions import f_sf


@dataclass(frozen=True)
class LeastSquares:
    """The OLS fit of ``y`` on the columns of ``X`` (no aliased column: the caller drops them)."""

    params: np.ndarray
    #: (X'X)^-1, the covariance of the coefficients divided by the error variance
    unscaled_cov: np.ndarray
    resid: np.ndarray
    nobs: int
    df_resid: float
    #: the design holds a column of ones (R-squared and the F test are about the others)
    has_constant: bool
    #: sum of squares of y about its mean (about 0 without a constant)
    total_ss: float

    # numpy floats throughout: no residual degrees of freedom gives inf or NaN, as in R

    @property
    def ssr(self) -> float:
        return self.resid @ self.resid

    @property
    def scale(self) -> float:
        """The estimated error variance, ssr / df_resid."""
        return self.ssr / self.df_resid

    def cov_params(self) -> np.ndarray:
        return self.scale * self.unscaled_cov

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov_params()))

    @property
    def df_model(self) -> float:
        return np.float64(len(self.params) - self.has_constant)

    @property
    def rsquared(self) -> float:
        return 1.0 - self.ssr / self.total_ss

    @property
    def rsquared_adj(self) -> float:
        return 1.0 - (self.nobs - self.has_constant) / self.df_resid * (1.0 - self.rsquared)

    @property
    def fvalue(self) -> float:
        """F of the model against the constant alone (R's last line of ``summary(lm)``)."""
        return (self.total_ss - self.ssr) / self.df_model / self.scale

    @property
    def f_pvalue(self) -> float:
        return float(f_sf(self.fvalue, self.df_model, self.df_resid))


def least_squares(y: np.ndarray, X: np.ndarray) -> LeastSquares:
    """OLS of ``y`` on ``X`` (rows x k, full column rank)."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    pinv = np.linalg.pinv(X, rcond=1e-15)
    params = pinv @ y
    resid = y - X @ params
    has_constant = bool(np.any(np.all(X == 1.0, axis=0)))
    about = y - y.mean() if has_constant else y
    return LeastSquares(
        params=params,
        unscaled_cov=pinv @ pinv.T,
        resid=resid,
        nobs=len(y),
        df_resid=np.float64(len(y) - X.shape[1]),
        has_constant=has_constant,
        total_ss=np.sum(about**2),
    )
