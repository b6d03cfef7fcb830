"""The contract every supplier policy keeps, inherited by one test class per policy
(the pattern of Axelrod's ``tests/strategies/test_player.py``): whatever it scores,
its plan never crosses a red line, a budget or a cap; the same seed gives the same
plan; and its score ranks plans the way its documented objective says.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equipoise import load_scenario
from equipoise.analysis.deliveries import plan_of, plan_problems
from equipoise.analysis.evaluator import Metrics
from equipoise.analysis.policies import (
    Abstain,
    Balancer,
    Partisan,
    Policy,
    PolicyWeights,
    parse_policy,
)
from equipoise.analysis.supply import PlanSpace, budget_scale, search
from tests.test_supply import instances

# The contract's properties run once per policy class (the inherited-test pattern), so
# Hypothesis sees one test method from several classes; each class's runs are its own.
SHARED = [HealthCheck.differing_executors]


class PolicyContract:
    """Tests every policy inherits; a subclass names the policy."""

    policy: ClassVar[Policy]

    @settings(max_examples=12, deadline=None, suppress_health_check=SHARED)
    @given(instances, st.sampled_from(["exhaustive", "local"]), st.integers(0, 2**16))
    def test_plan_keeps_every_supplier_rule(
        self, data: dict[str, Any], method: str, seed: int
    ) -> None:
        scenario = load_scenario(data)
        options, outcome = search(
            scenario, self.policy, PolicyWeights(), method=method, seed=seed, time_limit=1
        )
        assert plan_problems(scenario, plan_of(options, outcome.quantities)) == []

    @settings(max_examples=6, deadline=None, suppress_health_check=SHARED)
    @given(instances, st.integers(0, 2**16))
    def test_same_seed_same_plan(self, data: dict[str, Any], seed: int) -> None:
        scenario = load_scenario(data)
        runs = [
            search(scenario, self.policy, PolicyWeights(), method="local", seed=seed, time_limit=1)
            for _ in range(2)
        ]
        assert np.array_equal(runs[0][1].quantities, runs[1][1].quantities)
        assert runs[0][1].score == runs[1][1].score

    @settings(max_examples=10, deadline=None, suppress_health_check=SHARED)
    @given(instances)
    def test_a_costlier_copy_of_a_plan_scores_lower(self, data: dict[str, Any]) -> None:
        """Everything else equal, spending more never scores better (cost weight > 0)."""
        scenario = load_scenario(data)
        space = PlanSpace.of(scenario)
        quantities = np.zeros((1, len(space.decisions)), dtype=np.int64)
        metrics = space.evaluate(quantities)
        dearer = Metrics(metrics.dyads, metrics.values, metrics.cost + 1.0)
        budget = budget_scale(scenario)
        cheap = self.policy.score(metrics, PolicyWeights(), budget)
        costly = self.policy.score(dearer, PolicyWeights(), budget)
        assert costly[0] < cheap[0]

    def test_parses_from_its_name(self) -> None:
        scenario = load_scenario(THREE_STATES)
        assert parse_policy(scenario, self.policy.name) == self.policy


THREE_STATES = {
    "name": "three",
    "title": "three states",
    "classes": {"m": {"kind": "ballistic_missile", "reliability": 1.0, "damage": 1.0}},
    "states": {
        name: {"value_at_risk": 10, "unacceptable_damage": 1, "inventory": {}}
        for name in ("AAA", "BBB", "CCC")
    },
    "dyads": [{"a": "AAA", "b": "BBB"}, {"a": "BBB", "b": "CCC"}],
}


class TestAbstain(PolicyContract):
    policy = Abstain()

    @settings(max_examples=10, deadline=None)
    @given(instances)
    def test_delivers_nothing_and_costs_nothing(self, data: dict[str, Any]) -> None:
        scenario = load_scenario(data)
        _, outcome = search(scenario, self.policy, PolicyWeights())
        assert not outcome.quantities.any()
        assert outcome.score == 0.0


class TestBalancer(PolicyContract):
    policy = Balancer()

    def test_one_more_dyad_in_mutual_deterrence_outweighs_advantages_and_cost(self) -> None:
        """docs/model.md §8: with the default weights the order is lexicographic."""
        metrics = _metrics(mutual=[[1, 0]], fsa=[[0.9, 0.0]], cost=[10.0])
        other = _metrics(mutual=[[0, 0]], fsa=[[0.0, 0.0]], cost=[0.0])
        weights = PolicyWeights()
        assert self.policy.score(metrics, weights, 10.0) > self.policy.score(other, weights, 10.0)


class TestPartisanAAA(PolicyContract):
    policy = Partisan("AAA")

    def test_prefers_its_states_rivals_deterred(self) -> None:
        """Partisan:A counts A's rivals deterred: B deterred beats A deterred."""
        rival_deterred = _metrics(a_deterred=[[0, 0]], b_deterred=[[1, 1]])
        own_deterred = _metrics(a_deterred=[[1, 1]], b_deterred=[[0, 0]])
        weights, score = PolicyWeights(), self.policy.score
        assert score(rival_deterred, weights, 1.0) > score(own_deterred, weights, 1.0)


class TestPartisanBBB(PolicyContract):
    policy = Partisan("BBB")

    def test_a_dyad_without_a_probability_drops_only_its_own_term(self) -> None:
        """With no P(prevail) in one dyad (a state without a capability block under
        bargaining.probability: capability) the whole prevailing sum was zeroed, dropping
        the other dyad's term too (asia-rivals-2024 without VNM's capability scored 2000;
        now 2007.26, CHN-IND's term kept). Hand-computed: 1000 · 2 rivals deterred
        + 10 · 0.6 (BBB is the first state of its second dyad, so its P(prevail) there is
        the mean 0.6)."""
        metrics = _metrics(a_deterred=[[1, 0]], b_deterred=[[0, 1]])
        metrics.values["p_first"] = np.array([[np.nan, 0.7]])
        metrics.values["p_second"] = np.array([[np.nan, 0.5]])
        score = self.policy.score(metrics, PolicyWeights(), 1.0)
        assert score[0] == pytest.approx(1000 * 2 + 10 * 0.6)


def _metrics(
    *,
    mutual: list[list[int]] | None = None,
    a_deterred: list[list[int]] | None = None,
    b_deterred: list[list[int]] | None = None,
    fsa: list[list[float]] | None = None,
    cost: list[float] | None = None,
) -> Metrics:
    """Hand-set metrics for one plan over two dyads, (AAA, BBB) and (BBB, CCC)."""
    if mutual is not None:
        a_deterred = b_deterred = mutual
    shape = (1, 2)
    values = {
        name: np.zeros(shape)
        for name in ("fsa_a", "fsa_b", "p_first", "p_second", "range_width", "has_range")
    }
    values["a_deterred"] = np.asarray(a_deterred if a_deterred is not None else [[0, 0]], float)
    values["b_deterred"] = np.asarray(b_deterred if b_deterred is not None else [[0, 0]], float)
    if fsa is not None:
        values["fsa_a"] = values["fsa_b"] = np.asarray(fsa, float)
    return Metrics((("AAA", "BBB"), ("BBB", "CCC")), values, np.asarray(cost or [0.0], dtype=float))


@pytest.mark.parametrize("text", ["abstain", "balancer", "partisan:IRN"])
def test_every_policy_name_round_trips(text: str) -> None:
    scenario = load_scenario("west-asia-2024")
    assert parse_policy(scenario, text).name == text
