register_part(
    "reproduce",
    "Appendix: the same fits in R and statsmodels",
    context=["results/{dataset}/parts/reproduce/context.json"],
)


# The templates' formulas, drawn into the formula cache early, beside other jobs: the report
# step, the last of a build, then draws none (about a second of a cold build's last job). A
# template edit does not re-run it: the report step draws a formula the cache lacks.
rule draw_formulas:
    output:
        listing="results/cache/math/formulas.json",
    log:
        "results/logs/draw_formulas.log",
    benchmark:
        "results/benchmarks/draw_formulas.tsv"
    conda:
        "envs/multilevel.yaml"
    script:
        "../scripts/draw_formulas.py"


# One job writes the HTML, the Quarto source and the PDF (not in a draft, --config format=html):
# the PDF is rendered from the HTML string in memory, in parts on the job's threads, keeping rendered parts in a cache
# (multilevel.report.pdf), so the rebuild after a template edit, the case a report author meets most,
# renders only the chapters whose HTML changed.
rule render_report:
    input:
        parts=part_files,
        long="results/{dataset}/data/long.parquet",
        registry=REGISTRY,
        formulas=rules.draw_formulas.output.listing,
    output:
        # the PDF, or none in a draft (--config format=html)
        **pdf_output(),
        html=report(
            "reports/{dataset}/report.html",
            caption="captions/report.rst",
            category="Report",
            subcategory="{dataset}",
        ),
        qmd="reports/{dataset}/report.qmd",
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
        # the formula cache: where draw_formulas wrote the templates' formulas
        math_cache=lambda wildcards, input: str(Path(input.formulas).parent),
        dataset=dataset_entry,
        report=report_options,
        parts=part_layout,
        templates=TEMPLATE_DIGEST,
    script:
        "../scripts/render_report.py"
