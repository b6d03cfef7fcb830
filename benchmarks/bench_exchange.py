"""Throughput of the stochastic exchange and the deterrence map.

Prints, from one run in one process:
- trials per second of the vectorised stochastic exchange against a per-trial
  Python loop of the same model (equipoise.engines.reference), and their ratio;
- cells per second of the deterrence map, with and without the striker's split
  search in every cell.

    python benchmarks/bench_exchange.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import AxisSpec, deterrence_map, load_scenario
from equipoise.analysis.forces import dyad_forces
from equipoise.analysis.mapping import axis_values
from equipoise.engines.exchange import exchange_stochastic, trials_of
from equipoise.engines.reference import exchange_one_trial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    vector_trials = 2_048 if args.quick else 20_480
    loop_trials = 10 if args.quick else 60
    steps = 11 if args.quick else 41

    scenario = load_scenario("west-asia-2024")
    direction = dyad_forces(scenario, "IRN", "ISR").a_first
    split = np.full(direction.striker.offence.elements, 0.3)

    def vectorised() -> None:
        exchange_stochastic(
            np.random.default_rng(1),
            trials_of(direction, vector_trials),
            np.broadcast_to(split, (vector_trials, split.size)),
        )

    def loop() -> None:
        rng = np.random.default_rng(1)
        for _ in range(loop_trials):
            exchange_one_trial(rng, direction, split)

    vector_rate = vector_trials / best_time(vectorised)
    loop_rate = loop_trials / best_time(loop, repeats=1)

    x = AxisSpec("IRN", "mrbm", axis_values(0, 240, steps))
    y = AxisSpec("ISR", "upper-tier-bmd", axis_values(0, 12, steps))
    cells = x.values.size * y.values.size
    regions_rate = cells / best_time(
        lambda: deterrence_map(scenario, "IRN", "ISR", x, y, first_strike_advantage=False)
    )
    full_rate = cells / best_time(lambda: deterrence_map(scenario, "IRN", "ISR", x, y), repeats=1)

    print(f"machine: {machine()}")
    print("scenario: west-asia-2024, IRN strikes first, 3 waves, 5 defence layers")
    print(f"stochastic exchange, vectorised: {vector_rate:12,.0f} trials/s")
    print(f"stochastic exchange, per-trial loop: {loop_rate:8,.1f} trials/s")
    print(f"speed-up of vectorisation: {vector_rate / loop_rate:,.0f}x")
    print(f"deterrence map, regions only: {regions_rate:10,.0f} cells/s ({cells} cells)")
    print(f"deterrence map, with first-strike advantage: {full_rate:,.0f} cells/s")


if __name__ == "__main__":
    main()
