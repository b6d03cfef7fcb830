"""Loading the Correlates of War data and running arms races in batches.

Prints, from one run in one process:
- time and peak Python memory to load NMC v6.0 and recompute CINC for all 15,951
  state-years (memory from tracemalloc: allocations made by Python and NumPy);
- Richardson arms races per second, vectorised over a batch of parameter sets,
  against the same simulations one parameter set at a time, and the ratio;
- the one-year maps (e^{M dt} and its integral) of the batch in closed form against
  scipy.linalg.expm of the augmented 4x4 matrices, the path it replaced.

    python benchmarks/bench_data.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise import data
from equipoise.engines.dynamics import RichardsonCoefficients, _one_year_maps, simulate_richardson


def load_and_recompute() -> int:
    data._raw_nmc.cache_clear()
    frame = data.nmc()
    return int(data.cinc(frame).notna().sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    batch = 1_000 if args.quick else 10_000
    looped = 50 if args.quick else 300
    years = 50

    tracemalloc.start()
    rows = load_and_recompute()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seconds = best_time(load_and_recompute)

    rng = np.random.default_rng(0)
    params = rng.uniform(0.0, 0.5, size=(6, batch))
    coefficients = RichardsonCoefficients(*params)

    def vectorised() -> None:
        simulate_richardson(coefficients, 10.0, 12.0, years)

    def one_at_a_time() -> None:
        for i in range(looped):
            simulate_richardson(RichardsonCoefficients(*params[:, i]), 10.0, 12.0, years)

    maps = coefficients.matrix()
    closed_form = best_time(lambda: _one_year_maps(maps, 1.0))
    scipy_expm = best_time(lambda: _expm_maps(maps, 1.0))

    vector_rate = batch / best_time(vectorised)
    loop_rate = looped / best_time(one_at_a_time, repeats=1)

    print(f"machine: {machine()}")
    print(
        f"NMC v6.0: load and recompute CINC for {rows:,} state-years: {seconds * 1000:.0f} ms, "
        f"peak traced memory {peak / 2**20:.1f} MiB"
    )
    print(f"Richardson arms races ({years} years), batch of {batch:,}: {vector_rate:12,.0f} per s")
    print(f"Richardson arms races, one at a time: {loop_rate:12,.0f} per s")
    print(f"speed-up of batching: {vector_rate / loop_rate:,.0f}x")
    print(
        f"one-year maps of {batch:,} systems: closed form {closed_form * 1000:.1f} ms, "
        f"scipy expm of the 4x4 {scipy_expm * 1000:.1f} ms ({scipy_expm / closed_form:.1f}x)"
    )


def _expm_maps(matrix: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """The former path: scipy.linalg.expm of [[M dt, I dt], [0, 0]] for every system."""
    from scipy.linalg import expm

    augmented = np.zeros((matrix.shape[0], 4, 4))
    augmented[:, :2, :2] = matrix * dt
    augmented[:, :2, 2:] = np.eye(2) * dt
    exponential = expm(augmented)
    return exponential[:, :2, :2], exponential[:, :2, 2:]


if __name__ == "__main__":
    main()
