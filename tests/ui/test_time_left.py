"""The time-left estimate shown in the progress bar while a run refines."""

from __future__ import annotations

import pytest

from skingan_desktop.ui.time_left import TimeLeft, describe


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_pace_of_the_steps_so_far_predicts_the_rest() -> None:
    clock = FakeClock()
    estimate = TimeLeft(clock)

    assert estimate.update("region 1/1: refining", 1, 15) is None  # nothing to go by yet
    clock.now += 20.0
    assert estimate.update("region 1/1: refining", 3, 15) == pytest.approx(12 * 10.0)
    clock.now += 30.0
    assert estimate.update("region 1/1: refining", 6, 15) == pytest.approx(9 * 10.0)
    assert estimate.update("region 1/1: refining", 15, 15) == 0.0


def test_a_new_stage_starts_a_new_estimate() -> None:
    clock = FakeClock()
    estimate = TimeLeft(clock)
    estimate.update("region 1/2: refining", 1, 15)
    clock.now += 50.0
    estimate.update("region 1/2: refining", 15, 15)

    clock.now += 1.0
    assert estimate.update("region 2/2: 512 result", 0, 1) is None
    assert estimate.update("region 2/2: refining", 1, 15) is None
    clock.now += 2.0
    assert estimate.update("region 2/2: refining", 2, 15) == pytest.approx(13 * 2.0)


@pytest.mark.parametrize("seconds, text", [
    (3, "a few seconds left"), (23, "about 25 s left"), (58, "about 1 min left"),
    (100, "about 1 min 40 s left"), (181, "about 3 min left"),
])
def test_descriptions_round_to_what_a_waiting_person_needs(seconds: float, text: str) -> None:
    assert describe(seconds) == text
