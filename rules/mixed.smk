# The hierarchical-model chapters (pages 76-173): the ten models of the ladder (page 120), in
# one job (results/<dataset>/mixed/<model>.json, REML and ML fits), then one rule for the
# chapters' tables, registry values, context and inference, and one for the figures of the fitted
# models (and the Diagnostics chapter).
from multilevel.workflow_names import (
    DIAGNOSTICS_FIGURE_KEYS,
    MIXED_FIGURE_KEYS as MIXED_FIGURES,
    MODEL_KEYS,
)

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

# The Diagnostics chapter: the central model of the ladder (intercepts and slopes as outcomes,
# or random coefficients without a group) checked at level 1 (residuals) and level 2 (random
# effects), and the influence of each cluster (leave-one-cluster-out refits); drawn by rule
# model_figures.
register_part(
    "diagnostics",
    "Diagnostics of the hierarchical model",
    tables=["results/{dataset}/parts/diagnostics/tables.json"],
    figures=["results/{dataset}/parts/diagnostics/figures.json"],
    context=["results/{dataset}/parts/diagnostics/context.json"],
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


# The figures of the fitted models: the mixed chapters' and the Diagnostics chapter (with its
# tables). One job, as both read the fits and the long table: a job of its own cost a Python
# start-up, pandas and matplotlib (about 0.8 s of CPU in a cold draft).
rule model_figures:
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
        **{
            name: report(
                f"results/{{dataset}}/figures/diagnostics/{name}.svg",
                caption="captions/diagnostics.rst",
                category="Diagnostics",
                subcategory="{dataset}",
            )
            for name in DIAGNOSTICS_FIGURE_KEYS
        },
        mixed_meta="results/{dataset}/parts/mixed/figures.json",
        diagnostics_tables="results/{dataset}/parts/diagnostics/tables.json",
        diagnostics_meta="results/{dataset}/parts/diagnostics/figures.json",
        diagnostics_context="results/{dataset}/parts/diagnostics/context.json",
        diagnostics_csv=directory("reports/{dataset}/tables/diagnostics"),
    log:
        "results/{dataset}/logs/model_figures.log",
    benchmark:
        "results/{dataset}/benchmarks/model_figures.tsv"
    priority: 1
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_of,
    script:
        "../scripts/model_figures.py"
