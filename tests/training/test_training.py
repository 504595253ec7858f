"""Training steps really train; checkpoints load in the app; evaluation runs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from skingan_desktop.model.generator import generator_input
from skingan_desktop.engine.runner import InpaintSettings, Inpainter
from skingan_desktop.model.devices import autocast_to, native_bfloat16
from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig, load_generator, read_generator_state
from skingan_desktop.model.weights import read_metadata, save_safetensors
from skingan_desktop.training.data import make_batch
from skingan_desktop.training.losses import LossWeights, PatchDiscriminator, discriminator_loss, generator_loss
from skingan_desktop.training.loop import TrainConfig, train
from skingan_desktop.training.perceptual import HighReceptiveFieldLoss, SegmentationResNet50
from skingan_desktop.training.progress import ProgressBar
from skingan_desktop.training.release import release
from tests.conftest import PHOTOS, REPO, lit_skin


@pytest.mark.parametrize("precision", [torch.float32, torch.bfloat16])
def test_every_loss_and_a_few_steps_lower_the_loss(precision: torch.dtype) -> None:
    """In float32 and under bfloat16 autocast (the training loop's mixed precision)."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    crops = (np.random.default_rng(1).random((4, 64, 64, 3)) * 60 + 150).astype(np.uint8)
    image, mask = make_batch(crops, 4, 64, rng, augmented=False)
    generator = FFCResNetGenerator(GeneratorConfig(ngf=8, n_downsampling=2, n_blocks=1)).train()
    discriminator = PatchDiscriminator(channels=16, layers=2).train()
    weights = LossWeights(l1_hole=1.0, texture=1.0, perceptual=1.0, tone=1.0, lattice=1.0)
    perceptual = HighReceptiveFieldLoss(SegmentationResNet50())
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-4)

    totals = []
    for _ in range(8):
        with autocast_to(torch.device("cpu"), precision):
            prediction = generator(generator_input(image, mask)).float()
        d_loss, d_parts = discriminator_loss(image, mask, prediction.detach(), discriminator, weights)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        with autocast_to(torch.device("cpu"), precision):
            g_loss, g_parts = generator_loss(image, mask, prediction, discriminator, weights, perceptual=perceptual)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        totals.append(g_parts["l1_known"] + g_parts["l1_hole"])

    assert set(g_parts) == {"l1_known", "l1_hole", "adv_g", "fm", "tone", "lattice", "texture", "hrf"}
    assert set(d_parts) == {"adv_d_real", "adv_d_fake", "r1"}
    assert all(np.isfinite(v) for v in {**g_parts, **d_parts}.values())
    assert totals[-1] < totals[0] * 0.8


def test_the_tone_loss_teaches_the_fills_low_frequencies() -> None:
    """The tone layer's loss (the fill's blur against the truth's, around the hole) falls as a
    generator learns, with no adversarial network at all."""
    torch.manual_seed(0)
    crops = np.clip(np.random.default_rng(1).normal(170, 12, (4, 64, 64, 3)), 0, 255).astype(np.uint8)
    image, mask = make_batch(crops, 4, 64, np.random.default_rng(0), augmented=False)
    generator = FFCResNetGenerator(GeneratorConfig(ngf=8, n_downsampling=2, n_blocks=1)).train()
    optimiser = torch.optim.Adam(generator.parameters(), lr=5e-3)
    weights = LossWeights(l1_known=0, adversarial=0, feature_matching=0, tone=1.0)

    losses = []
    for _ in range(30):
        prediction = generator(generator_input(image, mask))
        loss, parts = generator_loss(image, mask, prediction, None, weights)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(parts["tone"])

    assert set(parts) == {"l1_known", "l1_hole", "tone"}
    assert losses[-1] < 0.5 * losses[0]


def test_the_lattice_loss_sees_an_8_px_pattern_and_not_grain() -> None:
    from skingan_desktop.training.losses import lattice_loss

    mask = torch.zeros(2, 1, 64, 64)
    mask[..., 8:56, 8:56] = 1
    grain = 0.6 + 0.02 * torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    lattice = grain.clone()
    lattice[..., ::8, ::8] -= 0.1
    assert lattice_loss(lattice, mask) > 3 * lattice_loss(grain, mask)  # grain only leaves a noise floor
    outside = grain.clone()
    outside[..., :8, ::8] -= 0.1  # a pattern outside the hole is no concern of the fill
    assert lattice_loss(outside, mask) < 1.1 * lattice_loss(grain, mask)


def test_scene_training_never_learns_from_a_tattoo_box(tmp_path: Path) -> None:
    from skingan_desktop.training.scenes import load_scenes, scene_batch

    photos = two_photos(tmp_path)
    scenes = load_scenes(photos)  # the training subject, 63_1, with its own ink shapes and 58_1's
    assert len(scenes.photos) == 1 and len(scenes.shapes) >= 2 and len(scenes.photos[0].edges)
    image, mask = scene_batch(scenes, 8, 64, np.random.default_rng(0))
    assert image.shape == (8, 3, 64, 64) and mask.shape == (8, 1, 64, 64)
    assert all(0 < m.mean() < 1 for m in mask)
    config = TrainConfig(data=photos, run_dir=tmp_path / "run", steps=1, batch_size=2, size=64, ngf=8, n_blocks=1,
                         scenes=True, losses=LossWeights(adversarial=0, feature_matching=0, tone=10, lattice=30))
    train(config, report=lambda _: None)
    card = json.loads((tmp_path / "run" / "model-card.json").read_text())
    assert card["training"]["scenes"] and {"tone", "lattice"} <= set(card["losses"]) and "adv_g" not in card["losses"]
    released = release(tmp_path / "run", tmp_path / "model.safetensors", "| table |", ["..."], structure_weight=0.4)
    assert "whole-photo views" in released.with_suffix(".md").read_text()
    assert load_generator(released).structure_weight == 0.4


def test_a_run_checkpoints_resumes_and_loads_in_the_app(tmp_path: Path) -> None:
    torch.save(SegmentationResNet50().state_dict(), tmp_path / "encoder_epoch_20.pth")
    config = TrainConfig(data=PHOTOS, run_dir=tmp_path / "run", steps=2, batch_size=2, size=64, ngf=8,
                         n_blocks=1, checkpoint_every=1,
                         losses=LossWeights(texture=1.0, perceptual=30.0), perceptual_weights=tmp_path / "encoder_epoch_20.pth")
    weights = train(config, report=lambda _: None)
    card = json.loads((tmp_path / "run" / "model-card.json").read_text())
    assert card["steps"] == 2 and card["architecture"]["ngf"] == 8 and "BIVTatt" in card["data"]["note"]
    assert {"texture", "hrf"} <= set(card["losses"])
    assert card["metrics"]["validation_batch"]["crops"] == 6 and card["metrics"]["validation_batch"]["masked_psnr"] > 10
    assert (tmp_path / "run" / "samples" / "step-000002.png").is_file()

    messages, updates = [], []
    config.steps = 4
    train(config, report=messages.append, progress=updates.append)
    assert messages[0] == "resumed at step 2"
    assert [u.step for u in updates] == [3, 4] and [u.fraction for u in updates] == [0.75, 1.0]
    assert {"l1_known", "adv_g", "texture", "hrf"} <= set(updates[-1].losses) and updates[-1].images_per_second > 0
    bar = ProgressBar(io.StringIO(), bar_width=8)
    bar.update(updates[0])
    bar.message("step 4: checkpoint")
    assert bar.stream.getvalue().startswith("\r\x1b[K[######..]  75% step 3/4 | ")
    assert "l1_known " in bar.stream.getvalue() and "\x1b[Kstep 4: checkpoint\n[######..]" in bar.stream.getvalue()
    # Mixed precision (on by default) where the CPU computes bfloat16 natively, as on CUDA.
    assert messages[1] == "training on cpu in " + ("bfloat16 mixed precision" if native_bfloat16(torch.device("cpu")) else "float32")

    generator = load_generator(weights)
    with torch.inference_mode():
        out = generator(torch.rand(1, 4, 64, 64))
    assert out.shape == (1, 3, 64, 64) and 0 <= out.min() and out.max() <= 1

    shipped = release(tmp_path / "run", tmp_path / "models" / "skingan-default.safetensors",
                      "| method | ... |", ["skingan-desktop train ..."])
    released = load_generator(shipped)
    assert read_generator_state(shipped)["model.1.ffc.convl2l.weight"].dtype == torch.float16
    card = shipped.with_suffix(".md").read_text()
    assert "frequency separation" in card and "| method | ... |" in card and "skingan-desktop train ..." in card and "BIVTatt" in card
    # A new evaluation of the shipped weights: the file is re-carded in place, its weights unchanged.
    before = read_generator_state(shipped)
    release(shipped, shipped, "| method | new table |", ["skingan-desktop evaluate ..."], note="re-evaluated")
    card = shipped.with_suffix(".md").read_text()
    assert "| new table |" in card and "Status: re-evaluated" in card and "| method | ... |" not in card
    assert "frequency separation" in card and json.loads(read_metadata(shipped)["model_card"])["steps"] == 4
    assert all(torch.equal(before[k], v) for k, v in read_generator_state(shipped).items())
    save_safetensors(read_generator_state(shipped), tmp_path / "no-card.safetensors")
    with pytest.raises(ValueError, match="carries no model card"):
        release(tmp_path / "no-card.safetensors", tmp_path / "out.safetensors", "| table |", [])

    photo = (np.random.default_rng(0).random((80, 100, 3)) * 255).astype(np.uint8)
    hole = np.zeros((80, 100), bool)
    hole[20:50, 30:70] = True
    (result,) = Inpainter(released, InpaintSettings(refine=False)).run(photo, hole)
    assert np.array_equal(result.preview[~hole], photo[~hole])


def two_photos(tmp_path: Path) -> Path:
    """A folder with two photos and their tattoo boxes: subject 58 is held out by the split,
    subject 63 is not."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("58_1.JPG", "63_1.jpg"):
        (photos / name).write_bytes((PHOTOS / name).read_bytes())
        (photos / name).with_suffix(".txt").write_text((PHOTOS / name).with_suffix(".txt").read_text())
    return photos


def test_evaluate_command_on_two_photos(tmp_path: Path, small_weights: Path) -> None:
    photos = two_photos(tmp_path)

    result = subprocess.run([sys.executable, "-m", "skingan_desktop", "evaluate", "--data", str(photos),
                             "--weights", str(small_weights), "--cache", str(tmp_path / "cache"),
                             "--masks-per-crop", "2"], cwd=REPO, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("| method") and len(lines) == 6
    assert "OpenCV Telea" in result.stdout and "Navier-Stokes" in result.stdout and "Membrane fill" in result.stdout
    assert all(line.split("|")[-2].strip() == "5 × 2" for line in lines[2:])  # photo 58_1 gives 5 skin crops
    paired = {line.split("|")[1].strip(): line.split("|")[-3].strip() for line in lines[2:]}  # less texture gap than NS
    assert paired.pop("OpenCV Navier-Stokes") == "—" and all(0 <= int(cell.rstrip(" %")) <= 100 for cell in paired.values())
    # Settings are chosen on the training subjects; the held-out crops are others.
    from skingan_desktop.training.data import load_or_harvest
    from skingan_desktop.training.evaluate import evaluate, opencv_baseline

    method = {"NS": opencv_baseline(cv2.INPAINT_NS)}
    held_out = evaluate(method, photos, tmp_path / "cache")["NS"]["count"]
    training = evaluate(method, photos, tmp_path / "cache", training_subjects=True)["NS"]["count"]
    assert held_out > 0 and training > 0
    assert held_out + training == len(load_or_harvest(photos, tmp_path / "cache").crops)

    # More masks per crop: other fills (the first mask of each crop is the one-mask table's), and
    # the paired share counts strict wins only.
    one = evaluate(method, photos, tmp_path / "cache")["NS"]
    method["NS again"] = method["NS"]
    two = evaluate(method, photos, tmp_path / "cache", masks_per_crop=2, paired_with="NS")
    assert two["NS"]["masks"] == 2 and two["NS"]["psnr"] != one["psnr"]
    assert two["NS again"]["texture_wins"] == 0.0 and "texture_wins" not in two["NS"]


def test_several_texture_strengths_share_one_generator_pass_per_crop() -> None:
    from skingan_desktop.model import load_generator
    from skingan_desktop.resources import embedded_model_path
    from skingan_desktop.training.evaluate import generator_inpaint, generator_inpaints

    generator = load_generator(embedded_model_path())
    passes = []
    generator.register_forward_hook(lambda *args: passes.append(1))
    photo = lit_skin(96, 96)
    hole = np.zeros((96, 96), bool)
    hole[30:66, 24:60] = True

    light, strong = generator_inpaints(generator, [0.5, 1.0])
    results = [light(photo.copy(), hole), strong(photo.copy(), hole)]

    assert len(passes) == 1
    assert not np.array_equal(results[0], results[1])
    assert np.array_equal(results[1], generator_inpaint(generator, 1.0)(photo.copy(), hole))


def test_train_command_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """`skingan-desktop train` in a terminal: one self-rewriting line with the bar, the step, the
    throughput and the losses; the checkpoint message above it; then the path it wrote."""
    import os

    pty = pytest.importorskip("pty")  # a pseudo-terminal: POSIX only
    photos = two_photos(tmp_path)
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "skingan_desktop", "train", "--data", str(photos),
                                "--run", str(tmp_path / "run"), "--steps", "3", "--batch-size", "2", "--size", "64",
                                "--ngf", "8", "--blocks", "1", "--device", "cpu"],
                               cwd=REPO, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=300) == 0, output.decode(errors="replace")

    text = output.decode()
    assert "\r\x1b[K[" in text and "] 100% step 3/3 | " in text and " img/s | l1_known " in text
    assert "step 3: checkpoint; validation batch" in text
    assert f"Wrote {tmp_path / 'run' / 'latest.safetensors'}" in text
    assert "step 3/3 l1_known" not in text  # the log-file lines are for when the output is not a terminal
