"""Linear mixed models with one grouping factor (REML/ML), matching nlme/lme4.

from multilevel.mixed import lmm
fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs)
print(fit.summary())
fit.fixed_table("Kenward-Roger")     # or "Satterthwaite"; "nlme" is summary()'s rule
fit.profile_intervals()              # profile-likelihood intervals of SDs, correlations, sigma
lmm_var_ident("mathach ~ ses * Sector", "~ 1 + ses", "school", hs, by="Sector")
"""

from .design import build_design, parse_formula
from .errors import MixedModelError
from .fit import lmm
from .results import MixedResults
from .var_ident import VarIdentFit, lmm_var_ident

__all__ = [
    "lmm",
    "lmm_var_ident",
    "MixedResults",
    "VarIdentFit",
    "MixedModelError",
    "build_design",
    "parse_formula",
]
