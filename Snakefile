from snakemake.utils import min_version

from multilevel.workflow_exit import cancel_pending_timers

min_version("9.0")


configfile: "config/config.yaml"


report: "rules/captions/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/methods.smk"
include: "rules/mixed.smk"
include: "rules/simulation.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        report_paths(config["dataset"]),


rule all_reports:
    input:
        [report_paths(name) for name in DATASETS],


# Snakemake's rescheduling timers would otherwise hold the exit for up to a second.
onsuccess:
    cancel_pending_timers()


onerror:
    cancel_pending_timers()
