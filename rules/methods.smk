# The classical methods (pages 35-75 of the document): one job fits them all (rule
# fit_methods), writing for each method its results artifact
# (results/<dataset>/methods/<method>.json, also the methods part's context), its report tables
# and the registry values it reproduces; pictures of the data (rule figures_methods_data); and
# the methods beside the hierarchical models (rule methods_models: the three effects, the
# summary of methods, fitted lines and beta space).
from multilevel.workflow_names import METHOD_KEYS, SUMMARY_MODEL_KEYS as SUMMARY_MODELS

register_part(
    "methods",
    "Comparing the groups: four classical methods",
    tables=expand(
        "results/{{dataset}}/parts/methods/{method}.tables.json",
        method=METHOD_KEYS,
    ),
    figures=[
        "results/{dataset}/parts/methods/figures_data.json",
        "results/{dataset}/parts/methods/figures_models.json",
    ],
    values=expand(
        "results/{{dataset}}/parts/methods/{method}.values.json",
        method=METHOD_KEYS,
    ),
    context=expand("results/{{dataset}}/methods/{method}.json", method=METHOD_KEYS),
)

register_part(
    "effects",
    "Why the estimates differ: within, between and pooled effects",
    tables=["results/{dataset}/parts/effects/tables.json"],
    figures=["results/{dataset}/parts/effects/figures.json"],
    context=["results/{dataset}/methods/effects.json"],
)


# One job fits the five methods (in forked workers on its threads when the table is large): a
# job per method paid an interpreter start-up and a read of the table each.
rule fit_methods:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        **{
            f"{method}_{kind}": path.format(method=method)
            for method in METHOD_KEYS
            for kind, path in {
                "result": "results/{{dataset}}/methods/{method}.json",
                "tables": "results/{{dataset}}/parts/methods/{method}.tables.json",
                "values": "results/{{dataset}}/parts/methods/{method}.values.json",
            }.items()
        },
    log:
        "results/{dataset}/logs/fit_methods.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_methods.tsv"
    priority: 3
    conda:
        "envs/multilevel.yaml"
    threads: fit_workers(len(METHOD_KEYS))
    params:
        dataset=roles_and_registry_of,
        methods=METHOD_KEYS,
    script:
        "../scripts/fit_methods.py"


rule figures_methods_data:
    input:
        long="results/{dataset}/data/long.parquet",
    output:
        svgs=directory("results/{dataset}/figures/methods_data"),
        meta="results/{dataset}/parts/methods/figures_data.json",
        effects_meta="results/{dataset}/parts/effects/figures.json",
    log:
        "results/{dataset}/logs/figures_methods_data.log",
    benchmark:
        "results/{dataset}/benchmarks/figures_methods_data.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_of,
    script:
        "../scripts/figures_methods_data.py"


# The methods beside the hierarchical models: the effects part's tables (the three effects, the
# paradox checks, the summary of methods) and the methods part's fitted lines and beta-space
# figures. One job, as both read the same artifacts: a job of its own cost a Python start-up and
# its imports (about half a second of a cold draft).
rule methods_models:
    input:
        long="results/{dataset}/data/long.parquet",
        methods=expand("results/{{dataset}}/methods/{method}.json", method=METHOD_KEYS),
        models=expand("results/{{dataset}}/mixed/{model}.json", model=SUMMARY_MODELS),
    output:
        result="results/{dataset}/methods/effects.json",
        tables="results/{dataset}/parts/effects/tables.json",
        svgs=directory("results/{dataset}/figures/methods_models"),
        meta="results/{dataset}/parts/methods/figures_models.json",
    log:
        "results/{dataset}/logs/methods_models.log",
    benchmark:
        "results/{dataset}/benchmarks/methods_models.tsv"
    priority: 2
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_of,
    script:
        "../scripts/methods_models.py"
