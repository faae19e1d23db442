"""Names a package re-exports from its submodules, imported on first use.

A workflow job imports one submodule of a package (``multilevel.classical.clusters``); Python
runs the package's ``__init__`` first, and an ``__init__`` that imported every submodule made
each job pay for the ones it never uses (scipy.sparse, scipy.optimize, matplotlib). With
``export_lazily(__name__, {name: submodule, ...})`` in the ``__init__``,
``from package import name`` still works and imports only the submodule that defines it.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class _LazyPackage(ModuleType):
    _exports: dict[str, str]

    def __getattr__(self, name: str):
        exports = self.__dict__.get("_exports", {})
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{self.__name__}.{exports[name]}"), name)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted({*self.__dict__, *self.__dict__.get("_exports", {})})

    def __setattr__(self, name: str, value) -> None:
        # Importing a submodule binds it to the package's attribute of its name; where that
        # name is also an exported function (classical.two_stage), the function keeps it, as
        # when the __init__ imported it.
        exports = self.__dict__.get("_exports", {})
        if isinstance(value, ModuleType) and name in exports:
            value = getattr(importlib.import_module(f"{self.__name__}.{exports[name]}"), name)
        super().__setattr__(name, value)


def export_lazily(package: str, exports: dict[str, str]) -> None:
    """Make ``package`` (its ``__name__``) give each name of ``exports`` from the submodule
    (relative to the package) that is its value, importing that submodule on first use."""
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module._exports = dict(exports)
