"""The tattoo finder: labels from real tattoo boxes, the mask it makes, the embedded finder on a
held-out photo, bad weights, training, scoring and release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from skingan_desktop.engine.anchor import halo_for
from skingan_desktop.finder.find import NOTHING_FOUND, TattooFinder, embedded_finder_path, mask_from_probability
from skingan_desktop.finder.labels import NOT_TATTOO, SKIN_IN_BOX, TATTOO, UNKNOWN, box_ink, finder_labels
from skingan_desktop.finder.network import TattooFinderNet
from skingan_desktop.finder.release import release_finder
from skingan_desktop.finder.scores import markdown_table, score_finder
from skingan_desktop.finder.train import FinderTrainConfig, train_finder
from skingan_desktop.io.photos import load_photo
from skingan_desktop.model.weights import WeightsError, read_metadata, save_safetensors
from skingan_desktop.training.data import is_validation_subject, subject_of

from ..conftest import PHOTOS, REPO, assert_one_line_error, lit_skin, run_cli

TRAINING_PHOTO = PHOTOS / "101_1.jpg"  # a training subject's photo


def test_the_photos_used_here_are_on_the_sides_of_the_split_they_are_used_for(tattoo_photo):
    assert is_validation_subject(subject_of(tattoo_photo[0]))
    assert not is_validation_subject(subject_of(TRAINING_PHOTO))


def test_labels_put_ink_inside_the_box_and_leave_its_ring_unknown(tattoo_photo):
    path, (x1, y1, x2, y2) = tattoo_photo
    photo = load_photo(path)
    labels = finder_labels(photo, [(x1, y1, x2, y2)])
    inside = np.zeros(labels.shape, bool)
    inside[y1:y2, x1:x2] = True
    ink = labels == TATTOO
    assert ink[inside].mean() > 0.05 and not ink[~inside].any()
    assert (labels[inside] != UNKNOWN).all() and set(np.unique(labels[inside])) == {TATTOO, SKIN_IN_BOX}
    assert labels[y1 - 2, x1 + 10] == UNKNOWN or y1 < 2
    assert labels[0:y1 - 8].size == 0 or (labels[0:y1 - 8] == NOT_TATTOO).all()
    assert np.array_equal(ink, box_ink(photo, (x1, y1, x2, y2)))


def test_a_box_beyond_the_photo_is_clipped_and_one_wholly_outside_is_ignored():
    photo = lit_skin()
    labels = finder_labels(photo, [(-50, -50, -10, -10), (300, 200, 400, 300)])
    assert labels[:190, :290].max() == NOT_TATTOO
    assert (labels[200:, 300:] != NOT_TATTOO).all()


def test_the_mask_keeps_tattoo_sized_pieces_fills_their_holes_and_grows_them_by_the_halo():
    probability = np.zeros((400, 400), np.float32)
    yy, xx = np.mgrid[:400, :400]
    radius = np.hypot(yy - 150, xx - 150)
    probability[(radius > 15) & (radius < 60)] = 0.9     # a ring-shaped tattoo
    probability[350:353, 350:353] = 0.9                 # a speck: no tattoo
    finding = mask_from_probability(probability, 0.5)
    assert finding.found and len(finding.boxes) == 1
    assert finding.mask[150, 150]                        # the enclosed hole is filled
    assert not finding.mask[351, 351]
    halo = halo_for(probability.shape)
    assert finding.mask[150, 150 + 60 + halo - 2] and not finding.mask[150, 150 + 60 + halo + 3]
    x1, y1, x2, y2 = finding.boxes[0]
    assert abs(x1 - (150 - 60 - halo)) <= 2 and abs(y2 - (150 + 60 + halo)) <= 2
    assert "Found 1 tattoo," in finding.summary() and "check the mask" in finding.summary()


def test_nothing_above_the_threshold_is_a_plain_finding():
    finding = mask_from_probability(np.full((50, 80), 0.3, np.float32), 0.5)
    assert not finding.found and not finding.mask.any() and finding.mask.shape == (50, 80)
    assert finding.summary() == NOTHING_FOUND


@pytest.fixture(scope="module")
def finder() -> TattooFinder:
    assert embedded_finder_path() is not None, "the app ships resources/models/tattoo-finder.safetensors"
    return TattooFinder.load(device="cpu")


def test_the_embedded_finder_finds_the_tattoo_of_a_held_out_photo(finder, tattoo_photo):
    path, box = tattoo_photo
    photo = load_photo(path)
    finding = finder.find(photo)
    assert finding.found
    ink = box_ink(photo, box)
    assert finding.mask[ink].mean() > 0.8
    x1, y1, x2, y2 = box
    margin = halo_for(photo.shape)
    near = np.zeros(ink.shape, bool)
    near[max(0, y1 - margin):y2 + margin, max(0, x1 - margin):x2 + margin] = True
    assert (finding.mask & ~near).mean() < 0.03


def test_the_embedded_finder_finds_nothing_on_plain_skin(finder):
    assert not finder.find(lit_skin(480, 360, seed=3)).found


def test_the_finder_gives_the_same_mask_on_any_photo_size(finder, tattoo_photo):
    photo = load_photo(tattoo_photo[0])
    small = finder.find(photo)
    for factor in (3, 5):  # 1440 px, then 2400 px: above MASK_SIDE, the mask is made smaller and enlarged
        big = np.repeat(np.repeat(photo, factor, 0), factor, 1)
        finding = finder.find(big)
        assert finding.mask.shape == big.shape[:2]
        assert (finding.mask[factor // 2::factor, factor // 2::factor] == small.mask).mean() > 0.97
        assert len(finding.boxes) == len(small.boxes)
        assert all(abs(a - factor * b) <= 2 * factor for box, small_box in zip(finding.boxes, small.boxes)
                   for a, b in zip(box, small_box))


def test_missing_damaged_and_foreign_weights_say_what_is_wrong(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        TattooFinder.load(tmp_path / "nothing.safetensors")
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(WeightsError):
        TattooFinder.load(damaged)
    with pytest.raises(WeightsError, match="holds no tattoo finder"):
        TattooFinder.load(REPO / "resources" / "models" / "skingan-default.safetensors")
    unnamed = tmp_path / "unnamed.safetensors"
    save_safetensors(TattooFinderNet().state_dict(), unnamed)
    with pytest.raises(WeightsError, match="not a SkinGAN tattoo finder"):
        TattooFinder.load(unnamed)
    odd = tmp_path / "odd.safetensors"
    save_safetensors(TattooFinderNet().state_dict(), odd, metadata={
        "architecture": "skingan-tattoo-finder-unet", "widths": "16,32,64,128", "threshold": "7"})
    with pytest.raises(WeightsError, match="out of range"):
        TattooFinder.load(odd)
    narrower = tmp_path / "narrower.safetensors"
    save_safetensors(TattooFinderNet((8, 16, 32, 64)).state_dict(), narrower, metadata={
        "architecture": "skingan-tattoo-finder-unet", "widths": "16,32,64,128"})
    with pytest.raises(WeightsError, match="does not fit"):
        TattooFinder.load(narrower)


def _folder_with(tmp_path: Path, *photos: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for photo in photos:
        shutil.copy(photo, folder / photo.name)
        shutil.copy(photo.with_suffix(".txt"), folder / photo.with_suffix(".txt").name)
    return folder


def test_training_goes_on_from_its_run_folder_and_releases_a_finder_with_its_card(tmp_path, tattoo_photo):
    data = _folder_with(tmp_path, TRAINING_PHOTO, tattoo_photo[0])
    run = tmp_path / "run"
    lines: list[str] = []
    config = FinderTrainConfig(data=data, run_dir=run, steps=2, batch_size=2, crop=96, checkpoint_every=1)
    latest = train_finder(config, report=lines.append)
    assert lines[0].startswith("1 training photos")          # the validation subject is left out
    assert read_metadata(latest)["steps"] == "2"
    config.steps = 3
    train_finder(config, report=lines.append)
    assert any(line.startswith("Going on from") and "at step 2" in line for line in lines)
    assert read_metadata(latest)["steps"] == "3"

    scores = score_finder(TattooFinder.load(latest, device="cpu"), data, [0.3, 0.6])
    assert [s.threshold for s in scores] == [0.3, 0.6] and scores[0].photos == 1 and scores[0].boxes == 1
    table = markdown_table(scores)
    assert table.count("\n") == 3 and "/1 (" in table

    released = release_finder(run, tmp_path / "out" / "finder.safetensors", table, ["skingan-desktop train-finder ..."],
                              note="a test run", threshold=0.6)
    loaded = TattooFinder.load(released, device="cpu")
    assert loaded.threshold == 0.6
    assert all(p.dtype == torch.float32 for p in loaded.network.parameters())  # stored half, run in float
    card = released.with_suffix(".md").read_text()
    assert "3 steps" in card and table in card and "Status: a test run" in card
    assert json.loads(read_metadata(released)["commands"]) == ["skingan-desktop train-finder ..."]
    original = TattooFinder.load(latest, device="cpu").probability(load_photo(tattoo_photo[0]))
    assert np.abs(loaded.probability(load_photo(tattoo_photo[0])) - original).max() < 0.02


def test_scoring_a_folder_without_photos_of_that_side_says_so(tmp_path):
    data = _folder_with(tmp_path, TRAINING_PHOTO)
    with pytest.raises(ValueError, match="No validation photo"):
        score_finder(TattooFinder(TattooFinderNet()), data, [0.5])



def test_find_tattoos_writes_the_mask_of_a_photo_or_says_there_is_none(tmp_path, tattoo_photo):
    mask = tmp_path / "arm_mask.png"
    result = run_cli("find-tattoos", tattoo_photo[0], "-o", mask, "--device", "cpu")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Found 1 tattoo,") and "tattoo at x " in result.stdout
    written = load_photo(mask)
    assert written.shape[:2] == load_photo(tattoo_photo[0]).shape[:2] and set(np.unique(written)) == {0, 255}
    assert_one_line_error(run_cli("find-tattoos", tattoo_photo[0], "-o", mask), "already exists", "--overwrite")

    skin = tmp_path / "skin.png"
    Image.fromarray(lit_skin(480, 360, seed=4)).save(skin)
    result = run_cli("find-tattoos", skin, "-o", tmp_path / "skin_mask.png", "--device", "cpu")
    assert result.returncode == 0 and result.stdout.strip() == NOTHING_FOUND
    assert not (tmp_path / "skin_mask.png").exists()
    assert_one_line_error(run_cli("find-tattoos", skin, "-o", tmp_path / "m.png", "--weights", skin), "skin.png")


def test_evaluate_finder_prints_the_table_of_the_validation_photos(tmp_path, tattoo_photo):
    data = _folder_with(tmp_path, TRAINING_PHOTO, tattoo_photo[0])
    result = run_cli("evaluate-finder", "--data", data, "--threshold", "0.4", "--threshold", "0.6")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 0.")]
    assert [row.split("|")[1].strip() for row in rows] == ["0.40", "0.60"]
    assert all(row.split("|")[2].strip() == "1" and "/1 (" in row for row in rows)
