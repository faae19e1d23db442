"""Diagnostics of the central hierarchical model: level-1 residuals (:mod:`.residuals`), random
effects (:mod:`.random_effects`), the influence of each cluster (:mod:`.influence`) and the
report's chapter (:mod:`.chapter`). No imports here: import from the module that does the job.
"""
