"""Data preparation: reading a dataset's raw files (:mod:`.rawdata`), the prepared long table
(:mod:`.prepare`), the grouping of clusters (:mod:`.grouping`) and the description of the data
(:mod:`.describe`). No imports here: import from the module that does the job.
"""
