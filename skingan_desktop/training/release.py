"""Turn a training run into the model the app ships: half-precision weights plus a model card
(JSON inside the file and as Markdown beside it) that records data, steps, losses, the
evaluation table against the classical baselines, and the commands that produced it."""

from __future__ import annotations

import json
from pathlib import Path

from ..io.files import write_atomically
from ..model.weights import card_metadata, read_generator_state, read_metadata, save_safetensors


def _card_and_weights(source: Path) -> tuple[dict, Path]:
    """The model card and the weights file of a run folder, or of a file released earlier."""
    if source.is_dir():
        return json.loads((source / "model-card.json").read_text()), source / "latest.safetensors"
    card = read_metadata(source).get("model_card")
    if card is None:
        raise ValueError(f"{source} carries no model card: release from its run folder instead.")
    return json.loads(card), source


def release(source: Path, destination: Path, evaluation: str, commands: list[str], note: str = "",
            structure_weight: float | None = None) -> Path:
    """Write ``destination`` (``.safetensors``) and ``destination.with_suffix('.md')`` from a run
    folder's latest checkpoint, or from a released file (a new evaluation for the same weights;
    ``destination`` may be that file)."""
    card, weights = _card_and_weights(source)
    card["evaluation"] = evaluation
    card["commands"] = commands
    if structure_weight is not None:
        card["structure_weight"] = structure_weight
    state = {k: v.half() if v.is_floating_point() else v for k, v in read_generator_state(weights).items()}
    destination.parent.mkdir(parents=True, exist_ok=True)
    save_safetensors(state, destination, metadata=card_metadata(card))
    scenes = bool(card["training"].get("scenes"))
    arch = card["architecture"]
    write_atomically(destination.with_suffix(".md"), "\n".join([
        f"# {destination.stem}: SkinGAN default generator",
        "",
        f"- Architecture: LaMa FFC ResNet generator, ngf {arch['ngf']}, {arch['n_downsampling']} downsamplings, "
        f"{arch['n_blocks']} residual blocks, {card['parameters']:,} parameters, stored in float16.",
        f"- Training: {card['steps']} steps "
        + (f"fine-tuning `{card['training']['init']}`" if card["training"].get("init") not in (None, "None") else "from scratch")
        + (f" on whole-photo views of `{card['data']['folder']}` (limbs, their edges, background), with "
           "tattoo-like, real-ink, across-the-edge and large holes kept off the tattoo boxes."
           if scenes else f" on skin crops harvested around the tattoos of `{card['data']['folder']}`."),
        "- Fills: frequency separation (`engine/tone.py`). The tone and structure (detail coarser than a 1.5 px "
        f"Gaussian at the working size) are {_share(float(card.get('structure_weight', 1.0)))} (the structure "
        "weight in the file's metadata), less so deep inside a large hole, where colour and light come from "
        "the membrane, stretched surface by surface where the hole lies across a limb's edge "
        "(`engine/surfaces.py`); the grain finer than that is taken at the photo's own resolution from the "
        "real skin around the hole (`engine/grain.py`), and the skin's detail at the hole's edge is carried "
        "into it by the membrane; where the fill is made at the photo's own size, the fine detail of the "
        "first pixels inside the hole's edge is copied patch by patch from the photo around it "
        "(`engine/patch_detail.py`).",
        "- Losses (running averages at the end): " + ", ".join(f"{k} {v:.4f}" for k, v in card["losses"].items()),
        f"- Data: {card['data']['note']}",
        "",
        "## Held-out evaluation (validation subjects: `benchmarks/bench_fill.py`)",
        "",
        evaluation,
        "",
        "The goal: at least the best classical fill on every measure at once (masked PSNR and texture gap: "
        "PatchMatch; SSIM: OpenCV FSR or Telea; mean-colour ΔE: PatchMatch), lattice excess at most 1.3.",
        *([f"Status: {note}", ""] if note else [""]),
        *card_ending(commands),
    ]).encode())
    return destination


def _share(structure: float) -> str:
    if structure >= 1:
        return "the generator's fill"
    return f"{structure:.0%} the generator's fill and the rest the harmonic membrane"


def card_ending(commands: list[str]) -> list[str]:
    """The last lines of a Markdown model card: the commands that made the model."""
    return ["## How it was made", "", "```bash", *commands, "```", ""]
