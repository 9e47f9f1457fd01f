"""The library facade: the CLI and the web editor call only these functions, each module imported on first use."""

from __future__ import annotations

import importlib
import sys
import types

from loraprep.store.db import state_dir_at  # keep a dataset's state elsewhere (--state-dir)
from loraprep.model.printable import printable  # how names are shown to a person: the CLI prints through it

# facade name -> (module, attribute; None: the module itself)
_LAZY = {
    "classify": ("loraprep.ops.classify", "classify"),
    "dedup": ("loraprep.ops.dedup", "dedup"),
    "dedup_ops": ("loraprep.ops.dedup", None),
    "detect": ("loraprep.ops.detect", "detect"),
    "init": ("loraprep.ops.init", "init"),
    "scan": ("loraprep.ops.scan", "scan"),
    "status": ("loraprep.ops.status", "status"),
    "tag": ("loraprep.ops.tag", "tag"),
}

__all__ = sorted([*_LAZY, "printable", "state_dir_at"])


class _Entry:
    """One facade name, imported when first read: every command starts by importing ops (its own module is in
    it), and importing them all (dedup, scan, tag, ...) cost each command about 0.15 s of CPU before it began.

    A data descriptor, so it keeps its name when the import system binds a submodule of the same name to the
    package (importing loraprep.ops.scan sets ``ops.scan``): ``ops.scan`` stays the function, as it was when
    this file imported everything. Anything else assigned (a test's monkeypatch) is kept until deleted."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, module, owner=None):
        if module is None:
            return self
        assigned = module.__dict__.get("_assigned", {})
        if self.name in assigned:
            return assigned[self.name]
        where, attribute = _LAZY[self.name]
        found = importlib.import_module(where)
        return found if attribute is None else getattr(found, attribute)

    def __set__(self, module, value) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{self.name}":
            return                                  # the submodule's binding: the facade name stays
        module.__dict__.setdefault("_assigned", {})[self.name] = value

    def __delete__(self, module) -> None:
        module.__dict__.get("_assigned", {}).pop(self.name, None)


class _Facade(types.ModuleType):
    pass


for _name in _LAZY:
    _entry = _Entry()
    _entry.__set_name__(_Facade, _name)
    setattr(_Facade, _name, _entry)

sys.modules[__name__].__class__ = _Facade
