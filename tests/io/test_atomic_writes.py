"""Exports are written whole or not at all: long names, files that appear during a run, killed
writes, and a terminated command never leave a half-written or wrongly replaced file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skingan_desktop.io.files import write_atomically
from skingan_desktop.io.photos import PhotoError, read_photo, write_photo
from skingan_desktop.model import load_generator
from skingan_desktop.model.weights import read_generator_state, save_safetensors
from tests.conftest import assert_one_line_error, run_cli, REPO, lit_skin


@pytest.fixture()
def photo_path(tmp_path: Path) -> Path:
    path = tmp_path / "arm.png"
    Image.fromarray(lit_skin(64, 80)).save(path)
    return path


@pytest.fixture()
def mask_path(tmp_path: Path) -> Path:
    mask = np.zeros((64, 80), np.uint8)
    mask[20:40, 30:50] = 255
    path = tmp_path / "mask.png"
    Image.fromarray(mask).save(path)
    return path


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_longest_name_the_file_system_allows_is_written(tmp_path: Path, photo_path: Path) -> None:
    photo = read_photo(photo_path)
    out = tmp_path / ("a" * 251 + ".png")  # 255 bytes: the limit of ext4, NTFS and APFS

    write_photo(out, photo, photo.rgb8)

    assert np.array_equal(np.asarray(Image.open(out)), photo.rgb8)
    assert _hidden(tmp_path) == []


def test_a_file_that_appears_during_the_run_is_not_replaced(tmp_path: Path, photo_path: Path) -> None:
    photo = read_photo(photo_path)
    out = tmp_path / "clean.png"
    out.write_bytes(b"made by someone else meanwhile")

    with pytest.raises(PhotoError, match="appeared while the fill ran"):
        write_photo(out, photo, photo.rgb8, replace=False)

    assert out.read_bytes() == b"made by someone else meanwhile"
    assert _hidden(tmp_path) == []
    write_photo(tmp_path / "new.png", photo, photo.rgb8, replace=False)  # a free name is written
    assert (tmp_path / "new.png").exists()


def test_a_killed_writes_temporary_file_is_cleaned_by_the_next_write(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".skingan-0123456789ab.part", tmp_path / ".skingan-ba9876543210.part"
    users = tmp_path / ".hidden-notes.part"  # not ours: never touched
    for path in (stale, fresh, users):
        path.write_bytes(b"half a file")
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(users, (an_hour_ago, an_hour_ago))

    write_atomically(tmp_path / "out.bin", b"whole")

    assert _hidden(tmp_path) == sorted([fresh.name, users.name])  # a write running now keeps its file
    assert (tmp_path / "out.bin").read_bytes() == b"whole"


def test_a_terminated_command_leaves_no_partial_file(tmp_path: Path, photo_path: Path, mask_path: Path,
                                                     small_weights: Path) -> None:
    """SIGTERM arrives while the export is being flushed to disk: the command ends with 143 and
    neither the output nor a temporary file is left."""
    out = tmp_path / "out.png"
    script = (
        "import os, signal, sys\n"
        "import skingan_desktop.io.files as files\n"
        "real_fsync = files.os.fsync\n"
        "def fsync_then_terminated(fd):\n"
        "    real_fsync(fd)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "files.os.fsync = fsync_then_terminated\n"
        "from skingan_desktop.cli import main\n"
        f"sys.exit(main(['inpaint', {str(photo_path)!r}, {str(mask_path)!r}, '-o', {str(out)!r},"
        f" '--weights', {str(small_weights)!r}, '--device', 'cpu']))\n"
    )

    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)

    assert result.returncode == 143, result.stderr
    assert not out.exists()
    assert _hidden(tmp_path) == []


def test_bad_quality_and_one_file_for_both_results_are_refused(tmp_path: Path, photo_path: Path, mask_path: Path,
                                                               small_weights: Path) -> None:
    for quality in ("-5", "0", "101", "high"):
        result = run_cli("inpaint", photo_path, mask_path, "-o", tmp_path / "o.jpg", "--quality", quality,
                         "--weights", small_weights)
        assert result.returncode == 2 and "1 to 100" in result.stderr
    same = tmp_path / "o.png"
    assert_one_line_error(run_cli("inpaint", photo_path, mask_path, "--both", same, same, "--weights", small_weights),
                          "two different files")
    assert not same.exists()


def test_weights_holding_nan_are_refused(tmp_path: Path, photo_path: Path, mask_path: Path,
                                         small_weights: Path) -> None:
    state = read_generator_state(small_weights)
    key = next(k for k, v in state.items() if v.is_floating_point() and v.numel() > 1)
    state[key] = state[key].clone()
    state[key].view(-1)[0] = float("nan")
    diverged = tmp_path / "diverged.safetensors"
    save_safetensors(state, diverged)

    with pytest.raises(ValueError, match="NaN"):
        load_generator(diverged)
    assert_one_line_error(run_cli("inpaint", photo_path, mask_path, "-o", tmp_path / "o.png", "--weights", diverged),
                          "diverged.safetensors", "NaN")
    assert not (tmp_path / "o.png").exists()
