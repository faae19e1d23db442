"""Artifacts of every part -> reports/<dataset>/report.html (one self-contained file), the same
report as a Quarto source (report.qmd) and as PDF (report.pdf, WeasyPrint, print stylesheet);
the context is multilevel.report.render.report_context."""

import time
from pathlib import Path

from multilevel.config import DatasetSpec
from multilevel.report.mathtext import use_cache as use_math_cache
from multilevel.report.pdf import render_pdf
from multilevel.report.quarto import quarto_source
from multilevel.report.render import (
    audit_csv,
    render_html_numbered,
    report_context,
    use_template_cache,
)
from multilevel.step import LOG, script_step


def main(
    spec: DatasetSpec,
    entry: dict,
    report_options: dict,
    parts: dict,
    registry,
    outputs: dict,
    logger=LOG,
    pdf_cache=None,
    workers=1,
    math_cache=None,
    template_cache=None,
):
    clock = time.perf_counter()
    use_math_cache(math_cache)
    use_template_cache(template_cache)
    context = report_context(spec, entry, report_options, parts, registry)
    logger.info("read %d tables and %d figures", len(context["tables"]), len(context["figures"]))
    if context["audit"]:
        logger.info(
            "audit: %d of %d agree", context["audit"]["n_agree"], context["audit"]["n_total"]
        )
    html, numbers = render_html_numbered(context)
    logger.info("HTML rendered (%.1f s since start)", time.perf_counter() - clock)
    html_out = Path(outputs["html"])
    html_out.parent.mkdir(parents=True, exist_ok=True)
    html_out.write_text(html)
    Path(outputs["qmd"]).write_text(quarto_source(context, html, numbers, outputs["qmd"]))
    Path(outputs["audit"]).write_text(audit_csv(context["audit"]))
    logger.info("wrote %s (%d kB) and %s", html_out, len(html) // 1024, outputs["qmd"])
    if not outputs.get("pdf"):
        logger.info("no PDF: a draft (format html)")
        return
    logger.info("rendering the PDF (%.1f s since start)", time.perf_counter() - clock)
    render_pdf(html, outputs["pdf"], cache_dir=pdf_cache, workers=workers, log=logger)
    logger.info("wrote %s (%.1f s since start)", outputs["pdf"], time.perf_counter() - clock)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(
            step.spec,
            step.params.dataset,
            step.params.report,
            step.params.parts,
            step.input.registry,
            {key: step.output.get(key) for key in ("html", "qmd", "pdf", "audit")},
            logger=step.logger,
            pdf_cache=step.params.pdf_cache,
            workers=step.threads,
            math_cache=step.params.math_cache,
            template_cache=step.params.template_cache,
        )
