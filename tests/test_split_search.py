"""The striker's split search (docs/model.md §3, the striker's choice) against the plain
full grid, in which every candidate runs its own whole expected-value exchange."""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import builtin_names, load_scenario
from equipoise.analysis.evaluator import dyad_model
from equipoise.analysis.mapping import axis_item, current_count, main_offensive_holding
from equipoise.engines.exchange import (
    Defence,
    Direction,
    Offence,
    Side,
    best_split_expected,
    damage_limiting_split,
    exchange_expected,
    leakers_by_element,
    select_rows,
    split_groups,
)
from equipoise.engines.reference_split import best_split_full_grid, full_exchange_objectives

TIE = 1e-12


@st.composite
def offences(draw: Any, batch: int) -> Offence:
    elements = draw(st.integers(1, 3))
    counts = st.lists(st.integers(0, 40), min_size=batch * elements, max_size=batch * elements)
    launchers = np.array(draw(counts), dtype=float).reshape(batch, elements)
    per_launcher = np.array(draw(counts), dtype=float).reshape(batch, elements) / 10.0
    per_element = st.lists(st.floats(0.0, 1.0), min_size=elements, max_size=elements)
    return Offence(
        launchers=launchers,
        rounds=np.round(launchers * (1.0 + per_launcher)),
        rounds_per_launcher_per_wave=np.array(
            draw(st.lists(st.integers(1, 2), min_size=elements, max_size=elements))
        ),
        reliability=np.array(draw(per_element)) * 0.5 + 0.5,
        arrival=np.array(draw(per_element)) * 0.5 + 0.5,
        guided=np.array(draw(st.lists(st.booleans(), min_size=elements, max_size=elements))),
        damage=np.array(draw(per_element)) * 3.0 + 0.1,
        counterforce_kill=np.array(draw(per_element)),
        targetable=np.array(draw(st.lists(st.booleans(), min_size=elements, max_size=elements))),
    )


@st.composite
def defences(draw: Any, batch: int) -> Defence:
    layers = draw(st.integers(0, 2))
    counts = st.lists(st.integers(0, 60), min_size=batch * layers, max_size=batch * layers)
    return Defence(
        interceptors=np.array(draw(counts), dtype=float).reshape(batch, layers),
        channels=np.array(draw(counts), dtype=float).reshape(batch, layers) / 3.0,
        shots_per_threat=np.array(
            draw(st.lists(st.integers(1, 2), min_size=layers, max_size=layers)), dtype=np.int64
        ),
        shoot_look_shoot=np.array(draw(st.lists(st.booleans(), min_size=layers, max_size=layers))),
        guided_arrival_factor=np.array(
            draw(st.lists(st.floats(0.5, 1.0), min_size=batch, max_size=batch))
        ),
    )


@st.composite
def directions(draw: Any) -> Direction:
    """A batch of random exchanges: several elements and layers, some rows with nothing
    to fire or nothing to target."""
    batch = draw(st.integers(1, 4))
    values = st.sampled_from([20.0, 100.0, 400.0])
    striker = Side(draw(offences(batch)), draw(defences(batch)), draw(values), 10.0)
    victim = Side(draw(offences(batch)), draw(defences(batch)), draw(values), 10.0)

    def kill(rows: int, columns: int) -> np.ndarray:
        cells = st.lists(st.floats(0.0, 0.9), min_size=rows * columns, max_size=rows * columns)
        return np.array(draw(cells), dtype=float).reshape(rows, columns)

    return Direction(
        striker,
        victim,
        kill(striker.offence.elements, victim.defence.layers),
        kill(victim.offence.elements, striker.defence.layers),
        draw(st.integers(1, 3)),
    )


@settings(max_examples=300, deadline=None)
@given(
    direction=directions(),
    levels=st.integers(2, 6),
    weights=st.sampled_from([(1.0, 1.0), (1.0, 3.0), (0.5, 1.0)]),
    max_rows=st.sampled_from([1, 50, 200_000]),
)
def test_search_picks_the_full_grid_split(
    direction: Direction, levels: int, weights: tuple[float, float], max_rows: int
) -> None:
    """The shared-first-strike search scores every candidate as its own whole exchange
    does (to 1e-12) and picks the full grid's split, wherever the grid's best is clear
    of its runner-up by more than rounding; chunking over rows changes nothing."""
    choice = best_split_expected(
        direction,
        levels=levels,
        dealt_weight=weights[0],
        suffered_weight=weights[1],
        max_rows=max_rows,
    )
    reference = best_split_full_grid(
        direction, levels=levels, dealt_weight=weights[0], suffered_weight=weights[1]
    )
    np.testing.assert_allclose(choice.objective, reference.objective, rtol=0, atol=TIE)
    for rows, candidates in split_groups(direction, levels, 4096):
        part = replace(
            direction,
            striker=select_rows(direction.striker, rows),
            victim=select_rows(direction.victim, rows),
        )
        grid = full_exchange_objectives(part, candidates, *weights)
        ranked = np.sort(grid, axis=1)
        clear = ranked[:, -1] - (ranked[:, -2] if grid.shape[1] > 1 else -np.inf) > TIE
        assert np.array_equal(choice.split[rows][clear], reference.split[rows][clear])
        for at, row in enumerate(rows):
            picked = np.flatnonzero((candidates == choice.split[row]).all(axis=1))[0]
            assert grid[at, picked] >= grid[at].max() - TIE


@settings(max_examples=40, deadline=None)
@given(
    direction=directions(),
    levels=st.integers(2, 6),
    cut=st.integers(1, 7),
    most=st.sampled_from([4096, 8]),
)
def test_a_rows_split_does_not_depend_on_its_batch(
    direction: Direction, levels: int, cut: int, most: int
) -> None:
    """Each row searched alone, or batched with rows that field other elements, gets the
    same split and objective, and so the same most disarming strike (a map chunk, a
    worker's block of sub-plans or a sweep batch never changes a number)."""
    together = best_split_expected(direction, levels=levels, max_rows=cut, max_candidates=most)
    limiting = damage_limiting_split(direction)
    for row in range(direction.batch):
        index = np.array([row])
        alone = replace(
            direction,
            striker=select_rows(direction.striker, index),
            victim=select_rows(direction.victim, index),
        )
        single = best_split_expected(alone, levels=levels, max_candidates=most)
        np.testing.assert_array_equal(single.split[0], together.split[row])
        assert single.objective[0] == together.objective[row]
        np.testing.assert_array_equal(damage_limiting_split(alone)[0], limiting[row])


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_dyads_get_the_full_grid_split(name: str) -> None:
    """Every built-in dyad, both ways round, with each state's main offensive holding at
    none, today's and twice today's count: exactly the full grid's split, objective to
    1e-12."""
    scenario = load_scenario(name)
    grid = scenario.exchange
    for dyad in scenario.dyads:
        held = [(s, main_offensive_holding(scenario, s)) for s in (dyad.a, dyad.b)]
        items = [axis_item(scenario, s, key) for s, key in held if key is not None]
        today = [current_count(scenario, s, key) for s, key in held if key is not None]
        quantities = np.array(list(product(*[(0.0, n, 2 * n) for n in today])))
        model = dyad_model(scenario, items, dyad.a, dyad.b)
        for direction in model.directions(scenario, quantities.reshape(-1, len(items))):
            search = {"levels": grid.split_levels, "max_candidates": grid.max_split_candidates}
            fast = best_split_expected(direction, **search)
            plain = best_split_full_grid(direction, **search)
            assert np.array_equal(fast.split, plain.split), (name, dyad)
            np.testing.assert_allclose(fast.objective, plain.objective, rtol=0, atol=TIE)


@settings(max_examples=100, deadline=None)
@given(direction=directions())
def test_first_strike_leakers_do_not_depend_on_the_split(direction: Direction) -> None:
    """Each element's leakers summed over its aim points are the same whatever the split
    (the salvo shares engagements in proportion to arrivals): the fact the search uses."""
    rng = np.random.default_rng(0)
    split = rng.random((direction.batch, direction.striker.offence.elements))
    outcome = exchange_expected(direction, split)
    total = outcome.first_strike_leakers + outcome.first_strike_counterforce_leakers
    np.testing.assert_allclose(
        leakers_by_element(direction).sum(axis=1), total, rtol=1e-12, atol=1e-12
    )
