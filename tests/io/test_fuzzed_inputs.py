"""Random bytes, truncated files and random masks: every case ends in a result or a clear error."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, example, given, settings, strategies as st
from PIL import Image

from skingan_desktop.engine.mask_ops import grow_mask, mask_bounds
from skingan_desktop.engine.region import work_regions
from skingan_desktop.io.photos import PhotoError, load_mask, read_photo
from skingan_desktop.model import WeightsError, read_generator_state

# Random on developers' machines (to keep finding new cases), fixed in CI (so a landing never
# depends on luck); cases found once are pinned with @example.
_FAST = settings(max_examples=60, deadline=None, derandomize=bool(os.environ.get("CI")),
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid_files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    files = {}
    for fmt, suffix in (("JPEG", ".jpg"), ("PNG", ".png"), ("TIFF", ".tif"), ("WEBP", ".webp"), ("BMP", ".bmp")):
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format=fmt)
        files[suffix] = buffer.getvalue()
    return files


VALID = _valid_files()


def _write(data: bytes, suffix: str) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    handle.write(data)
    handle.close()
    return Path(handle.name)


def _photo_or_clear_error(data: bytes, suffix: str) -> None:
    path = _write(data, suffix)
    try:
        photo = read_photo(path)
        assert photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3
    except PhotoError as exc:
        assert path.name in str(exc) and "\n" not in str(exc)
    finally:
        path.unlink()


@_FAST
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(sorted(VALID)))
def test_random_bytes_as_a_photo(data: bytes, suffix: str) -> None:
    _photo_or_clear_error(data, suffix)


@_FAST
@given(suffix=st.sampled_from(sorted(VALID)), cut=st.floats(0.0, 0.99), flip=st.integers(0, 10_000))
def test_truncated_or_corrupted_photos(suffix: str, cut: float, flip: int) -> None:
    data = bytearray(VALID[suffix][: int(len(VALID[suffix]) * cut)] or b"x")
    data[flip % len(data)] ^= 0x5A
    _photo_or_clear_error(bytes(data), suffix)


def _weights_refused(data: bytes, suffix: str) -> None:
    path = _write(data, suffix)
    try:
        read_generator_state(path)
        raise AssertionError(f"{len(data)} bytes of damaged data were accepted as a generator")
    except WeightsError as exc:
        assert path.name in str(exc)
    finally:
        path.unlink()


@_FAST
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".ckpt", ".pth", ".pt", ".bin", ".safetensors"]))
@example(data=b"\x80\x02", suffix=".safetensors")  # a pickle header in a .safetensors name, found by hypothesis
def test_random_bytes_as_weights(data: bytes, suffix: str) -> None:
    _weights_refused(data, suffix)


@_FAST
@given(cut=st.floats(0.0, 0.999))
def test_truncated_weights(fixtures_dir, cut: float) -> None:
    data = (fixtures_dir / "parity_small.ckpt").read_bytes()
    _weights_refused(data[: int(len(data) * cut)], ".ckpt")


@_FAST
@given(height=st.integers(1, 64), width=st.integers(1, 64), seed=st.integers(0, 2**16),
       density=st.floats(0.0, 1.0), grow=st.integers(-6, 6))
def test_random_masks(height: int, width: int, seed: int, density: float, grow: int) -> None:
    values = (np.random.default_rng(seed).random((height, width)) < density).astype(np.uint8) * 255
    path = _write(b"", ".png")
    Image.fromarray(values).save(path)
    try:
        hole = load_mask(path, expected_size=(width, height))
    finally:
        path.unlink()
    assert np.array_equal(hole, values > 0)
    grown = grow_mask(values, grow)
    assert grown.shape == values.shape and set(np.unique(grown)) <= {0, 255}
    if grow >= 0:
        assert (grown[values > 0] == 255).all()
    regions = work_regions(hole, min_side=16)
    covered = np.zeros_like(hole)
    for region in regions:
        assert 0 <= region.left < region.right <= width and 0 <= region.top < region.bottom <= height
        covered[region.slices] = True
    assert covered[hole].all()
    assert (mask_bounds(values) is None) == (not hole.any())
