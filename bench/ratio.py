"""The one line every benchmark prints per figure, for scripts (and tests/test_bench.py) to read:

    RATIO name=controleer_400k value=1.83 target=2.0 ok=yes

``value`` is the measured time divided by its baseline's time in the same run; ``ok`` says
whether it is within ``target`` (for a speed-up, where higher is better, ``higher=True``).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def ratio_line(name: str, value: float, target: float, higher: bool = False, ok: bool | None = None) -> str:
    """``ok`` overrides the comparison (for a figure that must equal its target)."""
    if ok is None:
        ok = value >= target if higher else value <= target
    return f"RATIO name={name} value={value:.2f} target={target:g} ok={'yes' if ok else 'no'}"


def report(name: str, value: float, target: float, higher: bool = False, ok: bool | None = None) -> None:
    print(ratio_line(name, value, target, higher, ok), flush=True)


def best_interleaved(runs: int, *steps: Callable[[], object]) -> list[float]:
    """Best time of each step over ``runs`` rounds, the steps taking turns within a round, so a
    change in the machine's load falls on the measurement and its baseline alike."""
    best = [float("inf")] * len(steps)
    for _ in range(runs):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            step()
            best[i] = min(best[i], time.perf_counter() - start)
    return best
