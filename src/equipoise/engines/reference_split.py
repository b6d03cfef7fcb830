"""The plain full-grid split search, one tiled exchange per (row, candidate).

This is how :func:`equipoise.engines.exchange.best_split_expected` searched before it
shared the split-independent first strike between candidates (docs/model.md §3, the
striker's choice): every candidate split of :func:`candidate_splits` is run through
the whole expected-value exchange for every batch row. It serves twice: the tests
check that the fast search picks the same split with the same objective, and
``benchmarks/bench_map.py`` times it as the baseline. Do not use it for analysis.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from equipoise.engines.exchange import (
    Direction,
    SplitChoice,
    exchange_expected,
    search_splits,
    striker_objective,
    tile_side,
)
from equipoise.engines.types import FloatArray


def full_exchange_objectives(
    direction: Direction,
    candidates: FloatArray,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
) -> FloatArray:
    """The striker's objective of every candidate in every row, (batch, candidates),
    each from its own full expected-value exchange."""
    count = candidates.shape[0]
    tiled = replace(
        direction,
        striker=tile_side(direction.striker, count),
        victim=tile_side(direction.victim, count),
    )
    splits = np.tile(candidates, (direction.batch, 1))
    outcome = exchange_expected(tiled, splits)
    value = striker_objective(outcome, tiled, dealt_weight, suffered_weight)
    return np.asarray(value.reshape(direction.batch, count), dtype=float)


def best_split_full_grid(
    direction: Direction,
    *,
    levels: int,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
    max_candidates: int = 4096,
    max_rows: int = 200_000,
) -> SplitChoice:
    """The best candidate split per row by running every candidate's whole exchange
    (the same search driver, the old scoring); ties go to the candidate listed first."""
    return search_splits(
        direction,
        full_exchange_objectives,
        levels=levels,
        dealt_weight=dealt_weight,
        suffered_weight=suffered_weight,
        max_candidates=max_candidates,
        max_rows=max_rows,
    )
