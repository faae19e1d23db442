"""The report templates, made ready early, beside other jobs: their formulas drawn into the
formula cache (results/cache/math, with a listing of what was drawn) and their code compiled
into the template cache; the report step, the last of a build, then finds both there."""

from pathlib import Path

from multilevel.files import write_json
from multilevel.report.mathtext import tex_svg, use_cache
from multilevel.report.render import TEMPLATES, compile_templates, use_template_cache
from multilevel.report.template_formulas import template_formulas
from multilevel.step import LOG, script_step


def main(listing_out, template_cache, logger=LOG):
    """Draw into the folder of ``listing_out`` (the formula cache); compile into
    ``template_cache``."""
    cache_dir = Path(listing_out).parent
    use_cache(cache_dir)
    formulas = template_formulas(TEMPLATES)
    for tex in formulas:
        tex_svg(tex)
    write_json(listing_out, formulas)
    logger.info("%d formulas of the templates in %s", len(formulas), cache_dir)
    use_template_cache(template_cache)
    logger.info("%d templates compiled into %s", compile_templates(), template_cache)


if __name__ == "__main__":
    with script_step(snakemake) as step:  # noqa: F821
        main(step.output.listing, step.params.template_cache, logger=step.logger)
