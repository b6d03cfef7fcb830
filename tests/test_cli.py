"""The command-line adapter: every command, output formats, files and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import equipoise.cli.main as cli_module
from equipoise import builtin_names, load_scenario
from tests.cli import run


def test_scenarios_lists_one_line_each() -> None:
    code, out, _ = run("scenarios")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(builtin_names())
    assert any(line.startswith("west-asia-2024") for line in lines)


def test_show_prints_yaml_that_loads_back(tmp_path: Path) -> None:
    code, out, _ = run("show", "west-asia-2024")
    assert code == 0
    path = tmp_path / "mine.yaml"
    path.write_text(out)
    assert load_scenario(path) == load_scenario("west-asia-2024")
    assert "illustrative" in out


def test_show_unknown_name_suggests() -> None:
    code, _, err = run("show", "west-asia")
    assert code == 2
    assert "did you mean 'west-asia-2024'" in err


def test_analyze_defaults_to_west_asia_table() -> None:
    code, out, _ = run("analyze", "--trials", "200")
    assert code == 0
    assert "Dyad IRN-ISR" in out
    assert "second-strike survivability" in out
    assert "Calibration" in out


def test_analyze_json_is_pure_json() -> None:
    code, out, _ = run(
        "analyze", "levant-2018", "--format", "json", "--trials", "200", "--seed", "3"
    )
    assert code == 0
    data = json.loads(out)
    assert data["seed"] == 3
    assert data["trials"] == 200
    side = data["dyads"][0]["sides"][0]
    assert {"striking_first", "struck_first", "first_strike_advantage"} <= set(side)
    assert data["dyads"][0]["status"] in {
        "mutual deterrence",
        "only A deterred",
        "only B deterred",
        "neither",
    }


def test_analyze_csv_has_a_row_per_side() -> None:
    code, out, _ = run("analyze", "asia-rivals-2024", "--format", "csv", "--trials", "100")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == 4
    assert {"state", "rival", "status", "first_strike_advantage"} <= set(frame.columns)


def test_progress_bar_never_touches_json_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when stderr is a terminal and the run is long, stdout stays valid JSON."""
    monkeypatch.setattr(cli_module, "PROGRESS_THRESHOLD", 1)
    monkeypatch.setattr(cli_module, "stderr_is_terminal", lambda: True)
    code, out, err = run("analyze", "--format", "json", "--trials", "3000")
    assert code == 0
    json.loads(out)
    assert "simulating" in err


def test_map_shows_a_progress_bar_on_stderr_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal a map with the split search shows its cells done on stderr, and the
    CSV on stdout is the same as without a terminal."""
    args = ["map", "west-asia-2024", "--x", "IRN.mrbm", "--y", "ISR.upper-tier-bmd"]
    args += ["--steps", "5"]
    _, plain, quiet = run(*args)
    monkeypatch.setattr(cli_module, "MAP_PROGRESS_CELLS", 1)
    monkeypatch.setattr(cli_module, "stderr_is_terminal", lambda: True)
    code, out, err = run(*args)
    assert code == 0
    assert out == plain
    assert "mapping" in err
    assert "mapping" not in quiet


def test_output_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("precious")
    code, _, err = run("analyze", "--format", "json", "--trials", "50", "-o", str(target))
    assert code == 2
    assert "already exists" in err
    assert "--force" in err
    assert target.read_text() == "precious"
    code, _, _ = run("analyze", "--format", "json", "--trials", "50", "-o", str(target), "--force")
    assert code == 0
    json.loads(target.read_text())


def test_unwritable_output_path(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.csv"
    code, _, err = run("analyze", "--format", "csv", "--trials", "50", "-o", str(target))
    assert code == 2
    assert "cannot write" in err
    assert "Traceback" not in err


def test_map_writes_plot_ready_csv(tmp_path: Path) -> None:
    target = tmp_path / "map.csv"
    code, _, _ = run(
        "map",
        "west-asia-2024",
        "--dyad",
        "IRN:ISR",
        "--x",
        "IRN.mrbm",
        "--y",
        "ISR.upper-tier-bmd",
        "--steps",
        "5",
        "--no-fsa",
        "-o",
        str(target),
    )
    assert code == 0
    frame = pd.read_csv(target)
    assert len(frame) == 25
    assert {"x", "y", "status", "deterred_a", "deterred_b", "x_current", "y_current"} <= set(
        frame.columns
    )
    assert frame.x_current.iloc[0] == 120


def test_map_needs_a_dyad_when_there_are_several() -> None:
    code, _, err = run("map", "asia-rivals-2024", "--x", "CHN.mrbm", "--y", "IND.lr-sam")
    assert code == 2
    assert "--dyad" in err
    assert "CHN:IND" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x", "IRNmrbm", "--y", "ISR.ew-suite"], "PARTY.class"),
        (["--x", "IRN.mrbm", "--y", "ISR.ew-suite", "--x-range", "10:5"], "not increasing"),
        (["--x", "IRN.mrbm", "--y", "ISR.ew-suite", "--x-range", "a:b"], "LOW:HIGH"),
        (["--x", "IRN.mrbmm", "--y", "ISR.ew-suite"], "unknown system class"),
        (["--x", "IRN.mrbm", "--y", "ISR.ew-suite", "--dyad", "IRN-ISR"], "A:B"),
    ],
)
def test_map_bad_options(args: list[str], message: str) -> None:
    code, _, err = run("map", "west-asia-2024", *args)
    assert code == 2
    assert message in err


def test_schema_is_json() -> None:
    code, out, _ = run("schema")
    assert code == 0
    assert json.loads(out)["title"] == "equipoise scenario"


def test_validate_ok_exit_zero() -> None:
    code, out, _ = run("validate", *builtin_names())
    assert code == 0
    assert out.count("valid") == len(builtin_names())


def test_unknown_scenario_name() -> None:
    code, _, err = run("analyze", "west-asia-2042")
    assert code == 2
    assert "west-asia-2024" in err


def test_bad_option_values_exit_two() -> None:
    assert run("analyze", "--trials", "0")[0] == 2
    assert run("analyze", "--format", "xml")[0] == 2


def test_installed_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    """The real console script, in a subprocess: a malformed file gives exit 2, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: t\nclasses: {}\nstates: {}\ndyads: []\n")
    completed = subprocess.run(
        [sys.executable, "-m", "equipoise", "analyze", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert f"{bad}:5" in completed.stderr
    assert "dyads" in completed.stderr
