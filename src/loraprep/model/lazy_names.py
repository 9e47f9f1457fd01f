"""A package's public names imported from their modules on first use (PEP 562), so importing one module of the
package does not import them all."""

from __future__ import annotations

import importlib
import sys
from typing import Callable


def importer(package: str, where: dict[str, str]) -> Callable[[str], object]:
    """The module ``__getattr__`` of ``package``: ``where`` maps each public name to the module of the package
    that defines it. A name is imported when first read and kept in the package after."""
    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
