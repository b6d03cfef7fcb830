"""Streaming aggregation (issue 14): block-by-block statistics equal all-in-memory ones.

The reference keeps every trial: it draws the raw per-trial arrays of
:class:`ExchangeTrials` block by block (``run_blocks``, the same seeded blocks the
assessment uses), concatenates them, and applies the all-in-memory estimators
(``Estimate.of_mean``/``of_difference``/``of_proportion``, ``np.histogram``, means
over trials). Moments are checked against ``numpy.var`` (two-pass, ddof 1) directly.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import analyze, load_scenario
from equipoise.analysis.assess import ExchangeTrials, StrikeTrials, calibration_offence
from equipoise.analysis.evaluator import evaluate_dyad
from equipoise.analysis.forces import (
    ElementLabel,
    SideForces,
    dyad_forces,
    kill_matrix,
    side_forces,
)
from equipoise.analysis.results import DamageCounts, DamageHistogram, Estimate, Moments
from equipoise.engines.exchange import net_outcome
from equipoise.engines.random import BLOCK_TRIALS, fold_blocks, run_blocks

SEED = 11
TRIALS = 2 * BLOCK_TRIALS + 333  # two full blocks and a partial one


def _close(actual: Estimate, expected: Estimate) -> None:
    for name in ("mean", "low", "high"):
        a, e = getattr(actual, name), getattr(expected, name)
        assert math.isclose(a, e, rel_tol=1e-12, abs_tol=1e-15), (name, a, e)
    assert actual.expected_value == expected.expected_value


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
)
def test_merged_moments_equal_numpy_on_the_whole_array(
    values: list[float], cuts: list[int]
) -> None:
    """Chan-Golub-LeVeque merging of pieces gives numpy's mean and ddof-1 variance."""
    data = np.asarray(values)
    pieces = np.split(data, sorted(min(c, data.size) for c in cuts))
    merged = Moments()
    for piece in pieces:
        merged = merged.merge(Moments.of(piece))
    assert merged.count == data.size
    scale = max(1.0, float(np.abs(data).max()))
    assert math.isclose(merged.mean, float(data.mean()), rel_tol=1e-12, abs_tol=1e-12 * scale)
    if data.size > 1:
        reference = float(data.var(ddof=1))
        assert math.isclose(
            merged.variance(), reference, rel_tol=1e-9, abs_tol=1e-12 * scale * scale
        )


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-10.0, 110.0), min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
)
def test_merged_damage_counts_equal_numpy_on_the_whole_array(
    values: list[float], cuts: list[int]
) -> None:
    """Fixed-bin counts and extremes merged over pieces (some of them empty) are
    np.histogram, np.min and np.max of the whole array, clipped to 0-100 as binned."""
    data = np.asarray(values)
    pieces = np.split(data, sorted(min(c, data.size) for c in cuts))
    merged = DamageCounts(np.zeros(len(DamageHistogram.edges_for(100.0)) - 1, dtype=np.int64))
    for piece in pieces:
        merged = merged.merge(DamageCounts.of(piece, 100.0))
    clipped = np.clip(data, 0.0, 100.0)
    counts, _ = np.histogram(clipped, bins=DamageHistogram.edges_for(100.0))
    np.testing.assert_array_equal(merged.counts, counts)
    assert (merged.minimum, merged.maximum) == (float(clipped.min()), float(clipped.max()))


def _raw(direction_task: ExchangeTrials, seed: np.random.SeedSequence) -> dict[str, np.ndarray]:
    blocks = run_blocks(direction_task, seed, TRIALS)
    return {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}


def test_streamed_assessment_equals_all_in_memory_reference() -> None:
    """Every estimate, histogram and layer mean of ``analyze`` for one dyad, against the
    same trials kept in memory and reduced at the end."""
    scenario = load_scenario("west-asia-2024")
    result = analyze(scenario, trials=TRIALS, seed=SEED).dyads[0]
    dyad = scenario.dyads[0]
    forces = dyad_forces(scenario, dyad.a, dyad.b)
    exchanges = evaluate_dyad(scenario, (dyad.a, dyad.b), forces.a_first, forces.b_first, seed=SEED)
    # analyze's seed tree: root -> (dyads, calibration) -> dyad i -> (a first, b first)
    dyad_seed = np.random.SeedSequence(SEED).spawn(2)[0]
    a_seed, b_seed = dyad_seed.spawn(len(scenario.dyads))[0].spawn(2)
    raw = {
        key: _raw(
            ExchangeTrials(direction, exchanges.chosen[key][0], exchanges.limiting[key][0]),
            child,
        )
        for key, direction, child in (
            ("a", forces.a_first, a_seed),
            ("b", forces.b_first, b_seed),
        )
    }
    weights = (scenario.exchange.dealt_weight, scenario.exchange.suffered_weight)
    sides = {"a": forces.a, "b": forces.b}
    for index, (own, rival) in enumerate((("a", "b"), ("b", "a"))):
        side = result.sides[index]
        first, second = raw[own], raw[rival]
        v_own, v_rival = sides[own].side.value_at_risk, sides[rival].side.value_at_risk
        pairs = {
            "damage_dealt_striking_first": first["dealt"],
            "damage_suffered_striking_first": first["suffered"],
            "damage_dealt_struck_first": second["suffered"],
            "damage_suffered_struck_first": second["dealt"],
            "second_strike_survivability": second["limited_surviving"],
            "retaliation_damage": second["limited_retaliation"],
        }
        for name, samples in pairs.items():
            streamed: Estimate = getattr(side, name)
            _close(streamed, Estimate.of_mean(samples, streamed.expected_value))
        net_first = net_outcome(first["dealt"], first["suffered"], v_rival, v_own, *weights)
        net_second = net_outcome(second["suffered"], second["dealt"], v_rival, v_own, *weights)
        fsa = side.first_strike_advantage
        _close(fsa, Estimate.of_difference(net_first, net_second, fsa.expected_value))
        crosses = second["limited_retaliation"] >= sides[rival].side.unacceptable_damage
        probability = side.retaliation_probability
        assert probability == Estimate.of_proportion(crosses, probability.expected_value)

    # histograms: exactly the counts of np.histogram over all trials, and the smallest
    # and largest damage of all trials (np.min, np.max)
    value = {"a": forces.a.side.value_at_risk, "b": forces.b.side.value_at_risk}
    all_samples = [
        (dyad.a, "striking first", raw["a"]["suffered"], value["a"]),
        (dyad.a, "struck first", raw["b"]["dealt"], value["a"]),
        (dyad.b, "striking first", raw["b"]["suffered"], value["b"]),
        (dyad.b, "struck first", raw["a"]["dealt"], value["b"]),
    ]
    for streamed_histogram, (state, case, samples, at_risk) in zip(
        result.histograms, all_samples, strict=True
    ):
        assert (streamed_histogram.state, streamed_histogram.case) == (state, case)
        clipped = np.clip(samples, 0.0, at_risk)
        counts, edges = np.histogram(clipped, bins=DamageHistogram.edges_for(at_risk))
        np.testing.assert_array_equal(streamed_histogram.edges, edges)
        np.testing.assert_array_equal(streamed_histogram.counts, counts)
        assert int(streamed_histogram.counts.sum()) == TRIALS
        assert streamed_histogram.minimum == float(np.min(clipped))
        assert streamed_histogram.maximum == float(np.max(clipped))
        reference = DamageHistogram.of(state, case, samples, at_risk)
        assert streamed_histogram.outcome_range() == reference.outcome_range()

    # interception: means over trials of rounds launched, intercepted per layer, leaked
    strikes = [("a", "first"), ("a", "retaliation"), ("b", "first"), ("b", "retaliation")]
    assert len(result.interception) == len(strikes)
    for row, (key, prefix) in zip(result.interception, strikes, strict=True):
        trials = raw[key]
        intercepted = trials[f"{prefix}_intercepted"].mean(axis=0)
        assert len(row.intercepted) == len(intercepted)
        for streamed, layer_mean in zip(row.intercepted.values(), intercepted, strict=True):
            assert math.isclose(streamed, float(layer_mean), rel_tol=1e-12)
        assert math.isclose(row.launched, float(trials[f"{prefix}_launched"].mean()), rel_tol=1e-12)
        assert math.isclose(row.leaked, float(trials[f"{prefix}_leaked"].mean()), rel_tol=1e-12)
        at = trials.get(f"{prefix}_leaked_at_launchers")
        expected_at = 0.0 if at is None else float(at.mean())
        assert math.isclose(row.leaked_at_launchers, expected_at, rel_tol=1e-12, abs_tol=0.0)


def test_folding_does_not_depend_on_chunking() -> None:
    """Blocks are folded in block order: the same bits whatever the chunk size."""
    values = [
        fold_blocks(
            lambda rng, size: Moments.of(rng.standard_normal(size)),
            Moments.merge,
            np.random.SeedSequence(5),
            3 * BLOCK_TRIALS + 7,
            chunk_blocks=chunk,
        )
        for chunk in (1, 3, 8)
    ]
    assert values[0] == values[1] == values[2]


def test_streamed_calibration_equals_all_in_memory_reference() -> None:
    """The calibration replay's neutralised share, against its trials kept in memory."""
    scenario = load_scenario("west-asia-2024")
    result = analyze(scenario, trials=TRIALS, seed=SEED)
    seeds = np.random.SeedSequence(SEED).spawn(2)[1].spawn(len(scenario.calibration))
    assert result.calibration
    for case, check, child in zip(scenario.calibration, result.calibration, seeds, strict=True):
        defender = side_forces(scenario, case.defender, case.attacker)
        offence, names = calibration_offence(scenario, case)
        attacker = SideForces(
            case.attacker,
            case.defender,
            defender.side,
            tuple(ElementLabel(case.attacker, n) for n in names),
            (),
            (),
        )
        kill = kill_matrix(scenario, attacker, defender)
        task = StrikeTrials(offence, defender.side, kill, case.waves)
        leaked = np.concatenate([b["leaked"] for b in run_blocks(task, child, TRIALS)])
        shares = 1.0 - leaked / int(offence.rounds.sum())
        _close(check.model, Estimate.of_mean(shares, check.model.expected_value))


def test_wilson_interval_matches_newcombe_1998() -> None:
    """The Wilson score interval of every proportion estimate (streamed counts and
    in-memory hits alike) against Newcombe (1998, Statistics in Medicine 17, Table I,
    method 3), to its four decimals."""
    published = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605)}
    published |= {(0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718)}
    for (hits, trials), (low, high) in published.items():
        estimate = Estimate.of_count(hits, trials)
        assert (round(estimate.low, 4), round(estimate.high, 4)) == (low, high)
        drawn = np.arange(trials) < hits
        assert Estimate.of_proportion(np.random.default_rng(0).permutation(drawn)) == estimate


def test_wilson_interval_reaches_exactly_0_and_1_at_the_ends() -> None:
    """With no hits the Wilson score interval's lower limit is 0 and with all hits its
    upper limit is 1 (Wilson 1927; Newcombe 1998, Table I, method 3: 0/20 gives
    0.0000-0.1611): exactly, so a CSV prints 0, not 5.4e-20 from rounding. The interval
    of n - x hits is the mirror of that of x (1 - high, 1 - low)."""
    for trials in (7, 20, 400, 1000, 2000, 1_000_000):
        none = Estimate.of_count(0, trials)
        every = Estimate.of_count(trials, trials)
        assert none.low == 0.0
        assert every.high == 1.0
        assert math.isclose(every.low, 1.0 - none.high, rel_tol=1e-12)
    assert round(Estimate.of_count(0, 20).high, 4) == 0.1611
    assert round(Estimate.of_count(20, 20).low, 4) == round(1 - 0.1611, 4)
