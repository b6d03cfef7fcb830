"""Peak memory of ``equipoise analyze`` at two trial counts (issue 14: flat memory).

Each run is a fresh ``equipoise analyze`` process, started from a small wrapper
process that reports its child's peak resident set size (``resource.getrusage``,
``RUSAGE_CHILDREN``, ``ru_maxrss``), so one run's peak never hides another's.
Memory is flat when the larger run's peak is far from 10 times the smaller one's;
the goal is under 300 MB at 1e7 trials.

    python benchmarks/bench_memory.py [--quick] [--scenario NAME]

(quick: 1e5 and 1e6 trials; otherwise 1e6 and 1e7.)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine

WRAPPER = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
if done.returncode:
    sys.exit(done.returncode)
scale = 1 if sys.platform != "darwin" else 1024
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale)
"""


def peak_rss_mib(scenario: str, trials: int) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of one ``equipoise analyze`` process."""
    command = [
        sys.executable,
        "-m",
        "equipoise",
        "analyze",
        scenario,
        "--trials",
        str(trials),
        "--seed",
        "1",
        "--format",
        "json",
    ]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip()) / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e5 and 1e6 trials")
    parser.add_argument("--scenario", default="west-asia-2024")
    args = parser.parse_args()
    small, large = (100_000, 1_000_000) if args.quick else (1_000_000, 10_000_000)
    print(f"machine: {machine()}")
    print(f"equipoise analyze {args.scenario}: peak resident memory")
    peaks = []
    for trials in (small, large):
        peak, seconds = peak_rss_mib(args.scenario, trials)
        peaks.append(peak)
        print(f"  {trials:>12,} trials: {peak:8.1f} MiB peak  ({seconds:.1f} s wall)")
    ratio = peaks[1] / peaks[0]
    verdict = "flat" if ratio < 2.0 else "grows with trials"
    print(f"  ratio {large // small}x trials -> {ratio:.2f}x memory ({verdict})")


if __name__ == "__main__":
    main()
