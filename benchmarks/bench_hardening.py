"""Peak memory and time of refusing hostile 10 MB inputs, and of fitting long series.

Each hostile file (just under the 10 MB input limit, so that it is read) is handed to
a fresh ``equipoise`` process; its peak resident memory comes from ``os.wait4``, and
is compared with the peak of the same command on a small valid input (the libraries
alone: numpy, pandas, scipy, pydantic). The bound the issue sets (issue 13) is 200 MB
for a hostile file; this prints both the absolute peak and the peak above that
baseline, and says whether the bound holds; it does not fail. Also times the
Richardson and Lanchester fits on 2,000- and 100,000-row series.

    python benchmarks/bench_hardening.py            # every file, both series lengths
    python benchmarks/bench_hardening.py --quick    # a few files, 2,000 rows only
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import machine
from equipoise.analysis.dynamics import fit_lanchester, fit_richardson
from equipoise.domain.loading import MAX_FILE_BYTES
from equipoise.engines.dynamics import (
    RichardsonCoefficients,
    simulate_lanchester,
    simulate_richardson,
)

SIZE = MAX_FILE_BYTES - 4096
LIMIT_MB = 200


def _fill(unit: str, head: str = "", tail: str = "") -> str:
    count = (SIZE - len(head) - len(tail)) // len(unit)
    return head + unit * count + tail


def hostile_files() -> dict[str, tuple[str, bytes]]:
    """name -> (command, content) for files built to exhaust memory or time."""
    bomb = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    return {
        "alias bomb (padded)": ("validate", (bomb + _fill("#" * 99 + "\n")).encode()),
        "many small aliases": ("validate", _fill("*a, ", "x: &a [1, 2, 3]\ny: [", "]\n").encode()),
        "nested brackets": ("validate", _fill("[", "a: ").encode()),
        "flat list": ("validate", _fill("1, ", "a: [", "]\n").encode()),
        "many keys": ("validate", "".join(f"k{i}: {i}\n" for i in range(SIZE // 16)).encode()),
        "one long string": ("validate", _fill("x", "title: ", "\n").encode()),
        "random bytes": ("validate", np.random.default_rng(0).bytes(SIZE)),
        "NUL bytes": ("validate", b"\x00" * SIZE),
        "CSV rows": ("fit", _fill("1,2,3\n", "day,US,Japan\n").encode()),
        "CSV one huge line": ("fit", _fill("9", "day,US,Japan\n0,1,").encode()),
    }


QUICK = ("alias bomb (padded)", "nested brackets", "flat list", "CSV rows")


def peak_memory(command: str, path: Path) -> tuple[float, float, int]:
    """(peak MB, seconds, exit status) of one equipoise process on ``path``."""
    args = ["validate", str(path)] if command == "validate" else ["attrition", "--fit", str(path)]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "equipoise", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, os.waitstatus_to_exitcode(status)


def baseline() -> float:
    """Peak MB of equipoise validating a built-in scenario (the floor of every run)."""
    start = subprocess.Popen(
        [sys.executable, "-m", "equipoise", "validate", "levant-2018"], stdout=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(start.pid, 0)
    return usage.ru_maxrss / 1024


def fit_times(rows: int) -> tuple[float, float, float]:
    """Seconds to fit Richardson and Lanchester (square, linear) on ``rows`` rows."""
    truth = RichardsonCoefficients(0.2, 0.15, 0.3, 0.25, 1.0, 2.0)
    path = simulate_richardson(truth, 10.0, 15.0, rows - 1)[0]
    rng = np.random.default_rng(1)
    noisy = path * (1 + 0.01 * rng.standard_normal(path.shape))
    start = time.perf_counter()
    fit_richardson(np.arange(float(rows)), noisy[:, 0], noisy[:, 1])
    richardson = time.perf_counter() - start
    out = []
    for law, (alpha, beta) in (("square", (0.002, 0.003)), ("linear", (2e-7, 3e-7))):
        rates = np.full((1, rows - 1), 20.0)
        battle = simulate_lanchester(
            10_000,
            8_000,
            alpha,
            beta,
            rows - 1,
            law=law,
            reinforce_a=rates,
            reinforce_b=rates,
            steps_per_day=1,  # the data only: one Runge-Kutta step a day is plenty here
        )[0]
        battle = battle * (1 + 0.001 * rng.standard_normal(battle.shape))
        start = time.perf_counter()
        fit_lanchester(
            np.arange(float(rows)),
            battle[:, 0],
            battle[:, 1],
            np.full(rows, 20.0),
            np.full(rows, 20.0),
            law=law,
        )
        out.append(time.perf_counter() - start)
    return richardson, out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few files, 2,000 rows only")
    quick = parser.parse_args().quick
    print(f"machine: {machine()}")
    floor = baseline()
    print(f"baseline (validate levant-2018): peak {floor:.0f} MB")
    print(f"hostile files of {SIZE / 1e6:.1f} MB (limit {LIMIT_MB} MB peak):")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, (command, content) in hostile_files().items():
            if quick and name not in QUICK:
                continue
            path = Path(folder) / ("hostile.csv" if command == "fit" else "hostile.yaml")
            path.write_bytes(content)
            peak, seconds, code = peak_memory(command, path)
            worst = max(worst, peak)
            print(
                f"  {name:<22} exit {code}  peak {peak:6.0f} MB  (+{peak - floor:4.0f} MB)  "
                f"{seconds:5.2f} s"
            )
            path.unlink()
    verdict = "holds" if worst - floor < LIMIT_MB else "EXCEEDED"
    print(
        f"worst peak {worst:.0f} MB, {worst - floor:.0f} MB above the baseline: the "
        f"{LIMIT_MB} MB bound on what an input may cost {verdict}"
        + ("" if worst < LIMIT_MB else f" (the absolute peak is over {LIMIT_MB} MB)")
    )
    for rows in (2_000,) if quick else (2_000, 100_000):
        richardson, square, linear = fit_times(rows)
        print(
            f"fits on {rows:,} rows: Richardson {richardson:.2f} s, Lanchester square "
            f"{square:.2f} s, linear {linear:.2f} s"
        )


if __name__ == "__main__":
    main()
