"""Rendering the report: Jinja2 templates -> one self-contained HTML file -> PDF (WeasyPrint).

Stages hand over plain artifacts (tables as JSON, figures as SVG, values as JSON); this module is
the only place that knows about HTML.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from multilevel.config import DatasetSpec
from multilevel.levels import level_name
from multilevel.report.front_matter import SOURCE_DOCUMENT, abstract, reading_guide
from multilevel.report.mathtext import math
from multilevel.report.provenance import provenance
from multilevel.report.published import (
    LISTINGS,
    audit_rows,
    is_listing,
    read_registry,
    section_of,
)
from multilevel.report.tables import read_tables

NUMBER = re.compile(r"^[-+]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?%?$|^NA$|^<")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class Numbering:
    """Numbers tables and figures in the order they are placed; rendering twice lets the table
    of contents and the list of figures, which come first, know every number. A reference
    (``placed=False``) does not number: text may cite a table before the table stands, and the
    numbers must still run in the order of the pages. Items cited but never placed are numbered
    after the placed ones."""

    def __init__(self, fixed: dict | None = None):
        self.fixed = fixed
        self.seen: dict[tuple[str, str], int] = {}
        self.cited: list[tuple[str, str]] = []
        self.counts = {"table": 0, "figure": 0}

    def __call__(self, kind: str, key: str, placed: bool = False) -> int:
        if self.fixed is not None:
            return self.fixed[(kind, key)]
        if not placed:
            self.cited.append((kind, key))
            return 0
        return self._assign(kind, key)

    def _assign(self, kind: str, key: str) -> int:
        if (kind, key) not in self.seen:
            self.counts[kind] += 1
            self.seen[(kind, key)] = self.counts[kind]
        return self.seen[(kind, key)]

    def finished(self) -> dict:
        for kind, key in self.cited:
            self._assign(kind, key)
        return self.seen


def figure_data_uri(path: str | Path) -> str:
    path = Path(path)
    mime = {".svg": "image/svg+xml", ".png": "image/png"}[path.suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# Where the templates' compiled code is kept between processes (None: compiled in memory).
template_cache: Path | None = None


def use_template_cache(directory: str | Path | None) -> None:
    """Keep the templates' compiled code in ``directory`` (one folder per environment), so a
    step finds the templates compiled by an earlier one: prepare_templates compiles them beside
    other jobs, and the report step, the last of a build, only loads them. Jinja checks each
    entry against its template's source, so an edited template is compiled again."""
    global template_cache
    template_cache = Path(directory) if directory else None


def environment(html: bool = True) -> jinja2.Environment:
    bytecode_cache = None
    if template_cache is not None:
        # the two environments compile the same source differently (autoescape)
        folder = template_cache / ("html" if html else "qmd")
        folder.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(["html", "j2"]) if html else False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["number"] = lambda value: bool(NUMBER.match(str(value)))
    env.globals["math"] = math
    env.globals["page_index"] = page_index
    env.globals["level_name"] = level_name
    return env


QMD_TEMPLATE = "report.qmd.j2"


def compile_templates() -> int:
    """Compile every template into the template cache (``use_template_cache``), each in the
    environment that renders it; returns how many."""
    html, qmd = environment(), environment(html=False)
    names = html.list_templates(extensions=["j2"])
    for name in names:
        (qmd if name == QMD_TEMPLATE else html).get_template(name)
    return len(names)


def render_html_numbered(context: dict) -> tuple[str, dict]:
    """The HTML and the numbered tables and figures (in order) it contains."""
    env = environment()
    template = env.get_template("base.html.j2")
    css = Markup((TEMPLATES / "report.css").read_text())
    first = Numbering()
    template.render(**context, css=css, number=first, numbers={"tables": [], "figures": []})
    fixed = Numbering(fixed=first.finished())
    listing = sorted(first.seen.items(), key=lambda item: (item[0][0], item[1]))
    numbers = {"tables": [], "figures": []}
    for (kind, key), n in listing:
        item = context["tables"].get(key) if kind == "table" else context["figures"].get(key)
        numbers[f"{kind}s"].append({"n": n, "key": key, "title": item["title"] if item else key})
    return template.render(**context, css=css, number=fixed, numbers=numbers), numbers


def load_json(path: str | Path):
    return json.loads(Path(path).read_text())


def audit_context(audit: list[dict], chapter_of: dict[str, str] | None = None) -> dict:
    """The audit for the templates (``audit``: published.audit_rows): every row (with its
    chapter, section and kind), the counts of data listings and of model outputs, and
    summaries by page and by section. ``chapter_of`` maps a value's key to the title of the
    chapter whose part computed it."""
    chapter_of = chapter_of or {}
    rows = [dict(row) for row in audit]
    by_page: dict[str, dict] = {}
    by_section: dict[tuple[str, str], dict] = {}
    for row in rows:
        row["listing"] = is_listing(row["key"])
        row["chapter"] = chapter_of.get(row["key"], "")
        row["section"] = audit_section(row["key"])
        page = row["page"].split(";")[0].strip()
        for entry in (
            by_page.setdefault(page, {"page": page, "n": 0, "agree": 0}),
            by_section.setdefault(
                (row["chapter"], row["section"]),
                {"chapter": row["chapter"], "section": row["section"], "n": 0, "agree": 0},
            ),
        ):
            entry["n"] += 1
            entry["agree"] += int(row["agree"])
    listings = [r for r in rows if r["listing"]]
    models = [r for r in rows if not r["listing"]]
    return {
        "rows": rows,
        "n_total": len(rows),
        "n_agree": int(sum(r["agree"] for r in rows)),
        "n_listings": len(listings),
        "n_listings_agree": int(sum(r["agree"] for r in listings)),
        "n_models": len(models),
        "n_models_agree": int(sum(r["agree"] for r in models)),
        "by_page": sorted(by_page.values(), key=lambda e: int(e["page"])),
        "by_section": list(by_section.values()),
        "errata": [r for r in rows if r["note"]],
    }


def audit_section(key: str) -> str:
    """A listing's kind (rows, cross tables, ...) or a model output's first two key parts
    (``mixed/oneway``, ``fe2a/test``)."""
    section = section_of(key)
    if section in LISTINGS:
        return LISTINGS[section]
    return "/".join(key.split("/")[:2])


AUDIT_CSV_COLUMNS = [
    "key",
    "page",
    "chapter",
    "section",
    "listing",
    "meaning",
    "published",
    "reproduced",
    "agree",
    "note",
]


def audit_csv(audit_ctx: dict | None) -> str:
    """Every audited value as CSV (the report's full listing, beside it); only the header when
    the dataset does not reproduce the document."""
    out = io.StringIO()
    writer = csv.DictWriter(out, AUDIT_CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(audit_ctx["rows"] if audit_ctx else [])
    return out.getvalue()


SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)(?:pt|px)?"[^>]*?\sheight="([\d.]+)(?:pt|px)?"')


def figure_entry(svg_path: str | Path, meta: dict) -> dict:
    """A figure for the templates: its image inline, and whether it is taller than wide (a
    grid of many panels), which the print stylesheet gives a page of its own."""
    path = Path(svg_path)
    tall = False
    if path.suffix.lower() == ".svg":
        with path.open() as svg:
            size = SVG_SIZE.search(svg.read(2000))
        tall = bool(size) and float(size.group(2)) > float(size.group(1))
    return {**meta, "src": figure_data_uri(path), "tall": tall}


PAGE_REF = re.compile(r"(\d+)(?:\s*[-\u2013]\s*(\d+))?")


def document_pages(reference: str, pages_only: bool) -> list[int]:
    """Pages named in a reference: '10-11, 18' (pages_only) or 'Figure 4, p. 49; pp. 58-60'."""
    if not reference:
        return []
    if not pages_only:
        parts = re.findall(r"pp?\.\s*([\d\s,\u2013-]+)", reference)
        reference = ",".join(parts)
    pages = []
    for start, end in PAGE_REF.findall(reference):
        first = int(start)
        last = int(end) if end else first
        pages.extend(range(first, last + 1) if 0 <= last - first < 40 else [first])
    return pages


def page_index(tables: dict, figures: dict, numbers: dict) -> list[dict]:
    """Document page -> the numbered tables and figures of the report that reproduce it."""
    index: dict[int, list[dict]] = {}
    for kind, items, field, pages_only in (
        ("table", tables, "doc_pages", True),
        ("figure", figures, "doc_ref", False),
    ):
        for entry in numbers.get(f"{kind}s", []):
            item = items.get(entry["key"])
            if not item:
                continue
            for page in document_pages(item.get(field, ""), pages_only):
                index.setdefault(page, []).append(
                    {"kind": kind, "n": entry["n"], "key": entry["key"], "title": entry["title"]}
                )
    return [{"page": page, "items": index[page]} for page in sorted(index)]


def collect_parts(parts: dict) -> tuple[dict, dict, dict, dict, list, dict]:
    """Tables, figures, registry values, per-part context and sections from every part's
    artifacts, and the title of the chapter that computed each registry value."""
    tables, figures, values, context, sections, chapter_of = {}, {}, {}, {}, [], {}
    for name, part in parts.items():
        for path in part["tables"]:
            for table in read_tables(path):
                tables[table["key"]] = table
        for path in part["figures"]:
            for meta in load_json(path):
                figures[meta["key"]] = figure_entry(meta["file"], meta)
        for path in part["values"]:
            part_values = load_json(path)
            values.update(part_values)
            chapter_of.update(dict.fromkeys(part_values, part["title"]))
        context[name] = {}
        for path in part["context"]:
            context[name].update(load_json(path))
        sections.append({"id": name, "title": part["title"], "template": f"{name}.html.j2"})
    return tables, figures, values, context, sections, chapter_of


def number_sections(sections: list[dict]) -> None:
    """Chapters are numbered 1, 2, ...; appendices (``appendix: True``) lettered A, B, ..."""
    chapters = appendices = 0
    for section in sections:
        if section.get("appendix"):
            section["heading"] = f"Appendix {chr(ord('A') + appendices)}. {section['title']}"
            appendices += 1
        else:
            chapters += 1
            section["heading"] = f"{chapters}. {section['title']}"


def report_context(
    spec: DatasetSpec,
    entry: dict,
    report_options: dict,
    parts: dict,
    registry,
) -> dict:
    """The template context of a dataset's report: every part's artifacts (``parts``: part ->
    its tables, figures, values and context files; the data part's context holds the prepared
    table's overview, data.overview), the audit of the registry's values when the dataset
    reproduces the document, the dataset's entry ``entry`` and the provenance."""
    tables, figures, values, part_context, sections, chapter_of = collect_parts(parts)
    audit_ctx = None
    if spec.reproduces_document:
        audit_ctx = audit_context(audit_rows(read_registry(registry), values), chapter_of)
        sections.append(
            {
                "id": "audit",
                "title": "Reproduction audit",
                "template": "audit.html.j2",
                "appendix": True,
            }
        )
    number_sections(sections)
    overview = part_context["data"]["overview"]
    return {
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
        "abstract": abstract(spec, overview, part_context),
        "guide": reading_guide(sections),
        "source_document": SOURCE_DOCUMENT,
        **overview,
    }
