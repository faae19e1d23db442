register_part(
    "data",
    "The data",
    tables=["results/{dataset}/parts/data/tables.json"],
    figures=["results/{dataset}/parts/data/figures.json"],
    values=["results/{dataset}/parts/data/values.json"],
    context=["results/{dataset}/data/prepare.json"],
)


rule prepare_data:
    input:
        raw_files,
    output:
        long="results/{dataset}/data/long.parquet",
        clusters="results/{dataset}/data/clusters.parquet",
        summary="results/{dataset}/data/clusters_summary.parquet",
        info="results/{dataset}/data/prepare.json",
    log:
        "results/{dataset}/logs/prepare_data.log",
    benchmark:
        "results/{dataset}/benchmarks/prepare_data.tsv"
    priority: 4
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=preparation_of,
    script:
        "../scripts/prepare_data.py"


# The data chapter's tables, registry values and figure (Figure 1, p. 13), and the appendix's
# calls: one job.
rule describe_data:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        tables="results/{dataset}/parts/data/tables.json",
        values="results/{dataset}/parts/data/values.json",
        csv=directory("reports/{dataset}/tables/data"),
        svg=report(
            "results/{dataset}/figures/quantiles.svg",
            caption="captions/quantiles.rst",
            category="Data",
            subcategory="{dataset}",
        ),
        figures="results/{dataset}/parts/data/figures.json",
        # the appendix's R and statsmodels calls (from the roles alone)
        calls="results/{dataset}/parts/reproduce/context.json",
    log:
        "results/{dataset}/logs/describe_data.log",
    benchmark:
        "results/{dataset}/benchmarks/describe_data.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        dataset=description_of,
    script:
        "../scripts/describe_data.py"
