"""Turn a training run into the model the app ships: half-precision weights plus a model card
(JSON inside the file and as Markdown beside it) that records data, steps, losses, the
evaluation table against the classical baselines, and the commands that produced it."""

from __future__ import annotations

import json
from pathlib import Path

from ..model.weights import TONE_MATCH_KEY, read_generator_state, save_safetensors


def release(run_dir: Path, destination: Path, evaluation: str, commands: list[str], note: str = "") -> Path:
    """Write ``destination`` (``.safetensors``) and ``destination.with_suffix('.md')``."""
    card = json.loads((run_dir / "model-card.json").read_text())
    card["evaluation"] = evaluation
    card["commands"] = commands
    state = {k: v.half() if v.is_floating_point() else v for k, v in read_generator_state(run_dir / "latest.safetensors").items()}
    destination.parent.mkdir(parents=True, exist_ok=True)
    metadata: dict = {"model_card": card}
    texture_layer = bool(card["training"].get("texture_layer"))
    if texture_layer:  # the engine lays its fills over a diffusion fill (engine/tone.py), as in training
        metadata[TONE_MATCH_KEY] = "true"
    save_safetensors(state, destination, metadata=metadata)
    arch = card["architecture"]
    (destination.with_suffix(".md")).write_text("\n".join([
        f"# {destination.stem}: SkinGAN default generator",
        "",
        f"- Architecture: LaMa FFC ResNet generator, ngf {arch['ngf']}, {arch['n_downsampling']} downsamplings, "
        f"{arch['n_blocks']} residual blocks, {card['parameters']:,} parameters, stored in float16.",
        f"- Training: {card['steps']} steps "
        + (f"fine-tuning `{card['training']['init']}`" if card["training"].get("init") not in (None, "None") else "from scratch")
        + f" on skin crops harvested around the tattoos of "
        f"`{card['data']['folder']}`, masks 70 % tattoo-like / 20 % large / 10 % acne-like.",
        *(["- Fills: frequency separation. Tone (detail coarser than a 1.5 px Gaussian at the working size) "
            "comes from an OpenCV Navier-Stokes diffusion fill; the generator supplies the texture (finer "
            "detail), scaled by the app's texture strength. The generator was trained that way."]
          if texture_layer else []),
        "- Losses (running averages at the end): " + ", ".join(f"{k} {v:.4f}" for k, v in card["losses"].items()),
        f"- Data: {card['data']['note']}",
        "",
        "## Held-out evaluation (validation subjects, seeded tattoo-like masks)",
        "",
        evaluation,
        "",
        "The goal: a texture gap clearly below both baselines at a masked PSNR within 0.5 dB of the better one.",
        *([f"Status: {note}", ""] if note else [""]),
        "## How it was made",
        "",
        "```bash",
        *commands,
        "```",
        "",
    ]))
    return destination
