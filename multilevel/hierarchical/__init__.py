"""The hierarchical models built on the mixed-model engine (:mod:`multilevel.mixed`): the ladder
of models (:mod:`.ladder`), likelihood-ratio tests (:mod:`.likelihood_ratio`), BLUPs
(:mod:`.blup`), contextual effects (:mod:`.contextual`), and their artifacts (:mod:`.artifacts`)
and figures (:mod:`.figures`). No imports here: import from the module that does the job.
"""
