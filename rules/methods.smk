# The classical methods (pages 35-75 of the document): one rule per method, each writing its
# results artifact (results/<dataset>/methods/<method>.json, also the methods part's context),
# its report tables and the registry values it reproduces; the three effects and the summary
# of methods; and two figure rules (pictures of the data; fitted lines and beta space).
CLASSICAL_METHODS = ["pooled", "fe2a", "fe2b", "twostage", "between"]


register_part(
    "methods",
    "Comparing the groups: four classical methods",
    tables=expand(
        "results/{{dataset}}/parts/methods/{method}.tables.json",
        method=CLASSICAL_METHODS,
    ),
    figures=[
        "results/{dataset}/parts/methods/figures_data.json",
        "results/{dataset}/parts/methods/figures_models.json",
    ],
    values=expand(
        "results/{{dataset}}/parts/methods/{method}.values.json",
        method=CLASSICAL_METHODS,
    ),
    context=expand(
        "results/{{dataset}}/methods/{method}.json", method=CLASSICAL_METHODS
    ),
)

register_part(
    "effects",
    "Why the estimates differ: within, between and pooled effects",
    tables=["results/{dataset}/parts/effects/tables.json"],
    figures=["results/{dataset}/parts/effects/figures.json"],
    context=["results/{dataset}/methods/effects.json"],
)


rule fit_pooled:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        result="results/{dataset}/methods/pooled.json",
        tables="results/{dataset}/parts/methods/pooled.tables.json",
        values="results/{dataset}/parts/methods/pooled.values.json",
    log:
        "results/{dataset}/logs/fit_pooled.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_pooled.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        method="pooled",
    script:
        "../scripts/fit_method.py"


rule fit_fe2a:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        result="results/{dataset}/methods/fe2a.json",
        tables="results/{dataset}/parts/methods/fe2a.tables.json",
        values="results/{dataset}/parts/methods/fe2a.values.json",
    log:
        "results/{dataset}/logs/fit_fe2a.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_fe2a.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        method="fe2a",
    script:
        "../scripts/fit_method.py"


rule fit_fe2b:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        result="results/{dataset}/methods/fe2b.json",
        tables="results/{dataset}/parts/methods/fe2b.tables.json",
        values="results/{dataset}/parts/methods/fe2b.values.json",
    log:
        "results/{dataset}/logs/fit_fe2b.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_fe2b.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        method="fe2b",
    script:
        "../scripts/fit_method.py"


rule fit_twostage:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        result="results/{dataset}/methods/twostage.json",
        tables="results/{dataset}/parts/methods/twostage.tables.json",
        values="results/{dataset}/parts/methods/twostage.values.json",
    log:
        "results/{dataset}/logs/fit_twostage.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_twostage.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        method="twostage",
    script:
        "../scripts/fit_method.py"


rule fit_between:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        result="results/{dataset}/methods/between.json",
        tables="results/{dataset}/parts/methods/between.tables.json",
        values="results/{dataset}/parts/methods/between.values.json",
    log:
        "results/{dataset}/logs/fit_between.log",
    benchmark:
        "results/{dataset}/benchmarks/fit_between.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        method="between",
    script:
        "../scripts/fit_method.py"


rule methods_effects:
    input:
        long="results/{dataset}/data/long.parquet",
        methods=expand(
            "results/{{dataset}}/methods/{method}.json", method=CLASSICAL_METHODS
        ),
    output:
        result="results/{dataset}/methods/effects.json",
        tables="results/{dataset}/parts/effects/tables.json",
    log:
        "results/{dataset}/logs/methods_effects.log",
    benchmark:
        "results/{dataset}/benchmarks/methods_effects.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
    script:
        "../scripts/methods_effects.py"


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
        config=dataset_config,
        figures="data",
    script:
        "../scripts/figures_methods.py"


rule figures_methods_models:
    input:
        long="results/{dataset}/data/long.parquet",
        methods=expand(
            "results/{{dataset}}/methods/{method}.json", method=CLASSICAL_METHODS
        ),
    output:
        svgs=directory("results/{dataset}/figures/methods_models"),
        meta="results/{dataset}/parts/methods/figures_models.json",
    log:
        "results/{dataset}/logs/figures_methods_models.log",
    benchmark:
        "results/{dataset}/benchmarks/figures_methods_models.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        figures="models",
    script:
        "../scripts/figures_methods.py"
