"""The big-lama configuration has exactly the official keys and shapes, and saves/loads."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig, load_generator, read_generator_state
from skingan_desktop.model.weights import save_safetensors


def test_big_lama_matches_the_manifest_and_round_trips(tmp_path: Path, fixtures_dir: Path) -> None:
    manifest = json.loads((fixtures_dir / "big_lama_manifest.json").read_text())
    config = GeneratorConfig.from_lama_kwargs(manifest["config"])
    assert config == GeneratorConfig.big_lama()

    generator = FFCResNetGenerator(config)
    state = generator.state_dict()

    assert len(state) == len(manifest["keys"]) == 989
    assert {k: list(v.shape) for k, v in state.items()} == {k: v["shape"] for k, v in manifest["keys"].items()}
    assert {k: str(v.dtype).removeprefix("torch.") for k, v in state.items()} == {
        k: v["dtype"] for k, v in manifest["keys"].items()
    }
    assert sum(p.numel() for p in generator.parameters()) == manifest["n_params"] == 50_975_875

    # Official prefix in the .pth, our own format without it.
    torch.save({manifest["checkpoint_prefix"] + k: v for k, v in state.items()}, tmp_path / "big-lama.pth")
    save_safetensors(state, tmp_path / "big-lama.safetensors")
    del generator

    for name in ("big-lama.pth", "big-lama.safetensors"):
        reloaded = read_generator_state(tmp_path / name)
        assert reloaded.keys() == state.keys()
        assert all(torch.equal(reloaded[k], state[k]) for k in state), name
        assert load_generator(tmp_path / name).config == config
        del reloaded
