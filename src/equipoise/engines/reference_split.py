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
    select_rows,
    split_groups,
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
    (chunked over rows to bound memory); ties go to the candidate listed first."""
    best_split = np.zeros((direction.batch, direction.striker.offence.elements))
    best_value = np.zeros(direction.batch)
    for rows, candidates in split_groups(direction, levels, max_candidates):
        rows_per_chunk = max(1, max_rows // candidates.shape[0])
        for start in range(0, rows.size, rows_per_chunk):
            index = rows[start : start + rows_per_chunk]
            chunk = replace(
                direction,
                striker=select_rows(direction.striker, index),
                victim=select_rows(direction.victim, index),
            )
            value = full_exchange_objectives(chunk, candidates, dealt_weight, suffered_weight)
            choice = np.argmax(value, axis=1)
            best_split[index] = candidates[choice]
            best_value[index] = value[np.arange(index.size), choice]
    return SplitChoice(best_split, best_value)
