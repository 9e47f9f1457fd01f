"""The ops facade (ops/__init__.py): each function imported on first use, and always the function."""

from __future__ import annotations

import importlib
import subprocess
import sys

from loraprep import ops

FACADE = ("classify", "dedup", "detect", "init", "scan", "status", "tag")


def _loaded_after(code: str) -> list[str]:
    probe = code + "; import sys; print(sorted(m for m in sys.modules if m.startswith('loraprep.ops.')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return eval(out)  # noqa: S307 - our own child's printed list


def test_importing_the_facade_or_one_operation_loads_no_other_operation():
    assert _loaded_after("import loraprep.ops") == []
    loaded = _loaded_after("import loraprep.ops.frames, loraprep.cli.commands")
    assert not [m for m in loaded if m.split(".")[-1] in FACADE]


def test_a_facade_name_is_the_function_even_after_its_module_was_imported():
    code = ("import loraprep.ops as ops, loraprep.ops.status, loraprep.ops.tag; from loraprep.ops import status; "
            "print(callable(ops.status), status is ops.status, type(ops.tag).__name__, ops.dedup.__module__, "
            "ops.dedup_ops.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "function", "loraprep.ops.dedup", "loraprep.ops.dedup"]


def test_every_name_resolves_to_its_module_s_function():
    for name in FACADE:
        module = importlib.import_module(f"loraprep.ops.{name}")
        assert getattr(ops, name) is getattr(module, name)
    assert set(FACADE) <= set(ops.__all__)


def test_a_replaced_name_holds_until_restored(monkeypatch):
    real = ops.detect
    monkeypatch.setattr(ops, "detect", len)
    assert ops.detect is len
    from loraprep.ops import detect
    assert detect is len
    monkeypatch.undo()
    assert ops.detect is real
    ops.detect = abs
    del ops.detect
    assert ops.detect is real
