"""The LaMa FFC ResNet generator and its front/rear split used by feature refinement.

``(B, 4, H, W)`` masked RGB + mask in ``[0, 1]`` -> ``(B, 3, H, W)`` RGB in ``[0, 1]``;
H and W must be multiples of ``2 ** n_downsampling`` (8 for every released model).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import torch
from torch import Tensor, nn

from .ffc import ConcatBranches, FeaturePair, FFCNormAct, FFCResidualBlock


def generator_input(image: Tensor, mask: Tensor) -> Tensor:
    """What the generator is given: ``(B, 3, H, W)`` image and ``(B, 1, H, W)`` mask ->
    ``(B, 4, H, W)``, the hole zeroed and the mask beside it (LaMa's masked input; the one
    place this rule is written)."""
    return torch.cat([image * (1 - mask), mask], dim=1)


@dataclass(frozen=True)
class GeneratorConfig:
    """What fixes the generator's shape; everything else (paddings, norms) is LaMa's."""

    input_channels: int = 4
    output_channels: int = 3
    ngf: int = 64
    n_downsampling: int = 3
    n_blocks: int = 18
    max_features: int = 1024
    global_ratio: float = 0.75  # share of global channels in the residual blocks

    @classmethod
    def big_lama(cls) -> "GeneratorConfig":
        """The configuration of the public big-lama model (51.0 M parameters)."""
        return cls()

    @classmethod
    def from_lama_kwargs(cls, kwargs: Mapping[str, Any]) -> "GeneratorConfig":
        """Build from the official ``FFCResNetGenerator`` constructor arguments."""
        for part in ("init_conv_kwargs", "downsample_conv_kwargs"):
            ratios = kwargs.get(part, {})
            if ratios.get("ratio_gin", 0) or ratios.get("ratio_gout", 0):
                raise ValueError(f"{part} with global channels is not supported")
        resnet = kwargs.get("resnet_conv_kwargs", {})
        if resnet.get("ratio_gin", 0.75) != resnet.get("ratio_gout", 0.75):
            raise ValueError("residual blocks must use the same input and output global ratio")
        if kwargs.get("add_out_act", "sigmoid") not in ("sigmoid", True):
            raise ValueError("only a sigmoid output activation is supported")
        return cls(
            input_channels=kwargs.get("input_nc", 4),
            output_channels=kwargs.get("output_nc", 3),
            ngf=kwargs.get("ngf", 64),
            n_downsampling=kwargs.get("n_downsampling", 3),
            n_blocks=kwargs.get("n_blocks", 9),
            max_features=kwargs.get("max_features", 1024),
            global_ratio=resnet.get("ratio_gin", 0.75),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        return 2 ** self.n_downsampling

    @property
    def front_length(self) -> int:
        """Number of layers before the first residual block (5 for big-lama)."""
        return 2 + self.n_downsampling


OUTPUT_KERNEL = 7  # the output convolution's size


def build_layers(config: GeneratorConfig) -> list[nn.Module]:
    """The generator's layers in LaMa's order, so that indices match official keys."""
    def width(mult: float) -> int:
        return min(config.max_features, int(config.ngf * mult))

    layers: list[nn.Module] = [
        nn.ReflectionPad2d(3),
        FFCNormAct(config.input_channels, config.ngf, 7, 0.0, 0.0),
    ]
    for i in range(config.n_downsampling):
        last = i == config.n_downsampling - 1
        layers.append(FFCNormAct(
            width(2 ** i), width(2 ** (i + 1)), 3,
            ratio_gin=0.0, ratio_gout=config.global_ratio if last else 0.0,
            stride=2, padding=1,
        ))
    bottleneck = width(2 ** config.n_downsampling)
    layers += [FFCResidualBlock(bottleneck, config.global_ratio) for _ in range(config.n_blocks)]
    layers.append(ConcatBranches())
    for i in range(config.n_downsampling):
        mult = 2 ** (config.n_downsampling - i)
        layers += [
            nn.ConvTranspose2d(width(mult), width(mult / 2), 3, stride=2, padding=1, output_padding=1),
            nn.BatchNorm2d(width(mult / 2)),
            nn.ReLU(inplace=True),
        ]
    layers += [
        nn.ReflectionPad2d(OUTPUT_KERNEL // 2),
        nn.Conv2d(config.ngf, config.output_channels, kernel_size=OUTPUT_KERNEL),
        nn.Sigmoid(),
    ]
    return layers


class FFCResNetGenerator(nn.Module):
    """LaMa's generator: downscaling, FFC residual blocks, upscaling.

    ``forward`` maps ``(B, 4, H, W)`` (RGB with the hole zeroed, then the binary mask, floats in
    ``[0, 1]``) to ``(B, 3, H, W)`` in ``[0, 1]``. ``front`` and ``rear`` split it before the
    first residual block; ``rear(front(x)) == forward(x)``.
    """

    def __init__(self, config: GeneratorConfig) -> None:
        super().__init__()
        self.config = config
        self.model = nn.Sequential(*build_layers(config))
        # How much of a fill's tone the engine takes from this generator rather than from the
        # harmonic membrane (engine/tone.py): 1 unless its weights file says otherwise.
        self.structure_weight = 1.0

    def front(self, x: Tensor) -> FeaturePair:
        """``(B, 4, H, W)`` -> mid-level features ``(local, global)`` at ``H/8 x W/8``."""
        features: Any = x
        for layer in self.model[: self.config.front_length]:
            features = layer(features)
        return features

    def rear(self, features: FeaturePair) -> Tensor:
        """Mid-level features ``(local, global)`` -> ``(B, 3, H, W)`` in ``[0, 1]``."""
        out: Any = features
        for layer in self.model[self.config.front_length:]:
            out = layer(out)
        return out

    def rear_crop(self, features: FeaturePair, top: int, left: int, bottom: int, right: int) -> Tensor:
        """``rear(features)[..., top:bottom, left:right]``, with the upscaling layers run only
        around that box (the residual blocks still see everything: their Fourier units are
        global). For the plain pass, whose output is only kept inside the hole.

        The upscaling layers are local: a transposed convolution's output at a crop's far edge
        misses one input pixel, which grows to ``2**n - 1`` pixels over ``n`` of them, and the
        output convolution's reflection padding adds its reach at both edges. The crop of the
        bottleneck features keeps ``decoder_margin`` feature pixels beyond the box on each side
        for that; at the features' own edges it reaches them, where the crop and the whole map
        pad alike."""
        blocks_end = self.config.front_length + self.config.n_blocks + 1  # ConcatBranches included
        out: Any = features
        for layer in self.model[self.config.front_length:blocks_end]:
            out = layer(out)
        step, margin = self.config.size_multiple, self.decoder_margin
        height, width = out.shape[-2:]
        rows = max(top // step - margin, 0), min(-(-bottom // step) + margin, height)
        cols = max(left // step - margin, 0), min(-(-right // step) + margin, width)
        out = out[..., rows[0]:rows[1], cols[0]:cols[1]]
        for layer in self.model[blocks_end:]:
            out = layer(out)
        top, bottom = top - rows[0] * step, bottom - rows[0] * step
        left, right = left - cols[0] * step, right - cols[0] * step
        return out[..., top:bottom, left:right]

    @property
    def decoder_margin(self) -> int:
        """Bottleneck pixels the upscaling layers need beyond a box (see :meth:`rear_crop`)."""
        step = self.config.size_multiple
        reach = (step - 1) + OUTPUT_KERNEL // 2
        return -(-reach // step)

    def forward(self, x: Tensor) -> Tensor:
        return self.rear(self.front(x))
