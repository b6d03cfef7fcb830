"""Peak memory and time of refusing hostile inputs, and of fitting long series.

Each hostile file is handed to a fresh ``equipoise`` process, started by a small
launcher process: a child's ``ru_maxrss`` starts from the resident size of the
process that forked it, so a child forked from this script (which holds every
hostile file and the libraries) would report this script's size, not its own. The
peak is compared with the baseline of the same command: a process that only imports
what the command imports before it reads the input. The bound the issue sets (issue
13) is 200 MB peak for a hostile file; this prints each peak, the peak above the
baseline, and whether the bound holds; it does not fail. The files are those just
under the 10 MB input limit (refused by the cheap checks on the text) and those
that pass them (long lines, many keys or items, nesting, long text repeated by
aliases), which the YAML reader and the validation see. Also times the Richardson
and Lanchester fits on 2,000- and 100,000-row series.

    python benchmarks/bench_hardening.py            # every file, both series lengths
    python benchmarks/bench_hardening.py --quick    # a few files, 2,000 rows only
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import machine
from equipoise.analysis.dynamics import fit_lanchester, fit_richardson
from equipoise.domain.loading import MAX_DEPTH, MAX_FILE_BYTES, MAX_LINE
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
    line = "x" * (MAX_LINE - 1_000)  # a line just under the limit
    nested = "".join("  " * depth + f"k{depth}:\n" for depth in range(1, MAX_DEPTH - 2))
    deep = "".join(
        f"r{i}:\n{nested}{'  ' * (MAX_DEPTH - 2)}v: {line[:30_000]}\n" for i in range(300)
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
        # within the limits on the text: these reach the YAML reader and the validation
        "long lines": (
            "validate",
            "".join(f"k{i}: {line}\n" for i in range(SIZE // MAX_LINE)).encode(),
        ),
        "10,000 keys of 1 kB": (
            "validate",
            "".join(f"k{i}: {line[:1_040]}\n" for i in range(9_990)).encode(),
        ),
        "20,000 items of 500 B": ("validate", ("a:\n" + f"- {line[:520]}\n" * 19_990).encode()),
        "nesting 30 deep": ("validate", deep.encode()),
        "long text, 19,990 aliases": (
            "validate",
            f"a: &a {line}\nb:\n".encode() + b"- *a\n" * 19_990,
        ),
        "CSV rows": ("fit", _fill("1,2,3\n", "day,US,Japan\n").encode()),
        "CSV one huge line": ("fit", _fill("9", "day,US,Japan\n0,1,").encode()),
    }


QUICK = ("alias bomb (padded)", "nested brackets", "long text, 19,990 aliases", "CSV one huge line")


# Runs ``python ARGS...`` with its output discarded and prints its peak RSS (kB) and
# exit status: a launcher this small makes the child's ru_maxrss its own.
LAUNCHER = """
import os, sys
quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
pid = os.posix_spawn(sys.executable, [sys.executable, *sys.argv[1:]], os.environ,
                     file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""

# What each command imports before it reads its input (the floor of every run).
IMPORTS = {
    "validate": "import equipoise.cli.main, equipoise.domain.loading, equipoise.domain.references",
    "fit": "import equipoise.cli.main, equipoise.analysis.dynamics, equipoise.domain.series",
}


def _peak(*args: str) -> tuple[float, float, int]:
    """(peak MB, seconds, exit status) of one ``python ARGS`` process."""
    start = time.perf_counter()
    report = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(report[0]) / 1024, time.perf_counter() - start, int(report[1])


def peak_memory(command: str, path: Path) -> tuple[float, float, int]:
    """(peak MB, seconds, exit status) of one equipoise process on ``path``."""
    args = ["validate", str(path)] if command == "validate" else ["attrition", "--fit", str(path)]
    return _peak("-m", "equipoise", *args)


def baselines() -> dict[str, float]:
    """Peak MB of a process that only imports what each command imports, and of
    validating a built-in scenario (a valid file: the NMC data load too)."""
    floors = {command: _peak("-c", code)[0] for command, code in IMPORTS.items()}
    floors["validate levant-2018"] = _peak("-m", "equipoise", "validate", "levant-2018")[0]
    return floors


def fit_times(rows: int) -> tuple[float, float, float]:
    """Seconds to fit Richardson and Lanchester (square, linear) on ``rows`` rows."""
    import pandas  # noqa: F401  (the fits import both on first use: not timed here)
    import scipy.optimize  # noqa: F401

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
    floors = baselines()
    for name, floor in floors.items():
        print(f"baseline ({'imports of ' if name in IMPORTS else ''}{name}): peak {floor:.0f} MB")
    print(f"hostile files ({LIMIT_MB} MB peak allowed):")
    worst, worst_above = 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, (command, content) in hostile_files().items():
            if quick and name not in QUICK:
                continue
            path = Path(folder) / ("hostile.csv" if command == "fit" else "hostile.yaml")
            path.write_bytes(content)
            peak, seconds, code = peak_memory(command, path)
            worst, worst_above = max(worst, peak), max(worst_above, peak - floors[command])
            print(
                f"  {name:<26} {len(content) / 1e6:5.1f} MB  exit {code}  peak {peak:4.0f} MB  "
                f"(+{peak - floors[command]:3.0f} MB)  {seconds:5.2f} s"
            )
            path.unlink()
    verdict = "holds" if worst < LIMIT_MB else "EXCEEDED"
    print(
        f"worst peak {worst:.0f} MB (at most {worst_above:.0f} MB above its baseline): the "
        f"{LIMIT_MB} MB bound {verdict}"
    )
    for rows in (2_000,) if quick else (2_000, 100_000):
        richardson, square, linear = fit_times(rows)
        print(
            f"fits on {rows:,} rows: Richardson {richardson:.2f} s, Lanchester square "
            f"{square:.2f} s, linear {linear:.2f} s"
        )


if __name__ == "__main__":
    main()
