register_part(
    "reproduce",
    "Appendix: the same fits in R and statsmodels",
    context=["results/{dataset}/parts/reproduce/context.json"],
)


# The report's templates made ready early, beside other jobs: their formulas drawn into the
# formula cache and their code compiled into TEMPLATE_CACHE, so the report step, the last of a
# cold build, draws and compiles nothing (about a second and 0.2 s of it). A template edit does
# not re-run it: the report step draws a formula the cache lacks and compiles a template whose
# source changed.
TEMPLATE_CACHE = "results/cache/templates"


rule prepare_templates:
    output:
        listing="results/cache/math/formulas.json",
    log:
        "results/logs/prepare_templates.log",
    benchmark:
        "results/benchmarks/prepare_templates.tsv"
    conda:
        "envs/multilevel.yaml"
    params:
        template_cache=TEMPLATE_CACHE,
    script:
        "../scripts/prepare_templates.py"


# One job writes the HTML, the Quarto source and the PDF (not in a draft, --config format=html):
# the PDF is rendered from the HTML string in memory, in parts on the job's threads, keeping rendered parts in a cache
# (multilevel.report.pdf), so the rebuild after a template edit, the case a report author meets most,
# renders only the chapters whose HTML changed.
rule render_report:
    input:
        parts=part_files,
        registry=REGISTRY,
        formulas=rules.prepare_templates.output.listing,
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
        # the formula cache: where prepare_templates drew the templates' formulas
        math_cache=lambda wildcards, input: str(Path(input.formulas).parent),
        dataset=dataset_entry,
        report=report_options,
        parts=part_layout,
        templates=TEMPLATE_DIGEST,
        template_cache=TEMPLATE_CACHE,
    script:
        "../scripts/render_report.py"
