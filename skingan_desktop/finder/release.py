"""Turn a finder training run into the finder the app ships: half-precision weights whose metadata
carries what ``TattooFinder.load`` needs and the finder's card (training, evaluation, commands),
with the same card as Markdown beside the file."""

from __future__ import annotations

import json
from pathlib import Path

from ..io.files import write_atomically
from ..model.weights import read_metadata, read_network_state, save_safetensors
from ..training.release import card_ending
from .find import TattooFinder, finder_metadata


def release_finder(source: Path, destination: Path, evaluation: str, commands: list[str], note: str = "",
                   threshold: float | None = None) -> Path:
    """Write ``destination`` (``.safetensors``) and ``destination.with_suffix('.md')`` from a run
    folder's ``latest.safetensors`` or from a finder released earlier (a new card for the same
    weights; ``destination`` may be that file)."""
    weights = source / "latest.safetensors" if source.is_dir() else source
    finder = TattooFinder.load(weights, device="cpu")  # refuses anything that is not a finder
    metadata = read_metadata(weights)
    training = json.loads(metadata.get("training", "{}"))
    steps = int(metadata.get("steps", 0))
    threshold = finder.threshold if threshold is None else threshold
    parameters = sum(p.numel() for p in finder.network.parameters())
    state = {k: v.half() if v.is_floating_point() else v
             for k, v in read_network_state(weights, "head.weight", "tattoo finder").items()}
    destination.parent.mkdir(parents=True, exist_ok=True)
    save_safetensors(state, destination, metadata=finder_metadata(
        finder.network.widths, finder.working_side, threshold, steps=str(steps), training=json.dumps(training),
        evaluation=evaluation, commands=json.dumps(commands), note=note))
    widths = ", ".join(map(str, finder.network.widths))
    write_atomically(destination.with_suffix(".md"), "\n".join([
        f"# {destination.stem}: SkinGAN tattoo finder",
        "",
        f"- Architecture: a small U-Net (`finder/network.py`), widths {widths}, {parameters:,} parameters, "
        "stored in float16. It sees the photo shrunk to a long side of "
        f"{finder.working_side} px (with its mirror image) and gives each pixel a probability of being "
        f"tattoo ink; the app cuts it at {threshold:.2f}, drops specks, fills enclosed holes and grows "
        "the rest by the ink halo (`finder/find.py`).",
        f"- Training: {steps} steps from scratch on the {training.get('photos', '?')} photos of the training "
        f"subjects of `{training.get('data', '?')}` (batch {training.get('batch_size', '?')}, "
        f"{training.get('crop', '?')} px views, AdamW at {training.get('learning_rate', '?')} with a cosine "
        "schedule). Labels: snap-to-ink inside each hand-drawn tattoo box is ink, the rest of the box a weak "
        "negative, a 4 px ring around it unlabelled, everything else a negative (`finder/labels.py`).",
        "- What it is for: a suggested mask that a person checks before filling. It finds tattoos; it does "
        "not tell whose they are and keeps nothing.",
        "",
        "## Evaluation (validation subjects: `skingan-desktop evaluate-finder`)",
        "",
        "A box is found when the mask covers at least half its ink; false area is what the mask covers "
        "outside every box (grown by the halo), as a share of the photo.",
        "",
        evaluation,
        "",
        *([f"Status: {note}", ""] if note else []),
        *card_ending(commands),
    ]).encode())
    return destination
