"""Throughput of the deterrence map, with and without the first-strike advantage.

Prints, from one run in one process, cells per second of a 41 x 41 map of
west-asia-2024 (IRN.mrbm 0-240 by ISR.upper-tier-bmd 0-40, every cell distinct):
- regions only (no split search);
- with the first-strike advantage, the striker's split search in every cell
  (engines.exchange.best_split_expected: first strike once per cell);
- the same with the plain full-grid search it replaced, every candidate split its
  own whole exchange (engines.reference_split.best_split_full_grid), as the
  baseline, checked to give the same map; and their ratio.

    python benchmarks/bench_map.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import AxisSpec, deterrence_map, load_scenario
from equipoise.analysis import evaluator
from equipoise.analysis.mapping import DeterrenceMap, axis_values
from equipoise.engines.reference_split import best_split_full_grid

FIELDS = (
    "a_deterred",
    "b_deterred",
    "retaliation_by_a",
    "retaliation_by_b",
    "survivability_a",
    "survivability_b",
    "first_strike_advantage_a",
    "first_strike_advantage_b",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="an 11 x 11 map (CI smoke test)")
    args = parser.parse_args()
    steps = 11 if args.quick else 41

    scenario = load_scenario("west-asia-2024")
    x = AxisSpec("IRN", "mrbm", axis_values(0, 240, steps))
    y = AxisSpec("ISR", "upper-tier-bmd", axis_values(0, 40, steps))
    cells = x.values.size * y.values.size

    def draw(first_strike: bool = True) -> DeterrenceMap:
        return deterrence_map(scenario, "IRN", "ISR", x, y, first_strike_advantage=first_strike)

    def plain_grid() -> DeterrenceMap:
        with mock.patch.object(evaluator, "best_split_expected", best_split_full_grid):
            return draw()

    regions_rate = cells / best_time(lambda: draw(first_strike=False))
    fsa_rate = cells / best_time(draw)
    baseline_rate = cells / best_time(plain_grid, repeats=1)
    fast, plain = draw(), plain_grid()
    same = all(np.array_equal(getattr(fast, f), getattr(plain, f), equal_nan=True) for f in FIELDS)

    print(f"machine: {machine()}")
    print(f"scenario: west-asia-2024, IRN:ISR, {x.values.size} x {y.values.size} = {cells} cells")
    print(f"deterrence map, regions only: {regions_rate:12,.0f} cells/s")
    print(f"deterrence map, with first-strike advantage: {fsa_rate:,.0f} cells/s")
    print(f"  ({cells / fsa_rate:.2f} s for the map)")
    print(f"the same with the plain full-grid split search: {baseline_rate:,.0f} cells/s")
    print(f"  ({cells / baseline_rate:.2f} s for the map)")
    print(f"speed-up of the shared first strike: {fsa_rate / baseline_rate:,.1f}x")
    print(f"same map from both searches: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit("the split searches disagree")


if __name__ == "__main__":
    main()
