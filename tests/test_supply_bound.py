"""The supplier search's proven bound (issue 14) and its dyad-memoised evaluation.

References nobody here wrote the numbers of: the exhaustive optimum of each random
small catalogue (``instances`` of tests/test_supply.py, whose optimum is itself
checked against a plain loop over every plan), and, for the built-in scenarios, a
plain enumeration that evaluates every whole plan in each dyad with no sharing of
sub-plans (the evaluator's per-dyad engine, :func:`evaluate_dyad`, on every row).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import builtin_names, load_scenario
from equipoise.analysis.deliveries import decisions, feasible
from equipoise.analysis.evaluator import evaluate, evaluate_dyad, gather
from equipoise.analysis.policies import PolicyWeights, parse_policy
from equipoise.analysis.supply import PlanSpace, budget_scale, search, upper_bound
from tests.test_supply import instances, policies


@settings(max_examples=20, deadline=None)
@given(instances, policies, st.integers(0, 2**16))
def test_bound_is_never_below_the_optimum_or_a_plan_found(
    data: dict[str, Any], policy: str, seed: int
) -> None:
    scenario = load_scenario(data)
    weights = PolicyWeights()
    space = PlanSpace.of(scenario)
    objective = parse_policy(scenario, policy)
    bound = upper_bound(space, objective, weights)
    assert bound is not None
    _, exact = search(scenario, policy, weights, method="exhaustive")
    assert bound >= exact.score - 1e-9
    _, heuristic = search(scenario, policy, weights, method="local", seed=seed, time_limit=1)
    if decisions(scenario):
        assert heuristic.bound is not None
        assert heuristic.bound >= heuristic.score - 1e-9
        assert heuristic.gap is not None
        assert heuristic.gap >= 0.0
        if heuristic.proven_optimal:
            assert heuristic.score == pytest.approx(exact.score, abs=1e-9)


def test_bound_is_unavailable_when_a_dyad_has_too_many_sub_plans() -> None:
    scenario = load_scenario("levant-2018")
    space = PlanSpace.of(scenario)
    assert upper_bound(space, parse_policy(scenario, "balancer"), PolicyWeights(), 2) is None


def _plain_best(scenario: Any, policy: str, weights: PolicyWeights) -> tuple[float, np.ndarray]:
    """Every feasible plan, each dyad evaluated on every whole plan (no memoisation)."""
    space = PlanSpace.of(scenario)
    options = space.decisions
    grid = itertools.product(*[range(d.max_quantity + 1) for d in options])
    plans = np.array(list(grid), dtype=np.int64).reshape(-1, len(options))
    plans = plans[feasible(scenario, options, plans)]
    columns = []
    for model in space.models:
        a_first, b_first = model.directions(scenario, plans.astype(float))
        exchanges = evaluate_dyad(scenario, (model.a, model.b), a_first, b_first, seed=0)
        columns.append(exchanges.columns)
    costs = plans @ np.array([item.cost for item in space.items])
    metrics = gather(tuple((m.a, m.b) for m in space.models), columns, plans.shape[0], costs)
    scores = parse_policy(scenario, policy).score(metrics, weights, budget_scale(scenario))
    top = scores.max()
    tied = np.flatnonzero(np.isclose(scores, top, rtol=0, atol=1e-9))
    first = tied[np.argmin(costs[tied])]
    return float(scores[first]), plans[first]


@pytest.mark.parametrize("name", [n for n in builtin_names() if load_scenario(n).suppliers])
def test_search_equals_plain_enumeration_on_builtins(name: str) -> None:
    scenario = load_scenario(name)
    weights = PolicyWeights()
    states = sorted({d.recipient for d in decisions(scenario)})
    for policy in ["balancer", *(f"partisan:{s}" for s in states[:1])]:
        _, outcome = search(scenario, policy, weights, method="exhaustive")
        score, plan = _plain_best(scenario, policy, weights)
        assert outcome.score == score
        np.testing.assert_array_equal(outcome.quantities, plan)


def test_dyad_tables_on_two_workers_equal_one_worker_and_the_plain_evaluator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sub-plan tables, cut into blocks for two processes, hold the very numbers the
    evaluator gives each whole plan (rows are independent), so every plan scores alike."""
    monkeypatch.setattr("equipoise.analysis.supply.TABLE_BLOCK", 64)
    scenario = load_scenario("asia-rivals-2024")
    serial, parallel = PlanSpace.of(scenario, workers=1), PlanSpace.of(scenario, workers=2)
    grid = itertools.product(*[range(d.max_quantity + 1) for d in serial.decisions])
    plans = np.array(list(grid), dtype=np.int64)
    plans = plans[feasible(scenario, serial.decisions, plans)]
    plain = evaluate(scenario, serial.items, plans, models=serial.models, seed=0)
    for space in (serial, parallel):
        looked_up = space.evaluate(plans)
        for name, column in plain.values.items():
            np.testing.assert_array_equal(looked_up.values[name], column, err_msg=name)
        np.testing.assert_array_equal(looked_up.cost, plain.cost)
    weights = PolicyWeights()
    _, one = search(scenario, "balancer", weights, method="exhaustive", workers=1)
    _, two = search(scenario, "balancer", weights, method="exhaustive", workers=2)
    assert (one.score, one.quantities.tolist()) == (two.score, two.quantities.tolist())


def test_exhaustive_search_of_a_space_too_large_to_enumerate_is_refused_with_the_fix() -> None:
    """--method exhaustive on ~10^18 plans names the alternative instead of failing in
    the enumeration (or running for ever)."""
    from equipoise.analysis.overrides import override
    from equipoise.errors import InputError

    packages = ("lr-sam-regiment", "strike-squadron", "coastal-missiles")
    changes: dict[str, Any] = {
        f"suppliers.RUS.packages.{name}.max_quantity": 100 for name in packages
    }
    changes["suppliers.RUS.budget.total"] = 1e9
    changes["suppliers.RUS.budget.per_year"] = 1e9
    changes["suppliers.RUS.red_lines.caps.CHN.max_packages"] = 1000
    scenario = override("asia-rivals-2024", changes)
    with pytest.raises(InputError, match="that can be enumerated") as refused:
        search(scenario, "balancer", PolicyWeights(), method="exhaustive")
    assert "--method local" in refused.value.fix
