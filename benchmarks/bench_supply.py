"""Candidate supplier plans evaluated per second: batched against one at a time.

The batch runs every candidate through the engine in one expected-value pass
(base + quantities @ contributions); the baseline evaluates the same plans one by
one through the public single-scenario path (the scenario after the plan, evaluated as itself:
apply the plan, build the forces, assess every dyad). Prints both rates and their
ratio from one run.

Then a large plan space: asia-rivals-2024's nine decisions with every package allowed
up to four times and the budget and caps lifted (5^9 = 1,953,125 plans; --quick: 3^9),
enumerated exhaustively with the dyad tables (each dyad evaluated once per sub-plan of
the decisions touching it, on 1 and 2 worker processes), against the naive path
(every plan through the evaluator in chunks of 1,024, timed on a sample of the space).

    python benchmarks/bench_supply.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import Scenario, load_scenario
from equipoise.analysis.deliveries import apply_plan, plan_of
from equipoise.analysis.evaluator import evaluate, evaluate_scenario
from equipoise.analysis.overrides import override
from equipoise.analysis.policies import PolicyWeights
from equipoise.analysis.supply import PlanSpace, search

PACKAGES = ("lr-sam-regiment", "strike-squadron", "coastal-missiles")


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
    large_space(scenario, 2 if args.quick else 4)


def large_space(scenario: Scenario, most: int) -> None:
    """Exhaustive search over every plan with each package up to ``most`` times."""
    changes: dict[str, object] = {
        f"suppliers.RUS.packages.{package}.max_quantity": most for package in PACKAGES
    }
    changes["suppliers.RUS.budget.total"] = 1e9
    changes["suppliers.RUS.budget.per_year"] = 1e9
    changes["suppliers.RUS.red_lines.caps.CHN.max_packages"] = 1000
    large = override(scenario, changes)
    plans = (most + 1) ** 9
    outcomes = {}
    seconds = {}
    for workers in (1, 2):
        start = time.perf_counter()
        _, outcomes[workers] = search(
            large, "balancer", PolicyWeights(), method="exhaustive", workers=workers
        )
        seconds[workers] = time.perf_counter() - start
    assert outcomes[1].score == outcomes[2].score
    assert (outcomes[1].quantities == outcomes[2].quantities).all()
    space = PlanSpace.of(large)
    grid = np.indices([most + 1] * 9).reshape(9, -1).T
    sample = grid[np.random.default_rng(0).choice(len(grid), 4096, replace=False)]
    naive = best_time(
        lambda: [
            evaluate(large, space.items, sample[i : i + 1024], models=space.models)
            for i in range(0, len(sample), 1024)
        ],
        repeats=1,
    )
    naive_rate = len(sample) / naive
    print(f"exhaustive search over {plans:,} plans (each package up to {most}x):")
    print(f"  dyad tables, 1 worker: {seconds[1]:6.1f} s ({plans / seconds[1]:10,.0f} plans/s)")
    print(f"  dyad tables, 2 workers: {seconds[2]:5.1f} s ({plans / seconds[2]:10,.0f} plans/s)")
    print(f"  naive batches of 1,024: {plans / naive_rate:5.1f} s ({naive_rate:10,.0f} plans/s)")
    print(
        f"  speed-up of the dyad tables: {plans / seconds[2] / naive_rate:,.1f}x "
        f"(2 workers), {seconds[1] / seconds[2]:.2f}x from the second worker"
    )
    print(f"  same best plan on 1 and 2 workers: {outcomes[1].quantities.tolist()}")


if __name__ == "__main__":
    main()
