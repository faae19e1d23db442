rule figure_quantiles:
    input:
        long="results/{dataset}/data/long.parquet",
    output:
        svg="results/{dataset}/figures/quantiles.svg",
        meta="results/{dataset}/figures/quantiles.json",
    log:
        "results/{dataset}/logs/figure_quantiles.log",
    benchmark:
        "results/{dataset}/benchmarks/figure_quantiles.tsv"
    params:
        config=dataset_config,
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/figure_quantiles.py"
