"""Speed and memory of the engine against a straightforward reference, big-lama architecture.

    python benchmarks/bench_engine.py            # everything, one run (about 20 min on 2 CPU cores)
    python benchmarks/bench_engine.py --device cuda

The big-lama cases use random weights (timing does not depend on them). Each case runs in its
own process so that its peak memory (max RSS on CPU, max allocated on CUDA) is its own. Cases:
- embedded-512: the embedded SkinGAN model, its generator pass and the whole 512 result;
- tone: the membrane fill under texture models' fills against OpenCV Navier-Stokes, at 512
  and 1024; snap: snap to ink on a 24 MP photo;
- plain pass at 512 and 1024: the unfused float32 generator ("reference") against the
  inference-ready one ("ours"), 7 interleaved rounds after a warm-up (medians, and the ratio of
  each round), and the largest output difference; then the same for the plain *result*, the
  pass composited inside a tattoo-sized hole (ours upscales only around the hole);
- refined 1024 result for a tattoo-sized mask: the refinement loop as the paper's code writes it
  (trainable weights, masks rebuilt every iteration) against ours (512 pass reused as the coarse
  scale, feature-only gradients, constants once), with the loss at the last iteration. Our
  refinement runs with the app's allocator setting (engine/allocator.py), the reference with
  glibc's default; the optional case refine-reference_tuned gives the reference that setting too.
  The plain cases run both generators in one process, with glibc's default.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skingan_desktop.engine.allocator import reusing_freed_memory, share_one_arena  # noqa: E402
from skingan_desktop.model import FFCResNetGenerator, GeneratorConfig  # noqa: E402
from skingan_desktop.model.inference import prepare_for_inference  # noqa: E402
from skingan_desktop.model.refine import (  # noqa: E402
    PyramidLevel, elliptical_kernel, hole_core_at_half_size, pyramid_down, pyramid_down_mask,
    fast_optimise_dtype, refine_level,
)


def tattoo_inputs(side: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """A smooth skin-like image and a tattoo-sized elliptical blob with strokes (about 8 %)."""
    yy, xx = torch.meshgrid(torch.linspace(0, 1, side), torch.linspace(0, 1, side), indexing="ij")
    image = torch.stack([0.8 - 0.1 * yy, 0.6 - 0.1 * xx, 0.5 + 0.05 * torch.sin(9 * xx)])[None]
    blob = ((xx - 0.45) / 0.16) ** 2 + ((yy - 0.5) / 0.12) ** 2 < 1
    stroke = (torch.abs(yy - 0.3 - 0.1 * torch.sin(12 * xx)) < 0.015) & (xx > 0.3) & (xx < 0.8)
    return image.to(device), (blob | stroke).float()[None, None].to(device)


def make_generator(device: torch.device, prepared: bool) -> FFCResNetGenerator:
    """The same random big-lama weights every time; ``prepared`` = our inference-ready form."""
    torch.manual_seed(0)
    generator = FFCResNetGenerator(GeneratorConfig.big_lama()).eval().to(device)
    return prepare_for_inference(generator) if prepared else generator


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(fn, device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


PLAIN_ROUNDS = 7


def case_plain(side: int, device: torch.device) -> dict:
    """The generator pass on the whole frame, and the plain result as the engine makes it (the
    pass composited inside the hole; ours upscales only around the hole, see rear_crop)."""
    reference, ours = make_generator(device, False), make_generator(device, True)
    image, mask = tattoo_inputs(side, device)
    x = torch.cat([image * (1 - mask), mask], dim=1)

    def reference_result() -> torch.Tensor:
        return mask * reference(x) + (1 - mask) * image

    def our_result() -> torch.Tensor:
        return refine_level(ours, PyramidLevel(image, mask), None)

    runs = {"reference": lambda: reference(x), "ours": lambda: ours(x),
            "reference_result": reference_result, "ours_result": our_result}
    times: dict[str, list[float]] = {name: [] for name in runs}
    with torch.inference_mode():
        for run in runs.values():  # warm-up
            run()
        # Interleaved rounds: a slow spell on a shared machine hits both models, not one.
        for _ in range(PLAIN_ROUNDS):
            for name, run in runs.items():
                times[name].append(timed(run, device))
        diff = (reference(x) - ours(x)).abs().max().item()
        result_diff = (reference_result() - our_result()).abs().max().item()
    row = {"case": f"plain {side}", "max_abs_diff": diff, "result_max_abs_diff": result_diff}
    for prefix in ("", "_result"):
        reference_times, our_times = times["reference" + prefix], times["ours" + prefix]
        row[f"reference{prefix}_s"] = statistics.median(reference_times)
        row[f"ours{prefix}_s"] = statistics.median(our_times)
        row[f"round_ratios{prefix}"] = [round(r / o, 3) for r, o in zip(reference_times, our_times)]
    return row


def reference_refine(generator, image, mask, n_iters=15, lr=0.002) -> tuple[torch.Tensor, float]:
    """Two scales (512 then 1024) the way the paper's code runs them."""
    for p in generator.parameters():
        p.requires_grad_(True)  # as released: the weights take part in backward
    coarse = PyramidLevel(pyramid_down(image), pyramid_down_mask(mask))
    previous = None
    last_loss = math.nan
    for level in (coarse, PyramidLevel(image, mask)):
        img, msk = level.image, level.mask
        masked = torch.cat([img * (1 - msk), msk], dim=1)
        mask3 = msk.repeat(1, 3, 1, 1)
        with torch.no_grad():
            z1, z2 = generator.front(masked)
        if previous is None:
            with torch.no_grad():
                pred = generator.rear((z1, z2))
            previous = mask3 * pred + (1 - mask3) * img
            continue
        z1, z2 = z1.detach().requires_grad_(True), z2.detach().requires_grad_(True)
        optimiser = torch.optim.Adam([z1, z2], lr=lr)
        for i in range(n_iters):
            optimiser.zero_grad()
            pred = generator.rear((z1, z2))
            down = pyramid_down(pred)
            core = hole_core_at_half_size(msk, elliptical_kernel(15, msk.device)).repeat(1, 3, 1, 1)
            loss = torch.mean(torch.abs(pred[mask3 < 1e-8] - img[mask3 < 1e-8]))
            loss = loss + torch.mean(torch.abs(down[core >= 1e-8] - previous[core >= 1e-8]))
            last_loss = loss.item()
            if i < n_iters - 1:
                loss.backward()
                optimiser.step()
        previous = (mask3 * pred + (1 - mask3) * img).detach()
    return previous, last_loss


def our_refine(generator, image, mask, n_iters=15, lr=0.002, dtype=None) -> tuple[torch.Tensor, float]:
    coarse = PyramidLevel(pyramid_down(image), pyramid_down_mask(mask))
    preview = refine_level(generator, coarse, None)  # the 512 result, reused
    losses: list[float] = []
    result = refine_level(generator, PyramidLevel(image, mask), preview, n_iters=n_iters, lr=lr, losses=losses,
                          optimise_dtype=dtype)
    return result, losses[-1]


def case_embedded(device: torch.device) -> dict:
    """The embedded SkinGAN model: its generator pass at 512, and the whole 512 result of the
    engine (work region, tone fill, texture, paste) for a 300x200 hole in a 1600x1200 photo."""
    from skingan_desktop.engine.runner import InpaintSettings, Inpainter
    from skingan_desktop.model import load_generator
    from skingan_desktop.resources import embedded_model_path

    generator = load_generator(embedded_model_path(), device=device)
    x = torch.rand(1, 4, 512, 512, device=device)
    photo = (np.random.default_rng(0).random((1200, 1600, 3)) * 255).astype(np.uint8)
    hole = np.zeros((1200, 1600), bool)
    hole[500:700, 600:900] = True
    inpainter = Inpainter(generator, InpaintSettings(refine=False))
    with torch.inference_mode():
        generator(x)
        inpainter.run(photo, hole)
        pass_s = statistics.median(timed(lambda: generator(x), device) for _ in range(PLAIN_ROUNDS))
        result_s = statistics.median(timed(lambda: inpainter.run(photo, hole), device) for _ in range(PLAIN_ROUNDS))
    return {"case": "embedded 512", "pass_s": pass_s, "result_s": result_s}


def case_tone() -> dict:
    """The tone under a texture model's fill: the membrane fill against OpenCV Navier-Stokes
    (what it replaced), for a painted-over tattoo in a 512 and a 1024 px work region."""
    import cv2

    from skingan_desktop.engine.membrane import membrane_fill

    row: dict = {"case": "tone fill"}
    for side in (512, 1024):
        photo = (np.random.default_rng(0).random((side, side, 3)) * 255).astype(np.uint8)
        blob = np.zeros((side, side), np.uint8)  # a tattoo painted over, in a region twice its size
        cv2.ellipse(blob, (side // 2, side // 2), (side // 4, side // 5), 20, 0, 360, 255, -1)
        hole = blob > 0
        ns = lambda: cv2.inpaint(photo, hole.astype(np.uint8) * 255, 5, cv2.INPAINT_NS)  # noqa: E731
        row[f"membrane_{side}_s"] = statistics.median(timed(lambda: membrane_fill(photo, hole), torch.device("cpu"))
                                                      for _ in range(PLAIN_ROUNDS))
        row[f"navier_stokes_{side}_s"] = statistics.median(timed(ns, torch.device("cpu")) for _ in range(PLAIN_ROUNDS))
        row[f"hole_share_{side}"] = float(hole.mean())
    return row


def case_snap() -> dict:
    """Snap to ink on a 24 MP photo: a 1500x1000 px area brushed over a drawing."""
    import cv2

    from skingan_desktop.engine.ink import snap_to_ink

    photo = np.full((4000, 6000, 3), (200, 160, 140), np.uint8)
    photo += np.random.default_rng(0).integers(0, 6, photo.shape, dtype=np.uint8)
    for k in range(12):
        cv2.circle(photo, (2400 + 60 * k, 1900), 300 - 20 * k, (40, 45, 70), 6)
    brushed = np.zeros(photo.shape[:2], bool)
    brushed[1400:2400, 1900:3400] = True
    seconds = statistics.median(timed(lambda: snap_to_ink(photo, brushed), torch.device("cpu")) for _ in range(3))
    return {"case": "snap to ink 24 MP", "seconds": seconds}


def case_refine(which: str, device: torch.device) -> dict:
    generator = make_generator(device, prepared=which != "reference")
    image, mask = tattoo_inputs(1024, device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    # Ours runs inside the engine's allocator setting, as Inpainter.run does; the reference with
    # glibc's default, or with that setting too for "reference_tuned".
    with reusing_freed_memory() if which != "reference" else contextlib.nullcontext():
        if which.startswith("reference"):
            _, last_loss = reference_refine(generator, image, mask)
        else:  # "ours": the engine's default precision; "ours_fp32": float32 throughout
            dtype = fast_optimise_dtype(device) if which == "ours" else None
            _, last_loss = our_refine(generator, image, mask, dtype=dtype)
    sync(device)
    seconds = time.perf_counter() - start
    return {"case": f"refined 1024 {which}", "seconds": seconds, "last_loss": last_loss}


def peak_memory_gb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def run_case(name: str, device: torch.device) -> dict:
    torch.set_grad_enabled(True)
    if name.startswith("refine-") and name != "refine-reference":
        share_one_arena()  # as skingan-desktop starts
    if name.startswith("plain"):
        result = case_plain(int(name.split("-")[1]), device)
    elif name == "embedded-512":
        result = case_embedded(device)
    elif name == "tone":
        result = case_tone()
    elif name == "snap":
        result = case_snap()
    else:
        result = case_refine(name.split("-")[1], device)
    result["peak_memory_gb"] = peak_memory_gb(device)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--cases", default="plain-512,plain-1024,embedded-512,tone,snap,refine-ours,refine-ours_fp32,"
                                           "refine-reference")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.case:
        print(json.dumps(run_case(args.case, device)))
        return
    cpu = platform.processor() or platform.machine()
    print(f"# {platform.node()}: {cpu}, {torch.get_num_threads()} threads, torch {torch.__version__}, device {device}, "
          f"refinement precision {fast_optimise_dtype(device) or torch.float32}"
          + (f" ({torch.cuda.get_device_name()})" if device.type == "cuda" else ""), flush=True)
    rows = []
    for case in args.cases.split(","):
        out = subprocess.run([sys.executable, __file__, "--device", args.device, "--case", case],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    for row in rows:
        if row["case"].startswith("plain"):
            for prefix, what in (("", "pass"), ("_result", "result")):
                reference_s, ours_s, ratios = row[f"reference{prefix}_s"], row[f"ours{prefix}_s"], row[f"round_ratios{prefix}"]
                print(f"{row['case'] + ' ' + what:>22}: reference {reference_s:.3f} s, ours {ours_s:.3f} s, "
                      f"x{reference_s / ours_s:.2f} (rounds x{min(ratios):.2f} to x{max(ratios):.2f}), "
                      f"max diff {row['max_abs_diff' if not prefix else 'result_max_abs_diff']:.1e}, "
                      f"peak {row['peak_memory_gb']:.2f} GB")
        elif row["case"].startswith("embedded"):
            print(f"{row['case']:>22}: generator pass {row['pass_s']:.3f} s, whole 512 result {row['result_s']:.3f} s, "
                  f"peak {row['peak_memory_gb']:.2f} GB")
        elif row["case"] == "tone fill":
            for side in (512, 1024):
                print(f"{'tone fill ' + str(side):>22}: membrane {row[f'membrane_{side}_s']:.3f} s, Navier-Stokes "
                      f"{row[f'navier_stokes_{side}_s']:.3f} s (hole {row[f'hole_share_{side}']:.0%} of the region)")
        elif row["case"].startswith("snap"):
            print(f"{row['case']:>22}: {row['seconds']:.2f} s, peak {row['peak_memory_gb']:.2f} GB")
    refined = {r["case"].split()[-1]: r for r in rows if r["case"].startswith("refined")}
    for name, row in refined.items():
        print(f"{row['case']:>22}: {row['seconds']:.1f} s, last loss {row['last_loss']:.5f}, "
              f"peak {row['peak_memory_gb']:.2f} GB")
    if "reference" in refined:
        ref = refined["reference"]
        for name in ("ours", "ours_fp32", "reference_tuned"):
            if name in refined:
                ours = refined[name]
                print(f"{'speed-up ' + name:>22}: x{ref['seconds'] / ours['seconds']:.2f}, last-loss ratio "
                      f"{ours['last_loss'] / ref['last_loss']:.4f}")


if __name__ == "__main__":
    main()
