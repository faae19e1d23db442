"""Linear mixed models with one grouping factor (REML/ML), matching nlme/lme4.

from multilevel.mixed import lmm
fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs)
print(fit.summary())
"""

from .design import build_design, parse_formula
from .errors import MixedModelError
from .fit import lmm
from .results import MixedResults

__all__ = ["lmm", "MixedResults", "MixedModelError", "build_design", "parse_formula"]
