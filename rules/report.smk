rule render_report:
    input:
        tables=expand("results/{{dataset}}/tables/{name}.json", name=TABLES),
        figures=expand("results/{{dataset}}/figures/{name}.svg", name=FIGURES),
        figure_meta=expand("results/{{dataset}}/figures/{name}.json", name=FIGURES),
        values=expand("results/{{dataset}}/values/{name}.json", name=VALUES),
        prepare_info="results/{dataset}/data/prepare.json",
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
        templates=list(map(str, Path("templates").rglob("*.j2")))
        + ["templates/report.css"],
    output:
        html="reports/{dataset}/report.html",
    log:
        "results/{dataset}/logs/render_report.log",
    benchmark:
        "results/{dataset}/benchmarks/render_report.tsv"
    params:
        config=dataset_config,
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/render_report.py"


rule render_pdf:
    input:
        html="reports/{dataset}/report.html",
    output:
        pdf="reports/{dataset}/report.pdf",
    log:
        "results/{dataset}/logs/render_pdf.log",
    benchmark:
        "results/{dataset}/benchmarks/render_pdf.tsv"
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/render_pdf.py"
