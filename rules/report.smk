# One job writes the HTML, the Quarto source and the PDF: the PDF is rendered from the HTML
# string in memory, in parts on the job's threads, keeping rendered parts in a cache
# (multilevel.report.pdf), so the rebuild after a template edit, the case a report author meets most,
# renders only the chapters whose HTML changed.
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
        pdf="reports/{dataset}/report.pdf",
        # every audited value (the HTML lists them all, the PDF only those that differ); only
        # the header for a dataset that does not reproduce the document
        audit="reports/{dataset}/audit.csv",
    log:
        "results/{dataset}/logs/render_report.log",
    benchmark:
        "results/{dataset}/benchmarks/render_report.tsv"
    conda:
        "envs/multilevel.yaml"
    threads: 2
    params:
        pdf_cache="results/{dataset}/cache/pdf",
        math_cache="results/cache/math",
        dataset=dataset_entry,
        report=report_options,
        parts=part_layout,
        templates=TEMPLATE_DIGEST,
    script:
        "../scripts/render_report.py"
