"""Build the PyInstaller bundle and use it as a person would: --version, an inpaint of a photo,
and the window started offscreen. Run before a release (it takes minutes and 1+ GB of disk, too
much for CI):

    .venv/bin/pip install "pyinstaller>=6" && .venv/bin/python benchmarks/check_bundle.py

Exits non-zero with the failing step named. ``--skip-build`` checks a bundle already in dist/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "skingan-desktop"
EXECUTABLE = BUNDLE / ("skingan-desktop.exe" if os.name == "nt" else "skingan-desktop")


def _step(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        sys.exit(1)


def _size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        started = time.perf_counter()
        build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                                str(ROOT / "build.spec")], cwd=ROOT, capture_output=True, text=True)
        _step("build", build.returncode == 0, f"{time.perf_counter() - started:.0f} s" if build.returncode == 0
              else build.stderr[-2000:])
    _step("bundle present", EXECUTABLE.is_file(), f"{_size_of(BUNDLE) / 2**30:.2f} GB in {BUNDLE}")
    shipped = {p.name for p in (BUNDLE / "_internal").iterdir()} if (BUNDLE / "_internal").is_dir() else set()
    _step("no test packages", not ({"pytest", "_pytest", "pytestqt", "hypothesis", "tests"} & shipped))

    version = subprocess.run([str(EXECUTABLE), "--version"], capture_output=True, text=True, timeout=120)
    _step("--version", version.returncode == 0 and "skingan-desktop" in version.stdout,
          (version.stdout or version.stderr).strip()[-300:])

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        rng = np.random.default_rng(0)
        photo = np.clip(rng.normal(170, 6, (240, 320, 3)), 0, 255).astype(np.uint8)
        photo[100:140, 120:200] = (40, 45, 70)  # a block of ink
        mask = np.zeros((240, 320), np.uint8)
        mask[96:144, 116:204] = 255
        Image.fromarray(photo).save(folder / "arm.png")
        Image.fromarray(mask).save(folder / "mask.png")
        started = time.perf_counter()
        run = subprocess.run([str(EXECUTABLE), "inpaint", str(folder / "arm.png"), str(folder / "mask.png"),
                              "-o", str(folder / "clean.png")], capture_output=True, text=True, timeout=600)
        ok = run.returncode == 0 and (folder / "clean.png").is_file()
        if ok:
            clean = np.asarray(Image.open(folder / "clean.png"))
            ok = bool(np.array_equal(clean[mask == 0], photo[mask == 0]) and clean[100:140, 120:200].mean() > 120)
        _step("inpaint with the embedded model", ok,
              f"{time.perf_counter() - started:.1f} s" if ok else (run.stderr or run.stdout)[-1000:])

        environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(folder), XDG_CONFIG_HOME=str(folder))
        window = subprocess.Popen([str(EXECUTABLE), str(folder / "arm.png")], env=environment,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(20)  # the window opens, the photo decodes and the embedded model loads
        alive = window.poll() is None
        window.terminate()
        _, errors = window.communicate(timeout=30)
        _step("the window starts offscreen and stays up", alive and "Traceback" not in errors, errors.strip()[-1000:])


if __name__ == "__main__":
    main()
