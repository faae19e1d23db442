"""The same fits in other tools: for each classical method and each model of the ladder, the
equivalent call in R (``lm``, ``nlme::lme``, ``lme4::lmer``) and in Python's statsmodels,
written for the dataset's own column names and roles, so a reader can check any number of the
report in their own tool.

Every call works on ``d``, the prepared long table (``results/<dataset>/data/long.parquet``:
the rows the report analyses, with the report's column names). A short preamble sets what the
calls rely on: the group's reference level (the report's, so coefficients have the same signs)
and, for the contextual models, the cluster mean of the predictor and the deviation from it
(the report's ``cvar(x)`` and ``dvar(x)``), as columns ``cvar_<x>`` and ``dvar_<x>``.

The strings are code, not prose: the Python calls are run by the tests on hs and checked
against the report's numbers.
"""

from __future__ import annotations

import re

from multilevel.config import Roles
from multilevel.hierarchical.ladder import ModelSpec, ladder_specs

__all__ = ["preamble", "method_calls", "model_calls", "all_calls", "TOOLS"]

#: the tools, in the order the report lists them
TOOLS = ("R", "statsmodels")
_FUNC = re.compile(r"\b(cvar|dvar)\(`?([^)`]+)`?\)")


def _r_name(column: str) -> str:
    return column if re.fullmatch(r"[A-Za-z.][A-Za-z0-9._]*", column) else f"`{column}`"


def _py_name(column: str) -> str:
    return column if column.isidentifier() else f"Q('{column}')"


def _derived(x: str) -> tuple[str, str]:
    clean = re.sub(r"\W", "_", x)
    return f"cvar_{clean}", f"dvar_{clean}"


def preamble(roles: Roles, data: str = "long.parquet") -> dict[str, str]:
    """The lines each tool runs once before the calls: ``d`` is the long table read from
    ``data``."""
    g, c, x = roles.group, roles.cluster, roles.predictor
    cx, dx = _derived(x)
    r_lines = ["library(nlme); library(lme4)"]
    py_lines = [
        "import pandas as pd",
        "import statsmodels.formula.api as smf",
        f'd = pd.read_parquet("{data}")',
    ]
    r_lines.insert(0, f'd <- as.data.frame(arrow::read_parquet("{data}"))  # package arrow')
    if g:
        ref = roles.group_reference
        level = f', ref = "{ref}"' if ref else ""
        r_lines.append(f"d${_r_name(g)} <- relevel(factor(d${_r_name(g)}){level})")
    r_lines.append(f"d${_r_name(c)} <- factor(d${_r_name(c)})")
    r_lines.append(f"d${cx} <- ave(d${_r_name(x)}, d${_r_name(c)})")
    r_lines.append(f"d${dx} <- d${_r_name(x)} - d${cx}")
    py_lines.append(f'd["{cx}"] = d.groupby("{c}", observed=True)["{x}"].transform("mean")')
    py_lines.append(f'd["{dx}"] = d["{x}"] - d["{cx}"]')
    return {"R": "\n".join(r_lines), "statsmodels": "\n".join(py_lines)}


def _py_group(roles: Roles) -> str:
    g = roles.group
    if not g:
        return "W"
    ref = roles.group_reference
    return f"C({_py_name(g)}, Treatment(reference='{ref}'))" if ref else f"C({_py_name(g)})"


def _rhs(formula: str) -> str:
    return formula.split("~", 1)[1].strip()


def _to_tool(rhs: str, roles: Roles, tool: str) -> str:
    """A formula's right-hand side from the ladder's language into R's or patsy's."""
    cx, dx = _derived(roles.predictor)
    rhs = _FUNC.sub(lambda m: cx if m.group(1) == "cvar" else dx, rhs)
    if tool == "statsmodels":
        rhs = rhs.replace("`", "")
        if roles.group:
            rhs = re.sub(rf"\b{re.escape(roles.group)}\b", _py_group(roles), rhs)
    return rhs


def model_calls(spec: ModelSpec, roles: Roles) -> dict[str, str]:
    """One model of the ladder fitted by REML in each tool (ML: ``method = "ML"``,
    ``REML = FALSE``, ``reml=False``)."""
    y, c = roles.outcome, roles.cluster
    fixed = _to_tool(_rhs(spec.fixed), roles, "R")
    random = _to_tool(_rhs(spec.random), roles, "R")
    r = (
        f"fit <- lme({_r_name(y)} ~ {fixed}, random = ~ {random} | {_r_name(c)}, data = d)\n"
        f"fit4 <- lmer({_r_name(y)} ~ {fixed} + ({random} | {_r_name(c)}), data = d)"
    )
    py_fixed = _to_tool(_rhs(spec.fixed), roles, "statsmodels")
    py_random = _to_tool(_rhs(spec.random), roles, "statsmodels")
    # statsmodels' default optimiser stops short on several of hs's models (its warning says
    # so); on hs, powell reaches the REML maximum with a random intercept alone and lbfgs with
    # a random slope (lbfgs fails with a random intercept alone)
    re_part, how = "", ', method=["powell"]'
    if py_random != "1":
        re_part, how = f', re_formula="~ {py_random}"', ', method=["lbfgs"]'
    py = f'fit = smf.mixedlm("{y} ~ {py_fixed}", d, groups=d["{c}"]{re_part}).fit(reml=True{how})'
    return {"R": r, "statsmodels": py}


def method_calls(key: str, roles: Roles) -> dict[str, str] | None:
    """One classical method (a key of :mod:`multilevel.classical.artifacts.fitting`) in each
    tool; None for a method the dataset cannot fit (a group method without a group)."""
    y, x, c, g = roles.outcome, roles.predictor, roles.cluster, roles.group
    ry, rx, rc = _r_name(y), _r_name(x), _r_name(c)
    rg = _r_name(g) if g else None
    pg = _py_group(roles)
    by = f" * {rg}" if g else ""
    py_by = f" * {pg}" if g else ""
    if key == "pooled":
        return {
            "R": f"fit <- lm({ry} ~ {rx}{by}, data = d)",
            "statsmodels": f'fit = smf.ols("{y} ~ {x}{py_by}", d).fit()',
        }
    if key == "between":
        means = f"{c}_means"
        cols = f'["{y}", "{x}"]'
        r_agg = f"{means} <- aggregate(cbind({ry}, {rx}) ~ {rc}{' + ' + rg if g else ''}, d, mean)"
        keys = f'["{c}", "{g}"]' if g else f'"{c}"'
        return {
            "R": f"{r_agg}\nfit <- lm({ry} ~ {rx}{by}, data = {means})",
            "statsmodels": (
                f"{means} = d.groupby({keys}, observed=True)[{cols}].mean().reset_index()\n"
                f'fit = smf.ols("{y} ~ {x}{py_by}", {means}).fit()'
            ),
        }
    if not g:
        return None
    if key == "fe2a":
        return {
            "R": f"fit <- lm({ry} ~ {rc}/{rx} - 1, data = d)  # then average the lines by {rg}",
            "statsmodels": (
                f'fit = smf.ols("{y} ~ C({c}) / {x} - 1", d).fit()  # dense: a few hundred {c}s'
            ),
        }
    if key == "fe2b":
        return {
            "R": f"fit <- lm({ry} ~ {rx} + {rc} + {rx}:{rg}, data = d)",
            "statsmodels": f'fit = smf.ols("{y} ~ {x} + C({c}) + {x}:{pg}", d).fit()',
        }
    if key == "twostage":
        return {
            "R": (
                f"lines <- coef(nlme::lmList({ry} ~ {rx} | {rc}, data = d))\n"
                f"level2 <- d[match(rownames(lines), d${rc}), ]\n"
                f"fit <- lm(as.matrix(lines) ~ {rg}, data = level2)  # MANOVA: anova(fit)"
            ),
            "statsmodels": (
                f'lines = d.groupby("{c}", observed=True)[["{y}", "{x}"]].apply(\n'
                f'    lambda s: smf.ols("{y} ~ {x}", s).fit().params\n'
                f').rename(columns={{"Intercept": "intercept", "{x}": "slope"}})\n'
                f'lines["{g}"] = d.groupby("{c}", observed=True)["{g}"].first()\n'
                f'fit = smf.ols("slope ~ {pg}", lines).fit()  # and "intercept ~ ..."'
            ),
        }
    raise KeyError(f"unknown method {key!r}")


def all_calls(roles: Roles, methods, data: str = "long.parquet") -> dict:
    """Every call for the dataset: ``preamble`` (reading ``data``), ``methods`` (key -> calls,
    or None) and ``models`` (key -> calls with the model's name), and the order of each."""
    models = [s for s in ladder_specs(roles) if roles.group or not s.needs_group]
    return {
        "preamble": preamble(roles, data),
        "methods": {key: method_calls(key, roles) for key in methods},
        "models": {s.key: {"name": s.name, **model_calls(s, roles)} for s in models},
        "method_order": list(methods),
        "model_order": [s.key for s in models],
    }
