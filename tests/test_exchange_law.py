"""The vectorised stochastic exchange draws from the same law as the per-trial reference.

Two-sample tests of the joint outcome of a trial (first-strike damage, retaliation
damage, victim launchers destroyed) between engines.exchange.exchange_stochastic and
the independent one-threat-at-a-time loop of engines.reference: a chi-square test of
homogeneity on the joint outcome binned at pooled quantiles, and a Kolmogorov-Smirnov
test on each outcome. The vectorised engine carries each element's salvo through the
layers as one count and splits its leakers among aim points once, after the last wave
(docs/model.md §2-3), where the reference aims every round at launch; these tests are
what shows the two laws agree. A control shows the same test rejects a small change
of the law at these sample sizes. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from equipoise import load_scenario
from equipoise.analysis.forces import dyad_forces
from equipoise.engines.exchange import Direction, exchange_stochastic, trials_of
from equipoise.engines.reference import exchange_one_trial
from tests.factories import defence, direction, offence, side

OUTCOMES = ("first_strike_damage", "retaliation_damage", "victim_launchers_destroyed")
REJECT_BELOW = 1e-3


def reference_sample(case: Direction, split: np.ndarray, trials: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = [exchange_one_trial(rng, case, split) for _ in range(trials)]
    return np.array([[getattr(row, name) for name in OUTCOMES] for row in rows])


def engine_sample(case: Direction, split: np.ndarray, trials: int, seed: int) -> np.ndarray:
    outcome = exchange_stochastic(
        np.random.default_rng(seed),
        trials_of(case, trials),
        np.broadcast_to(split, (trials, split.size)),
    )
    return np.column_stack([getattr(outcome, name) for name in OUTCOMES])


@dataclass(frozen=True)
class LawTest:
    """p-values of the joint chi-square and of the per-outcome KS tests."""

    joint: float
    cells: int
    marginal: tuple[float, ...]

    @property
    def smallest(self) -> float:
        return min((self.joint, *self.marginal))


def joint_cells(pooled: np.ndarray, bins: int) -> np.ndarray:
    """Cell index of each row: every outcome cut at ``bins`` pooled quantiles."""
    code = np.zeros(pooled.shape[0], dtype=np.int64)
    for column in pooled.T:
        edges = np.unique(np.quantile(column, np.arange(1, bins) / bins))
        code = code * bins + np.searchsorted(edges, column, side="right")
    return code


def same_law(slow: np.ndarray, fast: np.ndarray, bins: int = 3) -> LawTest:
    """Chi-square homogeneity of the binned joint outcome (cells whose expected count in
    the smaller sample is under 5 pooled into one), and two-sample KS per outcome."""
    cells = joint_cells(np.vstack([slow, fast]), bins)
    labels, pooled_counts = np.unique(cells, return_counts=True)
    expected_small = pooled_counts * slow.shape[0] / cells.size
    keep = labels[expected_small >= 5]
    merged = np.where(np.isin(cells, keep), cells, -1)
    groups, index = np.unique(merged, return_inverse=True)
    size = slow.shape[0]
    table = np.vstack(
        [
            np.bincount(index[:size], minlength=groups.size),
            np.bincount(index[size:], minlength=groups.size),
        ]
    )
    table = table[:, table.sum(axis=0) > 0]
    joint = (
        1.0 if table.shape[1] < 2 else float(stats.chi2_contingency(table, correction=False).pvalue)
    )
    marginal = tuple(
        1.0
        if np.ptp(np.concatenate([slow[:, k], fast[:, k]])) == 0
        else float(stats.ks_2samp(slow[:, k], fast[:, k]).pvalue)
        for k in range(slow.shape[1])
    )
    return LawTest(joint, table.shape[1], marginal)


def saturated_case() -> Direction:
    """Small enough for many reference trials, and built to exercise what the vectorised
    engine changed: two striker elements aimed at countervalue and at two launcher
    groups over three waves, a shoot-look-shoot outer layer that cannot engage one of
    them, channels and stocks that saturate and deplete, and a defended retaliation."""
    striker = side(
        offence(
            [6, 4],
            [18, 8],
            reliability=0.9,
            arrival=[0.9, 0.8],
            guided=[True, False],
            damage=[1.0, 2.0],
            counterforce_kill=[0.5, 0.3],
        ),
        defence([6], [2], [1]),
        value=30.0,
    )
    victim = side(
        offence([5, 3], [10, 3], damage=[1.5, 1.0], arrival=0.9),
        defence([10, 12], [3, 4], [2, 1], [True, False], ew=0.8),
        value=30.0,
    )
    return direction(striker, victim, [[0.6, 0.5], [0.0, 0.7]], [[0.5], [0.4]], waves=3)


SATURATED_SPLIT = np.array([0.5, 0.3])


@cache
def saturated_reference() -> np.ndarray:
    return reference_sample(saturated_case(), SATURATED_SPLIT, 10_000, seed=11)


def test_saturated_case_matches_the_reference() -> None:
    case, split, slow = saturated_case(), SATURATED_SPLIT, saturated_reference()
    fast = engine_sample(case, split, 100_000, seed=12)
    result = same_law(slow, fast, bins=4)
    assert result.cells >= 20, result
    assert result.smallest > REJECT_BELOW, result


def test_the_law_test_has_power_at_these_sizes() -> None:
    """Control: the same test, samples and seeds reject an engine whose outer layer kills
    with 0.55 instead of 0.6."""
    case, split, slow = saturated_case(), SATURATED_SPLIT, saturated_reference()
    weaker = replace(case, striker_kill=case.striker_kill * np.array([[0.55 / 0.6, 1.0]]))
    result = same_law(slow, engine_sample(weaker, split, 100_000, seed=12), bins=4)
    assert result.smallest < REJECT_BELOW, result


@pytest.mark.parametrize(
    ("scenario", "a", "b", "trials"),
    [
        ("west-asia-2024", "IRN", "ISR", 400),
        ("levant-2018", "ISR", "SYR", 400),
        ("asia-rivals-2024", "IND", "VNM", 300),
    ],
)
def test_built_in_scenarios_match_the_reference(scenario: str, a: str, b: str, trials: int) -> None:
    case = dyad_forces(load_scenario(scenario), a, b).a_first
    split = np.full(case.striker.offence.elements, 0.3)
    slow = reference_sample(case, split, trials, seed=2024)
    fast = engine_sample(case, split, 40_000, seed=7)
    result = same_law(slow, fast)
    assert result.smallest > REJECT_BELOW, result


@st.composite
def small_exchanges(draw: st.DrawFn) -> tuple[Direction, np.ndarray]:
    """A random small exchange: 1-2 elements a side, 1-2 layers, 1-3 waves."""
    s_elements, v_elements = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    s_layers, v_layers = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    probability = st.floats(0.0, 1.0)

    def forces(elements: int) -> tuple[list[int], list[int]]:
        launchers = [draw(st.integers(1, 6)) for _ in range(elements)]
        return launchers, [n * draw(st.integers(1, 3)) for n in launchers]

    def layers(count: int) -> tuple[list[int], list[int], list[int], list[bool]]:
        return (
            [draw(st.integers(0, 10)) for _ in range(count)],
            [draw(st.integers(0, 4)) for _ in range(count)],
            [draw(st.integers(1, 2)) for _ in range(count)],
            [draw(st.booleans()) for _ in range(count)],
        )

    s_launchers, s_rounds = forces(s_elements)
    v_launchers, v_rounds = forces(v_elements)
    striker = side(
        offence(
            s_launchers,
            s_rounds,
            arrival=[draw(st.floats(0.5, 1.0)) for _ in range(s_elements)],
            counterforce_kill=[draw(probability) for _ in range(s_elements)],
        ),
        defence(*layers(s_layers)),
        value=1e6,
    )
    victim = side(
        offence(
            v_launchers,
            v_rounds,
            targetable=[draw(st.booleans()) for _ in range(v_elements)],
        ),
        defence(*layers(v_layers)),
        value=1e6,
    )
    striker_kill = [[draw(probability) for _ in range(v_layers)] for _ in range(s_elements)]
    victim_kill = [[draw(probability) for _ in range(s_layers)] for _ in range(v_elements)]
    case = direction(striker, victim, striker_kill, victim_kill, waves=draw(st.integers(1, 3)))
    split = np.array([draw(probability) for _ in range(s_elements)])
    return case, split


@settings(max_examples=6, derandomize=True, deadline=None)
@given(small_exchanges())
def test_small_random_exchanges_match_the_reference(drawn: tuple[Direction, np.ndarray]) -> None:
    case, split = drawn
    slow = reference_sample(case, split, 1_500, seed=5)
    fast = engine_sample(case, split, 30_000, seed=6)
    result = same_law(slow, fast)
    assert result.smallest > REJECT_BELOW, result
