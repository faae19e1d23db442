"""Report rendering: the report tables (:mod:`.tables`), the published-values registry
(:mod:`.published`), rendering to HTML and PDF (:mod:`.render`, :mod:`.pdf`, :mod:`.quarto`,
:mod:`.mathtext`, :mod:`.svg_tidy`), and where the numbers come from (:mod:`.provenance`,
:mod:`.reproduce`). No imports here: import from the module that does the job.
"""
