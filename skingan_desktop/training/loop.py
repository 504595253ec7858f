"""The training loop: fine-tune or train from scratch, checkpoints, resume, samples.

A run folder holds ``latest.safetensors`` (the generator, official key names, loadable by
``load_generator``), ``model-card.json``, ``resume.pt`` (tensors and numbers only, read with
``weights_only=True``) and ``samples/``.
"""

from __future__ import annotations

import io
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch
from PIL import Image

from ..io.files import write_atomically
from ..model.devices import autocast_to, native_bfloat16, resolve_device
from ..model.generator import FFCResNetGenerator, GeneratorConfig
from ..model.weights import build_generator, card_metadata, read_generator_state, save_safetensors
from ..engine.tensors import tensor_to_photo
from ..model.generator import generator_input
from .batches import Sampler, batch_stream
from .data import load_or_harvest, make_batch, split
from .evaluate import masked_psnr, texture_gap
from .losses import LossWeights, PatchDiscriminator, discriminator_loss, generator_loss
from .perceptual import HighReceptiveFieldLoss
from .progress import TrainingProgress
from .scenes import load_scenes, scene_batch


@dataclass
class TrainConfig:
    data: Path
    run_dir: Path
    steps: int = 2000
    batch_size: int = 12
    size: int = 96                      # training crop side (multiple of 8)
    harvest_size: int = 128             # crops harvested from the photos, then augmented/resized
    ngf: int = 32
    n_downsampling: int = 3
    n_blocks: int = 4
    init: Optional[Path] = None         # fine-tune from any weights file load_generator accepts
    lr_generator: float = 1e-3
    lr_discriminator: float = 1e-4
    losses: LossWeights = field(default_factory=LossWeights)
    device: str = "auto"
    mixed_precision: bool = True        # bfloat16 autocast where the device computes it natively
    checkpoint_every: int = 200
    seed: int = 0
    max_minutes: Optional[float] = None  # stop (with a checkpoint) after this long
    scenes: bool = False                # whole-photo views with the real jobs' holes, not skin crops
    perceptual_weights: Optional[Path] = None  # segmentation ResNet-50 encoder for the HRF loss
    loader_workers: int = 0             # processes making batches beside the step (training/batches.py); 0: in turn


def _to_json(config: TrainConfig) -> dict:
    values = asdict(config)
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


def _generator(config: TrainConfig) -> FFCResNetGenerator:
    if config.init is not None:
        return build_generator(read_generator_state(config.init), source=config.init)  # trainable, unfused
    return FFCResNetGenerator(GeneratorConfig(ngf=config.ngf, n_downsampling=config.n_downsampling,
                                              n_blocks=config.n_blocks))


def save_checkpoint(config: TrainConfig, generator, discriminator, optimisers, step: int, history: dict,
                    metrics: Optional[dict] = None) -> Path:
    run = config.run_dir
    run.mkdir(parents=True, exist_ok=True)
    weights = run / "latest.safetensors"
    card = {
        "name": "SkinGAN",
        "architecture": generator.config.to_dict(),
        "parameters": sum(p.numel() for p in generator.parameters()),
        "steps": step,
        "training": _to_json(config),
        "losses": history,
        "metrics": metrics or {},
        "data": {"folder": str(config.data),
                 "note": "BIVTatt photos (Nicolas-Diaz et al., CIARP 2019): research data without a stated "
                         "license; a public release must be retrained on data we hold the rights to."},
        "command": " ".join(sys.argv),
    }
    save_safetensors(generator.state_dict(), weights, metadata=card_metadata(card))
    write_atomically(run / "model-card.json", json.dumps(card, indent=2).encode())
    # Atomic too: a run stopped while saving resumes from the previous checkpoint.
    state = io.BytesIO()
    torch.save({"step": step, "generator": generator.state_dict(), "discriminator": discriminator.state_dict(),
                "opt_g": optimisers[0].state_dict(), "opt_d": optimisers[1].state_dict()}, state)
    write_atomically(run / "resume.pt", state.getvalue())
    return weights


def _sample_grid(config: TrainConfig, generator, image: torch.Tensor, mask: torch.Tensor, path: Path) -> dict:
    """Save the fixed validation batch as a grid (masked input, result, truth) and return the
    result's metrics on it: masked PSNR and texture gap (``evaluate.py``), batch means."""
    with torch.no_grad():
        composite = mask * generator(generator_input(image, mask)) + (1 - mask) * image
    rows = [image * (1 - mask), composite, image]
    grid = torch.cat([torch.cat(list(r), dim=2) for r in rows], dim=1)  # (3, 3H, B*W)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((grid.clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8)).save(path)
    truths = [tensor_to_photo(x[None]) for x in image]
    results = [tensor_to_photo(x[None]) for x in composite]
    holes = [m[0].cpu().numpy() > 0.5 for m in mask]
    return {"validation_batch": {
        "masked_psnr": float(np.mean([masked_psnr(t, r, h) for t, r, h in zip(truths, results, holes)])),
        "texture_gap": float(np.mean([texture_gap(r, h) for r, h in zip(results, holes)])),
        "crops": len(truths)}}


def _batches(config: TrainConfig) -> tuple[Sampler, tuple[torch.Tensor, torch.Tensor]]:
    """What makes the training batches (from a random generator) and the fixed validation batch."""
    if config.scenes:
        scenes, held_out = load_scenes(config.data), load_scenes(config.data, validation=True)
        if not scenes.photos:
            raise ValueError(f"No photos of training subjects in {config.data}.")
        fixed = scene_batch(held_out if held_out.photos else scenes, 6, config.size, np.random.default_rng(1234))
        return partial(scene_batch, scenes, config.batch_size, config.size), fixed
    crops = load_or_harvest(config.data, config.run_dir.parent / ".cache", config.harvest_size)
    train_crops, val_crops = split(crops)
    if len(train_crops) == 0:
        raise ValueError(f"No skin crops could be harvested from {config.data}.")
    fixed = make_batch(val_crops if len(val_crops) else train_crops, 6, config.size, np.random.default_rng(1234),
                       augmented=False)
    return partial(make_batch, train_crops, config.batch_size, config.size), fixed


def train(config: TrainConfig, report: Callable[[str], None] = print,
          progress: Optional[Callable[[TrainingProgress], None]] = None) -> Path:
    """Train; returns the path of the final ``latest.safetensors``. ``report`` gets messages;
    ``progress`` gets every step (without it, ``report`` gets a line every 10 steps)."""
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    sample, (fixed_image, fixed_mask) = _batches(config)
    generator = _generator(config).to(device).train()
    perceptual = None
    if config.perceptual_weights is not None and config.losses.perceptual:
        perceptual = HighReceptiveFieldLoss.from_file(config.perceptual_weights).to(device)
    discriminator = PatchDiscriminator().to(device).train()
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_generator, betas=(0.9, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=config.lr_discriminator, betas=(0.9, 0.999))
    start = 0
    resume = config.run_dir / "resume.pt"
    if resume.is_file():
        state = torch.load(resume, map_location=device, weights_only=True)
        generator.load_state_dict(state["generator"])
        discriminator.load_state_dict(state["discriminator"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        start = int(state["step"])
        report(f"resumed at step {start}")
    batches = batch_stream(sample, [config.seed, start], config.loader_workers, pin_memory=device.type == "cuda")
    fixed_image, fixed_mask = fixed_image.to(device), fixed_mask.to(device)
    precision = torch.bfloat16 if config.mixed_precision and native_bfloat16(device) else torch.float32
    report(f"training on {device} in {'bfloat16 mixed precision' if precision == torch.bfloat16 else 'float32'}")
    history: dict[str, float] = {}
    began, done = time.perf_counter(), 0
    step = start
    try:
        for step in range(start + 1, config.steps + 1):
            image, mask = (t.to(device, non_blocking=True) for t in next(batches))
            with autocast_to(device, precision):
                prediction = generator(generator_input(image, mask)).float()
            d_parts = {}
            if config.losses.adversarial or config.losses.feature_matching:
                d_loss, d_parts = discriminator_loss(image, mask, prediction.detach(), discriminator, config.losses)
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                opt_d.step()
            with autocast_to(device, precision):
                g_loss, g_parts = generator_loss(image, mask, prediction, discriminator, config.losses,
                                                 perceptual=perceptual)
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            done += 1
            for name, value in {**g_parts, **d_parts}.items():
                history[name] = 0.98 * history.get(name, value) + 0.02 * value
            elapsed = time.perf_counter() - began
            rate = done * config.batch_size / max(elapsed, 1e-9)
            if progress is not None:
                by_time = elapsed / (config.max_minutes * 60) if config.max_minutes else 0.0
                progress(TrainingProgress(step, config.steps, min(1.0, max(step / config.steps, by_time)),
                                          dict(history), rate))
            elif step % 10 == 0 or step == config.steps:
                report(f"step {step}/{config.steps} " + " ".join(f"{k} {v:.4f}" for k, v in history.items())
                       + f" | {rate:.1f} img/s")
            out_of_time = config.max_minutes is not None and elapsed > config.max_minutes * 60
            if step % config.checkpoint_every == 0 or step == config.steps or out_of_time:
                generator.eval()
                metrics = _sample_grid(config, generator, fixed_image, fixed_mask,
                                       config.run_dir / "samples" / f"step-{step:06d}.png")
                save_checkpoint(config, generator, discriminator, (opt_g, opt_d), step, history, metrics)
                report(f"step {step}: checkpoint; validation batch " + json.dumps(metrics["validation_batch"]))
                generator.train()
            if out_of_time:
                report(f"stopped after {config.max_minutes} minutes at step {step}; run again to resume")
                break
    finally:
        batches.close()  # the loader's workers, if any, end with it
    if step == start:  # nothing to do: already at config.steps
        save_checkpoint(config, generator.eval(), discriminator, (opt_g, opt_d), step, history)
    return config.run_dir / "latest.safetensors"
