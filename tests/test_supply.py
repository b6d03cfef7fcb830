"""Supplier policies: the optimiser against brute force, red lines, what-if (DOMAIN.md §6)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import load_scenario
from equipoise.analysis.deliveries import (
    apply_plan,
    decisions,
    parse_delivery,
    plan_key,
    plan_of,
    plan_problems,
)
from equipoise.analysis.evaluator import Metrics, evaluate_scenario
from equipoise.analysis.policies import PolicyWeights, parse_policy
from equipoise.analysis.policy import compare_policies, recommend, whatif
from equipoise.analysis.supply import PlanSpace, budget_scale, search
from equipoise.errors import InputError


def small_instance(draw: st.DrawFn) -> dict[str, Any]:
    """Two or three states, one supplier with two or three packages, random red lines."""
    probability = st.sampled_from([0.3, 0.5, 0.7, 0.9])
    classes = {
        "missile": {
            "kind": "ballistic_missile",
            "reliability": 0.9,
            "damage": draw(st.sampled_from([0.5, 1.0])),
            "counterforce_kill": draw(probability),
        },
        "drone": {
            "kind": "drone",
            "reliability": 0.9,
            "arrival": 0.9,
            "damage": 0.2,
            "counterforce_kill": 0.1,
        },
        "sam": {
            "kind": "air_defence",
            "interceptors_per_battery": draw(st.integers(4, 16)),
            "channels_per_battery": draw(st.integers(2, 6)),
            "kill_probability": {
                "ballistic_missile": draw(probability),
                "drone": draw(probability),
            },
        },
        "jammer": {"kind": "electronic_warfare", "arrival_factor": 0.6, "coverage_per_unit": 0.5},
    }
    names = ["AAA", "BBB", "CCC"][: draw(st.integers(2, 3))]
    states = {
        name: {
            "value_at_risk": 100,
            "unacceptable_damage": draw(st.sampled_from([5, 10, 20])),
            "war_cost": 0.1,
            "inventory": {
                "missile": {
                    "launchers": draw(st.integers(2, 15)),
                    "rounds": draw(st.integers(5, 40)),
                },
                "sam": {"units": draw(st.integers(0, 3))},
            },
        }
        for name in names
    }
    options = [
        {"sam": {"units": 1}},
        {"missile": {"launchers": 4, "rounds": 8}},
        {"jammer": {"units": 1}},
        {"drone": {"launchers": 10, "rounds": 20}},
    ]
    packages = {
        f"p{i}": {
            "systems": draw(st.sampled_from(options)),
            "cost": float(draw(st.integers(1, 6))),
            "delay_years": draw(st.integers(0, 2)),
            "max_quantity": draw(st.integers(1, 2)),
        }
        for i in range(draw(st.integers(2, 3)))
    }
    supplier: dict[str, Any] = {
        "budget": {"total": float(draw(st.integers(2, 12)))},
        "relations": {n: draw(st.sampled_from(["ally", "partner", "neutral"])) for n in names},
        "packages": packages,
        "red_lines": {},
    }
    if draw(st.booleans()):
        supplier["budget"]["per_year"] = float(draw(st.integers(2, 8)))
    if draw(st.booleans()):
        supplier["red_lines"]["no_classes"] = {
            names[1]: [draw(st.sampled_from(["ballistic_missile", "sam", "drone"]))]
        }
    if draw(st.booleans()):
        supplier["red_lines"]["not_cleared"] = [
            {
                "recipient": names[0],
                "rival": names[1],
                "classes": [draw(st.sampled_from(["air_defence", "missile"]))],
            }
        ]
    if draw(st.booleans()):
        supplier["red_lines"]["caps"] = {names[0]: {"max_packages": draw(st.integers(0, 2))}}
    dyads = [{"a": names[0], "b": names[1]}] + (
        [{"a": names[1], "b": names[2]}] if len(names) == 3 else []
    )
    return {
        "name": "generated",
        "title": "generated supplier instance",
        "exchange": {"waves": draw(st.integers(1, 2)), "split_levels": 3},
        "classes": classes,
        "states": states,
        "dyads": dyads,
        "suppliers": {"SUP": supplier},
    }


instances = st.composite(small_instance)()
policies = st.sampled_from(["balancer", "partisan:AAA", "partisan:BBB"])


def evaluate_plan(scenario: Any, plan: dict[Any, int]) -> Metrics:
    """One plan through the public single-scenario path: the scenario after the plan,
    evaluated as itself, with the plan's cost."""
    metrics = evaluate_scenario(apply_plan(scenario, plan))
    cost = sum(q * scenario.suppliers[s].packages[p].cost for (s, p, _), q in plan.items())
    return Metrics(metrics.dyads, metrics.values, np.array([float(cost)]))


def brute_force(scenario: Any, policy: str, weights: PolicyWeights) -> tuple[float, dict[Any, int]]:
    """Every plan in the catalogue's ranges, each checked and evaluated on its own."""
    options = decisions(scenario)
    objective = parse_policy(scenario, policy)
    best: tuple[float, float, dict[Any, int]] = (-np.inf, np.inf, {})
    for quantities in itertools.product(*[range(d.max_quantity + 1) for d in options]):
        plan = plan_of(options, np.array(quantities))
        if plan_problems(scenario, plan):
            continue
        metrics = evaluate_plan(scenario, plan)
        value = float(objective.score(metrics, weights, budget_scale(scenario))[0])
        cost = float(metrics.cost[0])
        if value > best[0] + 1e-9 or (abs(value - best[0]) <= 1e-9 and cost < best[1]):
            best = (value, cost, plan)
    return best[0], best[2]


@settings(max_examples=25, deadline=None)
@given(instances, policies)
def test_optimiser_equals_brute_force_enumeration(data: dict[str, Any], policy: str) -> None:
    """The batched search finds the plan a plain loop over every plan finds (same objective)."""
    scenario = load_scenario(data)
    weights = PolicyWeights()
    options, outcome = search(scenario, policy, weights, method="exhaustive")
    expected_value, _ = brute_force(scenario, policy, weights)
    assert outcome.proven_optimal
    assert outcome.score == pytest.approx(expected_value, abs=1e-7)
    chosen = plan_of(options, outcome.quantities)
    assert plan_problems(scenario, chosen) == []


@settings(max_examples=20, deadline=None)
@given(instances, policies, st.integers(0, 2**16))
def test_no_plan_ever_breaks_a_red_line_budget_or_cap(
    data: dict[str, Any], policy: str, seed: int
) -> None:
    """Property: exhaustive or heuristic, the recommended plan respects every supplier rule
    and only delivers catalogue classes to states the supplier arms."""
    scenario = load_scenario(data)
    for method in ("exhaustive", "local"):
        options, outcome = search(
            scenario, policy, PolicyWeights(), method=method, seed=seed, time_limit=2
        )
        plan = plan_of(options, outcome.quantities)
        assert plan_problems(scenario, plan) == []
        supplier = scenario.suppliers["SUP"]
        for (_, package, recipient), quantity in plan.items():
            assert quantity >= 1
            assert package in supplier.packages
            assert supplier.arms(recipient)
            for key, holding in supplier.packages[package].systems.items():
                name = holding.class_name(key)
                assert name in scenario.classes
                blocked = supplier.red_lines.no_classes.get(recipient, ())
                assert name not in blocked
                assert scenario.classes[name].kind not in blocked


@settings(max_examples=15, deadline=None)
@given(instances, st.integers(0, 2**16))
def test_local_search_never_beats_the_optimum(data: dict[str, Any], seed: int) -> None:
    scenario = load_scenario(data)
    weights = PolicyWeights()
    _, exact = search(scenario, "balancer", weights, method="exhaustive")
    _, heuristic = search(scenario, "balancer", weights, method="local", seed=seed, time_limit=2)
    assert heuristic.score <= exact.score + 1e-9
    if decisions(scenario):
        assert heuristic.bound is not None
        assert heuristic.bound >= exact.score - 1e-9
        if heuristic.proven_optimal:  # the bound met: the heuristic found the optimum
            assert heuristic.score == pytest.approx(exact.score, abs=1e-9)
        else:
            assert "gap at most" in heuristic.note


def test_batched_evaluation_equals_one_plan_at_a_time() -> None:
    scenario = load_scenario("west-asia-2024")
    space = PlanSpace.of(scenario)
    options = space.decisions
    quantities = np.array([[0, 0, 0, 0], [1, 2, 0, 1], [3, 4, 2, 0], [2, 0, 1, 1]])
    batch = space.evaluate(quantities)
    for row, q in enumerate(quantities):
        single = evaluate_plan(scenario, plan_of(options, q))
        for name in (
            "fsa_a",
            "fsa_b",
            "p_first",
            "p_second",
            "range_width",
            "a_deterred",
            "b_deterred",
        ):
            assert np.allclose(getattr(batch, name)[row], getattr(single, name)[0]), name


def test_not_cleared_delivery_changes_nothing_in_that_dyad() -> None:
    """Air defence delivered to Syria is not cleared against Israel (seed article): the
    Syria-Israel exchange is unchanged, to the last digit, while Syria-Turkiye moves."""
    scenario = load_scenario("levant-2018")
    result = whatif(scenario, ["SYR:lr-sam-batteryx2"], trials=1000, seed=3)
    before = {f"{d.a}-{d.b}": d.to_dict() for d in result.before.dyads}
    after = {f"{d.a}-{d.b}": d.to_dict() for d in result.after.dyads}
    notes_after = after["SYR-ISR"].pop("notes")
    notes_before = before["SYR-ISR"].pop("notes")
    assert after["SYR-ISR"] == before["SYR-ISR"]
    assert len(notes_after) == len(notes_before) + 1
    assert any(
        "lr-sam-battery@RUS" in n and "not cleared for use against ISR" in n for n in notes_after
    )
    assert after["SYR-TUR"] != before["SYR-TUR"]
    assert result.plan.lines[0].restricted_against == ("ISR",)


def test_existing_restricted_holding_is_left_out_against_that_rival_only() -> None:
    scenario = load_scenario("levant-2018")
    holding = scenario.states["SYR"].inventory["s300-2018"]
    assert holding.not_cleared_against == ("ISR",)
    without = scenario.model_copy(
        update={
            "states": {
                **scenario.states,
                "SYR": scenario.states["SYR"].model_copy(
                    update={
                        "inventory": {
                            k: v
                            for k, v in scenario.states["SYR"].inventory.items()
                            if k != "s300-2018"
                        }
                    }
                ),
            }
        }
    )
    from equipoise.analysis.forces import dyad_forces

    with_s300 = dyad_forces(scenario, "SYR", "ISR").a.side.defence.interceptors
    no_s300 = dyad_forces(without, "SYR", "ISR").a.side.defence.interceptors
    assert np.array_equal(with_s300, no_s300)
    against_turkey = dyad_forces(scenario, "SYR", "TUR").a
    assert "lr-sam" in against_turkey.layers


def test_red_lines_and_relations_shape_the_decisions() -> None:
    scenario = load_scenario("west-asia-2024")
    options = {(d.package, d.recipient) for d in decisions(scenario)}
    assert ("mrbm-battalion", "IRN") not in options  # red line: no ballistic missiles to Iran
    assert not any(recipient == "ISR" for _, recipient in options)  # relation: neutral
    problems = plan_problems(scenario, {("RUS", "mrbm-battalion", "IRN"): 1})
    assert any("red line" in p for p in problems)
    problems = plan_problems(scenario, {("RUS", "lr-sam-battery", "ISR"): 1})
    assert any("does not arm ISR" in p for p in problems)
    problems = plan_problems(
        scenario, {("RUS", "lr-sam-battery", "IRN"): 5, ("RUS", "ew-complex", "IRN"): 4}
    )
    assert any("at most 4" in p for p in problems)
    assert any("a year" in p for p in problems)
    assert any("over cap" in p for p in problems)
    assert any("budget 3000" in p for p in problems)


def test_recommend_reports_optimality_and_before_after() -> None:
    scenario = load_scenario("west-asia-2024")
    result = recommend(scenario, "balancer", trials=500, seed=1)
    assert result.outcome.proven_optimal
    data = result.to_dict()
    assert data["search"]["method"] == "exhaustive enumeration"
    assert data["before"]["dyads"][0]["status"]
    assert (
        plan_problems(
            scenario,
            {
                plan_key(d): q
                for d, q in zip(decisions(scenario), result.outcome.quantities, strict=True)
            },
        )
        == []
    )
    abstain = recommend(scenario, "abstain", trials=200, seed=1)
    assert abstain.comparison.plan.lines == ()


def test_compare_policies_covers_every_policy() -> None:
    result = compare_policies(load_scenario("asia-rivals-2024"), trials=200, seed=1)
    policies = set(result.to_frame()["policy"])
    assert policies == {"abstain", "partisan:CHN", "partisan:IND", "partisan:VNM", "balancer"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IRN:lr-sam-battery", (("RUS", "lr-sam-battery", "IRN"), 1)),
        ("IRN:lr-sam-batteryx2", (("RUS", "lr-sam-battery", "IRN"), 2)),
        ("IRN:RUS.ew-complexx3", (("RUS", "ew-complex", "IRN"), 3)),
    ],
)
def test_parse_delivery(text: str, expected: tuple[Any, int]) -> None:
    assert parse_delivery(load_scenario("west-asia-2024"), text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("IRN:nope", "unknown package"),
        ("XXX:ew-complex", "unknown recipient"),
        ("IRN", "RECIPIENT:PACKAGE"),
    ],
)
def test_parse_delivery_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_delivery(load_scenario("west-asia-2024"), text)


def test_weights_parsing() -> None:
    assert PolicyWeights.parse("fsa=2,cost=0").fsa == 2
    with pytest.raises(InputError, match="not a number"):
        PolicyWeights.parse("fsa=lots")
    with pytest.raises(InputError, match="unknown weight"):
        PolicyWeights.parse("fsaa=1")


def test_apply_plan_conserves_inventory() -> None:
    """A transfer never creates or loses inventory: delivered counts are quantity x package."""
    scenario = load_scenario("west-asia-2024")
    after = apply_plan(
        scenario, {("RUS", "lr-sam-battery", "IRN"): 3, ("RUS", "ew-complex", "IRN"): 2}
    )
    before_units = sum(h.units or 0 for h in scenario.states["IRN"].inventory.values())
    after_units = sum(h.units or 0 for h in after.states["IRN"].inventory.values())
    assert after_units - before_units == 3 * 1 + 2 * 2
    assert after.states["ISR"] == scenario.states["ISR"]


def test_pending_delivery_that_outweighs_war_costs_flags_a_commitment_problem() -> None:
    """Fearon (1995): a shift in power larger than c_A + c_B, still on its way, is a
    commitment problem; with costs large enough, or no delay, there is none."""
    scenario = load_scenario("west-asia-2024")
    cheap_war = scenario.model_copy(
        update={
            "states": {
                k: v.model_copy(update={"war_cost": 0.02}) for k, v in scenario.states.items()
            }
        }
    )
    flagged = whatif(cheap_war, ["IRN:strike-squadron"], trials=300, seed=1)
    assert any(
        "commitment problem in IRN-ISR" in w and "ISR may prefer war" in w for w in flagged.warnings
    )
    p = {r["column"]: r for r in flagged.rows() if r["column"] in ("p_first", "p_second")}
    mean_before = (p["p_first"]["before"] + p["p_second"]["before"]) / 2
    mean_after = (p["p_first"]["after"] + p["p_second"]["after"]) / 2
    assert abs(mean_after - mean_before) > 0.04
    assert not [
        w
        for w in whatif(scenario, ["IRN:strike-squadron"], trials=300, seed=1).warnings
        if "commitment" in w
    ]
    supplier = cheap_war.suppliers["RUS"]
    instant = supplier.packages["strike-squadron"].model_copy(update={"delay_years": 0})
    no_delay = cheap_war.model_copy(
        update={
            "suppliers": {
                "RUS": supplier.model_copy(
                    update={"packages": {**supplier.packages, "strike-squadron": instant}}
                )
            }
        }
    )
    assert not [
        w
        for w in whatif(no_delay, ["IRN:strike-squadron"], trials=300, seed=1).warnings
        if "commitment" in w
    ]
