# The hierarchical-model chapters (pages 76-173): the ten models of the ladder (page 120), in
# one job (results/<dataset>/mixed/<model>.json, REML and ML fits), then one rule for the
# chapters' tables, registry values, context and inference, and one for their figures.
from multilevel.workflow_names import MIXED_FIGURE_KEYS as MIXED_FIGURES, MODEL_KEYS

register_part(
    "theory",
    "Hierarchical models: from the multilevel model to the mixed model",
    tables=["results/{dataset}/parts/theory/tables.json"],
    context=["results/{dataset}/parts/theory/context.json"],
)
register_part(
    "mixed",
    "Fitting hierarchical models",
    tables=[
        "results/{dataset}/parts/mixed/tables.json",
        "results/{dataset}/parts/mixed/inference_tables.json",
    ],
    figures=["results/{dataset}/parts/mixed/figures.json"],
    values=["results/{dataset}/parts/mixed/values.json"],
    context=[
        "results/{dataset}/parts/mixed/context.json",
        "results/{dataset}/parts/mixed/inference.json",
    ],
)


# One job fits the ten models (in forked workers on its threads when the table is large): a job
# per model paid an interpreter start-up and a read of the table each (about 1 s for hs) for a
# fit of 0.1 s.
rule mixed_fits:
    input:
        long="results/{dataset}/data/long.parquet",
    output:
        **{model: f"results/{{dataset}}/mixed/{model}.json" for model in MODEL_KEYS},
    log:
        "results/{dataset}/logs/mixed_fits.log",
    benchmark:
        "results/{dataset}/benchmarks/mixed_fits.tsv"
    priority: 3
    conda:
        "envs/multilevel.yaml"
    threads: fit_workers(len(MODEL_KEYS))
    params:
        dataset=roles_of,
    script:
        "../scripts/mixed_fits.py"


rule mixed_tables:
    input:
        models=expand("results/{{dataset}}/mixed/{model}.json", model=MODEL_KEYS),
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        theory_tables="results/{dataset}/parts/theory/tables.json",
        theory_context="results/{dataset}/parts/theory/context.json",
        tables="results/{dataset}/parts/mixed/tables.json",
        values="results/{dataset}/parts/mixed/values.json",
        context="results/{dataset}/parts/mixed/context.json",
        csv=directory("reports/{dataset}/tables/mixed"),
        # Satterthwaite and Kenward-Roger df beside nlme's for every model, profile intervals
        # and a residual SD per group for the central model (issue 16, items 4 and 5)
        inference="results/{dataset}/mixed/inference.json",
        inference_tables="results/{dataset}/parts/mixed/inference_tables.json",
        inference_context="results/{dataset}/parts/mixed/inference.json",
    log:
        "results/{dataset}/logs/mixed_tables.log",
    benchmark:
        "results/{dataset}/benchmarks/mixed_tables.tsv"
    priority: 1
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_and_registry_of,
    script:
        "../scripts/mixed_tables.py"


rule mixed_figures:
    input:
        models=expand("results/{{dataset}}/mixed/{model}.json", model=MODEL_KEYS),
        long="results/{dataset}/data/long.parquet",
    output:
        **{
            name: report(
                f"results/{{dataset}}/figures/mixed/{name}.svg",
                caption="captions/mixed.rst",
                category="Hierarchical models",
                subcategory="{dataset}",
            )
            for name in MIXED_FIGURES
        },
        meta="results/{dataset}/parts/mixed/figures.json",
    log:
        "results/{dataset}/logs/mixed_figures.log",
    benchmark:
        "results/{dataset}/benchmarks/mixed_figures.tsv"
    priority: 1
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_of,
    script:
        "../scripts/mixed_figures.py"
