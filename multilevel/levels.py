"""How the levels of the level-2 group are named and ordered for a reader.

Models code the group against its reference level (first, as R does); figures, legends,
tables and sentences list the levels in the configured ``group_order`` (or in natural order:
numbers by value, words alphabetically), and write a numeric level with its variable's name
("Diet 1"), since a bare "1" says nothing.
"""

from __future__ import annotations

from collections.abc import Iterable


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def level_name(group: str | None, level) -> str:
    """``level`` as a reader reads it: ``"Diet 1"`` for a numeric level, the level alone
    otherwise (``"Catholic"``)."""
    text = str(level)
    return f"{group} {text}" if group and _number(text) is not None else text


def natural_order(levels: Iterable) -> list[str]:
    """The levels as text, numbers by value first, then words alphabetically."""
    texts = [str(v) for v in dict.fromkeys(levels)]
    return sorted(texts, key=lambda t: (_number(t) is None, _number(t) or 0.0, t))


def display_order(levels: Iterable, group_order: list | None = None) -> list[str]:
    """The levels in the order a reader sees them: ``group_order`` when configured (levels it
    does not list follow in natural order), else :func:`natural_order`."""
    present = [str(v) for v in dict.fromkeys(levels)]
    first = [str(v) for v in (group_order or []) if str(v) in present]
    return first + [v for v in natural_order(present) if v not in first]


def contrast_label(group: str | None, level, reference) -> str:
    """The difference of a level and the reference, as figures and tables write it."""
    return f"{level_name(group, level)} − {level_name(group, reference)}"
