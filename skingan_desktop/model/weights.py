"""Every weights file people have -> a generator state dict -> a ready generator.

Formats: the official Lightning ``best.ckpt``, bare state dicts (``.pth``, ``.pt``, ``.bin``,
with or without the ``generator.`` prefix), ``.safetensors``, and TorchScript exports
(``big-lama.pt``). Nothing in a file is executed: zip archives go through
:mod:`.safe_unpickle`, legacy pickles through ``torch.load(weights_only=True)``. The
architecture is read off the tensors, so no config file is needed.
"""

from __future__ import annotations

import json
import pickle
import re
import struct
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import torch
from safetensors import SafetensorError
from torch import Tensor

from ..io.files import write_atomically
from .devices import resolve_device
from .generator import FFCResNetGenerator, GeneratorConfig
from .inference import prepare_for_inference
from .safe_unpickle import UnsafeArchiveError, check_declared_sizes, is_torchscript, load_archive, named_tensors

StateDict = dict[str, Tensor]

_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_PROTOCOLS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_LEGACY_TORCH_MAGIC = b"\x80\x02\x8a\x0a"
_WRAPPER_PREFIXES = ("generator.", "module.", "model_ema.", "ema.")
_BLOCK_KEY = re.compile(r"^model\.(\d+)\.conv1\.ffc\.")
_LAYER_KEY = re.compile(r"^model\.(\d+)\.")


class WeightsError(ValueError):
    """A weights file that cannot become a generator; the message is one sentence for the user."""


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> FFCResNetGenerator:
    """Load a LaMa-style FFC generator from any supported weights file.

    Returns the inference-ready generator (eval mode, no weight gradients, BatchNorms folded,
    channels-last; see :mod:`.inference`) on ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:1"`` or
    ``"auto"``) that maps ``(B, 4, H, W)`` float in ``[0, 1]`` (masked RGB + mask, H and W
    multiples of 8) to ``(B, 3, H, W)`` in ``[0, 1]``. Raises :class:`WeightsError`.
    """
    path = Path(path)
    state = read_generator_state(path)
    generator = build_generator(state, source=path)
    generator.structure_weight = structure_weight(read_metadata(path))
    return prepare_for_inference(generator.to(resolve_device(device)))


# Metadata of a SkinGAN file: the share of a fill's tone taken from the generator (the rest from
# the harmonic membrane), chosen when the model is released (training/release.py).
STRUCTURE_WEIGHT_KEY = "skingan.structure_weight"


def card_metadata(card: Mapping[str, Any]) -> dict[str, Any]:
    """The file metadata of a SkinGAN generator with this model card (and its structure weight,
    when the card sets one)."""
    metadata: dict[str, Any] = {"model_card": card}
    if card.get("structure_weight") is not None:
        metadata[STRUCTURE_WEIGHT_KEY] = str(float(card["structure_weight"]))
    return metadata


def structure_weight(metadata: Mapping[str, str]) -> float:
    """The structure weight a file's metadata declares, in ``[0, 1]``; 1 when it declares none
    or something unreadable."""
    try:
        value = float(metadata.get(STRUCTURE_WEIGHT_KEY, 1.0))
    except ValueError:
        return 1.0
    return min(max(value, 0.0), 1.0) if value == value else 1.0


def read_metadata(path: str | Path) -> dict[str, str]:
    """The string metadata of a ``.safetensors`` file (our model card lives there); ``{}`` for
    other formats."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            if not _looks_like_safetensors(f.read(16)):
                return {}
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except Exception:  # metadata is optional; the tensors were already validated
        return {}


def build_generator(state: Mapping[str, Tensor], source: str | Path = "the weights") -> FFCResNetGenerator:
    """A generator whose architecture is read off ``state`` and which holds those weights."""
    config = config_from_state_dict(state, source)
    generator = FFCResNetGenerator(config)
    expected = generator.state_dict()
    _check_keys(expected.keys(), state.keys(), source)
    for key, tensor in expected.items():
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise WeightsError(
                f"{source}: tensor '{key}' has shape {tuple(state[key].shape)} but the generator "
                f"needs {tuple(tensor.shape)}; the file holds a different model."
            )
        if state[key].is_floating_point() and not bool(torch.isfinite(state[key]).all()):
            raise WeightsError(
                f"{source}: tensor '{key}' holds NaN or infinite values (a training run that diverged, "
                "or a damaged file), so it was refused: it would fill every hole with black."
            )
    generator.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})
    return generator


def read_generator_state(path: str | Path) -> StateDict:
    """The generator's tensors from a weights file, keys as the official code names them."""
    path = Path(path)
    tensors = _read_tensors(path)
    return _generator_subset(tensors, path)


def config_from_state_dict(state: Mapping[str, Tensor], source: str | Path = "the weights") -> GeneratorConfig:
    """Read the architecture off the tensors: ngf, downsamplings, blocks, global ratio."""
    try:
        first = state["model.1.ffc.convl2l.weight"]
    except KeyError:
        raise WeightsError(
            f"{source} is not a LaMa FFC generator: it has no 'model.1.ffc.convl2l.weight' "
            f"(first layer); keys look like {_sample(state.keys())}."
        ) from None
    block_indices = sorted({int(m.group(1)) for k in state if (m := _BLOCK_KEY.match(k))})
    if not block_indices:
        raise WeightsError(f"{source} is not a LaMa FFC generator: it has no FFC residual blocks.")
    first_block = block_indices[0]
    n_downsampling = first_block - 2
    block = f"model.{first_block}.conv1"
    local = state.get(f"{block}.ffc.convl2l.weight")
    to_global = state.get(f"{block}.ffc.convl2g.weight")
    if local is None or to_global is None or n_downsampling < 1:
        raise WeightsError(f"{source} is not a LaMa FFC generator: its residual blocks lack local/global convolutions.")
    channels = local.shape[0] + to_global.shape[0]
    ngf = first.shape[0]
    last_conv = max(int(m.group(1)) for k in state if (m := _LAYER_KEY.match(k)))
    output = state.get(f"model.{last_conv}.weight")
    config = GeneratorConfig(
        input_channels=first.shape[1],
        output_channels=output.shape[0] if output is not None else 3,
        ngf=ngf,
        n_downsampling=n_downsampling,
        n_blocks=len(block_indices),
        max_features=max(1024, channels) if channels == ngf * 2 ** n_downsampling else channels,
        global_ratio=to_global.shape[0] / channels,
    )
    if config.input_channels != 4 or config.output_channels != 3:
        raise WeightsError(
            f"{source} is a generator for {config.input_channels} input and "
            f"{config.output_channels} output channels; inpainting needs 4 in (RGB + mask) and 3 out."
        )
    return config


def save_safetensors(state: Mapping[str, Tensor], path: str | Path, metadata: Mapping[str, Any] | None = None) -> None:
    """Write a generator state dict in our own format (what ``load_generator`` reads back),
    atomically: an interrupted save leaves the previous file as it was."""
    from safetensors.torch import save

    meta = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (metadata or {}).items()}
    data = save({k: v.detach().contiguous().cpu() for k, v in state.items()}, metadata=meta)
    write_atomically(path, data)


def _read_tensors(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise WeightsError(f"Weights file {path} does not exist.")
    if not path.is_file():
        raise WeightsError(f"{path} is a folder, not a weights file.")
    with path.open("rb") as f:
        head = f.read(16)
    if not head:
        raise WeightsError(f"Weights file {path} is empty.")
    try:
        if head.startswith(_ZIP_MAGIC):
            return _read_zip_archive(path)
        if _looks_like_safetensors(head):
            return _read_safetensors(path)
        if head.startswith(_PICKLE_PROTOCOLS):
            return _read_legacy_pickle(path)
    except WeightsError:
        raise
    except (zipfile.BadZipFile, EOFError, UnsafeArchiveError, pickle.UnpicklingError, SafetensorError,
            RuntimeError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError, MemoryError, struct.error, OSError) as exc:
        # (torch.load hands files named .safetensors to safetensors, whose errors are their own)
        raise WeightsError(f"Weights file {path} could not be read ({_reason(exc)}).") from exc
    kind = _file_kind(head)
    raise WeightsError(
        f"{path} is not a model weights file" + (f" but {kind}" if kind else "")
        + " (expected a .ckpt, .pth, .pt, .bin or .safetensors file of a LaMa generator)."
    )


# What a file that is not weights often is, by its first bytes (a photo renamed .ckpt, say).
_KINDS = ((b"\xff\xd8\xff", "a JPEG image"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
          (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"%PDF", "a PDF document"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"))


def _file_kind(head: bytes) -> Optional[str]:
    for magic, kind in _KINDS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head.lstrip()[:1] in (b"<", b"{", b"#") or all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "a text file"
    return None


def _read_zip_archive(path: Path) -> dict[str, Any]:
    if not zipfile.is_zipfile(path):
        raise WeightsError(f"Weights file {path} is truncated or damaged (its zip directory is missing); download it again.")
    with zipfile.ZipFile(path) as archive:
        check_declared_sizes(archive, path.stat().st_size)
        try:
            bad = archive.testzip()
        except (zipfile.BadZipFile, EOFError, OSError):
            bad = "?"
        if bad is not None:
            raise WeightsError(f"Weights file {path} is truncated or damaged (a member fails its checksum); download it again.")
        obj, foreign = load_archive(archive)
        if is_torchscript(archive):
            return dict(named_tensors(obj))
    obj = _unwrap_checkpoint(obj)
    if not isinstance(obj, dict) or not any(isinstance(v, Tensor) for v in obj.values()):
        hint = f"; it names code objects such as {sorted(foreign)[0]}" if foreign else ""
        raise WeightsError(f"Weights file {path} holds no state dict of tensors{hint}, so it was refused.")
    return obj


def _unwrap_checkpoint(obj: Any) -> Any:
    """The ``state_dict`` inside a Lightning-style checkpoint, or ``obj`` itself."""
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        return obj["state_dict"]
    return obj


def _looks_like_safetensors(head: bytes) -> bool:
    if len(head) < 9:
        return False
    header_len = struct.unpack("<Q", head[:8])[0]
    return 0 < header_len < 100_000_000 and head[8:9] == b"{"


def _read_safetensors(path: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except SafetensorError as exc:
        raise WeightsError(f"Weights file {path} is a damaged or truncated safetensors file ({exc}).") from exc


def _read_legacy_pickle(path: Path) -> dict[str, Any]:
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"Weights file {path} was refused: it is a pickle that would run code or build "
            f"objects other than tensors."
        ) from exc
    obj = _unwrap_checkpoint(obj)
    if not isinstance(obj, dict):
        raise WeightsError(f"Weights file {path} holds no state dict of tensors.")
    return obj


def read_network_state(path: str | Path, anchor: str, what: str) -> StateDict:
    """The tensors of another network (a loss's backbone) from any supported weights file,
    found by a key it must have (``anchor``) and with any wrapper prefix stripped. ``what``
    names the network in the error message. Loads tensors only, like the generator."""
    path = Path(path)
    return _subset(_read_tensors(path), anchor, what, path)


def load_network_weights(network: torch.nn.Module, path: str | Path, anchor: str, what: str) -> torch.nn.Module:
    """Fill ``network`` (a loss's or a metric's backbone) from the weights file at ``path``, found
    by ``anchor`` as in :func:`read_network_state`. Tensors the network does not have (a
    classifier head, say) are left out; a missing or misshapen one raises :class:`WeightsError`."""
    state = read_network_state(path, anchor, what)
    wanted = network.state_dict()
    try:
        network.load_state_dict({k: v for k, v in state.items() if k in wanted})
    except RuntimeError as exc:
        raise WeightsError(f"{path} does not fit the {what} ({str(exc).splitlines()[0]}).") from exc
    return network


def _subset(tensors: Mapping[str, Any], anchor: str, what: str, source: Path) -> StateDict:
    """The tensors whose keys share the prefix that ``anchor`` has, with the prefix removed."""
    named = {k: v for k, v in tensors.items() if isinstance(k, str) and isinstance(v, Tensor)}
    prefix = next((k[: -len(anchor)] for k in named if k.endswith(anchor)), None)
    if prefix is None:
        raise WeightsError(
            f"{source} holds no {what}: no '{anchor}' among its "
            f"{len(named)} tensors (keys look like {_sample(named)})."
        )
    return {k[len(prefix):]: v for k, v in named.items() if k.startswith(prefix)}


def _generator_subset(tensors: Mapping[str, Any], source: Path) -> StateDict:
    """Keep the generator's tensors, stripping wrappers such as ``generator.`` or ``module.``."""
    state = _subset(tensors, "model.1.ffc.convl2l.weight", "LaMa FFC generator", source)
    # TorchScript archives keep padding-free modules' None attributes out, but may carry extras.
    return {k: v for k, v in state.items() if k.startswith("model.")}


def _check_keys(expected: Iterable[str], found: Iterable[str], source: str | Path) -> None:
    expected, found = set(expected), set(found)
    missing, unexpected = sorted(expected - found), sorted(found - expected)
    if not missing and not unexpected:
        return
    parts = []
    if missing:
        parts.append(f"missing {_sample(missing)}")
    if unexpected:
        parts.append(f"unexpected {_sample(unexpected)}")
    raise WeightsError(f"{source} does not fit the FFC generator: {'; '.join(parts)}.")


def _sample(keys: Iterable[str], limit: int = 3) -> str:
    keys = list(keys)
    shown = ", ".join(f"'{k}'" for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "") if keys else "nothing"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]

