"""`skingan-desktop batch`: a folder of real photos with their masks, filled and written to
another folder; damaged photos recorded and skipped over; a killed batch resumed."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skingan_desktop.batch.plan import BatchError, plan_batch
from skingan_desktop.io.photos import load_photo
from tests.conftest import PHOTOS, REPO, assert_one_line_error, lit_skin, run_cli

MASKED = ("101_1.jpg", "23_1.jpg", "125_1.jpg")


def _mask_beside(photo: Path) -> np.ndarray:
    """A blob over the photo's tattoo box, saved as NAME_mask.png beside it."""
    width, height = Image.open(photo).size
    x1, y1, x2, y2 = (int(float(v)) for v in (PHOTOS / photo.name).with_suffix(".txt").read_text().split()[:4])
    mask = np.zeros((height, width), np.uint8)
    cy, cx, ry, rx = (y1 + y2) // 2, (x1 + x2) // 2, max(4, (y2 - y1) // 6), max(4, (x2 - x1) // 6)
    yy, xx = np.mgrid[:height, :width]
    mask[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 255
    Image.fromarray(mask).save(photo.with_name(photo.stem + "_mask.png"))
    return mask > 0


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    """A studio's folder: three real photos with sidecar masks (one in a sub-folder), a
    damaged photo with a mask of the right size, and a photo without a mask."""
    folder = tmp_path / "shoot"
    (folder / "day2").mkdir(parents=True)
    holes = {}
    for index, name in enumerate(MASKED):
        target = folder / ("day2" if index == 2 else "") / name
        shutil.copy(PHOTOS / name, target)
        holes[target.relative_to(folder).as_posix()] = _mask_beside(target)
    damaged = folder / "damaged.jpg"
    damaged.write_bytes((PHOTOS / "58_1.JPG").read_bytes()[:6000])  # the header and a sliver of the scan
    width, height = Image.open(PHOTOS / "58_1.JPG").size
    Image.fromarray(np.full((height, width), 255, np.uint8)).save(folder / "damaged_mask.png")
    shutil.copy(PHOTOS / "2_1.JPG", folder / "unmasked.jpg")
    return folder, holes


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "skingan-batch.jsonl").read_text().splitlines() if line.strip()]


def test_a_folder_is_filled_photo_by_photo_and_a_damaged_photo_does_not_stop_it(archive, tmp_path: Path) -> None:
    folder, holes = archive
    out = tmp_path / "clean"

    result = run_cli("batch", folder, out, "--recursive", "--format", "png", "--device", "cpu")

    assert result.returncode == 1, result.stderr  # one photo failed
    assert "3 filled, 0 copied unchanged, 1 failed" in result.stdout
    assert "unmasked.jpg" in result.stdout.splitlines()[-1]  # listed, not written
    for name, hole in holes.items():
        original, cleaned = load_photo(folder / name), load_photo(out / Path(name).with_suffix(".png"))
        assert np.array_equal(cleaned[~hole], original[~hole])  # outside the mask: the original pixels
        assert np.abs(cleaned[hole].astype(int) - original[hole]).mean() > 5  # the tattoo is gone
    assert not (out / "unmasked.png").exists() and not (out / "damaged.png").exists()
    records = {record["photo"]: record for record in _records(out)}
    assert records["damaged.jpg"]["status"] == "error" and "damaged.jpg" in records["damaged.jpg"]["error"]
    assert records["unmasked.jpg"]["status"] == "no-mask"
    assert records["day2/125_1.jpg"]["mask_source"] == "sidecar"
    assert records["day2/125_1.jpg"]["output"] == "day2/125_1.png"
    assert len(records["23_1.jpg"]["input_sha256"]) == 64
    assert {path.name for path in folder.rglob("*")} >= set(MASKED)  # the originals are still there, unchanged
    assert all((folder / name).read_bytes() == (PHOTOS / Path(name).name).read_bytes() for name in holes)

    # Run again, asking for unmasked photos too: the filled ones are not redone.
    again = run_cli("batch", folder, out, "--recursive", "--format", "png", "--copy-unchanged", "--device", "cpu")
    assert "0 filled, 1 copied unchanged, 1 failed, 3 already done earlier" in again.stdout
    assert np.array_equal(load_photo(out / "unmasked.png"), load_photo(folder / "unmasked.jpg"))


def test_a_killed_batch_goes_on_where_it_stopped(archive, tmp_path: Path) -> None:
    folder, holes = archive
    (folder / "damaged.jpg").unlink()
    (folder / "damaged_mask.png").unlink()
    out = tmp_path / "clean"
    batch = subprocess.Popen([sys.executable, "-m", "skingan_desktop", "batch", str(folder), str(out), "--recursive",
                              "--device", "cpu"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = out / "skingan-batch.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (log.exists() and '"done"' in log.read_text()):
        time.sleep(0.05)
    batch.send_signal(signal.SIGKILL)
    batch.wait()
    first = [record for record in _records(out) if record["status"] == "done"]
    assert 1 <= len(first) < len(holes)
    written = {record["output"]: (out / record["output"]).stat().st_mtime_ns for record in first}

    result = run_cli("batch", folder, out, "--recursive", "--device", "cpu")

    assert result.returncode == 0, result.stderr
    assert f"{len(first)} already done earlier" in result.stdout
    assert all((out / name).stat().st_mtime_ns == mtime for name, mtime in written.items())  # not redone
    done = [record["photo"] for record in _records(out) if record["status"] == "done"]
    assert sorted(done) == sorted(holes)  # each photo filled exactly once
    assert not list(out.rglob(".skingan-*"))  # no temporary file of the killed run is left


def test_two_worker_processes_write_what_one_process_writes(archive, tmp_path: Path) -> None:
    folder, holes = archive
    one, two = tmp_path / "one", tmp_path / "two"
    for out, workers in ((one, "1"), (two, "2")):
        run_cli("batch", folder, out, "--recursive", "--format", "png", "--workers", workers, "--device", "cpu")
    for name in holes:
        png = Path(name).with_suffix(".png")
        difference = np.abs(load_photo(one / png).astype(int) - load_photo(two / png))
        assert difference.max() <= 1, name  # the same fill; threads may round one level apart


def test_the_batch_refuses_to_write_over_its_originals(archive) -> None:
    folder, _ = archive
    assert_one_line_error(run_cli("batch", folder, folder), "input folder")
    with pytest.raises(BatchError, match="does not exist"):
        plan_batch(folder / "missing", folder / "out")


def test_masks_come_from_a_masks_folder_or_one_mask_and_the_output_folder_is_never_read(archive,
                                                                                         tmp_path: Path) -> None:
    folder, _ = archive
    masks = tmp_path / "masks"
    (masks / "day2").mkdir(parents=True)
    Image.new("L", (10, 10), 255).save(masks / "day2" / "125_1.png")
    (folder / "old-results").mkdir()
    shutil.copy(PHOTOS / "2_1.JPG", folder / "old-results" / "2_1.jpg")

    jobs = {job.name: job for job in plan_batch(folder, folder / "old-results", recursive=True, masks_dir=masks)}

    assert "old-results/2_1.jpg" not in jobs
    assert jobs["day2/125_1.jpg"].mask_source == "folder" and jobs["day2/125_1.jpg"].mask.parent == masks / "day2"
    assert jobs["23_1.jpg"].mask_source == "sidecar"
    assert jobs["unmasked.jpg"].mask is None
    assert not any(name.endswith("_mask.png") for name in jobs)
    one = plan_batch(folder, tmp_path / "out", one_mask=masks / "day2" / "125_1.png")
    assert {job.mask_source for job in one} == {"one"}
    assert all(job.output.parent == tmp_path / "out" for job in one)


def test_on_a_local_ray_instance_the_batch_writes_what_one_process_writes(archive, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    from skingan_desktop.batch.job import BatchSettings
    from skingan_desktop.batch.log import BatchLog
    from skingan_desktop.batch.run import run_batch, weights_label
    from skingan_desktop.resources import embedded_model_path

    folder, holes = archive
    one, cluster = tmp_path / "one", tmp_path / "ray"
    run_cli("batch", folder, one, "--recursive", "--format", "png", "--device", "cpu")
    weights = embedded_model_path()
    settings = BatchSettings(weights=weights_label(weights))
    jobs = plan_batch(folder, cluster, recursive=True, output_suffix=".png")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = run_batch(jobs, settings, BatchLog(cluster), weights=weights, device="cpu", workers=2,
                            ray_address="auto")
    finally:
        ray.shutdown()

    assert len(summary.with_status("done")) == len(holes) and len(summary.with_status("error")) == 1
    for name in holes:
        png = Path(name).with_suffix(".png")
        assert np.abs(load_photo(one / png).astype(int) - load_photo(cluster / png)).max() <= 1, name
    assert {record["photo"] for record in BatchLog(cluster).finished().values()} == set(holes)


def test_without_ray_the_cluster_option_says_how_to_install_it(archive, tmp_path: Path, monkeypatch,
                                                                capsys) -> None:
    from skingan_desktop import cli

    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    folder, _ = archive
    assert cli.main(["batch", str(folder), str(tmp_path / "out"), "--ray", "auto"]) == 2
    assert "pip install 'skingan-desktop[cluster]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_with_no_ray_cluster_running_the_batch_says_how_to_start_one(archive, tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    folder, _ = archive
    result = run_cli("batch", folder, tmp_path / "out", "--ray", "auto")
    assert_one_line_error(result, "Could not reach a Ray cluster at 'auto'", "ray start --head", "--ray local")
    assert not any((tmp_path / "out").rglob("*.jpg"))


def test_find_tattoos_masks_the_photos_that_have_no_mask_and_keeps_their_masks_to_check(tmp_path: Path) -> None:
    folder, out = tmp_path / "shoot", tmp_path / "clean"
    folder.mkdir()
    shutil.copy(PHOTOS / "23_1.jpg", folder / "arm.jpg")                # a held-out subject's tattoo, no mask
    Image.fromarray(lit_skin(480, 360, seed=2)).save(folder / "skin.png")  # nothing to find
    shutil.copy(PHOTOS / "101_1.jpg", folder / "101_1.jpg")
    own = _mask_beside(folder / "101_1.jpg")                              # its own mask: the finder is not asked

    result = run_cli("batch", folder, out, "--find-tattoos", "--keep-found-masks", "--device", "cpu")

    assert result.returncode == 0, result.stderr
    assert "2 filled, 0 copied unchanged, 0 failed" in result.stdout
    assert "1 photo(s) were masked by the tattoo finder; check them: arm.jpg" in result.stdout
    assert "1 photo(s) had no mask and no tattoo found and were not written: skin.png" in result.stdout
    records = {record["photo"]: record for record in _records(out)}
    assert records["arm.jpg"]["mask_source"] == "found" and records["arm.jpg"]["tattoos_found"] == 1
    assert records["arm.jpg"]["found_mask"] == "arm_mask.png" and records["101_1.jpg"]["mask_source"] == "sidecar"
    assert records["skin.png"]["status"] == "no-mask" and records["skin.png"]["note"].startswith("no tattoo found")
    assert records["arm.jpg"]["settings"]["finder"].startswith("tattoo-finder.safetensors sha256:")
    found = load_photo(out / "arm_mask.png")[..., 0] > 127
    original, cleaned = load_photo(folder / "arm.jpg"), load_photo(out / "arm.jpg")
    assert found.shape == original.shape[:2] and found.mean() > 0.05
    assert np.abs(cleaned[~found].astype(int) - original[~found]).mean() < 2  # JPEG again; no fill outside
    assert np.abs(cleaned[found].astype(int) - original[found]).mean() > 5
    assert not (out / "skin.png").exists() and not (out / "101_1_mask.png").exists()
    assert own.any()

    again = run_cli("batch", folder, out, "--find-tattoos", "--keep-found-masks", "--device", "cpu")
    assert "0 filled" in again.stdout and "2 already done earlier" in again.stdout


def test_the_finder_options_need_find_tattoos(tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    shutil.copy(PHOTOS / "23_1.jpg", folder / "arm.jpg")
    result = run_cli("batch", folder, tmp_path / "out", "--keep-found-masks")
    assert_one_line_error(result, "--keep-found-masks go with --find-tattoos")
    result = run_cli("batch", folder, tmp_path / "out", "--find-tattoos", "--finder-weights", tmp_path / "none.safetensors")
    assert_one_line_error(result, "do not exist")


def test_at_a_terminal_the_batch_shows_a_bar_under_the_finished_photos() -> None:
    import io

    from skingan_desktop.batch.progress import BatchProgress

    lines, terminal = io.StringIO(), io.StringIO()
    progress = BatchProgress(out=lines, bar_stream=terminal)
    progress(1, 4, {"photo": "a.jpg", "status": "done", "seconds": 1.25})
    progress(2, 4, {"photo": "b.jpg", "status": "error", "error": "b.jpg is damaged.", "seconds": 0.1})
    progress.close()
    shown = terminal.getvalue().split("\r\x1b[K")[-1]  # what the terminal's last line ends as
    assert "[##########..........]  50% 2/4 photos" in shown and "left" in shown
    assert "[1/4] a.jpg: done (1.2 s)" in terminal.getvalue() and "[2/4] b.jpg: error (b.jpg is damaged.)" in terminal.getvalue()
    assert lines.getvalue() == ""  # the lines went above the bar

    plain = io.StringIO()
    without_terminal = BatchProgress(out=plain)  # under pytest standard error is no terminal
    without_terminal(1, 1, {"photo": "a.jpg", "status": "done", "seconds": 2.0})
    assert plain.getvalue() == "[1/1] a.jpg: done (2.0 s)\n"
