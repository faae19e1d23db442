rule render_report:
    input:
        parts=part_files,
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
    output:
        html=report(
            "reports/{dataset}/report.html",
            caption="captions/report.rst",
            category="Report",
            subcategory="{dataset}",
        ),
        qmd="reports/{dataset}/report.qmd",
    log:
        "results/{dataset}/logs/render_report.log",
    benchmark:
        "results/{dataset}/benchmarks/render_report.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        config=dataset_config,
        parts=part_layout,
        templates=TEMPLATE_DIGEST,
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
