"""Simulated data: drawing clustered datasets (:mod:`.simulate`), the Monte Carlo comparison of
the methods (:mod:`.montecarlo`, :mod:`.montecarlo_tables`), the simulated example school
(:mod:`.example_artifacts`) and the many-clusters scale dataset (:mod:`.many_clusters`). No
imports here: import from the module that does the job.
"""
