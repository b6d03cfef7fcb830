"""Scenario files: round-trips, schema, and one clear error per kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from equipoise import Scenario, ScenarioError, builtin_names, dump_scenario, load_scenario
from equipoise.cli.main import cli
from equipoise.domain.loading import builtin_text, scenario_from_text, scenario_json_schema

BASE = builtin_text("west-asia-2024")


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_round_trips(name: str) -> None:
    """load -> dump -> load gives an equal, frozen object."""
    scenario = load_scenario(name)
    again = scenario_from_text(dump_scenario(scenario), "dumped.yaml")
    assert again == scenario
    with pytest.raises(Exception, match="frozen"):
        scenario.name = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_validates_against_exported_json_schema(name: str) -> None:
    data = YAML(typ="safe").load(builtin_text(name))
    jsonschema.validate(data, scenario_json_schema())


def test_builtins_label_every_number_source() -> None:
    """Every class and the scenario itself says where its numbers come from."""
    for name in builtin_names():
        scenario = load_scenario(name)
        for system in scenario.classes.values():
            assert system.source, name
        for case in scenario.calibration:
            for key in case.source.split("; "):
                assert key in scenario.sources, (name, key)


@st.composite
def scenario_mappings(draw: st.DrawFn) -> dict[str, Any]:
    probability = st.floats(0, 1, allow_nan=False)
    offensive = {
        f"off-{i}": {
            "kind": draw(st.sampled_from(["ballistic_missile", "cruise_missile", "drone"])),
            "reliability": draw(probability),
            "arrival": draw(probability),
            "damage": draw(st.floats(0, 5)),
            "counterforce_kill": draw(probability),
            "rounds_per_launcher_per_wave": draw(st.integers(1, 4)),
        }
        for i in range(draw(st.integers(1, 3)))
    }
    defensive = {
        f"def-{i}": {
            "kind": "air_defence",
            "layer": draw(st.integers(1, 3)),
            "interceptors_per_battery": draw(st.integers(0, 50)),
            "channels_per_battery": draw(st.integers(0, 20)),
            "shots_per_threat": draw(st.integers(1, 3)),
            "doctrine": draw(st.sampled_from(["shoot-shoot", "shoot-look-shoot"])),
            "kill_probability": {draw(st.sampled_from(sorted(offensive))): draw(probability)},
        }
        for i in range(draw(st.integers(0, 2)))
    }
    states = {}
    for code in ("AAA", "BBB", "CCC")[: draw(st.integers(2, 3))]:
        inventory: dict[str, Any] = {}
        for name in offensive:
            if draw(st.booleans()):
                inventory[name] = {
                    "launchers": draw(st.integers(0, 100)),
                    "rounds": draw(st.integers(0, 500)),
                }
        for name in defensive:
            if draw(st.booleans()):
                inventory[name] = {"units": draw(st.integers(0, 10))}
        value = draw(st.floats(1, 1000))
        states[code] = {
            "value_at_risk": value,
            "unacceptable_damage": draw(st.floats(0.01, 1)) * value,
            "inventory": inventory,
        }
    codes = sorted(states)
    return {
        "name": "generated",
        "title": draw(st.text(max_size=30)),
        "exchange": {"waves": draw(st.integers(1, 4))},
        "classes": {**offensive, **defensive},
        "states": states,
        "dyads": [{"a": codes[0], "b": codes[1]}],
    }


@given(scenario_mappings())
def test_generated_scenarios_round_trip(data: dict[str, Any]) -> None:
    scenario = load_scenario(data)
    assert scenario_from_text(dump_scenario(scenario), "x.yaml") == scenario


def _mutate(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# (id, mutated text, fragment whose line must be named, field path that must be named)
CASES: list[tuple[str, str, str, str]] = [
    ("yaml-syntax", _mutate("dyads:\n", "dyads\n"), "dyads\n", ""),
    (
        "typo-in-key",
        _mutate("    reliability: 0.75", "    relability: 0.75"),
        "relability",
        "classes.mrbm.relability",
    ),
    (
        "negative-count",
        _mutate("mrbm: {launchers: 120", "mrbm: {launchers: -120"),
        "launchers: -120",
        "states.IRN.inventory.mrbm.launchers",
    ),
    (
        "probability-above-one",
        _mutate("    arrival: 0.9\n    damage: 0.15", "    arrival: 1.9\n    damage: 0.15"),
        "arrival: 1.9",
        "classes.lacm.arrival",
    ),
    (
        "unknown-system-class",
        _mutate("      lr-sam: {units: 4", "      lr-sam2: {units: 4"),
        "lr-sam2",
        "states.IRN.inventory.lr-sam2",
    ),
    ("dyad-missing-state", _mutate("    b: ISR\n", "    b: ISRR\n"), "b: ISRR", "dyads[0].b"),
    ("wrong-type", _mutate("  waves: 3", "  waves: three"), "waves: three", "exchange.waves"),
    (
        "huge-number",
        _mutate("rounds: 3000", "rounds: 300000000000"),
        "rounds: 300000000000",
        "states.IRN.inventory.owa-drone.rounds",
    ),
    (
        "unknown-kind",
        _mutate("    kind: drone\n", "    kind: drones\n"),
        "owa-drone:\n    kind: drones",
        "classes.owa-drone",
    ),
    (
        "duplicate-key",
        _mutate("  ISR:\n    name: Israel\n", "  ISR:\n    name: Israel\n    name: Israel again\n"),
        "name: Israel again",
        "",
    ),
    (
        "missing-required",
        _mutate("    damage: 0.25\n", ""),
        "  mrbm:\n    kind",
        "classes.mrbm.damage",
    ),
    (
        "not-a-number",
        _mutate("    reliability: 0.85\n", "    reliability: .nan\n"),
        "reliability: .nan",
        "classes.lacm.reliability",
    ),
    (
        "threshold-above-value",
        _mutate("    unacceptable_damage: 20", "    unacceptable_damage: 200"),
        "unacceptable_damage: 200",
        "states.IRN.unacceptable_damage",
    ),
    (
        "backer-joins-unknown",
        _mutate("    joins: ISR", "    joins: ISRAEL"),
        "joins: ISRAEL",
        "backers.USA.joins",
    ),
    (
        "backer-against-unknown",
        _mutate("    against: [IRN]", "    against: [IRAN]"),
        "against: [IRAN]",
        "backers.USA.against[0]",
    ),
    (
        "arms-race-unknown-state",
        _mutate("arms_race:\n  a: IRN", "arms_race:\n  a: IRNN"),
        "a: IRNN",
        "arms_race.a",
    ),
    (
        "calibration-unknown-state",
        _mutate("    attacker: IRN", "    attacker: IRNN"),
        "attacker: IRNN",
        "calibration[0].attacker",
    ),
    (
        "holding-field-wrong-for-class",
        _mutate("      lr-sam: {units: 4", "      lr-sam: {launchers: 4, units: 4"),
        "lr-sam: {launchers",
        "states.IRN.inventory.lr-sam.launchers",
    ),
    (
        "kill-table-unknown-kind",
        _mutate("{drone: 0.85, cruise_missile: 0.8}", "{drones: 0.85, cruise_missile: 0.8}"),
        "{drones",
        "classes.air-intercept.kill_probability.drones",
    ),
    (
        "negative-probability",
        _mutate("    counterforce_kill: 0.15", "    counterforce_kill: -0.15"),
        "counterforce_kill: -0.15",
        "classes.mrbm.counterforce_kill",
    ),
    (
        "calibration-unknown-class",
        _mutate("attack: {owa-drone: 170", "attack: {owa-drones: 170"),
        "owa-drones: 170",
        "calibration[0].attack.owa-drones",
    ),
    (
        "bad-doctrine",
        _mutate(
            "    doctrine: shoot-look-shoot\n    kill_probability: {ballistic_missile: 0.75",
            "    doctrine: look-shoot\n    kill_probability: {ballistic_missile: 0.75",
        ),
        "doctrine: look-shoot",
        "classes.naval-bmd.doctrine",
    ),
    (
        "zero-confidence",
        _mutate(
            "  criterion: expected_value\n  confidence: 0.5",
            "  criterion: probability\n  confidence: 0",
        ),
        "confidence: 0",
        "deterrence.confidence",
    ),
]


@pytest.mark.parametrize(("case", "text", "fragment", "field"), CASES, ids=[c[0] for c in CASES])
def test_malformed_scenario_gives_one_clear_error(
    tmp_path: Path, case: str, text: str, fragment: str, field: str
) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["analyze", str(path), "--trials", "10"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    message = result.stderr
    assert "Traceback" not in message
    assert result.stdout == ""
    line = _line_of(text, fragment)
    assert re.search(rf"{re.escape(str(path))}:{line}\b", message), (line, message)
    assert field in message
    assert "fix:" in message
    first = message.split("\n    fix:")[0]
    assert first.count(str(path)) == 1


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2
    assert f"{path}" in result.stderr
    assert "empty" in result.stderr


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1" in result.stderr
    assert "mapping" in result.stderr


def test_validate_lists_every_problem_at_once(tmp_path: Path) -> None:
    text = BASE
    for old, new in (
        ("    reliability: 0.75", "    relability: 0.75"),
        ("    b: ISR\n", "    b: ISRR\n"),
        ("  waves: 3", "  waves: -3"),
        ("      lr-sam: {units: 4", "      lr-sam2: {units: 4"),
    ):
        text = text.replace(old, new, 1)
    path = tmp_path / "many.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    for field in ("classes.mrbm.relability", "dyads[0].b", "exchange.waves", "inventory.lr-sam2"):
        assert field in result.stderr
    assert "4 problems" in result.stderr
    analyze = CliRunner().invoke(cli, ["analyze", str(path)])
    assert analyze.exit_code == 2
    assert "3 more problems" in analyze.stderr
    assert "equipoise validate" in analyze.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("mrbm: {launchers: 120", "mrbm: {launchers: -120", "must not be negative, got -120"),
        ("  waves: 3", "  waves: -3", "must be at least 1, got -3"),
        ("  waves: 3", "  waves: 0", "must be at least 1, got 0"),
        ("  confidence: 0.5", "  confidence: 0", "must be more than 0.0, got 0"),
        ("  confidence: 0.5", "  confidence: 1.5", "must be at most 1.0, got 1.5"),
    ],
)
def test_bound_messages_name_the_real_bound(old: str, new: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(_mutate(old, new), "x.yaml")
    assert message in info.value.problems[0].message


def test_deterrence_confidence_is_more_than_0_and_at_most_1() -> None:
    """Under the probability criterion a side is deterred when the probability that the
    rival's retaliation reaches its unacceptable damage is at least ``confidence``
    (docs/model.md, Deterrence): at 0 that holds at probability 0, whatever the forces,
    so the file is refused (user audit); at 1 it asks for the threshold in every trial,
    a stated and meaningful bar, so it loads."""
    certain = _mutate("  confidence: 0.5", "  confidence: 1.0")
    assert scenario_from_text(certain, "x.yaml").deterrence.confidence == 1.0
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(_mutate("  confidence: 0.5", "  confidence: 0.0"), "x.yaml")
    (problem,) = info.value.problems
    assert "deterrence.confidence" in str(problem)


def test_python_api_raises_scenario_error_with_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace("    b: ISR\n", "    b: XYZ\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = info.value.problems[0]
    assert problem.field == "dyads[0].b"
    assert problem.line == _line_of(BASE, "    b: ISR\n")


def test_mapping_with_bad_reference_is_rejected() -> None:
    data = YAML(typ="safe").load(BASE)
    data["dyads"][0]["b"] = "NOPE"
    with pytest.raises(ScenarioError, match="NOPE"):
        load_scenario(data)


def test_scenario_model_is_the_json_schema_source() -> None:
    schema = scenario_json_schema()
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert schema["additionalProperties"] is False
