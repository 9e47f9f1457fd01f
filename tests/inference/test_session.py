"""Provider choice: accelerators when present, CPU always last, a clear error for a missing one."""

from __future__ import annotations

import pytest

from loraprep.errors import ModelError
from loraprep.inference.session import choose_providers, cpu_threads

GPU = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


def test_auto_prefers_cuda_but_not_tensorrt():
    assert choose_providers("auto", GPU) == ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_auto_on_cpu_only_machine():
    assert choose_providers("auto", ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_auto_uses_coreml_and_directml_when_present():
    assert choose_providers("auto", ["CoreMLExecutionProvider", "CPUExecutionProvider"])[0] == "CoreMLExecutionProvider"
    assert choose_providers("auto", ["DmlExecutionProvider", "CPUExecutionProvider"])[0] == "DmlExecutionProvider"


def test_explicit_devices():
    assert choose_providers("cpu", GPU) == ["CPUExecutionProvider"]
    assert choose_providers("tensorrt", GPU) == GPU
    assert choose_providers("CUDA", GPU) == ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_cuda_asked_for_but_missing_is_a_clear_error():
    with pytest.raises(ModelError) as err:
        choose_providers("cuda", ["CPUExecutionProvider"])
    assert "onnxruntime-gpu" in err.value.hint


def test_unknown_device():
    with pytest.raises(ModelError, match="unknown device"):
        choose_providers("tpu", GPU)


def test_threads_cover_the_machine():
    assert cpu_threads() >= 1
