"""The dedup package's names: each imported from its module on first use, so one module does not bring them all."""

from __future__ import annotations

import subprocess
import sys

import loraprep.dedup as dedup


def test_the_encoder_and_the_verification_load_no_search_or_grouping():
    code = ("import sys, loraprep.dedup.encode, loraprep.dedup.verify, loraprep.dedup.policy; "
            "print(sorted(m.split('.')[-1] for m in sys.modules if m.startswith('loraprep.dedup.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "encode" in loaded and not {"find", "search", "group", "screen"} & set(eval(loaded))  # noqa: S307


def test_every_public_name_is_its_modules_object():
    import importlib

    for name in dedup.__all__:
        assert getattr(dedup, name) is getattr(importlib.import_module(f"loraprep.dedup.{dedup._FROM[name]}"), name)
    from loraprep.dedup import batch, find_duplicate_groups
    assert batch.__name__ == "loraprep.dedup.batch" and callable(find_duplicate_groups)
