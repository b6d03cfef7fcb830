"""Randomness: same seed, same numbers, however trials are chunked or parallelised."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import analyze, load_scenario
from equipoise.analysis.assess import ExchangeTrials
from equipoise.analysis.forces import dyad_forces
from equipoise.engines.exchange import damage_limiting_split
from equipoise.engines.random import BLOCK_TRIALS, block_sizes, run_blocks


def _task() -> ExchangeTrials:
    scenario = load_scenario("west-asia-2024")
    forces = dyad_forces(scenario, "IRN", "ISR")
    split = damage_limiting_split(forces.a_first)[0]
    return ExchangeTrials(forces.a_first, np.full(split.shape, 0.3), split)


TASK = _task()


def _run(seed: int, trials: int, chunk_blocks: int) -> dict[str, np.ndarray]:
    blocks = run_blocks(TASK, np.random.SeedSequence(seed), trials, chunk_blocks=chunk_blocks)
    return {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}


@settings(max_examples=10)
@given(
    seed=st.integers(0, 2**32 - 1),
    trials=st.integers(1, 3 * BLOCK_TRIALS + 17),
    chunks=st.tuples(st.integers(1, 5), st.integers(1, 5)),
)
def test_results_do_not_depend_on_chunking(seed: int, trials: int, chunks: tuple[int, int]) -> None:
    first, second = _run(seed, trials, chunks[0]), _run(seed, trials, chunks[1])
    for key in first:
        assert np.array_equal(first[key], second[key], equal_nan=True), key
        assert len(first[key]) == trials


def test_block_sizes_cover_trials() -> None:
    assert block_sizes(1) == [1]
    assert sum(block_sizes(5 * BLOCK_TRIALS + 3)) == 5 * BLOCK_TRIALS + 3
    with pytest.raises(ValueError, match="at least 1"):
        block_sizes(0)


def test_more_trials_extend_the_same_stream() -> None:
    """Block i always draws from child i: the first blocks of a longer run are identical."""
    short, long = _run(7, BLOCK_TRIALS, 1), _run(7, 3 * BLOCK_TRIALS, 2)
    for key in short:
        assert np.array_equal(short[key], long[key][:BLOCK_TRIALS], equal_nan=True)


def test_same_seed_same_numbers_serial_or_parallel() -> None:
    scenario = load_scenario("west-asia-2024")
    serial = analyze(scenario, trials=2 * BLOCK_TRIALS + 5, seed=42)
    again = analyze(scenario, trials=2 * BLOCK_TRIALS + 5, seed=42)
    parallel = analyze(scenario, trials=2 * BLOCK_TRIALS + 5, seed=42, workers=2)
    assert serial.to_dict() == again.to_dict() == parallel.to_dict()


def test_different_seeds_differ() -> None:
    scenario = load_scenario("west-asia-2024")
    a = analyze(scenario, trials=500, seed=1).to_dict()
    b = analyze(scenario, trials=500, seed=2).to_dict()
    assert a != b


def test_no_global_random_state_is_used() -> None:
    """The legacy global generator is left exactly as it was (deliberately probed here)."""
    state = np.random.get_state(legacy=False)  # noqa: NPY002 (probing the legacy global)
    analyze(load_scenario("levant-2018"), trials=300, seed=5)
    after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert np.array_equal(state["state"]["key"], after["state"]["key"])
    assert state["state"]["pos"] == after["state"]["pos"]
