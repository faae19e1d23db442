"""A Quarto source (report.qmd) of the same report, for users who render with their own Quarto.

Quarto cannot be installed here, so the pipeline renders HTML and PDF itself; the .qmd carries the
same sections, numbered tables (as pipe tables) and figures (as files), with Quarto cross-reference
labels, and points to the HTML report for the full prose.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from multilevel.report.render import QMD_TEMPLATE, environment


def _first_positions(pattern: str, html: str) -> dict[str, int]:
    """Where each value of the pattern's group first occurs in ``html`` (one pass over the
    4 MB of HTML instead of one search per table and figure)."""
    first: dict[str, int] = {}
    for match in re.finditer(pattern, html):
        first.setdefault(match.group(1), match.start())
    return first


def _section_of(html: str, sections: list[dict]) -> list[tuple[int, str]]:
    where = _first_positions(r'<section id="([^"]*)"', html)
    return sorted((where[s["id"]], s["id"]) for s in sections if s["id"] in where)


def _owner(position: int, starts: list[tuple[int, str]]) -> str | None:
    owner = None
    for start, sid in starts:
        if start <= position:
            owner = sid
    return owner


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def pipe_table(table: dict) -> str:
    header = [table["index_name"] or " ", *table["columns"]]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join([":---", *["---:"] * len(table["columns"])]) + "|")
    for row in table["rows"]:
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def quarto_source(context: dict, html: str, numbers: dict, qmd_path: str | Path) -> str:
    qmd_dir = Path(qmd_path).resolve().parent
    starts = _section_of(html, context["sections"])
    items: dict[str, list[dict]] = {s["id"]: [] for s in context["sections"]}
    anchors = _first_positions(r'id="((?:table|figure)-[^"]*)"', html)
    for kind, prefix in (("tables", "table"), ("figures", "figure")):
        for entry in numbers[kind]:
            position = anchors.get(f"{prefix}-{entry['key']}")
            owner = _owner(position, starts) if position is not None else None
            if owner is None:
                continue
            if kind == "tables":
                table = context["tables"][entry["key"]]
                block = {
                    "kind": "table",
                    "n": entry["n"],
                    "item": table,
                    "body": pipe_table(table),
                    "label": f"tbl-{_label(entry['key'])}",
                }
            else:
                figure = context["figures"][entry["key"]]
                file = os.path.relpath(Path(figure["file"]).resolve(), qmd_dir)
                block = {
                    "kind": "figure",
                    "n": entry["n"],
                    "item": figure,
                    "file": file,
                    "label": f"fig-{_label(entry['key'])}",
                }
            block["position"] = position
            items[owner].append(block)
    for blocks in items.values():
        blocks.sort(key=lambda b: b["position"])
    front = {
        "title": context["title"],
        "subtitle": context["dataset"].description or None,
        "date": context["provenance"]["date"],
        "format": {"html": {"toc": True, "embed-resources": True}, "pdf": {"toc": True}},
    }
    template = environment(html=False).get_template(QMD_TEMPLATE)
    return template.render(
        front_matter=yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip(),
        sections=context["sections"],
        items=items,
        audit=context.get("audit"),
        provenance=context["provenance"],
    )


def _label(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", key).strip("-").lower()
