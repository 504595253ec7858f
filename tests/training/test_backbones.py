"""The optional networks whose weights the user supplies: the high-receptive-field perceptual
loss (segmentation ResNet-50), LPIPS (AlexNet) and FID (Inception-v3). Random weights stand in
for the real files, written in the layouts the real files have."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from skingan_desktop.model.weights import WeightsError, save_safetensors
from skingan_desktop.training.evaluate import evaluate, markdown_table, opencv_baseline
from skingan_desktop.training.fid import FIDInception, frechet_distance, inception_features
from skingan_desktop.training.lpips import CONVS, LPIPS, AlexNetFeatures
from skingan_desktop.training.perceptual import HighReceptiveFieldLoss, SegmentationResNet50
from tests.conftest import PHOTOS


@pytest.fixture(scope="module")
def encoder_file(tmp_path_factory) -> Path:
    """A CSAIL-layout encoder state dict (``conv1.weight``, ``layer4.2.conv3.weight``, ...)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("hrf") / "encoder_epoch_20.pth"
    torch.save(SegmentationResNet50().state_dict(), path)
    return path


def test_the_encoder_keeps_an_eighth_of_the_resolution_in_its_last_stages() -> None:
    features = SegmentationResNet50().eval()(torch.rand(1, 3, 96, 128))
    assert [tuple(f.shape[1:]) for f in features] == [(256, 24, 32), (512, 12, 16), (1024, 12, 16), (2048, 12, 16)]


def test_the_perceptual_loss_loads_its_file_compares_and_gives_gradients(encoder_file: Path, tmp_path: Path) -> None:
    loss = HighReceptiveFieldLoss.from_file(encoder_file)
    image = torch.rand(2, 3, 64, 64)
    prediction = (image + 0.1 * torch.randn_like(image)).clamp(0, 1).requires_grad_(True)

    assert loss(image, image).item() == 0
    value = loss(prediction, image)
    value.backward()
    assert value.item() > 0 and prediction.grad.abs().sum() > 0
    assert all(not p.requires_grad for p in loss.parameters())

    wrapped = tmp_path / "encoder.safetensors"  # the same tensors under a wrapper prefix load too
    save_safetensors({f"encoder.{k}": v for k, v in torch.load(encoder_file, weights_only=True).items()}, wrapped)
    assert torch.allclose(HighReceptiveFieldLoss.from_file(wrapped)(prediction, image), value)


def test_wrong_files_for_the_perceptual_loss_are_refused(tmp_path: Path, small_weights: Path) -> None:
    with pytest.raises(WeightsError, match="segmentation ResNet-50"):
        HighReceptiveFieldLoss.from_file(small_weights)
    state = SegmentationResNet50().state_dict()
    state["layer1.0.conv1.weight"] = torch.zeros(3, 3, 1, 1)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(WeightsError, match="does not fit"):
        HighReceptiveFieldLoss.from_file(tmp_path / "bad.pth")


@pytest.fixture(scope="module")
def lpips_files(tmp_path_factory) -> tuple[Path, Path]:
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("lpips")
    alexnet = {f"features.{k}": v for k, v in AlexNetFeatures().features.state_dict().items()}
    alexnet["classifier.1.weight"] = torch.zeros(4, 4)  # torchvision's file has the classifier too
    torch.save(alexnet, folder / "alexnet-owt.pth")
    torch.save({f"lin{i}.model.1.weight": torch.rand(1, conv[2], 1, 1) for i, conv in enumerate(CONVS)}, folder / "alex.pth")
    return folder / "alexnet-owt.pth", folder / "alex.pth"


def test_lpips_is_zero_for_the_same_image_and_grows_with_the_difference(lpips_files) -> None:
    lpips = LPIPS.from_files(*lpips_files)
    image = torch.rand(1, 3, 96, 96)
    slightly = (image + 0.02 * torch.randn_like(image)).clamp(0, 1)
    very = torch.rand(1, 3, 96, 96)
    assert lpips(image, image).item() == 0
    assert 0 < lpips(image, slightly).item() < lpips(image, very).item()
    assert torch.allclose(lpips(image, very), lpips(very, image))


def test_lpips_files_that_do_not_fit_are_refused(lpips_files, small_weights: Path) -> None:
    alexnet, linear = lpips_files
    with pytest.raises(WeightsError, match="AlexNet"):
        LPIPS.from_files(small_weights, linear)
    with pytest.raises(WeightsError, match="LPIPS"):
        LPIPS.from_files(alexnet, alexnet)


def test_evaluation_adds_an_lpips_column(lpips_files, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for suffix in (".JPG", ".txt"):
        (photos / f"58_1{suffix}").write_bytes((PHOTOS / f"58_1{suffix}").read_bytes())
    results = evaluate({"NS": opencv_baseline(cv2.INPAINT_NS)}, photos, tmp_path / "cache", lpips=LPIPS.from_files(*lpips_files))
    assert results["NS"]["lpips"] > 0
    assert "LPIPS" in markdown_table(results).splitlines()[0]


@pytest.fixture(scope="module")
def inception_file(tmp_path_factory) -> Path:
    """Random weights in the FID Inception file's layout, with its 1008-class head."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("fid") / "pt_inception-2015-12-05.pth"
    state = FIDInception().state_dict()
    state["fc.weight"], state["fc.bias"] = torch.zeros(1008, 2048), torch.zeros(1008)
    torch.save(state, path)
    return path


def test_frechet_distance_is_zero_for_one_set_and_matches_the_textbook_formula() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 6))
    b = rng.normal(size=(150, 6)) @ rng.normal(size=(6, 6)) + 0.5
    assert abs(frechet_distance(a, a)) < 1e-8
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root_trace = np.sqrt(np.linalg.eigvals(cov_a @ cov_b).real.clip(0)).sum()
    textbook = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * root_trace
    assert frechet_distance(a, b) == pytest.approx(textbook, rel=1e-6)


def test_fid_network_loads_its_file_and_gives_2048_features(inception_file: Path, small_weights: Path) -> None:
    network = FIDInception.from_file(inception_file)
    features = inception_features(network, [torch.rand(1, 3, 128, 128) for _ in range(3)], batch=2)
    assert features.shape == (3, 2048) and np.isfinite(features).all()
    with pytest.raises(WeightsError, match="FID Inception"):
        FIDInception.from_file(small_weights)


def test_evaluation_adds_an_fid_column(inception_file: Path, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for suffix in (".JPG", ".txt"):
        (photos / f"58_1{suffix}").write_bytes((PHOTOS / f"58_1{suffix}").read_bytes())
    methods = {"NS": opencv_baseline(cv2.INPAINT_NS), "unchanged": lambda photo, hole: photo}
    results = evaluate(methods, photos, tmp_path / "cache", fid=FIDInception.from_file(inception_file))
    assert results["unchanged"]["fid"] == pytest.approx(0, abs=1e-6) and results["NS"]["fid"] > 0
    assert "FID" in markdown_table(results).splitlines()[0]
