"""Bad weights files are refused with one clear sentence naming the file, and run nothing."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import pytest
import torch

from skingan_desktop.model import WeightsError, load_generator
from skingan_desktop.model.weights import save_safetensors
from tests.conftest import PHOTOS


class _RunsACommand:
    """Unpickling this would create a file through os.system."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _refusal(path: Path) -> str:
    with pytest.raises(WeightsError) as info:
        load_generator(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_a_pickle_that_runs_a_command_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "best.ckpt"
    path.write_bytes(pickle.dumps({"state_dict": _RunsACommand(marker)}, protocol=2))

    assert "refused" in _refusal(path)
    assert not marker.exists()


def test_a_zip_checkpoint_that_runs_a_command_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "best.ckpt"
    torch.save({"hyper_parameters": _RunsACommand(marker)}, path)

    message = _refusal(path)

    assert "system" in message
    assert not marker.exists()


def test_a_checkpoint_with_code_beside_real_weights_loads_without_running_it(
    tmp_path: Path, parity_small: dict
) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "best.ckpt"
    state = {"generator." + k: v for k, v in parity_small["state_dict"].items()}
    torch.save({"state_dict": state, "hyper_parameters": _RunsACommand(marker)}, path)

    generator = load_generator(path)

    assert not marker.exists()
    with torch.inference_mode():
        assert (generator(parity_small["input"]) - parity_small["output"]).abs().max() <= 1e-5


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _refusal(tmp_path / "nothing.ckpt")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pth"
    path.touch()
    assert "empty" in _refusal(path)


@pytest.mark.parametrize("content, kind", [(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "but a PNG image"),
                                           (b"just some text\n" * 10, "but a text file"),
                                           (bytes(range(256)), "file (expected")])
def test_not_a_model_file(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "photo.pth"
    path.write_bytes(content)
    assert "not a model weights file" in _refusal(path) and kind in _refusal(path)


def test_a_photo_renamed_ckpt_is_called_a_photo(tmp_path: Path) -> None:
    renamed = tmp_path / "best.ckpt"
    renamed.write_bytes((PHOTOS / "23_1.jpg").read_bytes())
    assert "is not a model weights file but a JPEG image" in _refusal(renamed)


def test_truncated_checkpoint(tmp_path: Path, fixtures_dir: Path) -> None:
    data = (fixtures_dir / "parity_small.ckpt").read_bytes()
    path = tmp_path / "best.ckpt"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in _refusal(path)


def test_damaged_checkpoint_member(tmp_path: Path, fixtures_dir: Path) -> None:
    data = bytearray((fixtures_dir / "parity_small.ckpt").read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip one byte inside a tensor
    path = tmp_path / "best.ckpt"
    path.write_bytes(bytes(data))
    assert "damaged" in _refusal(path)


def test_truncated_safetensors(tmp_path: Path, parity_small: dict) -> None:
    full = tmp_path / "full.safetensors"
    save_safetensors(parity_small["state_dict"], full)
    path = tmp_path / "cut.safetensors"
    path.write_bytes(full.read_bytes()[:-1000])
    assert "safetensors" in _refusal(path)


def test_zip_that_is_not_a_pytorch_archive(tmp_path: Path) -> None:
    path = tmp_path / "weights.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not a PyTorch archive" in _refusal(path)


def test_state_dict_of_another_model_names_what_it_found(tmp_path: Path) -> None:
    path = tmp_path / "resnet.pth"
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7), "fc.bias": torch.zeros(10)}, path)
    message = _refusal(path)
    assert "no LaMa FFC generator" in message and "conv1.weight" in message


def test_missing_and_unexpected_keys_are_named(tmp_path: Path, parity_small: dict) -> None:
    state = dict(parity_small["state_dict"])
    del state["model.18.bias"]
    state["model.5.conv1.ffc.convg2g.lfu.conv_layer.weight"] = torch.zeros(8, 8, 1, 1)
    path = tmp_path / "odd.pth"
    torch.save(state, path)

    message = _refusal(path)

    assert "missing 'model.18.bias'" in message
    assert "unexpected 'model.5.conv1.ffc.convg2g.lfu.conv_layer.weight'" in message


def test_shape_mismatch_is_named(tmp_path: Path, parity_small: dict) -> None:
    state = dict(parity_small["state_dict"])
    state["model.18.weight"] = torch.zeros(3, 16, 5, 5)
    path = tmp_path / "odd.safetensors"
    save_safetensors(state, path)

    message = _refusal(path)

    assert "model.18.weight" in message and "(3, 16, 5, 5)" in message and "(3, 16, 7, 7)" in message


def test_wrong_channel_count_is_explained(tmp_path: Path, parity_small: dict) -> None:
    state = dict(parity_small["state_dict"])
    state["model.1.ffc.convl2l.weight"] = torch.zeros(16, 3, 7, 7)
    path = tmp_path / "rgb-only.pth"
    torch.save(state, path)
    assert "4 in (RGB + mask)" in _refusal(path)


@pytest.mark.parametrize("prefix", ["", "generator.", "module."])
def test_bare_state_dicts_with_or_without_a_prefix(tmp_path: Path, parity_small: dict, prefix: str) -> None:
    path = tmp_path / "weights.bin"
    torch.save({prefix + k: v.half() if v.is_floating_point() else v for k, v in parity_small["state_dict"].items()}, path)

    generator = load_generator(path)

    assert next(generator.parameters()).dtype == torch.float32
    with torch.inference_mode():
        assert (generator(parity_small["input"]) - parity_small["output"]).abs().max() < 2e-2


def test_legacy_pickle_state_dict_loads(tmp_path: Path, parity_small: dict) -> None:
    path = tmp_path / "old.pth"
    torch.save(parity_small["state_dict"], path, _use_new_zipfile_serialization=False)

    generator = load_generator(path)

    with torch.inference_mode():
        assert (generator(parity_small["input"]) - parity_small["output"]).abs().max() <= 1e-5


def test_cuda_without_a_gpu_is_a_clear_error(small_weights: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        load_generator(small_weights, device="cuda")


def _rezipped(source: Path, path: Path, replace: dict[str, bytes] | None = None,
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """``source``'s PyTorch archive written again with ``compression`` and some members replaced."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", compression) as copy:
        for member in original.infolist():
            copy.writestr(member.filename, (replace or {}).get(member.filename, original.read(member)))
    return path


def test_a_recompressed_checkpoint_still_loads(tmp_path: Path, parity_small: dict) -> None:
    plain = tmp_path / "plain.ckpt"
    torch.save(parity_small["state_dict"], plain)

    rezipped = _rezipped(plain, tmp_path / "deflated.ckpt")

    assert load_generator(rezipped) is not None


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path: Path) -> None:
    """A small .ckpt whose tensor member inflates to 256 MiB of zeros: refused from the sizes
    the archive declares, so neither the time nor the memory to inflate it is spent."""
    plain = tmp_path / "plain.ckpt"
    torch.save({"model.1.weight": torch.zeros(4)}, plain)
    with zipfile.ZipFile(plain) as archive:
        member = next(n for n in archive.namelist() if "/data/" in n)
    bomb = _rezipped(plain, tmp_path / "bomb.ckpt", {member: bytes(256 << 20)})
    assert bomb.stat().st_size < 1 << 20

    assert "decompression bomb" in _refusal(bomb)


def test_tensor_data_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.ckpt"
    torch.save({"model.1.weight": torch.zeros(4)}, plain)
    with zipfile.ZipFile(plain) as archive:
        member = next(n for n in archive.namelist() if "/data/" in n)
    padded = _rezipped(plain, tmp_path / "padded.ckpt", {member: bytes(4 * 4 + 400)}, zipfile.ZIP_STORED)

    assert "not the 16 bytes its tensor needs" in _refusal(padded)
