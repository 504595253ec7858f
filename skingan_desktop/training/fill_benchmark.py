"""The real-job fill benchmark: every method on the same whole-photo cases, one table, one
contact sheet (truth | each method, zoomed) to look at.

Metrics inside the hole: masked PSNR and SSIM, texture gap (``evaluate.py``), mean-colour ΔE,
lattice excess and, for holes across a limb's edge, the contour IoU (``fill_metrics.py``).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Optional

import cv2
import numpy as np

from ..engine.runner import Inpainter, InpaintSettings, apply_results
from .evaluate import masked_psnr, masked_ssim, texture_gap
from .fill_cases import KINDS, FillCase
from .fill_metrics import contour_iou, lattice_excess, lattice_shares, mean_colour_delta_e
from .peers import Fill

METRICS = ("psnr", "ssim", "texture", "delta_e", "contour", "seconds")
SHEET_ZOOM = 2


@dataclass(frozen=True)
class Score:
    case: str
    kind: str
    method: str
    psnr: float
    ssim: float
    texture: float
    delta_e: float
    lattice_fill: float   # lattice shares (fill_metrics.lattice_shares), nan for small holes
    lattice_truth: float
    contour: float
    seconds: float


def engine_fill(generator, settings: Optional[InpaintSettings] = None) -> Fill:
    """The app's fill (the engine's 512 result, or the refined one with ``settings.refine``)."""
    settings = settings or InpaintSettings(refine=False)

    def fill(photo: np.ndarray, hole: np.ndarray) -> np.ndarray:
        results = Inpainter(generator, replace(settings)).run(photo, hole)
        return apply_results(photo, results, refined=settings.refine)
    return fill


def score(case: FillCase, method: str, result: np.ndarray, seconds: float) -> Score:
    truth, hole = case.photo, case.hole
    contour = contour_iou(truth, result, hole, case.limb) if case.limb is not None else math.nan
    return Score(case.name, case.kind, method, masked_psnr(truth, result, hole), masked_ssim(truth, result, hole),
                 texture_gap(result, hole), mean_colour_delta_e(truth, result, hole),
                 *lattice_shares(truth, result, hole), contour, seconds)


def run_benchmark(cases: Iterable[FillCase], methods: dict[str, Fill], *, sheet: Optional[Path] = None,
                  sheet_rows: int = 12, report=None) -> list[Score]:
    """Every method on every case; with ``sheet``, a contact sheet of the first ``sheet_rows``
    cases (spread over the kinds) is written there. Pixels outside the hole must come back
    unchanged: a method that changes them raises ``AssertionError``."""
    scores: list[Score] = []
    shown: list[tuple[FillCase, list[np.ndarray]]] = []
    per_kind = {kind: 0 for kind in KINDS}
    for case in cases:
        blanked = case.blanked()
        results = []
        for name, method in methods.items():
            began = time.perf_counter()
            result = method(blanked.copy(), case.hole)
            seconds = time.perf_counter() - began
            if not np.array_equal(result[~case.hole], case.photo[~case.hole]):
                raise AssertionError(f"{name} changed pixels outside the hole of {case.name}")
            scores.append(score(case, name, result, seconds))
            results.append(result)
        if per_kind[case.kind] < math.ceil(sheet_rows / len(KINDS)):
            per_kind[case.kind] += 1
            shown.append((case, results))
        if report is not None:
            report(f"{case.name}: " + ", ".join(f"{s.method} {s.psnr:.1f} dB" for s in scores[-len(methods):]))
    if sheet is not None:
        write_contact_sheet(sheet, shown, list(methods))
    return scores


def print_benchmark(cases: Iterable[FillCase], methods: dict[str, Fill], missing: list[str], *,
                    sheet: Path, about: str) -> None:
    """A benchmark script's run: every method on ``cases`` (a line per case on stderr), then the
    Markdown table, how many cases took how long followed by ``about`` (what the run used), and a
    line for each peer that could not run (``missing``)."""
    began = time.perf_counter()
    scores = run_benchmark(cases, methods, sheet=sheet, report=lambda line: print(line, file=sys.stderr))
    print(markdown_table(scores))
    print(f"\n{len(scores) // len(methods)} cases in {time.perf_counter() - began:.0f} s{about}")
    for line in missing:
        print(f"- not run: {line}")


def summarise(scores: list[Score], kind: Optional[str] = None) -> dict[str, dict[str, float]]:
    """Per method, the mean of each metric over the cases (of ``kind``), ignoring ``nan``."""
    table: dict[str, dict[str, float]] = {}
    for method in dict.fromkeys(s.method for s in scores):
        rows = [s for s in scores if s.method == method and (kind is None or s.kind == kind)]
        table[method] = {m: _mean([getattr(s, m) for s in rows]) for m in METRICS} | {
            "cases": len(rows), "lattice": lattice_excess([s.lattice_fill for s in rows], [s.lattice_truth for s in rows])}
    return table


def _mean(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return float(np.mean(kept)) if kept else math.nan


def markdown_table(scores: list[Score]) -> str:
    """The overall table, then masked PSNR and texture gap per kind of hole."""
    overall = summarise(scores)
    lines = ["| fill | masked PSNR (dB) ↑ | SSIM ↑ | texture gap ↓ | mean-colour ΔE ↓ | lattice excess ↓ "
             "| contour IoU ↑ (edge holes) | s per fill |", "|---" * 8 + "|"]
    for method, row in overall.items():
        lines.append(f"| {method} | {row['psnr']:.2f} | {row['ssim']:.3f} | {row['texture']:.2f} | "
                     f"{row['delta_e']:.2f} | {row['lattice']:.2f} | {row['contour']:.3f} | {row['seconds']:.2f} |")
    kinds = [k for k in KINDS if any(s.kind == k for s in scores)]
    by_kind = {k: summarise(scores, k) for k in kinds}
    counts = ", ".join(f"{k} {next(iter(by_kind[k].values()))['cases']}" for k in kinds)
    lines += ["", f"Cases: {counts}. Per kind, masked PSNR (dB) / SSIM / texture gap:", "",
              "| fill | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
    for method in overall:
        cells = " | ".join(f"{by_kind[k][method]['psnr']:.2f} / {by_kind[k][method]['ssim']:.3f} / "
                           f"{by_kind[k][method]['texture']:.2f}" for k in kinds)
        lines.append(f"| {method} | {cells} |")
    return "\n".join(lines)


def write_contact_sheet(path: Path, shown: list[tuple[FillCase, list[np.ndarray]]], methods: list[str]) -> None:
    """One row per case: the truth with the hole outlined, then each method's fill, each the
    case's view zoomed ``SHEET_ZOOM`` times (nearest neighbour: pixels as they are)."""
    if not shown:
        return
    tiles_rows = []
    side = SHEET_ZOOM * max(max(c.view[2] - c.view[0], c.view[3] - c.view[1]) for c, _ in shown)
    for case, results in shown:
        top, left, bottom, right = case.view
        outlined = case.photo.copy()
        edge = cv2.morphologyEx(case.hole.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
        outlined[edge & case.hole] = (0, 255, 255)
        tiles = [outlined] + results
        tiles = [cv2.resize(t[top:bottom, left:right], None, fx=SHEET_ZOOM, fy=SHEET_ZOOM,
                            interpolation=cv2.INTER_NEAREST) for t in tiles]
        tiles = [np.pad(t, ((0, side - t.shape[0]), (0, side - t.shape[1]), (0, 0)), constant_values=40)
                 for t in tiles]
        tiles_rows.append(np.concatenate([np.pad(t, ((2, 2), (2, 2), (0, 0)), constant_values=40)
                                          for t in tiles], axis=1))
    body = np.concatenate(tiles_rows, axis=0)
    header = np.full((28, body.shape[1], 3), 255, np.uint8)
    tile_width = side + 4
    for i, title in enumerate(["truth"] + methods):
        cv2.putText(header, title[:24], (i * tile_width + 4, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                    cv2.LINE_AA)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.concatenate([header, body], axis=0)[..., ::-1])
