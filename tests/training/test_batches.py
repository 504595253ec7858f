"""Training batches made in worker processes are real, repeatable and not the same twice; a
run trains with them."""

from __future__ import annotations

import json
from functools import partial
from itertools import islice
from pathlib import Path

import numpy as np
import torch

from skingan_desktop.training.batches import batch_stream
from skingan_desktop.training.loop import TrainConfig, train
from skingan_desktop.training.losses import LossWeights
from skingan_desktop.training.scenes import load_scenes, scene_batch
from tests.training.test_training import two_photos


def test_workers_make_distinct_repeatable_batches(tmp_path: Path) -> None:
    sample = partial(scene_batch, load_scenes(two_photos(tmp_path)), 3, 64)

    in_turn = list(islice(batch_stream(sample, [0, 5]), 2))
    first = sample(np.random.default_rng([0, 5]))  # in turn: the run's own stream, as before workers existed
    assert torch.equal(in_turn[0][0], first[0]) and torch.equal(in_turn[0][1], first[1])

    made = list(islice(batch_stream(sample, [0, 5], workers=2), 4))
    again = list(islice(batch_stream(sample, [0, 5], workers=2), 4))
    for (image, mask), (image_again, mask_again) in zip(made, again):
        assert image.shape == (3, 3, 64, 64) and mask.shape == (3, 1, 64, 64)
        assert 0 <= image.min() and image.max() <= 1 and all(0 < m.mean() < 1 for m in mask)
        assert torch.equal(image, image_again) and torch.equal(mask, mask_again)  # a resumed run sees the same
    images = [image for image, _ in made]
    assert all(not torch.equal(a, b) for i, a in enumerate(images) for b in images[i + 1:])  # two workers, two streams


def test_a_run_trains_on_batches_from_workers(tmp_path: Path) -> None:
    config = TrainConfig(data=two_photos(tmp_path), run_dir=tmp_path / "run", steps=3, batch_size=2, size=64, ngf=8,
                         n_blocks=1, scenes=True, loader_workers=2,
                         losses=LossWeights(adversarial=0, feature_matching=0, tone=10, lattice=30))
    messages: list[str] = []
    weights = train(config, report=messages.append)
    assert weights.is_file() and json.loads((tmp_path / "run" / "model-card.json").read_text())["steps"] == 3
    assert any(message.startswith("step 3/3 ") for message in messages)
