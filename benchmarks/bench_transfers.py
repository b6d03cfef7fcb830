"""Reading and aggregating a SIPRI trade register of full size.

Generates a register of 30,000 deals (SIPRI's full register holds about 29,500) by
resampling the deals of the shipped excerpt with replacement, written in SIPRI's
export format (Latin-1, notes before the header) to a temporary folder, then prints:
- time and peak Python memory (tracemalloc) to parse it;
- time to compute the military-diplomacy index of the built-in dyads by period and
  by year, and the both-sides ranking.

    python benchmarks/bench_transfers.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from importlib import resources
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise.records.transfers import (
    EXCERPT,
    armed_both_sides,
    article_dyads,
    diplomacy_index,
    read_register,
)


def resampled_register(rows: int, folder: Path, seed: int = 0) -> Path:
    """A register of ``rows`` deals drawn with replacement from the excerpt."""
    raw = resources.files("equipoise.data.files").joinpath(EXCERPT).read_bytes()
    lines = raw.decode("latin-1").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Recipient,"))
    deals = lines[header + 1 :]
    picks = np.random.default_rng(seed).integers(0, len(deals), size=rows)
    body = [deals[i] for i in picks]
    path = folder / f"trade-register-{rows}.csv"
    path.write_bytes(("\n".join(lines[: header + 1] + body) + "\n").encode("latin-1"))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    rows = 3_000 if args.quick else 30_000
    repeats = 1 if args.quick else 3

    with tempfile.TemporaryDirectory() as folder:
        path = resampled_register(rows, Path(folder))
        size = path.stat().st_size
        tracemalloc.start()
        register = read_register(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        parse = best_time(lambda: read_register(path), repeats)
        period = best_time(lambda: diplomacy_index(register), repeats)
        yearly = best_time(lambda: diplomacy_index(register, by="year"), repeats)
        both = best_time(lambda: armed_both_sides(register), repeats)

    print(f"machine: {machine()}")
    print(
        f"SIPRI register of {len(register.deals):,} deals ({size / 2**20:.1f} MiB, "
        f"{len(register.deliveries):,} deal-years): parse {parse * 1000:.0f} ms, "
        f"peak traced memory {peak / 2**20:.1f} MiB"
    )
    print(f"diplomacy index, {len(article_dyads())} dyads, by period: {period * 1000:.0f} ms")
    print(f"diplomacy index, by year: {yearly * 1000:.0f} ms")
    print(f"armed both sides, ranked: {both * 1000:.0f} ms")
    print(f"parse and aggregate: {(parse + period) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
