"""Helpers for the benchmark scripts: best-of-n timing and a machine line."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable


def best_time(work: Callable[[], object], repeats: int = 3) -> float:
    """Best wall-clock seconds of ``repeats`` runs (least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
