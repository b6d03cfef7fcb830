"""Sweeps, sensitivity analysis and --set overrides (issue 15)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import equipoise
from equipoise.analysis.overrides import current_value, override, parse_path
from equipoise.analysis.sensitivity import design_for, sensitivity, sensitivity_of, variants_for
from equipoise.analysis.settings import RunSettings
from equipoise.analysis.sweep import (
    Chunk,
    SweepInterrupted,
    Vary,
    batchable,
    chunks_of,
    design,
    linear_models,
    parse_vary,
    run_design,
    sweep,
    tidy,
)
from equipoise.cli.main import cli
from equipoise.domain.problems import format_loc
from equipoise.errors import InputError

SCENARIO = "west-asia-2024"
MRBM = "states.IRN.inventory.mrbm.launchers"
BMD = "states.ISR.inventory.upper-tier-bmd.units"


@pytest.fixture(scope="module")
def scenario() -> equipoise.Scenario:
    return equipoise.load_scenario(SCENARIO)


# --- overrides ------------------------------------------------------------------------------


def test_override_sets_values_like_the_file(scenario: equipoise.Scenario) -> None:
    """The overridden scenario equals the one loaded from the edited YAML file text."""
    from ruamel.yaml import YAML

    changed = override(scenario, {"states.ISR.unacceptable_damage": 15, MRBM: 200})
    data = YAML(typ="safe", pure=True).load(equipoise.dump_scenario(scenario))
    data["states"]["ISR"]["unacceptable_damage"] = 15
    data["states"]["IRN"]["inventory"]["mrbm"]["launchers"] = 200
    assert changed == equipoise.load_scenario(data)
    assert scenario.states["IRN"].inventory["mrbm"].launchers != 200  # original untouched


@pytest.mark.parametrize(
    ("changes", "needle", "fix"),
    [
        ({"states.ISR.unacceptable_damag": 15}, "unacceptable_damag", "unacceptable_damage"),
        ({"states.IRN.inventory.mrbn.launchers": 2}, "mrbn", "mrbm"),
        ({"states.ISR.unacceptable_damage": -1}, "states.ISR.unacceptable_damage", "more than"),
        ({MRBM: 2.5}, MRBM, "whole number"),
        ({"classes.mrbm.reliability": 1.5}, "classes.mrbm.reliability", "1"),
        ({"dyads[4].a": "IRN"}, "dyads", "dyads[0]"),
    ],
)
def test_override_refuses_bad_paths_and_values(
    scenario: equipoise.Scenario, changes: dict[str, object], needle: str, fix: str
) -> None:
    with pytest.raises(InputError) as error:
        override(scenario, changes)
    assert needle in error.value.message
    assert fix in error.value.fix


@pytest.mark.parametrize(
    "spec",
    [
        "states.IRN.inventory.mrbm.units=0:10",  # a field the holding does not have
        "states.IRN.inventory.mrbm.launcher=0:10",  # a misspelt key
        "states.IRN.inventory.mrbm.launchers=-5:10",  # an end the file could not hold
    ],
)
def test_a_bad_vary_names_vary_not_set(scenario: equipoise.Scenario, spec: str) -> None:
    """The errors said '--set states.IRN...' to a user who had written --vary."""
    from equipoise.analysis.sweep import parse_vary

    with pytest.raises(InputError) as error:
        parse_vary(spec, scenario)
    assert error.value.message.startswith("--vary states.IRN.inventory.mrbm."), error.value
    assert "--set" not in error.value.message


def test_ends_that_clash_only_together_are_reported_as_vary(scenario: equipoise.Scenario) -> None:
    """Each end valid alone, a design row invalid (threshold 90 above a value at risk of
    50): the sweep's own rows said --set too."""
    varies = ["states.IRN.unacceptable_damage=5:90:2", "states.IRN.value_at_risk=50:100:2"]
    with pytest.raises(InputError) as error:
        sweep(scenario, varies)
    assert error.value.message.startswith("--vary states.IRN."), error.value


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["launchers", "rounds"]), st.integers(0, 5000))
def test_override_then_read_back(field: str, value: int) -> None:
    """Invariant: a value set at a path is the value read back there, and setting a
    value to what it already is gives an equal scenario."""
    base = equipoise.load_scenario(SCENARIO)
    path = f"states.IRN.inventory.mrbm.{field}"
    assert current_value(override(base, {path: value}), path) == value
    assert override(base, {path: current_value(base, path)}) == base


@given(
    st.lists(
        st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), st.integers(0, 99)),
        min_size=1,
        max_size=6,
    ).filter(lambda parts: isinstance(parts[0], str))
)
def test_paths_round_trip_through_format_loc(parts: list[str | int]) -> None:
    assert parse_path(format_loc(tuple(parts))) == tuple(parts)


# --- designs and the batched evaluator -----------------------------------------------------


def test_grid_and_samples(scenario: equipoise.Scenario) -> None:
    varies = [parse_vary(f"{MRBM}=100:300:3", scenario), parse_vary(f"{BMD}=0:6:4", scenario)]
    grid = design(varies)
    assert grid.shape == (12, 2)
    assert set(grid[:, 0]) == {100, 200, 300}
    lhs = design([parse_vary("classes.mrbm.reliability=0.5:0.9", scenario)], samples=50, seed=3)
    # a Latin hypercube puts exactly one point in each of the 50 equal strata
    strata = np.floor((lhs[:, 0] - 0.5) / 0.4 * 50).astype(int)
    assert sorted(strata) == list(range(50))
    assert np.array_equal(
        lhs, design([parse_vary("classes.mrbm.reliability=0.5:0.9", scenario)], samples=50, seed=3)
    )


def test_unset_fields_keep_their_type(scenario: equipoise.Scenario) -> None:
    """An unset probability varied over 0:1 stays a number; an unset count a count."""
    unset = override(scenario, {"states.IRN.war_cost": None})
    assert not parse_vary("states.IRN.war_cost=0:1", unset).integer
    assert parse_vary("states.IRN.inventory.lr-sam.interceptors=0:100", scenario).integer
    with pytest.raises(InputError, match="not a number"):
        parse_vary("dyads[0].a=0:1", scenario)


def test_batched_sweep_equals_each_variant_on_its_own(scenario: equipoise.Scenario) -> None:
    """The linear batch gives exactly what evaluating each overridden scenario gives."""
    varies = [parse_vary(f"{MRBM}=0:300:4", scenario), parse_vary(f"{BMD}=1:9:3", scenario)]
    assert all(batchable(scenario, v) for v in varies)
    assert linear_models(scenario, varies) is not None  # the batch path, not the fallback
    values = design(varies)
    batched = run_design(scenario, varies, values)
    columns = {}
    for name in equipoise.evaluate_scenario(scenario).values:
        columns[name] = []
    for row in values:
        variant = override(scenario, {v.path: v.value(x) for v, x in zip(varies, row, strict=True)})
        for name, array in equipoise.evaluate_scenario(variant).values.items():
            columns[name].append(array)
    metrics = equipoise.Metrics(
        (("IRN", "ISR"),), {k: np.concatenate(v) for k, v in columns.items()}, np.zeros(len(values))
    )
    reference = tidy(scenario.name, 0, None, varies, np.arange(len(values)), values, metrics)
    pd.testing.assert_frame_equal(batched, reference, check_exact=True)


def test_rows_name_every_registry_metric(scenario: equipoise.Scenario) -> None:
    frame = sweep(scenario, [f"{MRBM}=100:200:2"])
    for metric in equipoise.METRICS:
        if metric.per == "side":
            assert {f"{metric.name}_a", f"{metric.name}_b"} <= set(frame.columns)
        else:
            assert metric.name in frame.columns
    assert list(frame[MRBM]) == [100, 200]
    assert frame["retaliation_probability_a"].isna().all()  # no trials asked for


def test_ctrl_c_keeps_finished_chunks(scenario: equipoise.Scenario) -> None:
    varies = [parse_vary(f"{MRBM}=100:300:3", scenario)]
    calls = []

    def progress(done: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as stop:
        run_design(scenario, varies, design(varies), chunk_size=1, progress=progress)
    assert list(stop.value.partial["variant"]) == [0, 1]
    assert stop.value.total == 3


# --- the same rows on every backend -----------------------------------------------------------

STOCHASTIC = [f"{MRBM}=150:250:2", "classes.mrbm.reliability=0.7:0.9:2"]


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def test_local_workers_give_identical_rows(scenario: equipoise.Scenario) -> None:
    one = sweep(scenario, STOCHASTIC, trials=40, seed=5)
    two = sweep(scenario, STOCHASTIC, trials=40, seed=5, workers=2)
    assert _csv(one) == _csv(two)
    assert one["retaliation_probability_a"].between(0, 1).all()


def test_dask_cluster_gives_identical_rows(scenario: equipoise.Scenario) -> None:
    distributed = pytest.importorskip("distributed")
    expected = _csv(sweep(scenario, STOCHASTIC, trials=40, seed=5))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        by_address = _csv(
            sweep(scenario, STOCHASTIC, trials=40, seed=5, scheduler=cluster.scheduler_address)
        )
        with distributed.Client(cluster) as client:
            by_client = _csv(sweep(scenario, STOCHASTIC, trials=40, seed=5, scheduler=client))
    assert by_address == expected
    assert by_client == expected


def test_chunks_do_not_depend_on_workers(scenario: equipoise.Scenario) -> None:
    varies = [parse_vary(f"{MRBM}=100:300:5", scenario)]
    chunks = chunks_of(scenario, varies, design(varies), trials=10, seed=0, chunk_size=2)
    assert [list(c.rows) for c in chunks] == [[0, 1], [2, 3], [4]]
    assert all(isinstance(c, Chunk) for c in chunks)


# --- sensitivity --------------------------------------------------------------------------------


def _ishigami(x: np.ndarray) -> dict[str, np.ndarray]:
    a, b = 7.0, 0.1
    return {"y": np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])}


def test_sobol_indices_of_the_ishigami_function() -> None:
    """Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3 has closed-form
    variances (Sobol' & Levitan 1999; Saltelli et al. 2010, *Comput. Phys. Commun.*
    181): V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V3 = 0, V13 = 8 b^2 pi^8 / 225."""
    pytest.importorskip("SALib")
    a, b, pi = 7.0, 0.1, math.pi
    v1, v2 = 0.5 * (1 + b * pi**4 / 5) ** 2, a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    expected = {
        ("x1", "S1"): v1 / total,
        ("x2", "S1"): v2 / total,
        ("x3", "S1"): 0.0,
        ("x1", "ST"): (v1 + v13) / total,
        ("x2", "ST"): v2 / total,
        ("x3", "ST"): v13 / total,
    }
    varies = [Vary(f"x{i}", -pi, pi) for i in (1, 2, 3)]
    result = sensitivity_of(_ishigami, varies, method="sobol", samples=2048, seed=2)
    for (name, measure), value in expected.items():
        index = result.index("y", name, measure)
        assert index.value == pytest.approx(value, abs=0.04)
        assert index.low - 0.02 <= value <= index.high + 0.02
    assert {row["measure"] for row in result.to_dict()["indices"]} == {"S1", "ST"}


@pytest.mark.parametrize("seed", [0, 3])
def test_sobol_intervals_are_reproducible_for_every_seed(seed: int) -> None:
    """The bootstrap intervals come from ``seed``, 0 included (SALib alone leaves a
    falsy seed unseeded); a non-zero seed gives SALib's own integer-seeded intervals."""
    salib = pytest.importorskip("SALib.analyze.sobol")
    varies = [Vary(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
    runs = [sensitivity_of(_ishigami, varies, method="sobol", samples=64, seed=seed)]
    runs.append(sensitivity_of(_ishigami, varies, method="sobol", samples=64, seed=seed))
    assert runs[0].indices == runs[1].indices
    if seed:
        unit = design_for("sobol", varies, 64, seed)
        y = _ishigami(np.column_stack([v.from_unit(unit[:, i]) for i, v in enumerate(varies)]))
        problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
        direct = salib.analyze(problem, y["y"], False, num_resamples=1_000, seed=seed)
        st = runs[0].index("y", "x1", "ST")
        assert st.high - st.value == pytest.approx(float(direct["ST_conf"][0]), rel=1e-9)


def test_morris_gives_an_inert_input_zero(scenario: equipoise.Scenario) -> None:
    """deterrence.confidence is read only under the probability criterion (docs/model.md
    §3), and west-asia-2024 uses the expected-value one: it must have mu* = 0 for every
    output, while the missile count and the threshold move something."""
    pytest.importorskip("SALib")
    assert scenario.deterrence.criterion == "expected_value"
    result = sensitivity(
        scenario,
        [f"{MRBM}=50:300", "states.ISR.unacceptable_damage=5:60", "deterrence.confidence=0.1:0.9"],
        method="morris",
        samples=6,
        seed=1,
    )
    inert = [i for i in result.indices if i.input == "deterrence.confidence"]
    assert inert
    assert all(i.value == pytest.approx(0.0, abs=1e-12) for i in inert)
    moved = [i.value for i in result.indices if i.measure == "mu_star" and i.input == MRBM]
    assert max(moved) > 0
    assert set(result.to_frame()["measure"]) == {"mu_star", "sigma"}
    assert result.variants == variants_for("morris", 3, 6)
    # mu* is a mean of absolute effects: its interval never reaches below zero
    assert all(i.low >= 0.0 for i in result.indices if i.measure == "mu_star")


def test_one_at_a_time_swing_and_figure(scenario: equipoise.Scenario) -> None:
    result = sensitivity(
        scenario, [f"{MRBM}=100:300", "states.ISR.unacceptable_damage=5:60"], method="oat"
    )
    swing = result.index("IRN-ISR IRN first_strike_advantage", MRBM)
    low = result.index("IRN-ISR IRN first_strike_advantage", MRBM, "at_low").value
    high = result.index("IRN-ISR IRN first_strike_advantage", MRBM, "at_high").value
    assert swing.value == pytest.approx(high - low)
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    assert isinstance(result.plot(), Figure)


# --- the command line ----------------------------------------------------------------------------


def test_set_on_analyze_changes_the_scenario() -> None:
    runner = CliRunner()
    base = runner.invoke(cli, ["analyze", SCENARIO, "--trials", "50", "--format", "json"])
    changed = runner.invoke(
        cli,
        [
            "analyze",
            SCENARIO,
            "--trials",
            "50",
            "--format",
            "json",
            "--set",
            "states.ISR.unacceptable_damage=15",
            "--set",
            f"{MRBM}=20",
        ],
    )
    assert base.exit_code == 0, base.output
    assert changed.exit_code == 0, changed.output
    sides = {s["state"]: s for s in json.loads(changed.stdout)["dyads"][0]["sides"]}
    assert sides["ISR"]["unacceptable_damage"] == 15
    assert changed.stdout != base.stdout


@pytest.mark.parametrize(
    ("option", "needle"),
    [
        ("states.ISR.unacceptable_damag=15", "did you mean 'unacceptable_damage'"),
        ("states.ISR.unacceptable_damage=-3", "states.ISR.unacceptable_damage"),
        ("no-equals-sign", "PATH=VALUE"),
    ],
)
def test_bad_set_exits_2_with_the_fix(option: str, needle: str) -> None:
    result = CliRunner().invoke(
        cli, ["map", SCENARIO, "--x", "IRN.mrbm", "--y", "ISR.upper-tier-bmd", "--set", option]
    )
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_sweep_command_writes_rows_and_refuses_to_overwrite(
    tmp_path: pytest.TempPathFactory,
) -> None:
    out = tmp_path / "rows.csv"  # type: ignore[operator]
    runner = CliRunner()
    args = ["sweep", SCENARIO, "--vary", f"{MRBM}=100:200:2", "-o", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    assert len(pd.read_csv(out)) == 2
    again = runner.invoke(cli, args)
    assert again.exit_code == 2
    assert "--force" in again.stderr
    bad = runner.invoke(cli, ["sweep", SCENARIO, "--vary", "states.IRN.inventry.x=1:2"])
    assert bad.exit_code == 2
    assert "inventory" in bad.stderr


def test_sensitivity_command_json() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "sensitivity",
            SCENARIO,
            "--vary",
            f"{MRBM}=100:300",
            "--method",
            "oat",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "oat"
    assert data["inputs"] == [MRBM]


def test_declared_uncertain_inputs_are_checked_and_reported(tmp_path: Path) -> None:
    """A scenario's ``uncertain`` block: a range whose low end is not below its high end
    is refused at its line; the report shows the one-at-a-time figure for the rest."""
    from equipoise.report.html import build_report
    from tests.cli import expect_file_error

    expect_file_error(
        tmp_path,
        "west-asia-2024",
        "    high: 30\n    source: illustrative\n  - path: states.IRN",
        "    high: 3\n    source: illustrative\n  - path: states.IRN",
        "uncertain",
        "validate",
    )
    report = build_report("west-asia-2024", RunSettings(trials=50, seed=1))
    assert {row["input"] for row in report.data.tables["sensitivity"]} >= {
        "states.ISR.unacceptable_damage"
    }
    assert any(f.section == "uncertain inputs" for f in report.figures)


def test_sensitivity_refuses_a_path_varied_twice() -> None:
    """sweep and sensitivity read their --vary inputs through one parser, which refuses
    the same path twice (sensitivity used to accept it and rank one input twice)."""
    twice = ["states.ISR.unacceptable_damage=5:30", "states.ISR.unacceptable_damage=5:20"]
    with pytest.raises(InputError, match="varied twice"):
        sensitivity("west-asia-2024", twice, method="oat")


def test_varying_one_count_of_a_holding_says_the_others_stay(
    scenario: equipoise.Scenario,
) -> None:
    """A sweep over mrbm launchers (rounds fixed at the holding's 1,000) and a map axis
    over IRN.mrbm (launchers and rounds scaled together) answer different questions; a
    user compared them as one. The sweep now says which counts stay."""
    from equipoise.analysis.sweep import parse_varies, vary_notes

    launchers = "states.IRN.inventory.mrbm.launchers=120:420:2"
    rounds = "states.IRN.inventory.mrbm.rounds=500:2000:2"
    (note,) = vary_notes(scenario, parse_varies(scenario, [launchers]))
    kept = scenario.states["IRN"].inventory["mrbm"].rounds
    assert f"keeps its {kept} rounds" in note
    assert "map axis IRN.mrbm" in note
    assert vary_notes(scenario, parse_varies(scenario, [launchers, rounds])) == []
    threshold = "states.ISR.unacceptable_damage=10:30:3"
    assert vary_notes(scenario, parse_varies(scenario, [threshold])) == []
    out = CliRunner().invoke(cli, ["sweep", SCENARIO, "--vary", launchers])
    assert out.exit_code == 0
    assert "note: --vary states.IRN.inventory.mrbm.launchers changes launchers only" in out.stderr
