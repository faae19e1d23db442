"""Artifacts of every part -> reports/<dataset>/report.html (one self-contained file), the same
report as a Quarto source (report.qmd) and as PDF (report.pdf, WeasyPrint, print stylesheet)."""

import time
from pathlib import Path

import pandas as pd
import yaml

from multilevel.config import DatasetSpec
from multilevel.mathtext import use_cache as use_math_cache
from multilevel.pdf import render_pdf
from multilevel.provenance import provenance
from multilevel.published import audit, load_registry
from multilevel.quarto import quarto_source
from multilevel.report import (
    audit_context,
    figure_entry,
    load_json,
    render_html_numbered,
)
from multilevel.step import LOG, script_step
from multilevel.tables import read_tables


def collect_parts(parts: dict) -> tuple[dict, dict, dict, dict, list]:
    """Tables, figures, registry values and per-part context from every part's artifacts."""
    tables, figures, values, context, sections = {}, {}, {}, {}, []
    for name, part in parts.items():
        for path in part["tables"]:
            for table in read_tables(path):
                tables[table["key"]] = table
        for path in part["figures"]:
            for meta in load_json(path):
                figures[meta["key"]] = figure_entry(meta["file"], meta)
        for path in part["values"]:
            values.update(load_json(path))
        context[name] = {}
        for path in part["context"]:
            context[name].update(load_json(path))
        sections.append({"id": name, "title": part["title"], "template": f"{name}.html.j2"})
    return tables, figures, values, context, sections


def data_overview(long: pd.DataFrame, spec: DatasetSpec) -> dict:
    roles = spec.roles
    sizes = long.groupby(roles.cluster).size()
    overview = {
        "counts": {
            "rows": len(long),
            "clusters": int(sizes.size),
            "min_size": int(sizes.min()),
            "max_size": int(sizes.max()),
        },
        "groups": None,
    }
    if roles.group:
        group = long[roles.group]
        overview["groups"] = {
            "reference": str(group.cat.categories[0]),
            "levels": [
                {
                    "name": str(level),
                    "rows": int((group == level).sum()),
                    "clusters": int(long.loc[group == level, roles.cluster].nunique()),
                }
                for level in group.cat.categories
            ],
        }
    return overview


def main(
    spec: DatasetSpec,
    entry: dict,
    report_options: dict,
    parts: dict,
    long_path,
    registry,
    outputs: dict,
    logger=LOG,
    pdf_cache=None,
    workers=1,
    math_cache=None,
):
    clock = time.perf_counter()
    use_math_cache(math_cache)
    tables, figures, values, part_context, sections = collect_parts(parts)
    logger.info("read %d tables and %d figures", len(tables), len(figures))
    audit_ctx = None
    if spec.reproduces_document:
        audit_ctx = audit_context(audit(load_registry(registry), values))
        sections.append({"id": "audit", "title": "Reproduction audit", "template": "audit.html.j2"})
        logger.info("audit: %d of %d agree", audit_ctx["n_agree"], audit_ctx["n_total"])
    context = {
        "title": spec.title,
        "dataset": spec,
        "config_yaml": yaml.safe_dump(
            {spec.name: entry},
            sort_keys=False,
            width=90,
            default_flow_style=None,
        ),
        "provenance": provenance(spec.raw_paths, pin_date=report_options.get("pin_date")),
        "sections": sections,
        "tables": tables,
        "figures": figures,
        "audit": audit_ctx,
        "parts": part_context,
        **data_overview(pd.read_parquet(long_path), spec),
    }
    html, numbers = render_html_numbered(context)
    logger.info("HTML rendered (%.1f s since start)", time.perf_counter() - clock)
    html_out = Path(outputs["html"])
    html_out.parent.mkdir(parents=True, exist_ok=True)
    html_out.write_text(html)
    Path(outputs["qmd"]).write_text(quarto_source(context, html, numbers, outputs["qmd"]))
    logger.info("wrote %s (%d kB) and %s", html_out, len(html) // 1024, outputs["qmd"])
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
            step.input.long,
            step.input.registry,
            {key: step.output[key] for key in ("html", "qmd", "pdf")},
            logger=step.logger,
            pdf_cache=step.params.pdf_cache,
            workers=step.threads,
            math_cache=step.params.math_cache,
        )
