"""Linear mixed models with one grouping factor (REML/ML), matching nlme/lme4.

from multilevel.mixed import lmm
fit = lmm("mathach ~ ses * Sector", random="~ 1 + ses", group="school", data=hs)
print(fit.summary())
fit.fixed_table("Kenward-Roger")     # or "Satterthwaite"; "nlme" is summary()'s rule
fit.profile_intervals()              # profile-likelihood intervals of SDs, correlations, sigma
lmm_var_ident("mathach ~ ses * Sector", "~ 1 + ses", "school", hs, by="Sector")
"""

from multilevel.lazy_names import export_lazily

# each name imports its submodule on first use: reading a design needs no optimiser
export_lazily(
    __name__,
    {
        "lmm": "fit",
        "lmm_var_ident": "var_ident",
        "MixedResults": "results",
        "VarIdentFit": "var_ident",
        "MixedModelError": "errors",
        "build_design": "design",
        "parse_formula": "design",
    },
)

__all__ = [
    "lmm",
    "lmm_var_ident",
    "MixedResults",
    "VarIdentFit",
    "MixedModelError",
    "build_design",
    "parse_formula",
]
