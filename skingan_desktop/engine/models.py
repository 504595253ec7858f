"""The fill's model as the app holds it (:class:`FillModel`: a weights file loaded on a device
and warmed up), the device choices, and what running out of memory looks like. The Qt side
asks for these here and never reaches into ``model/``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..model import load_generator
from ..model.devices import resolve_device
from .runner import warm_up


@dataclass
class FillModel:
    """The generator the app fills with, the weights file it came from, and one small fill's
    seconds at load (the unit of a run's estimate, ``engine/estimate.py``)."""

    generator: nn.Module
    path: Path
    pass_seconds: float

    @property
    def device(self) -> str:
        """Where the generator is now (``"cpu"`` or ``"cuda"``): a run that ran out of GPU
        memory moves it to the CPU."""
        return next(self.generator.parameters()).device.type


def load_warmed(path: Path, device: str) -> FillModel:
    """The generator of ``path`` on ``device``, after one small fill (:func:`warm_up`), so that
    the user's first run is as fast as the next."""
    generator = load_generator(path, device=device)
    started = time.perf_counter()
    warm_up(generator)
    return FillModel(generator, Path(path), time.perf_counter() - started)


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is a device or the machine running out of memory (Python's, PyTorch's
    on a GPU, or the CPU allocator refusing a tensor), so that the user is told what to do."""
    if isinstance(exc, (MemoryError, torch.OutOfMemoryError)):
        return True
    return isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)


def check_device(choice: str) -> None:
    """Raise ``ValueError`` with a sentence for the user when ``choice`` cannot be used here."""
    resolve_device(choice)


def device_label(choice: str) -> str:
    """``"CPU"`` or ``"CUDA"``: where ``choice`` ("auto", "cpu", "cuda") runs here; "?" if nowhere."""
    try:
        return resolve_device(choice).type.upper()
    except ValueError:
        return "?"
