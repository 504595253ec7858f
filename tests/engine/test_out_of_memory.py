"""Running out of memory is told apart from other failures by its type, wherever it comes from."""

from __future__ import annotations

import pytest
import torch

from skingan_desktop.engine.models import is_out_of_memory


def test_a_tensor_the_machine_cannot_hold_is_out_of_memory() -> None:
    with pytest.raises(RuntimeError) as refused:
        torch.empty(10**14, dtype=torch.uint8)  # 100 TB: the CPU allocator refuses it
    assert is_out_of_memory(refused.value)


def test_gpu_and_python_memory_errors_count_and_other_failures_do_not() -> None:
    assert is_out_of_memory(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("The size of tensor a (3) must match the size of tensor b (4)"))
    assert not is_out_of_memory(ValueError("not a weights file"))
