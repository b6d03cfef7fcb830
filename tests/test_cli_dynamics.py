"""Command line for capabilities, arms races and battles, including bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli import expect_file_error, run

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_balance_table_and_formats() -> None:
    code, out, _ = run("balance", "ISR", "IRN", "--years", "1990-2016")
    assert code == 0
    assert "P(ISR prevails)" in out
    assert "Correlates of War" in out
    code, out, _ = run("balance", "666", "IRN", "--years", "2000-2001", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["year"]) == [2000, 2001]
    assert {"ISR_cinc", "IRN_cinc", "ISR_milex_share", "capability_ratio", "p_ISR_prevails"} <= set(
        frame
    )
    code, out, _ = run("balance", "ISR", "IRN", "--years", "2016", "--format", "json")
    assert json.loads(out)["years"][0]["year"] == 2016


def test_balance_list() -> None:
    code, out, _ = run("balance", "--list")
    assert code == 0
    assert "666  ISR  ISR  Israel" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ISR", "IRQQ"], "unknown state"),
        (["ISR", "AUS"], "ambiguous"),
        (["ISR", "IRN", "--years", "1990-2030"], "outside the data"),
        (["ISR"], "needs two states"),
        (["ISR", "IRN", "--years", "x"], "FIRST-LAST"),
    ],
)
def test_balance_bad_input(args: list[str], message: str) -> None:
    code, _, err = run("balance", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_arms_race_default_and_fit() -> None:
    code, out, _ = run("arms-race")
    assert code == 0
    assert "equilibrium" in out
    assert "stable" in out
    code, out, _ = run(
        "arms-race",
        "west-asia-2024",
        "--fit",
        str(EXAMPLES / "milex-IRN-ISR-1990-2014.csv"),
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert [p["parameter"] for p in data["parameters"]] == ["k", "l", "a", "b", "g", "h"]
    assert data["observations"] == 48


def test_arms_race_round_trip_through_a_series_file(tmp_path: Path) -> None:
    """Simulate the built-in race, write it out, fit it back: the coefficients return."""
    code, out, _ = run("arms-race", "west-asia-2024", "--format", "csv")
    series = tmp_path / "race.csv"
    series.write_text(out)
    code, out, _ = run("arms-race", "west-asia-2024", "--fit", str(series), "--format", "json")
    assert code == 0
    fitted = {p["parameter"]: p["estimate"] for p in json.loads(out)["parameters"]}
    assert fitted["k"] == pytest.approx(0.12, rel=1e-5)
    assert fitted["h"] == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        ("year,IRN\n2000,1\n2001,2\n2002,3\n2003,4\n2004,5\n", "missing column 'ISR'", ":1"),
        (
            "year,IRN,ISR\n2000,1,2\n2001,two,3\n2002,3,4\n2003,4,5\n2004,5,6\n",
            "'two' is not a number",
            ":3:2",
        ),
        (
            "year,IRN,ISR\n2000,1,2\n2002,3,4\n2003,4,5\n2004,5,6\n2005,5,6\n",
            "does not follow",
            ":3",
        ),
        ("year,IRN,ISR\n2000,1,2\n2001,-3,4\n2002,4,5\n2003,4,5\n2004,5,6\n", "negative", ":3:2"),
        ("", "empty", ""),
        ("year,IRN,ISR\n2000,1,2\n2001,2,3\n", "at least 5", ""),
    ],
)
def test_arms_race_bad_series(tmp_path: Path, content: str, message: str, where: str) -> None:
    series = tmp_path / "series.csv"
    series.write_text(content)
    code, _, err = run("arms-race", "--fit", str(series))
    assert code == 2, err
    assert message in err
    assert f"{series}{where}" in err
    assert "Traceback" not in err


def test_arms_race_standalone_file_and_errors(tmp_path: Path) -> None:
    race = tmp_path / "race.yaml"
    race.write_text(
        "arms_race:\n  a: X\n  b: Y\n  start_year: 2000\n  years: 5\n  x0: 1\n  y0: 1\n"
        "  coefficients: {k: 0.1, l: 0.1, a: 0.2, b: 0.2}\n"
        "  deliveries: [{to: X, year: 2002, amount: 3}]\n"
    )
    code, out, _ = run("arms-race", str(race), "--format", "csv")
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["delivered_to_X"].sum() == 3
    race.write_text(race.read_text().replace("to: X", "to: Z"))
    code, _, err = run("arms-race", str(race))
    assert code == 2
    assert f"{race}:9:17: arms_race.deliveries[0].to: delivery to 'Z'" in err
    code, _, err = run("arms-race", "levant-2018")
    assert code == 2
    assert "no arms_race block" in err


def test_attrition_default_is_engel_iwo_jima() -> None:
    code, out, _ = run("attrition")
    assert code == 0
    assert "Engel" in out
    assert "54,000" in out
    code, out, _ = run("attrition", "--law", "linear", "--format", "json")
    assert json.loads(out)["law"] == "linear"


def test_attrition_fit_round_trip(tmp_path: Path) -> None:
    code, out, _ = run("attrition", "--format", "csv")
    series = tmp_path / "iwo.csv"
    series.write_text(out)
    code, out, _ = run("attrition", "--fit", str(series), "--format", "json")
    assert code == 0
    fitted = {p["parameter"]: p["estimate"] for p in json.loads(out)["parameters"]}
    assert fitted["alpha"] == pytest.approx(0.0106, rel=1e-5)
    assert fitted["beta"] == pytest.approx(0.0544, rel=1e-5)


def test_attrition_bad_input(tmp_path: Path) -> None:
    code, _, err = run("attrition", "iwo-jima")
    assert code == 2
    assert "iwo-jima-1945" in err
    bad = tmp_path / "battle.yaml"
    bad.write_text(
        "attrition:\n  name: x\n"
        "  a: {name: A, initial: 10, reinforcements: [{day: 9, troops: 5}]}\n"
        "  b: {name: B, initial: -10}\n  alpha: 0.1\n  beta: 0.1\n  days: 5\n"
    )
    code, _, err = run("attrition", str(bad))
    assert code == 2
    assert f"{bad}:3:" in err
    assert "attrition.a.reinforcements[0].day" in err
    # an attrition file is not a scenario: `equipoise validate` cannot list its
    # problems, so both are shown here (the hint to run validate was wrong advice)
    assert "attrition.b.initial" in err
    assert "validate" not in err


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "capability: {source: nmc, year: 2016}",
            "capability: {source: nmc, year: 2030}",
            "capability.year",
        ),
        (
            "capability: {source: nmc, year: 2016}",
            "capability: {source: nmc, year: 2016, state: IRNN}",
            "capability.state",
        ),
        (
            "capability: {source: nmc, year: 2016}",
            "capability: {source: given}",
            "states.IRN.capability",
        ),
        ("war_cost: 0.15", "war_cost: 1.5", "states.IRN.war_cost"),
        ("  a: IRN\n  b: ISR\n  units", "  a: IRQ\n  b: ISR\n  units", "arms_race.a"),
    ],
)
def test_scenario_capability_and_dynamics_errors(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    expect_file_error(tmp_path, "west-asia-2024", old, new, field, "validate")


def test_a_series_file_shows_all_its_problems(tmp_path: Path) -> None:
    """A series CSV is not a scenario: `equipoise validate` cannot list its problems,
    so `--fit` shows them all (two here) rather than '1 more problem ... validate'."""
    series = tmp_path / "bad.csv"
    series.write_text("year,IRN,ISR\n1990,x,1\n1991,2,-1\n1992,3,3\n1993,4,4\n1994,5,5\n")
    code, _, err = run("arms-race", "--fit", str(series))
    assert code == 2
    assert f"{series}:2:2: IRN: 'x' is not a number" in err
    assert f"{series}:3:3: ISR: -1 is negative" in err
    assert "validate" not in err


@pytest.mark.parametrize("command", ["arms-race", "attrition"])
def test_an_empty_dynamics_file_gets_its_own_kinds_fix(tmp_path: Path, command: str) -> None:
    """An empty arms-race file was parsed as a scenario first and got the scenario's fix
    ('equipoise show west-asia-2024 > my.yaml'); the parser now names the kind it reads."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("\n")
    code, _, err = run(command, str(empty))
    assert code == 2
    assert "the file is empty" in err
    block = command.replace("-", "_")
    assert f"fix: an {command} file holds one '{block}:' block" in err
    assert "> my.yaml" not in err
