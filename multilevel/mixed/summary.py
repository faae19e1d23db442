"""Text summary laid out like nlme's print(summary(lme_fit))."""

from __future__ import annotations

import math

import numpy as np


def _sig_decimals(x: float, digits: int) -> int:
    """Decimals needed to show x with at most `digits` significant digits, no trailing 0s."""
    if x == 0 or not math.isfinite(x):
        return 0
    mag = math.floor(math.log10(abs(x)))
    full = round(x, digits - 1 - mag)
    for d in range(1, digits + 1):
        if round(x, d - 1 - mag) == full:
            return max(0, d - 1 - mag)
    return max(0, digits - 1 - mag)


def format_vector(values, digits: int = 7) -> list[str]:
    """Format numbers as R prints a numeric vector: common number of decimals."""
    vals = [float(v) for v in values]
    dec = max((_sig_decimals(v, digits) for v in vals), default=0)
    dec = min(dec, 15)
    return [f"{v:.{dec}f}" for v in vals]


def abbreviate(name: str, minlength: int = 6) -> str:
    """R's abbreviate(): drop lower-case vowels from the right, then lower-case letters,
    then truncate (the first character is always kept)."""
    chars = list(name)
    for pool in ("aeiou", "abcdefghijklmnopqrstuvwxyz"):
        i = len(chars) - 1
        while len(chars) > minlength and i > 0:
            if chars[i] in pool:
                del chars[i]
            i -= 1
    return "".join(chars[:minlength]) if len(chars) > minlength else "".join(chars)


def _table(rows: list[str], cols: list[str], cells: list[list[str]], left: bool = False) -> str:
    w0 = max([len(r) for r in rows] + [0])
    widths = [
        max([len(c)] + [len(cells[i][j]) for i in range(len(rows))]) for j, c in enumerate(cols)
    ]

    def just(s: str, w: int) -> str:
        return s.ljust(w) if left else s.rjust(w)

    out = [" " * w0 + "".join(" " + just(c, w) for c, w in zip(cols, widths, strict=True))]
    for i, r in enumerate(rows):
        out.append(r.ljust(w0) + "".join(" " + just(cells[i][j], w) for j, w in enumerate(widths)))
    return "\n".join(out)


def format_summary(res) -> str:
    d = res.design
    zn = d.z_names
    q = len(zn)
    lines = [f"Linear mixed-effects model fit by {res.method}"]
    lines.append(f"  Data: {d.n_obs} complete rows ({res.n_dropped} dropped)")
    head = [format_vector([v])[0] for v in (res.aic, res.bic, res.llf)]
    widths = [max(len(h), len(c)) for h, c in zip(head, ("AIC", "BIC", "logLik"), strict=True)]
    lines.append(
        "  " + " ".join(c.rjust(w) for c, w in zip(("AIC", "BIC", "logLik"), widths, strict=True))
    )
    lines.append("  " + " ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    lines.append("")
    lines.append("Random effects:")
    rhs = d.random_formula.split("~", 1)[-1].strip()
    lines.append(f" Formula: ~{rhs} | {d.group}")
    sds = format_vector(list(res.sd_re.to_numpy()) + [res.sigma])
    if q == 1:
        lines.append(_table(["StdDev:"], [zn[0], "Residual"], [sds]))
    else:
        lines.append(" Structure: General positive-definite, Log-Cholesky parametrization")
        corr = res.corr_re.to_numpy()
        abbr = [abbreviate(n) for n in zn]
        cols = ["StdDev", "Corr"] + [""] * (q - 2)
        cells = []
        for i in range(q):
            row = [sds[i]]
            if i == 0:
                row += [abbr[0]] + [abbr[k] for k in range(1, q - 1)]
            else:
                row += [f"{corr[i, k]:.3f}" for k in range(i)] + [""] * (q - 1 - i)
            cells.append(row)
        cells.append([sds[-1]] + [""] * (q - 1))
        lines.append(_table(list(zn) + ["Residual"], cols, cells, left=True))
    if res.singular:
        lines.append(" (boundary fit: a variance is zero or a correlation is +-1)")
    lines.append("")
    lines.append(f"Fixed effects:  {d.fixed_formula.strip()} ")
    pv = np.round(res.pvalues.to_numpy(), 4)
    pstr = ["0" if np.all(pv == 0) else f"{v:.4f}" for v in pv]
    cells = list(
        zip(
            format_vector(res.params),
            format_vector(res.bse),
            [str(int(v)) for v in res.df],
            format_vector(res.tvalues),
            pstr,
            strict=True,
        )
    )
    lines.append(
        _table(
            list(res.params.index),
            ["Value", "Std.Error", "DF", "t-value", "p-value"],
            [list(c) for c in cells],
        )
    )
    p = len(res.params)
    if p > 1:
        lines.append(" Correlation: ")
        c = res.fe_corr.to_numpy()
        names = list(res.params.index)
        cols = [abbreviate(n) for n in names[:-1]]
        cells = [[f"{c[i, j]:.3f}" if j < i else "" for j in range(p - 1)] for i in range(1, p)]
        lines.append(_table(names[1:], cols, cells, left=True))
    lines.append("")
    lines.append("Standardized Within-Group Residuals:")
    qs = np.quantile(res.resid(1, "pearson").to_numpy(), [0, 0.25, 0.5, 0.75, 1])
    lines.append(_table([""], ["Min", "Q1", "Med", "Q3", "Max"], [format_vector(qs, 7)]))
    lines.append("")
    lines.append(f"Number of Observations: {d.n_obs}")
    lines.append(f"Number of Groups: {d.n_groups} ")
    lines.append(f"Convergence: {res.convergence}")
    return "\n".join(lines) + "\n"
