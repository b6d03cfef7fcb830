"""Sweeps: the batched evaluator against the same variants one by one, and backends.

1. A 100,000-variant expected-value sweep (a Latin hypercube over Iran's missile
   launchers and Israel's upper-tier batteries in west-asia-2024) through the batched
   evaluator, against evaluating each variant as its own overridden scenario (the
   ``--set`` path), timed on a subsample and scaled. Both without the striker's split
   search (deterrence, survivability, retaliation), then both with it on fewer
   variants, since the search costs the same per variant batched or not.
   Goal (issue 15): batched at least 50x the one-by-one path.
2. A small stochastic sweep (retaliation probabilities from trials) in-process, on 2
   local worker processes and on a 2-worker Dask LocalCluster; the rows must be
   byte-identical.

    python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import machine
from equipoise import load_scenario
from equipoise.analysis.sweep import _one_by_one, design, parse_vary, run_design

GOAL = 50.0
MRBM = "states.IRN.inventory.mrbm.launchers=0:400"
BMD = "states.ISR.inventory.upper-tier-bmd.units=1:12"


def _ratio(scenario: object, variants: int, subsample: int, first_strike: bool) -> None:
    model = load_scenario(scenario)  # type: ignore[arg-type]
    varies = [parse_vary(MRBM, model), parse_vary(BMD, model)]
    values = design(varies, samples=variants, seed=1)
    start = time.perf_counter()
    frame = run_design(model, varies, values, first_strike=first_strike)
    batched = time.perf_counter() - start
    picked = values[np.random.default_rng(0).choice(variants, subsample, replace=False)]
    start = time.perf_counter()
    _one_by_one(model, varies, picked, 0, first_strike)
    each = (time.perf_counter() - start) / subsample
    search = "with" if first_strike else "without"
    print(
        f"  {variants:,} variants {search} the split search: batched {batched:.2f} s "
        f"({batched / variants * 1e6:.1f} us/variant, {len(frame):,} rows); one by one "
        f"{each * 1e3:.2f} ms/variant (on {subsample}) -> {variants * each:.0f} s; "
        f"ratio {variants * each / batched:.0f}x"
    )


def _backends(quick: bool) -> None:
    scenario = load_scenario("west-asia-2024")
    vary = [f"{MRBM}:3" if quick else f"{MRBM}:4", "classes.mrbm.reliability=0.6:0.9:2"]
    trials = 200 if quick else 1000
    from equipoise.analysis.sweep import sweep

    runs: dict[str, tuple[float, str]] = {}

    def timed(name: str, **options: object) -> None:
        start = time.perf_counter()
        rows = sweep(scenario, vary, trials=trials, seed=3, **options)  # type: ignore[arg-type]
        runs[name] = (time.perf_counter() - start, rows.to_csv(index=False))

    timed("in-process")
    timed("2 local workers", workers=2)
    try:
        from distributed import LocalCluster
    except ImportError:
        print("  Dask distributed not installed: LocalCluster skipped")
    else:
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            timed("LocalCluster, 2 workers", scheduler=cluster.scheduler_address)
    variants = runs["in-process"][1].count("\n") - 1
    base = runs["in-process"][0]
    for name, (seconds, text) in runs.items():
        same = "identical" if text == runs["in-process"][1] else "DIFFERENT"
        print(f"  {name:<24} {seconds:6.2f} s  ({base / seconds:4.2f}x in-process; rows {same})")
    print(
        f"  ({variants} variants, {trials} trials each; the local pool's start is included, "
        "the cluster was started beforehand as a real one would be)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("expected-value sweep, west-asia-2024, batched vs one by one:")
    scenario = "west-asia-2024"
    warm = load_scenario(scenario)
    run_design(warm, [parse_vary(MRBM, warm)], np.array([[10.0], [20.0]]))  # warm imports
    _ratio(scenario, 10_000 if args.quick else 100_000, 20 if args.quick else 100, False)
    _ratio(scenario, 200 if args.quick else 2_000, 5 if args.quick else 20, True)
    print(f"  goal: batched >= {GOAL:.0f}x one by one")
    print("stochastic sweep, in-process vs 2 local workers vs Dask LocalCluster:")
    _backends(args.quick)


if __name__ == "__main__":
    main()
