"""Numbers as the report prints them: p-values, degrees of freedom, estimates, missing values,
and JSON-safe copies of results. Every table and summary of the library formats through here.

Two conventions for a missing value (NaN, None, infinite):

* report tables (the HTML/PDF tables built from :class:`multilevel.report.tables.Table`) print
  :data:`MISSING`, an em dash;
* text laid out like an R print-out (``summary(lm)``, ``summary(lme)``, a Wald test) prints
  :data:`R_MISSING`, ``NA``, as R does.

Every formatter takes ``missing=`` to say which; its default is the convention of the place it
imitates (R's styles default to ``NA``, the report's own styles to the dash).

P-value styles, named for what they imitate:

=======================  =====================================  ===========================
function                 imitates                               below its floor
=======================  =====================================  ===========================
:func:`p_summary_lm`     R ``format.pval`` as ``summary(lm)``   ``< 2.2e-16``
                         prints the F test, 3 significant
                         digits
:func:`p_coef_column`    the ``Pr(>|t|)`` column of R's         ``< 2e-16``
                         ``printCoefmat``, 3 significant
                         digits, exponent form below 1e-4
:func:`p_nlme`           nlme ``summary.lme``/``anova.lme``:    ``<.0001``
                         4 decimals
:func:`p_report`         the report's own tables (likelihood    ``<0.0001``
                         ratio tests, contextual effects)
=======================  =====================================  ===========================
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "MISSING",
    "R_MISSING",
    "R_EPS_SUMMARY",
    "R_EPS_COEF",
    "is_missing",
    "p_summary_lm",
    "p_coef_column",
    "p_nlme",
    "p_report",
    "df_text",
    "fixed",
    "signif",
    "plain",
    "json_clean",
]

#: A missing value in a report table.
MISSING = "—"
#: A missing value in text laid out like R's print-out.
R_MISSING = "NA"
#: R's ``.Machine$double.eps`` as ``format.pval(digits = 4)`` shows it (2 significant digits).
R_EPS_SUMMARY = 2.2e-16
#: The same as ``printCoefmat`` shows it (1 significant digit).
R_EPS_COEF = 2e-16


def is_missing(value) -> bool:
    """True for None and for a number that is NaN or infinite.

    >>> is_missing(None), is_missing(float("nan")), is_missing(np.inf), is_missing(0.0)
    (True, True, True, False)
    """
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def p_summary_lm(p, missing: str = R_MISSING) -> str:
    """A p-value as R's ``format.pval`` prints the F test of ``summary(lm)``: ``< 2.2e-16``
    below R's machine epsilon, otherwise three significant digits (Python's ``g`` form, which
    like R's ``format`` switches to an exponent below 1e-4).

    >>> p_summary_lm(1e-20), p_summary_lm(0.000123), p_summary_lm(1.234e-7), p_summary_lm(0.5)
    ('< 2.2e-16', '0.000123', '1.23e-07', '0.5')
    """
    if is_missing(p):
        return missing
    p = float(p)
    return f"< {R_EPS_SUMMARY:g}" if p < R_EPS_SUMMARY else f"{p:.3g}"


def p_coef_column(p, missing: str = R_MISSING) -> str:
    """A p-value as the ``Pr(>|t|)`` column of R's coefficient tables shows it: ``< 2e-16``
    below R's machine epsilon, ``1.23e-05`` (three significant digits in exponent form) below
    1e-4, otherwise three significant digits.

    >>> p_coef_column(1e-20), p_coef_column(3.1234e-5), p_coef_column(0.0123456)
    ('< 2e-16', '3.12e-05', '0.0123')
    """
    if is_missing(p):
        return missing
    p = float(p)
    if p < R_EPS_COEF:
        return f"< {R_EPS_COEF:g}"
    if p < 1e-4:
        return f"{p:.2e}"
    return f"{p:.3g}"


def p_nlme(p, decimals: int = 4, missing: str = R_MISSING) -> str:
    """A p-value as nlme's ``summary.lme`` prints it: ``decimals`` decimals (4 in nlme), and
    ``<.0001`` (one 1 at the last decimal) when it rounds below that.

    >>> p_nlme(1e-7), p_nlme(0.01234), p_nlme(0.5), p_nlme(3e-6, decimals=5)
    ('<.0001', '0.0123', '0.5000', '<.00001')
    """
    if is_missing(p):
        return missing
    p = float(p)
    if p < 10.0**-decimals:
        return "<." + "0" * (decimals - 1) + "1"
    return f"{p:.{decimals}f}"


def p_report(p, missing: str = MISSING) -> str:
    """A p-value in the report's own tables: 4 decimals, ``<0.0001`` below 1e-4.

    >>> p_report(2e-9), p_report(0.04321), p_report(None)
    ('<0.0001', '0.0432', '—')
    """
    if is_missing(p):
        return missing
    p = float(p)
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def df_text(df, decimals: int = 2, missing: str = MISSING) -> str:
    """Degrees of freedom: a whole number without ``.0``; a fractional one (Satterthwaite,
    Welch) with ``decimals`` decimals.

    >>> df_text(1977.0), df_text(38), df_text(37.8553), df_text(float("nan"))
    ('1977', '38', '37.86', '—')
    """
    if is_missing(df):
        return missing
    df = float(df)
    return f"{df:.0f}" if df.is_integer() else f"{df:.{decimals}f}"


def fixed(value, decimals: int, missing: str = MISSING) -> str:
    """A number with ``decimals`` decimals.

    >>> fixed(12.34567, 4), fixed(-0.5, 2), fixed(None, 3), fixed(np.nan, 3, missing="NA")
    ('12.3457', '-0.50', '—', 'NA')
    """
    if is_missing(value):
        return missing
    return f"{float(value):.{decimals}f}"


def signif(value, digits: int, missing: str = MISSING) -> str:
    """A number with ``digits`` significant digits, trailing zeros dropped, as R prints
    ``signif(x, digits)``.

    >>> signif(0.000123456, 3), signif(6.6794, 4), signif(1234567.0, 3), signif(2.5, 4)
    ('0.000123', '6.679', '1.23e+06', '2.5')
    """
    if is_missing(value):
        return missing
    return f"{float(value):.{digits}g}"


def plain(value):
    """A value as a plain JSON scalar: a numpy scalar as the Python number (or bool) it holds,
    a str, int, float, bool or None unchanged, anything else (a date, a tuple) as its text.

    >>> type(plain(np.int64(3))), type(plain(np.float32(0.5))), plain("a"), plain((1, 2))
    (<class 'int'>, <class 'float'>, 'a', '(1, 2)')
    """
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def json_clean(obj):
    """A JSON-safe copy: NaN and infinities become None, numpy scalars plain Python numbers,
    tuples lists and keys strings (nested dicts and lists too).

    >>> json_clean({"a": float("nan"), 1: (np.int64(2), np.inf, np.float64(0.5), np.bool_(True))})
    {'a': None, '1': [2, None, 0.5, True]}
    """
    kind = type(obj)  # exact-type fast paths first: an artifact holds a value per cluster
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is str or kind is int or obj is None:
        return obj
    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_clean(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(float(obj)) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
