"""report.html -> report.pdf through WeasyPrint with the print stylesheet."""

from multilevel.report import render_pdf
from multilevel.runlog import step_logger


def main(html_path, pdf_out, log=None):
    logger = step_logger("render_pdf", log)
    render_pdf(html_path, pdf_out)
    logger.info("wrote %s", pdf_out)


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(smk.input.html, smk.output.pdf, log=smk.log[0])
