"""Candidate supplier plans evaluated per second: batched against one at a time.

The batch runs every candidate through the engine in one expected-value pass
(base + quantities @ contributions); the baseline evaluates the same plans one by
one through the public single-scenario path (the scenario after the plan, evaluated as itself:
apply the plan, build the forces, assess every dyad). Prints both rates and their
ratio from one run.

    python benchmarks/bench_supply.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import load_scenario
from equipoise.analysis.deliveries import apply_plan, plan_of
from equipoise.analysis.evaluator import evaluate_scenario
from equipoise.analysis.supply import PlanSpace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    scenario = load_scenario("asia-rivals-2024")
    space = PlanSpace.of(scenario)
    options = space.decisions
    every = np.array(
        list(itertools.product(*[range(d.max_quantity + 1) for d in options])), dtype=np.int64
    )
    batch = every[: 256 if args.quick else 2048]
    singles = batch[: 4 if args.quick else 24]

    batched_rate = len(batch) / best_time(lambda: space.evaluate(batch))
    single_rate = len(singles) / best_time(
        lambda: [evaluate_scenario(apply_plan(scenario, plan_of(options, q))) for q in singles],
        repeats=1,
    )
    print(f"machine: {machine()}")
    print(f"scenario: asia-rivals-2024, {len(options)} decisions, 2 dyads")
    print(f"plans evaluated in batch: {batched_rate:10,.0f} per s ({len(batch)} plans)")
    print(f"plans evaluated one at a time: {single_rate:8,.1f} per s")
    print(f"speed-up of batching: {batched_rate / single_rate:,.0f}x")


if __name__ == "__main__":
    main()
