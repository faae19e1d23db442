# The Diagnostics chapter: the central model of the ladder (intercepts and slopes as outcomes,
# or random coefficients without a group) checked at level 1 (residuals) and level 2 (random
# effects), and the influence of each cluster (leave-one-cluster-out refits).
from multilevel.workflow_names import DIAGNOSTICS_FIGURE_KEYS

register_part(
    "diagnostics",
    "Diagnostics of the hierarchical model",
    tables=["results/{dataset}/parts/diagnostics/tables.json"],
    figures=["results/{dataset}/parts/diagnostics/figures.json"],
    context=["results/{dataset}/parts/diagnostics/context.json"],
)


rule diagnostics:
    input:
        model=central_model,
        long="results/{dataset}/data/long.parquet",
    output:
        **{
            name: report(
                f"results/{{dataset}}/figures/diagnostics/{name}.svg",
                caption="captions/diagnostics.rst",
                category="Diagnostics",
                subcategory="{dataset}",
            )
            for name in DIAGNOSTICS_FIGURE_KEYS
        },
        tables="results/{dataset}/parts/diagnostics/tables.json",
        meta="results/{dataset}/parts/diagnostics/figures.json",
        context="results/{dataset}/parts/diagnostics/context.json",
        csv=directory("reports/{dataset}/tables/diagnostics"),
    log:
        "results/{dataset}/logs/diagnostics.log",
    benchmark:
        "results/{dataset}/benchmarks/diagnostics.tsv"
    priority: 1
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=roles_of,
    script:
        "../scripts/diagnostics.py"
