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
    params:
        config=dataset_config,
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/prepare_data.py"


rule describe_data:
    input:
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        tables="results/{dataset}/tables/data.json",
        values="results/{dataset}/values/data.json",
    log:
        "results/{dataset}/logs/describe_data.log",
    benchmark:
        "results/{dataset}/benchmarks/describe_data.tsv"
    params:
        config=dataset_config,
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/describe_data.py"
