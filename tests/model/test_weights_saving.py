"""Our own weight files are written atomically, with ordinary permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from skingan_desktop.io import files
from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig, load_generator
from skingan_desktop.model.weights import read_generator_state, save_safetensors


def _state(seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return FFCResNetGenerator(GeneratorConfig(ngf=8, n_blocks=1)).state_dict()


def test_saved_weights_reload_and_get_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.safetensors"
    state = _state(0)

    save_safetensors(state, path, metadata={"model_card": {"steps": 3}})

    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    reloaded = read_generator_state(path)
    assert all(torch.equal(reloaded[k], v) for k, v in state.items())
    load_generator(path)  # and the engine takes it


def test_a_save_that_fails_leaves_the_previous_weights_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "mine.safetensors"
    save_safetensors(_state(0), path)
    before = path.read_bytes()

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    with pytest.raises(OSError):
        save_safetensors(_state(1), path)

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.safetensors"]
