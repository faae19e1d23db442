rule figure_quantiles:
    input:
        long="results/{dataset}/data/long.parquet",
    output:
        svg="results/{dataset}/figures/quantiles.svg",
        meta="results/{dataset}/parts/data/figures.json",
    log:
        "results/{dataset}/logs/figure_quantiles.log",
    benchmark:
        "results/{dataset}/benchmarks/figure_quantiles.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
    script:
        "../scripts/figure_quantiles.py"
