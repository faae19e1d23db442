"""Tail probabilities and quantiles of t, chi-square and normal, from scipy.special.

The same functions scipy.stats calls (so the same numbers, to the bit), without importing
scipy.stats, which costs about half a second in every one-model job of the workflow.
"""

from __future__ import annotations

from scipy import special


def t_sf(x, df):
    """P(T > x) for Student's t with df degrees of freedom."""
    return special.stdtr(df, -x)


def t_ppf(q, df):
    """The q quantile of Student's t with df degrees of freedom."""
    return special.stdtrit(df, q)


def chi2_sf(x, df):
    """P(X > x) for chi-square with df degrees of freedom."""
    return special.chdtrc(df, x)


def norm_ppf(q):
    """The q quantile of the standard normal."""
    return special.ndtri(q)


def chi2_ppf(q, df):
    """The q quantile of chi-square with df degrees of freedom."""
    return 2.0 * special.gammaincinv(df / 2.0, q)


def f_sf(x, dfn, dfd):
    """P(F > x) for F with dfn and dfd degrees of freedom."""
    return special.fdtrc(dfn, dfd, x)


def f_ppf(q, dfn, dfd):
    """The q quantile of F with dfn and dfd degrees of freedom."""
    return special.fdtri(dfn, dfd, q)
