"""The fill's model as the app holds it: loaded, warmed up, timed, and where it is."""

from __future__ import annotations

from pathlib import Path

from skingan_desktop.engine.models import load_warmed


def test_a_loaded_model_knows_its_file_its_pace_and_where_it_runs(small_weights: Path) -> None:
    model = load_warmed(small_weights, "cpu")

    assert model.path == small_weights and model.device == "cpu"
    assert 0 < model.pass_seconds < 60  # one small fill through the whole engine, timed
    model.generator.to("meta")          # moved elsewhere (as a GPU run out of memory moves it to the CPU)
    assert model.device == "meta"
