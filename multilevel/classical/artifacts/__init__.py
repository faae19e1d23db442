"""From the classical methods' fits to the pipeline's artifacts, one module per job:
:mod:`.fitting` (choosing and running a method), :mod:`.values` (registry values),
:mod:`.tables` (report tables), :mod:`.stored` (JSON artifacts and the results read back) and
:mod:`.figures` (data-space, effects and beta-space figures). No imports here: import from the
module that does the job.
"""
