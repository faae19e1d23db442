"""One coefficient table for every fit: the numbers (:func:`coef_table`) and their printed form
(:func:`format_coef_table`).

The classical methods, the Wald tests and the mixed-model summaries all build their
coefficient tables here, so a table has the same columns and a missing cell is printed the
same way wherever it appears (:mod:`multilevel.formatting` holds the conventions).

A printed layout is a list of ``(column, header, style)``: ``column`` names a column of the
numeric table, ``header`` is printed above it and ``style`` says how its cells are written:
an ``int`` is a number of decimals; a callable ``f(value, missing=...)`` formats one cell (the
functions of :mod:`multilevel.formatting`); :class:`Columnwise` wraps a function that formats
a whole column at once (R prints a numeric vector with one number of decimals for all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from multilevel.distributions import t_sf
from multilevel.formatting import MISSING, df_text, fixed, p_coef_column, p_nlme

__all__ = [
    "COLUMNS",
    "Columnwise",
    "R_COEF_LAYOUT",
    "WALD_LAYOUT",
    "coef_table",
    "format_coef_table",
]

#: The numeric table's columns.
COLUMNS = ("estimate", "se", "df", "t", "p")


def coef_table(est, se, df, *, t=None, p=None, index=None) -> pd.DataFrame:
    """The coefficient table: estimate, se, df, t and the two-sided p-value.

    ``df`` is one number for all terms or one per term (``None`` or ``inf``: the normal
    reference distribution). ``t`` and ``p`` default to ``est / se`` and the two-sided
    t tail; give them when the fit computes its own. ``index`` names the terms (default:
    ``est``'s index when it is a Series).

    >>> coef_table([2.0, 1.0], [0.5, 2.0], 10, index=["a", "b"]).round(4)
       estimate   se    df    t       p
    a       2.0  0.5  10.0  4.0  0.0025
    b       1.0  2.0  10.0  0.5  0.6279
    """
    if index is None and isinstance(est, pd.Series):
        index = est.index
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    df = np.broadcast_to(np.asarray(np.inf if df is None else df, dtype=float), est.shape)
    if t is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
    t = np.asarray(t, dtype=float)
    p = 2 * t_sf(abs(t), df) if p is None else np.asarray(p, dtype=float)
    return pd.DataFrame({"estimate": est, "se": se, "df": df, "t": t, "p": p}, index=index)


@dataclass(frozen=True)
class Columnwise:
    """A style that formats a whole column at once: ``format(values) -> strings``."""

    format: Callable[[list], list[str]]


Style = int | Callable | Columnwise


def _cells(values: list, style: Style, missing: str) -> list[str]:
    if isinstance(style, Columnwise):
        return list(style.format(values))
    if isinstance(style, int):
        return [fixed(v, style, missing=missing) for v in values]
    return [style(v, missing=missing) for v in values]


def format_coef_table(
    table: pd.DataFrame,
    layout: Sequence[tuple[str, str, Style]],
    *,
    missing: str = MISSING,
    index_name: str | None = "term",
) -> pd.DataFrame:
    """The printed table: one column of strings per ``(column, header, style)`` of ``layout``,
    rows named as ``table``'s (as strings), missing values written ``missing``.

    >>> t = coef_table([2.0, np.nan], [0.5, np.nan], 10, index=["a", "b"])
    >>> shown = format_coef_table(t, R_COEF_LAYOUT)
    >>> list(shown.columns)
    ['Estimate', 'Std. Error', 't value', 'Pr(>|t|)']
    >>> shown.loc["a"].tolist(), shown.loc["b"].tolist()
    (['2.0000', '0.5000', '4.000', '0.00252'], ['—', '—', '—', '—'])
    """
    return pd.DataFrame(
        {
            header: _cells(table[column].tolist(), style, missing)
            for column, header, style in layout
        },
        index=pd.Index([str(i) for i in table.index], name=index_name),
    )


#: The columns of R's ``summary(lm)`` coefficient table.
R_COEF_LAYOUT = [
    ("estimate", "Estimate", 4),
    ("se", "Std. Error", 4),
    ("t", "t value", 3),
    ("p", "Pr(>|t|)", p_coef_column),
]


def _p5(value, missing: str) -> str:
    return p_nlme(value, decimals=5, missing=missing)


#: The per-row table of a Wald test (with its confidence interval).
WALD_LAYOUT = [
    ("estimate", "Estimate", 6),
    ("se", "Std. Error", 6),
    ("df", "DF", df_text),
    ("t", "t value", 6),
    ("p", "p value", _p5),
    ("lower", "95% lower", 4),
    ("upper", "95% upper", 4),
]
