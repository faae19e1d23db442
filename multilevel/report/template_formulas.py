"""The formulas the report's templates write as literals (``math("...")`` calls), found by
parsing the templates, so that a job can draw them into the formula cache early, beside other
work, instead of the report step drawing them at the end of a build. A formula built at render
time (not a literal) is simply drawn then: the cache is only a cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes


def _math_calls(templates: str | Path) -> Iterator[tuple[Path, nodes.Call]]:
    env = jinja2.Environment()
    for path in sorted(Path(templates).rglob("*.j2")):
        for call in env.parse(path.read_text()).find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "math":
                yield path, call


def _literal(call: nodes.Call) -> str | None:
    first = call.args[0] if call.args else None
    if isinstance(first, nodes.Const) and isinstance(first.value, str):
        return first.value
    return None


def template_formulas(templates: str | Path) -> list[str]:
    """The distinct literal first arguments of ``math(...)`` in every ``*.j2`` template under
    ``templates``, in the order met (files sorted)."""
    found = {_literal(call): None for _, call in _math_calls(templates)}
    return [tex for tex in found if tex is not None]


def computed_formulas(templates: str | Path) -> list[str]:
    """Where a template builds a formula at render time (``math(...)`` of anything but a
    string literal), as ``file:line``: the report step draws those itself."""
    return [
        f"{path.name}:{call.lineno}"
        for path, call in _math_calls(templates)
        if _literal(call) is None
    ]
