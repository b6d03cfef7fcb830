"""Speed-up of ``analyze`` on two worker processes (issue 14: workers that pay).

Runs ``equipoise.analyze`` on west-asia-2024 with 1 and then 2 workers in one
process, checks the two results are identical (the same seed gives the same numbers
whatever ``workers`` is) and prints both times and their ratio. The ratio is only
meaningful on two otherwise idle cores.

    python benchmarks/bench_workers.py [--quick] [--trials N]

(default 1e6 trials; quick: 1e5.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine
from equipoise import analyze, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e5 trials (CI smoke test)")
    parser.add_argument("--trials", type=int, default=None)
    args = parser.parse_args()
    trials = args.trials or (100_000 if args.quick else 1_000_000)
    scenario = load_scenario("west-asia-2024")
    seconds, results = {}, {}
    for workers in (1, 2):
        start = time.perf_counter()
        results[workers] = analyze(scenario, trials=trials, seed=1, workers=workers)
        seconds[workers] = time.perf_counter() - start
    same = results[1].to_dict() == results[2].to_dict()
    print(f"machine: {machine()}")
    print(f"analyze west-asia-2024, {trials:,} trials, {len(scenario.dyads)} dyads")
    print(f"1 worker: {seconds[1]:7.1f} s")
    print(f"2 workers: {seconds[2]:6.1f} s")
    print(f"speed-up of the second worker: {seconds[1] / seconds[2]:.2f}x")
    print(f"identical results: {same}")
    if not same:
        sys.exit("the two runs differ")


if __name__ == "__main__":
    main()
