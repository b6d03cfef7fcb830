"""Fitting the interception record and backtesting it, in seconds.

Prints, from one run in one process:
- reading the shipped UA AirDefense Tracker record (3,247 rows);
- fitting every weapon family on the full record (beta-binomial, binomial and the
  channel-limited saturation fit with its profile interval, per-quarter shares);
- the backtest trained until 2025-06-30, and the rolling-origin backtest (every
  quarter predicted from all earlier windows; --quick: from 2025 on).

    python benchmarks/bench_interception.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import best_time, machine
from equipoise.records import backtest, fit_interception, interception_record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke test)")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    record = interception_record()
    read = best_time(interception_record, repeats)
    fit = best_time(lambda: fit_interception(record), repeats)
    single = best_time(lambda: backtest(record, train_until="2025-06-30"), repeats)
    start = "2024-12-31" if args.quick else "2023-03-31"
    begin = time.perf_counter()
    rolling = backtest(record, train_until=start, rolling=True)
    rolling_seconds = time.perf_counter() - begin
    folds = rolling.scores["train_until"].nunique()
    print(machine())
    print(f"read record ({len(record.rows)} rows): {read:.3f} s")
    print(f"fit all families on the full record: {fit:.2f} s")
    print(f"backtest trained until 2025-06-30: {single:.2f} s")
    print(f"rolling backtest from {start} ({folds} quarters): {rolling_seconds:.2f} s")


if __name__ == "__main__":
    main()
