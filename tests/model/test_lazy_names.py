"""model.lazy_names: a package's names imported when first read, unknown names an AttributeError."""

from __future__ import annotations

import sys
import types

import pytest

from loraprep.model.lazy_names import importer


def test_a_name_is_imported_when_first_read_and_kept(monkeypatch):
    package = types.ModuleType("loraprep_lazy_probe")
    monkeypatch.setitem(sys.modules, "loraprep_lazy_probe", package)
    monkeypatch.setitem(sys.modules, "loraprep_lazy_probe.parts", types.SimpleNamespace(Thing=42, other=1))
    package.__getattr__ = importer("loraprep_lazy_probe", {"Thing": "parts"})
    assert "Thing" not in vars(package)
    assert package.__getattr__("Thing") == 42 and vars(package)["Thing"] == 42
    with pytest.raises(AttributeError, match="other"):
        package.__getattr__("other")


@pytest.mark.parametrize("package", ["loraprep.dedup", "loraprep.export"])
def test_packages_built_on_it_refuse_unknown_names(package):
    import importlib

    with pytest.raises(AttributeError, match="no_such_name"):
        getattr(importlib.import_module(package), "no_such_name")
