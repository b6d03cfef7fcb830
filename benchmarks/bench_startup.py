"""Whole-process times of the commands a user types first (issue 14: start-up).

Each is a fresh process, timed from outside (median of interleaved repeats):
``equipoise --help``, ``equipoise analyze`` (the README's main job, default
scenario and 10,000 trials) and, as the floor any Python tool pays, a process
that only imports NumPy. Then, inside one process, where ``analyze``'s time goes:
imports, reading the scenario, the trials.

    python benchmarks/bench_startup.py [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine

PHASES = """
import time
start = time.perf_counter()
from equipoise.cli.main import main
from equipoise import analyze, load_scenario
imported = time.perf_counter()
scenario = load_scenario("west-asia-2024")
loaded = time.perf_counter()
analyze(scenario)
done = time.perf_counter()
print(imported - start, loaded - imported, done - loaded)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (CI smoke test)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    equipoise = shutil.which("equipoise") or "equipoise"
    commands = {
        "python -c 'import numpy' (floor)": [sys.executable, "-c", "import numpy"],
        "equipoise --help": [equipoise, "--help"],
        "equipoise analyze": [equipoise, "analyze"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    phases = [
        [
            float(x)
            for x in subprocess.run(
                [sys.executable, "-c", PHASES], check=True, capture_output=True, text=True
            ).stdout.split()
        ]
        for _ in range(max(1, repeats // 3))
    ]
    floor = statistics.median(times["python -c 'import numpy' (floor)"])
    print(f"machine: {machine()}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name}: {median:6.2f} s (median of {repeats}; {median / floor:.1f}x the floor)")
    imports, load, trials = (statistics.median(p[i] for p in phases) for i in range(3))
    print(
        f"analyze in one process: imports {imports:.2f} s, scenario {load:.2f} s, "
        f"trials and metrics {trials:.2f} s"
    )


if __name__ == "__main__":
    main()
