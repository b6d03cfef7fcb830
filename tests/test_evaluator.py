"""One evaluator, every path: the same variant gets the same metrics whichever command
asks for it.

A variant here is "the scenario after a supplier delivers package p0 x q to state A".
It is evaluated five ways: ``analyze`` on the scenario after the delivery (the
expected-value figures it reports beside its trials), ``whatif`` with the delivery,
the supplier search's batched score of the plan, the world of a claims block in which
the claim of that delivery is true, and the deterrence-map cell at the delivered count.
All must agree to 1e-9 for both deterrence criteria and both sources of the
probability of prevailing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equipoise
from equipoise.analysis.claims import analyze_claims
from equipoise.analysis.deliveries import apply_plan, decisions, delivered_holdings
from equipoise.analysis.evaluator import Metrics
from equipoise.analysis.mapping import AxisSpec, current_count, deterrence_map
from equipoise.analysis.metrics import SIDE_METRICS
from equipoise.analysis.policy import whatif
from equipoise.analysis.results import AnalysisResult
from equipoise.analysis.settings import RunSettings
from equipoise.analysis.supply import PlanSpace
from equipoise.domain.loading import load_scenario

TOLERANCE = 1e-9
EW_FLOOR = 0.5  # no built-in EW class takes more than half of the guided rounds
DEFENCE_OR_OFFENCE = [
    ({"sam": {"units": 1}}, "sam"),
    ({"missile": {"launchers": 3, "rounds": 9}}, "missile"),
    ({"drone": {"launchers": 10, "rounds": 30}}, "drone"),
    ({"jammer": {"units": 1}}, "jammer"),
]


@st.composite
def variants(draw: Any) -> tuple[dict[str, Any], int, str]:
    """A small two-state scenario with one package for A, and a quantity of it."""
    probability = st.floats(0.2, 0.95)
    systems, system = draw(st.sampled_from(DEFENCE_OR_OFFENCE))
    held = draw(st.booleans())

    def state(name: str, cinc: float) -> dict[str, Any]:
        inventory: dict[str, Any] = {
            "missile": {"launchers": draw(st.integers(2, 12)), "rounds": draw(st.integers(4, 36))},
            "sam": {"units": draw(st.integers(0, 3))},
        }
        if name == "AAA" and not held:
            inventory.pop(system, None)
        return {
            "value_at_risk": 100,
            "unacceptable_damage": draw(st.sampled_from([5, 10, 20])),
            "war_cost": draw(st.sampled_from([0.05, 0.1, 0.3])),
            "capability": {"source": "given", "cinc": cinc},
            "inventory": inventory,
        }

    mapping = {
        "name": "generated",
        "title": "generated variant",
        "exchange": {"waves": draw(st.integers(1, 2)), "split_levels": 3},
        "deterrence": {
            "criterion": draw(st.sampled_from(["expected_value", "probability"])),
            "confidence": draw(st.sampled_from([0.3, 0.5, 0.8])),
            "trials": 64,
        },
        "bargaining": {"probability": draw(st.sampled_from(["exchange", "capability"]))},
        "classes": {
            "missile": {
                "kind": "ballistic_missile",
                "reliability": draw(probability),
                "arrival": 1.0,
                "damage": float(draw(st.integers(1, 4))),
                "counterforce_kill": draw(st.floats(0.0, 0.8)),
            },
            "drone": {
                "kind": "drone",
                "reliability": 0.9,
                "arrival": 0.9,
                "damage": 0.3,
                "counterforce_kill": 0.1,
            },
            "sam": {
                "kind": "air_defence",
                "interceptors_per_battery": draw(st.integers(4, 16)),
                "channels_per_battery": draw(st.integers(2, 6)),
                "kill_probability": {"ballistic_missile": draw(probability), "drone": 0.7},
            },
            "jammer": {
                "kind": "electronic_warfare",
                "arrival_factor": 0.6,
                "coverage_per_unit": 0.5,
            },
        },
        "states": {"AAA": state("AAA", 0.02), "BBB": state("BBB", 0.03)},
        "dyads": [{"a": "AAA", "b": "BBB"}],
        "suppliers": {
            "SUP": {
                "budget": {"total": 100.0},
                "relations": {"AAA": "ally", "BBB": "neutral"},
                "packages": {"p0": {"systems": systems, "cost": 1.0, "max_quantity": 3}},
            }
        },
    }
    quantity = draw(st.integers(1, 3))
    mapping["claims"] = {
        "items": {
            "delivered": {
                "statement": "SUP delivered p0 to AAA.",
                "delivery": {"recipient": "AAA", "package": "SUP.p0", "quantity": quantity},
                "prior": 0.5,
            }
        }
    }
    return mapping, quantity, system


def from_analysis(result: AnalysisResult) -> dict[str, float]:
    """The expected-value figures ``analyze`` reports, under the evaluator's names."""
    out: dict[str, float] = {}
    dyad = result.dyads[0]
    for index, side in enumerate(dyad.sides):
        for metric in SIDE_METRICS:
            if not metric.arrays:
                continue
            value = getattr(side, metric.name)
            number = float(value) if metric.name == "deterred" else value.expected_value
            out[f"{metric.name}[{index}]"] = float(number)
    bargaining = dyad.bargaining
    assert bargaining is not None
    nan = float("nan")
    out["p_first"] = nan if bargaining.p_first is None else bargaining.p_first
    out["p_second"] = nan if bargaining.p_second is None else bargaining.p_second
    if bargaining.low is not None and bargaining.high is not None:
        out["range_low"], out["range_high"] = bargaining.low, bargaining.high
        out["range_width"] = bargaining.high - bargaining.low
    return out


def from_metrics(metrics: Metrics, row: int) -> dict[str, float]:
    """The same figures from a batch of the evaluator's metrics."""
    out: dict[str, float] = {}
    for metric in SIDE_METRICS:
        for index, name in enumerate(metric.arrays):
            out[f"{metric.name}[{index}]"] = float(metrics.values[name][row, 0])
    for name in ("p_first", "p_second", "range_low", "range_high", "range_width"):
        out[name] = float(metrics.values[name][row, 0])
    return out


def assert_agree(expected: dict[str, float], actual: dict[str, float], path: str) -> None:
    for name, value in expected.items():
        other = actual[name]
        same = (np.isnan(value) and np.isnan(other)) or abs(value - other) <= TOLERANCE
        assert same, f"{path}: {name} = {other}, analyze says {value}"


@settings(max_examples=40, deadline=None)
@given(variants())
def test_every_path_gives_the_same_metrics_for_the_same_variant(
    case: tuple[dict[str, Any], int, str],
) -> None:
    mapping, quantity, system = case
    scenario = load_scenario(mapping)
    plan = {("SUP", "p0", "AAA"): quantity}
    run = RunSettings(trials=2, seed=3)
    expected = from_analysis(equipoise.analyze(apply_plan(scenario, plan), run))

    assert_agree(
        expected, from_analysis(whatif(scenario, [f"AAA:p0x{quantity}"], run).after), "whatif"
    )

    space = PlanSpace.of(scenario, seed=3)
    assert [d.label for d in space.decisions] == ["AAA:SUP.p0"]
    row = np.array([[quantity]])
    assert_agree(expected, from_metrics(space.evaluate(row), 0), "supplier search")

    worlds = analyze_claims(scenario, seed=3, probabilities=False)
    true_world = int(np.flatnonzero(worlds.worlds.truth[:, 0])[0])
    assert_agree(expected, from_metrics(worlds.metrics, true_world), "claims world")

    after_plan = apply_plan(scenario, plan)
    (key,) = delivered_holdings(scenario, "SUP", "p0", "AAA", quantity)
    rival_axis = AxisSpec("BBB", "missile", np.array([current_count(scenario, "BBB", "missile")]))
    maps = [
        (after_plan, AxisSpec("AAA", key, np.array([0.0, current_count(after_plan, "AAA", key)])))
    ]
    if system not in scenario.states["AAA"].inventory:
        # a class A does not hold yet: the axis takes the package's rounds or interceptors
        delivered = current_count(after_plan, "AAA", key)
        maps.append((scenario, AxisSpec("AAA", system, np.array([0.0, delivered]))))
    for mapped, axis in maps:
        grid = deterrence_map(mapped, "AAA", "BBB", axis, rival_axis, seed=3)
        cell = {
            "deterred[0]": float(grid.a_deterred[0, 1]),
            "deterred[1]": float(grid.b_deterred[0, 1]),
            "retaliation_damage[0]": float(grid.retaliation_by_a[0, 1]),
            "retaliation_damage[1]": float(grid.retaliation_by_b[0, 1]),
            "second_strike_survivability[0]": float(grid.survivability_a[0, 1]),
            "second_strike_survivability[1]": float(grid.survivability_b[0, 1]),
            "first_strike_advantage[0]": float(grid.first_strike_advantage_a[0, 1]),
            "first_strike_advantage[1]": float(grid.first_strike_advantage_b[0, 1]),
        }
        assert_agree({k: expected[k] for k in cell}, cell, f"map cell {axis.party}.{axis.system}")


# --- the three disagreements that motivated one evaluator ---------------------------------


def test_capability_bargaining_reaches_the_supplier_search_and_claims() -> None:
    """With ``bargaining: {probability: capability}`` the batched paths used the
    exchange's range while ``analyze`` printed the capability one."""
    base = equipoise.load_scenario("west-asia-2024")
    scenario = base.model_copy(
        update={"bargaining": base.bargaining.model_copy(update={"probability": "capability"})}
    )
    shown = equipoise.analyze(scenario, trials=2).dyads[0].bargaining
    assert shown is not None
    assert shown.low is not None
    assert shown.high is not None
    searched = PlanSpace.of(scenario).evaluate(np.zeros((1, len(decisions(scenario))), int))
    worlds = analyze_claims(scenario, probabilities=False)
    today = int(np.flatnonzero(~worlds.worlds.truth.any(axis=1))[0])
    for metrics, row in ((searched, 0), (worlds.metrics, today)):
        low, high = metrics.values["range_low"][row, 0], metrics.values["range_high"][row, 0]
        assert (low, high) == pytest.approx((shown.low, shown.high), abs=1e-12)
        width = metrics.values["range_width"][row, 0]
        assert width == pytest.approx(shown.high - shown.low, abs=1e-12)
    assert shown.low > 0.5, "from capability shares the range is [0.63, 0.93], not [0.11, 0.36]"


def test_map_axis_over_a_class_not_yet_held_uses_the_package_rounds() -> None:
    """Iran holds no strike aircraft; the map put one round per launcher on that axis,
    so cell (100, 24) disagreed with ``whatif --deliver IRN:strike-squadron``."""
    scenario = equipoise.load_scenario("west-asia-2024")
    after = whatif(scenario, ["IRN:strike-squadron"], trials=2).after.dyad("IRN", "ISR")
    grid = deterrence_map(
        scenario,
        "IRN",
        "ISR",
        AxisSpec("ISR", "strike-sortie", np.array([100.0])),
        AxisSpec("IRN", "strike-sortie", np.arange(0.0, 49.0)),
        first_strike_advantage=False,
    )
    assert grid.status[24, 0] == after.status
    assert grid.retaliation_by_a[24, 0] == pytest.approx(
        after.sides[0].retaliation_damage.expected_value, abs=1e-9
    )


def test_rounds_aimed_at_launchers_are_not_counted_as_failed() -> None:
    """The interception figure counted counterforce rounds (aimed at the rival's
    launchers) as 'failed or jammed before arrival'. With perfectly reliable rounds,
    unopposed arrival and no electronic warfare nothing fails, so every round launched
    is intercepted, leaked at value or leaked at launchers, in every kind of strike."""
    from tests.factories import missile_duel

    mapping = missile_duel(0.8, 0.8, 1.0, 1.0, 5.0, 5.0, value=100.0)
    mapping["classes"]["missile-a"]["arrival"] = 1.0
    mapping["classes"]["missile-b"]["arrival"] = 1.0
    mapping["classes"]["sam"] = {
        "kind": "air_defence",
        "interceptors_per_battery": 8,
        "channels_per_battery": 4,
        "kill_probability": {"ballistic_missile": 0.5},
    }
    for name in ("A", "B"):
        mapping["states"][name]["inventory"]["sam"] = {"units": 1}
    dyad = equipoise.analyze(load_scenario(mapping), trials=400, seed=1).dyads[0]
    rows = dyad.interception
    assert len(rows) == 4
    assert any(row.leaked_at_launchers > 1 for row in rows), "the strikes are counterforce"
    for row in rows:
        met = sum(row.intercepted.values()) + row.leaked + row.leaked_at_launchers
        assert met == pytest.approx(row.launched, rel=1e-12), row.strike
        assert row.failed == pytest.approx(0.0, abs=1e-9), row.strike


@pytest.mark.parametrize("name", ["west-asia-2024", "asia-rivals-2024"])
def test_failed_share_is_what_reliability_arrival_and_ew_remove(name: str) -> None:
    """In the built-ins the grey 'failed' share of a strike stays below what the least
    reliable class loses before the defences (it was ~70 % for CHN striking first)."""
    scenario = load_scenario(name)
    lowest = min(
        c.reliability * c.arrival for c in scenario.classes.values() if hasattr(c, "arrival")
    )
    for dyad in equipoise.analyze(scenario, trials=200, seed=1).dyads:
        for row in dyad.interception:
            assert row.failed <= row.launched * (1 - lowest * EW_FLOOR) + 1e-9, row.strike


@pytest.mark.parametrize(
    "call",
    [
        lambda n: equipoise.analyze(n, trials=2),
        lambda n: equipoise.whatif(n, ["IRN:lr-sam-battery"], trials=2),
        lambda n: equipoise.recommend(n, trials=2),
        lambda n: equipoise.compare_policies(n, trials=2),
        lambda n: equipoise.claims_report(n),
        lambda n: equipoise.analyze_claims(n, probabilities=False),
        lambda n: equipoise.evaluate_scenario(n),
        lambda n: equipoise.evaluate(n, (), np.zeros((1, 0))),
        lambda n: equipoise.deterrence_map(
            n,
            "IRN",
            "ISR",
            AxisSpec("IRN", "mrbm", np.array([60.0, 120.0])),
            AxisSpec("ISR", "air-intercept", np.array([6.0])),
        ),
    ],
)
def test_every_entry_point_takes_a_builtin_name(call: Any) -> None:
    """``equipoise.whatif("west-asia-2024", ...)`` raised AttributeError; a name, a path
    or a Scenario are all accepted, and give the same result."""
    by_name = call("west-asia-2024")
    by_object = call(load_scenario("west-asia-2024"))
    assert type(by_name) is type(by_object)
    if hasattr(by_name, "to_dict"):
        assert _untimed(by_name.to_dict()) == _untimed(by_object.to_dict())


def _untimed(value: Any) -> Any:
    """A result's dict without wall-clock fields (the search reports its seconds)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value
