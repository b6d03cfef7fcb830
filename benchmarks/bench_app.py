"""The explorer's response to a slider move: seconds from a changed view to the map's
and the table's data, for a 41 x 41 deterrence map without the first-strike search.

Times :func:`equipoise.app.model.compute`, the one function the app calls after every
input change (the table's two evaluations with the first-strike search, the map's 41
x 41 cells without it, and the claims' possible worlds); drawing the PNG and the
browser round trip are not included. Goal: under 0.3 s (issue 16).

    python benchmarks/bench_app.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import load_scenario
from equipoise.app.model import MAP_STEPS, View, compute

GOAL_SECONDS = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI smoke test)")
    args = parser.parse_args()
    scenario = load_scenario("west-asia-2024")
    x, y = ("IRN", "mrbm"), ("ISR", "strike-sortie")
    slider = ("ISR", "upper-tier-bmd")
    moves = [3, 6, 9] if args.quick else list(range(0, 21, 2))
    views = [View(scenario, counts={slider: n}, x=x, y=y, steps=MAP_STEPS) for n in moves]
    compute(views[0])  # warm caches and imports
    times = [best_time(lambda v=view: compute(v), repeats=1 if args.quick else 3) for view in views]
    cells = compute(views[-1]).map.status.size
    print(f"machine: {machine()}")
    shape = compute(views[-1]).map.status.shape
    print(
        f"scenario: west-asia-2024, slider {slider[0]}.{slider[1]}, map {x[0]}.{x[1]} x "
        f"{y[0]}.{y[1]}: {shape[1]} x {shape[0]} = {cells} cells"
    )
    print(
        f"slider move -> map and table data: median {sorted(times)[len(times) // 2]:.3f} s, "
        f"worst {max(times):.3f} s over {len(times)} moves (goal < {GOAL_SECONDS} s)"
    )


if __name__ == "__main__":
    main()
