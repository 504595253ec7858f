"""What this machine's convolutions could reach at best: dense matrix products in float32 and
bfloat16 (oneDNN/MKL at their most efficient), in GFLOP/s, with the threads torch uses.

    python benchmarks/bench_peak.py

BENCHMARKS.md compares the engine's achieved rate against these figures to say how much speed
is left to win on the CPU.
"""

from __future__ import annotations

import platform
import statistics
import time

import torch


def rate(dtype: torch.dtype, side: int = 2048, repeats: int = 5) -> float:
    a = torch.randn(side, side).to(dtype)
    b = torch.randn(side, side).to(dtype)
    torch.mm(a, b)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    return 2 * side**3 / statistics.median(times) / 1e9


def main() -> None:
    print(f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    for dtype in (torch.float32, torch.bfloat16):
        print(f"{str(dtype).removeprefix('torch.'):>9}: {rate(dtype):7.1f} GFLOP/s (2048x2048 matrix product)")


if __name__ == "__main__":
    main()
