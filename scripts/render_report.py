"""Artifacts of every stage -> reports/<dataset>/report.html (one self-contained file)."""

from pathlib import Path

import pandas as pd
import yaml

from multilevel.config import DatasetSpec
from multilevel.provenance import provenance
from multilevel.published import audit, load_registry
from multilevel.report import audit_context, figure_entry, load_json, render_html
from multilevel.runlog import step_logger
from multilevel.tables import read_tables


def main(config: dict, dataset: str, inputs: dict, html_out, log=None):
    logger = step_logger("render_report", log)
    spec = DatasetSpec.from_config(config, dataset)
    tables = {}
    for path in inputs["tables"]:
        for table in read_tables(path):
            tables[table["key"]] = table
    figures = {}
    for svg, meta in zip(inputs["figures"], inputs["figure_meta"]):
        entry = figure_entry(svg, load_json(meta))
        figures[entry["key"]] = entry
    values = {}
    for path in inputs["values"]:
        values.update(load_json(path))
    info = load_json(inputs["prepare_info"])
    long = pd.read_parquet(inputs["long"])
    roles = spec.roles
    sizes = long.groupby(roles.cluster).size()
    groups = None
    if roles.group:
        groups = {
            "reference": str(long[roles.group].cat.categories[0]),
            "levels": [
                {
                    "name": str(level),
                    "rows": int((long[roles.group] == level).sum()),
                    "clusters": int(long.loc[long[roles.group] == level, roles.cluster].nunique()),
                }
                for level in long[roles.group].cat.categories
            ],
        }
    sections = [{"id": "data", "title": "The data", "template": "data.html.j2"}]
    audit_ctx = None
    if spec.reproduces_document:
        audit_ctx = audit_context(audit(load_registry(inputs["registry"]), values))
        sections.append({"id": "audit", "title": "Reproduction audit", "template": "audit.html.j2"})
        logger.info("audit: %d of %d agree", audit_ctx["n_agree"], audit_ctx["n_total"])
    context = {
        "title": spec.title,
        "dataset": spec,
        "config_yaml": yaml.safe_dump(
            {dataset: config["datasets"][dataset]},
            sort_keys=False,
            width=90,
            default_flow_style=None,
        ),
        "provenance": provenance(spec.raw_paths, pin_date=config["report"].get("pin_date")),
        "sections": sections,
        "tables": tables,
        "figures": figures,
        "audit": audit_ctx,
        "prepare": info,
        "counts": {
            "rows": len(long),
            "clusters": int(sizes.size),
            "min_size": int(sizes.min()),
            "max_size": int(sizes.max()),
        },
        "groups": groups,
        "label_tables": [k for k in tables if k.startswith("tab_") and k != "tab_group_cluster"],
        "data_notes": [],
    }
    html = render_html(context)
    Path(html_out).parent.mkdir(parents=True, exist_ok=True)
    Path(html_out).write_text(html)
    logger.info("wrote %s (%d kB)", html_out, len(html) // 1024)


if __name__ == "__main__":
    smk = snakemake  # noqa: F821
    main(
        smk.params.config,
        smk.wildcards.dataset,
        {
            "tables": list(smk.input.tables),
            "figures": list(smk.input.figures),
            "figure_meta": list(smk.input.figure_meta),
            "values": list(smk.input.values),
            "prepare_info": smk.input.prepare_info,
            "long": smk.input.long,
            "registry": smk.input.registry,
        },
        smk.output.html,
        log=smk.log[0],
    )
