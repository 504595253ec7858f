"""The smoothest fill of a hole: the harmonic membrane stretched over the pixels around it.

Inside the hole every pixel becomes the mean of its four neighbours (Laplace's equation, the
steady state of heat diffusion); outside it nothing changes. OpenCV's Navier-Stokes and Telea
fills carry the edge pixels inwards along isophotes, which draws streaks and diagonal seams
across large holes. The membrane has no preferred direction: it is the fill with the least
gradient energy, so colour and shading blend evenly from every side, and a linear gradient of
light crosses the hole unchanged.

The linear system is solved by multigrid. A first guess comes from coarser and coarser copies
of the known pixels (a 2x2 block is known where any of its pixels is, with their mean). Then
V-cycles correct it: a few smoothing steps leave an error that is smooth, which a grid of half
the resolution computes for a quarter of the cost, and so on down.
"""

from __future__ import annotations

import cv2
import numpy as np

FOUR_NEIGHBOURS = np.array([[0, 0.25, 0], [0.25, 0, 0.25], [0, 0.25, 0]], np.float32)
DAMPING = 0.8           # weighted Jacobi: the smoother that damps the finest errors fastest
SMOOTHING_STEPS = 3     # before and after each coarse correction
V_CYCLES = 6            # leave the membrane within 0.2 grey levels of the exact solve (tests)
ESTIMATE_CYCLES = 2     # for a smooth estimate under other detail (a tone's seam, the skin under a tint)
COARSEST_SIDE = 8       # a level this small is smoothed until it has converged
COARSEST_STEPS = 200


def membrane_fill(photo: np.ndarray, hole: np.ndarray, cycles: int = V_CYCLES) -> np.ndarray:
    """``photo`` (``(H, W, C)`` or ``(H, W)`` uint8) with the pixels where ``hole`` (``(H, W)``
    bool) is set replaced by the harmonic membrane over the others. At the photo's border the
    membrane meets the edge at a right angle (nothing beyond the border pulls on it). Raises
    ``ValueError`` when no pixel is known."""
    solved = membrane_values(photo.astype(np.float32), hole, cycles)
    return np.clip(np.round(solved), 0, 255).astype(photo.dtype) if photo.dtype == np.uint8 else solved


def membrane_values(photo: np.ndarray, hole: np.ndarray, cycles: int = V_CYCLES) -> np.ndarray:
    """:func:`membrane_fill` of any float ``(H, W, C)`` or ``(H, W)`` values (a difference
    may be negative), unrounded; a float32 copy. ``cycles`` V-cycles refine the first guess:
    fewer do for an estimate (:data:`ESTIMATE_CYCLES`)."""
    if hole.shape != photo.shape[:2]:
        raise ValueError(f"The hole is {hole.shape[1]}x{hole.shape[0]} but the photo is "
                         f"{photo.shape[1]}x{photo.shape[0]}.")
    if not hole.any():
        return photo.astype(np.float32)
    if hole.all():
        raise ValueError("Nothing to fill from: every pixel is in the hole.")
    rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
    # The hole's bounding box and the ring of pixels that holds the membrane: nothing else counts.
    top, bottom = max(rows[0] - 1, 0), min(rows[-1] + 2, hole.shape[0])
    left, right = max(cols[0] - 1, 0), min(cols[-1] + 2, hole.shape[1])
    window = (slice(top, bottom), slice(left, right))
    inside = hole[window]
    values = photo[window].astype(np.float32).reshape(bottom - top, right - left, -1)
    solved = harmonic_membrane(values, inside, cycles)
    out = photo.astype(np.float32)
    out[window][inside] = solved.reshape(out[window].shape)[inside]
    return out


def harmonic_membrane(values: np.ndarray, hole: np.ndarray, cycles: int = V_CYCLES) -> np.ndarray:
    """``values`` (``(h, w, c)`` float32, read outside ``hole``) with the membrane inside it;
    ``values`` itself is overwritten."""
    np.copyto(values, _first_guess(values, hole), where=hole[..., None])
    inside = hole[..., None].astype(np.float32)
    for _ in range(cycles):
        # The correction d solves mean4(d) - d = -(mean4(u) - u) in the hole, 0 outside.
        values += _v_cycle(-_imbalance(values, np.zeros_like(values), inside), hole)
    return values


def _first_guess(values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A smooth guess: each hole pixel takes the coarsest level at which its block holds known
    pixels, interpolated back up."""
    height, width = hole.shape
    if max(height, width) <= COARSEST_SIDE:
        return np.broadcast_to(values[~hole].mean(axis=0), values.shape)
    known = ~hole
    pad = ((0, height % 2), (0, width % 2))
    counts = _block_sums(np.pad(known, pad).astype(np.float32)[..., None])
    sums = _block_sums(np.pad(values * known[..., None], pad + ((0, 0),)))
    coarse = sums / np.maximum(counts, 1)
    coarse_hole = counts[..., 0] == 0
    if coarse_hole.any():
        np.copyto(coarse, _first_guess(coarse, coarse_hole), where=coarse_hole[..., None])
    return _upsampled(coarse, height, width)


def _v_cycle(rhs: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """An approximate solution ``e`` of ``mean4(e) - e = rhs`` in ``hole``, ``e = 0`` outside."""
    height, width = hole.shape
    inside = hole[..., None].astype(np.float32)
    error = np.zeros_like(rhs)
    if max(height, width) <= COARSEST_SIDE:
        return _smooth(error, rhs, inside, COARSEST_STEPS)
    _smooth(error, rhs, inside, SMOOTHING_STEPS)
    # One level down: a block stays in the hole only if all of it is, so the known pixels that
    # hold the membrane are never lost, however thin their ring. A coarse pixel is twice as
    # wide, so the same curvature reads 4 times as large: the residual's block sum. An odd
    # side is evened by mirroring its last pixels in the hole, as the border condition does,
    # but not in the residual: counted twice there, a wide free border ran away over cycles.
    pad = ((0, height % 2), (0, width % 2))
    coarse_hole = _block_sums(np.pad(~hole, pad, mode="edge").astype(np.float32)[..., None])[..., 0] == 0
    coarse_rhs = -_block_sums(np.pad(_imbalance(error, rhs, inside), pad + ((0, 0),)))
    error += _upsampled(_v_cycle(coarse_rhs, coarse_hole), height, width) * inside
    return _smooth(error, rhs, inside, SMOOTHING_STEPS)


def _smooth(error: np.ndarray, rhs: np.ndarray, inside: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` damped Jacobi steps on ``mean4(e) - e = rhs`` in the hole."""
    for _ in range(steps):
        step = _imbalance(error, rhs, inside)
        step *= DAMPING
        error += step
    return error


def _imbalance(x: np.ndarray, rhs: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """``mean4(x) - x - rhs`` in the hole (``inside`` is 1 there), 0 outside."""
    out = _mean_of_neighbours(x)
    out -= x
    out -= rhs
    out *= inside
    return out


def _mean_of_neighbours(x: np.ndarray) -> np.ndarray:
    return cv2.filter2D(x, -1, FOUR_NEIGHBOURS, borderType=cv2.BORDER_REFLECT).reshape(x.shape)


def _block_sums(x: np.ndarray) -> np.ndarray:
    """``(2h, 2w, c)`` float32 -> ``(h, w, c)``: the sum of each 2x2 block. (OpenCV's area
    shrink is the blocks' mean; NumPy's sum over a reshaped array's axes took 5 to 28 times as
    long, a third of a 26 MP fill's membranes.)"""
    height, width, channels = x.shape[0] // 2, x.shape[1] // 2, x.shape[2]
    sums = cv2.resize(x, (width, height), interpolation=cv2.INTER_AREA).reshape(height, width, channels)
    sums *= 4
    return sums


def _upsampled(coarse: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear, from block centres to pixel centres, cut to ``height x width``."""
    fine = cv2.resize(coarse, (coarse.shape[1] * 2, coarse.shape[0] * 2), interpolation=cv2.INTER_LINEAR)
    return fine.reshape(coarse.shape[0] * 2, coarse.shape[1] * 2, -1)[:height, :width]
