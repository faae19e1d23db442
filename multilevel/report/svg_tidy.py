"""Lighter SVG from matplotlib's output, drawn the same.

matplotlib wraps every artist in a group named after it (``<g id="line2d_3">``), writes every
element's paint as a CSS ``style`` attribute, and adds RDF metadata. A browser does not mind;
WeasyPrint, which draws the PDF's figures in Python, parses each ``style`` attribute with a CSS
tokenizer and cascades through every group, and spends about a fifth of its figure time there.
This module rewrites a file so that:

- ``style="fill: none; stroke: #222"`` becomes presentation attributes (``fill="none"``),
- the ``*{stroke-linejoin: round; stroke-linecap: butt}`` stylesheet becomes the same two
  attributes on every shape that does not set its own (what the rule meant: it applied to each
  element directly, and an element's own style won),
- groups with nothing but a generated id (``line2d_3``, ``xtick_1``) are dissolved into their
  parent; groups with a given id (``set_gid``), a transform or a clip path stay,
- the RDF metadata goes.

The result is deterministic: the same input always gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

GROUP = f"{{{SVG_NS}}}g"
STYLE = f"{{{SVG_NS}}}style"
METADATA = f"{{{SVG_NS}}}metadata"
DEFS = f"{{{SVG_NS}}}defs"
SHAPES = frozenset(
    f"{{{SVG_NS}}}{name}"
    for name in ("path", "use", "rect", "circle", "ellipse", "line", "polyline", "polygon")
)

# CSS properties that SVG also accepts as presentation attributes (SVG 1.1, section 6.4), the
# ones matplotlib writes.
PRESENTATION = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)
GENERATED_ID = re.compile(r"^[A-Za-z][A-Za-z0-9.]*_\d+$")
REFERENCE = re.compile(r"#([^\s)\"']+)")
ROOT_RULE = re.compile(r"^\s*\*\s*\{([^}]*)\}\s*$")


def declarations(style: str) -> list[tuple[str, str]]:
    pairs = []
    for declaration in style.split(";"):
        if ":" in declaration:
            name, value = declaration.split(":", 1)
            pairs.append((name.strip(), value.strip()))
    return pairs


def _style_to_attributes(element: ET.Element) -> None:
    style = element.get("style")
    if style is None:
        return
    rest = []
    for name, value in declarations(style):
        if name in PRESENTATION and name not in element.attrib:
            element.set(name, value)
        else:
            rest.append(f"{name}: {value}")
    del element.attrib["style"]
    if rest:
        element.set("style", "; ".join(rest))


def _referenced_ids(root: ET.Element) -> set[str]:
    ids = set()
    for element in root.iter():
        for value in element.attrib.values():
            if "#" in value:
                ids.update(REFERENCE.findall(value))
    return ids


def _dissolvable(element: ET.Element, referenced: set[str]) -> bool:
    if element.tag != GROUP or set(element.attrib) - {"id"}:
        return False
    group_id = element.get("id")
    return group_id is None or (GENERATED_ID.match(group_id) and group_id not in referenced)


def _dissolve_groups(element: ET.Element, referenced: set[str]) -> None:
    for child in element:
        _dissolve_groups(child, referenced)
    children = []
    for child in element:
        if _dissolvable(child, referenced):
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


def _take_universal_rule(root: ET.Element) -> list[tuple[str, str]]:
    """Remove a lone ``* { ... }`` stylesheet and return its declarations."""
    taken = []
    for defs in root.findall(DEFS):
        for sheet in defs.findall(STYLE):
            match = ROOT_RULE.match(sheet.text or "")
            pairs = declarations(match.group(1)) if match else []
            if not pairs or any(name not in PRESENTATION for name, _ in pairs):
                continue
            taken.extend(pairs)
            defs.remove(sheet)
        if len(defs) == 0:
            root.remove(defs)
    return taken


def tidy_svg(text: str) -> str:
    root = ET.fromstring(text)
    for metadata in root.findall(METADATA):
        root.remove(metadata)
    universal = _take_universal_rule(root)
    for element in root.iter():
        _style_to_attributes(element)
        if element.tag in SHAPES:
            for name, value in universal:
                element.attrib.setdefault(name, value)
    _dissolve_groups(root, _referenced_ids(root))
    # ElementTree's prefixes are global and other libraries register their own (a default
    # prefix for another namespace removes ours): set them at the moment of writing.
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
