"""Throughput of the stochastic exchange (the deterrence map: bench_map.py).

Prints, from one run in one process:
- trials per second of the vectorised stochastic exchange (its batch of trials
  built once, outside the timing) against a per-trial Python loop of the same
  model (equipoise.engines.reference), and their ratio;
- the variates the vectorised exchange draws per trial, and its time against the
  raw sampler: the same binomial and hypergeometric calls (recorded from one run:
  same shapes, same parameters) replayed on a bare Generator, interleaved with the
  engine; the ratio is what the engine costs beyond its random numbers.

    python benchmarks/bench_exchange.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import load_scenario
from equipoise.analysis.forces import dyad_forces
from equipoise.engines.exchange import exchange_stochastic, trials_of
from equipoise.engines.reference import exchange_one_trial


class RecordingGenerator:
    """A Generator stand-in that records every binomial and hypergeometric call."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.calls: list[tuple[str, tuple[np.ndarray, ...]]] = []

    def binomial(self, n: Any, p: Any) -> Any:
        self.calls.append(("binomial", (np.array(n), np.array(p))))
        return self.rng.binomial(n, p)

    def hypergeometric(self, good: Any, bad: Any, sample: Any) -> Any:
        self.calls.append(("hypergeometric", (np.array(good), np.array(bad), np.array(sample))))
        return self.rng.hypergeometric(good, bad, sample)

    def variates(self) -> int:
        return sum(int(np.broadcast(*args).size) for _, args in self.calls)


def interleaved_best(works: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Best seconds of each work over ``repeats`` rounds, run in turn within each round
    so that shared load falls on all of them alike."""
    best = dict.fromkeys(works, float("inf"))
    for _ in range(repeats):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    vector_trials = 2_048 if args.quick else 20_480
    loop_trials = 10 if args.quick else 60

    scenario = load_scenario("west-asia-2024")
    direction = dyad_forces(scenario, "IRN", "ISR").a_first
    split = np.full(direction.striker.offence.elements, 0.3)

    batch = trials_of(direction, vector_trials)
    splits = np.broadcast_to(split, (vector_trials, split.size))

    def vectorised() -> None:
        exchange_stochastic(np.random.default_rng(1), batch, splits)

    recorder = RecordingGenerator(np.random.default_rng(1))
    exchange_stochastic(recorder, batch, splits)  # type: ignore[arg-type]

    def raw_sampler() -> None:
        rng = np.random.default_rng(1)
        for method, arguments in recorder.calls:
            getattr(rng, method)(*arguments)

    def loop() -> None:
        rng = np.random.default_rng(1)
        for _ in range(loop_trials):
            exchange_one_trial(rng, direction, split)

    best = interleaved_best({"engine": vectorised, "raw": raw_sampler}, 3 if args.quick else 15)
    vector_rate = vector_trials / best["engine"]
    raw_rate = vector_trials / best["raw"]
    loop_rate = loop_trials / best_time(loop, repeats=1)

    print(f"machine: {machine()}")
    print("scenario: west-asia-2024, IRN strikes first, 3 waves, 5 defence layers")
    print(f"stochastic exchange, vectorised: {vector_rate:12,.0f} trials/s")
    print(f"stochastic exchange, per-trial loop: {loop_rate:8,.1f} trials/s")
    print(f"speed-up of vectorisation: {vector_rate / loop_rate:,.0f}x")
    print(
        f"variates per trial: {recorder.variates() / vector_trials:.1f} "
        f"in {len(recorder.calls)} sampler calls per block of {vector_trials:,}"
    )
    print(f"raw sampler, the same variates: {raw_rate:12,.0f} trials/s")
    print(f"engine / raw sampler time: {raw_rate / vector_rate:.2f}")


if __name__ == "__main__":
    main()
