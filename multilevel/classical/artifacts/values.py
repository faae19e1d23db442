"""A classical method's fit as values for the published-values registry (pages 35-75 of the
document).

Registry keys (``data/published.csv``) produced by :func:`method_values`, '/'-separated; a
``<term>`` is a coefficient named as R names it (``(Intercept)``, ``<predictor>``,
``<group><level>``, ``<predictor>:<group><level>``)::

  pooled/resid/{Min,1Q,Median,3Q,Max}        residual quantiles of the pooled fit
  pooled/coef/<term>/{estimate,se,t,p}       its coefficient table
  pooled/{sigma,df_resid,r_squared,adj_r_squared}
  pooled/F, pooled/F/{num_df,den_df,p}       its overall F test
  fe2a/test/{num_df,den_df,F,p}              joint Wald test of the group gap (Int, Slope)
  fe2a/test/<row>/{estimate,se,df,t,p}       each row of that test (Int, Slope)
  fe2b/test/...                              the same for the predictor:group coefficients
  {fe2a,fe2b}/{sigma,df_resid}
  twostage/{intercept,slope}/<term>/{estimate,se,t,p}   the two responses of the
                                             multivariate regression on the group
  twostage/df_resid, twostage/manova/<statistic>/{value,F,num_df,den_df,p}
  between/coef/<term>/{estimate,se,t,p}, between/{sigma,df_resid,r_squared}
                                             the cluster-means regression without group
  between_by_group/coef/<term>/...           the same with ``* group``

Only the keys the registry lists are written into a rule's values file.
"""

from __future__ import annotations

import math

from multilevel.classical.artifacts.fitting import MethodFit
from multilevel.formatting import (
    json_clean,
)


def _ols_values(prefix: str, res) -> dict:
    out = {f"{prefix}/sigma": res.sigma, f"{prefix}/df_resid": res.df_resid}
    for q, v in res.resid_quantiles.items():
        out[f"{prefix}/resid/{q}"] = v
    for term, row in res.table.iterrows():
        for stat in ("estimate", "se", "t", "p"):
            out[f"{prefix}/coef/{term}/{stat}"] = row[stat]
    if math.isfinite(res.r_squared):
        out[f"{prefix}/r_squared"] = res.r_squared
        out[f"{prefix}/adj_r_squared"] = res.adj_r_squared
    if math.isfinite(res.fvalue):
        out[f"{prefix}/F"] = res.fvalue
        out[f"{prefix}/F/num_df"] = res.f_df[0]
        out[f"{prefix}/F/den_df"] = res.f_df[1]
        out[f"{prefix}/F/p"] = res.f_pvalue
    return out


def _test_values(prefix: str, test) -> dict:
    out = {
        f"{prefix}/test/num_df": test.num_df,
        f"{prefix}/test/den_df": test.den_df,
        f"{prefix}/test/F": test.F,
        f"{prefix}/test/p": test.p_value,
    }
    for row, vals in test.table.iterrows():
        for stat in ("estimate", "se", "df", "t", "p"):
            out[f"{prefix}/test/{row}/{stat}"] = vals[stat]
    return out


def method_values(fit: MethodFit) -> dict:
    """Every registry-style value this fit gives (see the module docstring for the keys)."""
    if fit.result is None:
        return {}
    res, name = fit.result, fit.name
    out: dict = {}
    if name == "pooled":
        out = _ols_values("pooled", res)
    elif name in ("fe2a", "fe2b"):
        out = {f"{name}/sigma": res.sigma, f"{name}/df_resid": res.df_resid}
        if res.test is not None:
            out.update(_test_values(name, res.test))
    elif name == "twostage":
        out = {"twostage/df_resid": res.df_resid}
        for response, table in res.responses.items():
            for term, row in table.iterrows():
                for stat in ("estimate", "se", "t", "p"):
                    out[f"twostage/{response}/{term}/{stat}"] = row[stat]
        for statistic, row in res.manova.iterrows():
            for col in ("value", "F", "num_df", "den_df", "p"):
                out[f"twostage/manova/{statistic}/{col}"] = row[col]
    elif name == "between":
        out = _ols_values("between", fit.overall)
        if fit.spec.roles.group is not None:
            out.update(_ols_values("between_by_group", res))
    return {k: json_clean(v) for k, v in out.items()}


def registry_values(values: dict, keys) -> dict:
    """The subset of ``values`` whose keys the registry lists."""
    wanted = set(keys)
    return {k: v for k, v in values.items() if k in wanted and v is not None}
