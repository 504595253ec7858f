"""Cross-check our LPIPS, FID and high-receptive-field (HRF) networks against the reference packages.

    python benchmarks/crosscheck_metrics.py

Needs, in the environment that runs it (they are not dependencies of SkinGAN Desktop):
``lpips`` (its package carries the real LPIPS v0.1 linear-layer file), ``pytorch-fid``,
``mit-semseg`` (the CSAIL segmentation encoder LaMa's HRF loss uses) and ``torchvision``.

No backbone weights are downloaded: each reference network gets random weights (BatchNorm
statistics randomised too, so that every affine step is exercised), those weights are saved in
the layout of the real file (torchvision's AlexNet and FID Inception ``.pth``, the CSAIL
``encoder_epoch_20.pth``), our loader reads that file, and both networks see the same images.
Agreement to float rounding shows the two compute the same function of the same weights file;
the real files then only have to load, which the loaders' tests cover.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skingan_desktop.training.fid import FIDInception, frechet_distance, inception_features  # noqa: E402
from skingan_desktop.training.lpips import LPIPS  # noqa: E402
from skingan_desktop.training.perceptual import HighReceptiveFieldLoss  # noqa: E402


def randomise(network: nn.Module) -> None:
    """He-scaled convolutions (so that activations neither vanish nor explode through a deep
    random network) and random BatchNorm statistics."""
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, nn.Conv2d):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0, (2 / fan_in) ** 0.5)
                if module.bias is not None:
                    module.bias.uniform_(-0.1, 0.1)
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.3, 0.3)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)


def images(count: int, size: int, seed: int) -> torch.Tensor:
    """Smooth random images in [0, 1] (noise alone would make every network see only noise)."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(count, 3, size // 8, size // 8, generator=generator)
    smooth = nn.functional.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False)
    return (smooth + 0.05 * torch.randn(count, 3, size, size, generator=generator)).clamp(0, 1)


def check_lpips(folder: Path) -> None:
    import lpips

    torch.manual_seed(0)
    reference = lpips.LPIPS(net="alex", pretrained=True, pnet_rand=True, verbose=False).eval()
    randomise(reference.net)
    # lpips splits torchvision's AlexNet.features into slices but keeps the layer indices.
    backbone = {
        f"features.{key.split('.', 2)[1]}.{key.split('.', 2)[2]}": value
        for key, value in reference.net.state_dict().items()
    }
    torch.save(backbone, folder / "alexnet.pth")
    linear_file = Path(lpips.__file__).parent / "weights" / "v0.1" / "alex.pth"
    ours = LPIPS.from_files(folder / "alexnet.pth", linear_file)

    a, b = images(8, 128, seed=1), images(8, 128, seed=2)
    with torch.no_grad():
        expected = reference(a, b, normalize=True).flatten()
        actual = ours(a, b)
    print(f"LPIPS (real v0.1 linear layers, random AlexNet): reference {expected[:3].tolist()} ...")
    print(f"  largest difference over 8 pairs: {(expected - actual).abs().max().item():.2e}"
          f" (relative {((expected - actual).abs() / expected).max().item():.2e})")


def check_fid(folder: Path) -> None:
    import pytorch_fid.fid_score as fid_score
    import pytorch_fid.inception as inception

    # pytorch-fid downloads its weights inside fid_inception_v3(); build it with random weights
    # instead, and keep the Inception3 it returns: the real pt_inception file is its state dict.
    built = {}
    build = inception.fid_inception_v3

    def build_randomly():
        original_load = nn.Module.load_state_dict
        inception.load_state_dict_from_url = lambda *args, **kwargs: {}
        nn.Module.load_state_dict = lambda self, *args, **kwargs: None
        try:
            built["model"] = build()
        finally:
            nn.Module.load_state_dict = original_load
        return built["model"]

    inception.fid_inception_v3 = build_randomly
    torch.manual_seed(0)
    reference = inception.InceptionV3([inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    randomise(reference)
    torch.save(built["model"].state_dict(), folder / "pt_inception.pth")
    ours = FIDInception.from_file(folder / "pt_inception.pth")

    batch = images(6, 160, seed=3)
    with torch.no_grad():
        expected = reference(batch)[0].flatten(1)
        actual = ours(batch)
    scale = expected.abs().max().item()
    spread = expected.std(dim=0).mean().item()
    print(f"FID Inception (random weights): pool features up to {scale:.3f} (spread over images "
          f"{spread:.3f}), largest difference {(expected - actual).abs().max().item():.2e}")

    first = inception_features(ours, images(40, 96, seed=4).split(1))
    second = inception_features(ours, images(40, 96, seed=5).split(1))
    reference_distance = fid_score.calculate_frechet_distance(
        first.mean(0), np.cov(first, rowvar=False), second.mean(0), np.cov(second, rowvar=False))
    our_distance = frechet_distance(first, second)
    print(f"  Frechet distance of two 40-image sets: reference {reference_distance:.9g}, ours {our_distance:.9g}")


def check_hrf(folder: Path) -> None:
    from mit_semseg.models.models import ResnetDilated
    from mit_semseg.models.resnet import resnet50

    torch.manual_seed(0)
    reference = ResnetDilated(resnet50(pretrained=False), dilate_scale=8)
    randomise(reference)
    reference.eval()
    torch.save(reference.state_dict(), folder / "encoder_epoch_20.pth")
    ours = HighReceptiveFieldLoss.from_file(folder / "encoder_epoch_20.pth").eval()

    prediction, image = images(2, 128, seed=6), images(2, 128, seed=7)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        expected_maps = reference((prediction - mean) / std, return_feature_maps=True)
        actual_maps = ours.encoder((prediction - mean) / std)
        real_maps = reference((image - mean) / std, return_feature_maps=True)
        # LaMa's ResNetPL: the sum over the four stages of the mean squared feature difference.
        expected_loss = sum(nn.functional.mse_loss(p, r) for p, r in zip(expected_maps, real_maps)).item()
        actual_loss = ours(prediction, image).item()
    spread = [m.std(dim=0).mean().item() for m in expected_maps]
    print(f"HRF encoder: feature spread over images per stage {', '.join(f'{v:.3f}' for v in spread)}")
    differences = [(e - a).abs().max().item() / e.abs().max().item() for e, a in zip(expected_maps, actual_maps)]
    print(f"HRF encoder (random weights): largest relative difference per stage "
          f"{', '.join(f'{d:.1e}' for d in differences)}")
    print(f"  loss: reference {expected_loss:.6f}, ours {actual_loss:.6f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        check_lpips(Path(folder))
        check_fid(Path(folder))
        check_hrf(Path(folder))


if __name__ == "__main__":
    main()
