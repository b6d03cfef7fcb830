"""Golden outputs: `equipoise analyze NAME --format json --seed 1` for every built-in.

Regenerate only on purpose, with ``pytest tests/test_golden.py --update-golden``, and
say in the commit message why the numbers changed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from equipoise import builtin_names
from equipoise.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"


def assert_same(actual: Any, expected: Any, path: str = "") -> None:
    """Equal structure and strings; numbers equal to 1e-9 relative (platform rounding)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(expected), path
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        assert len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{index}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert isinstance(actual, int | float), path
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12), (path, actual, expected)
    else:
        assert actual == expected, path


@pytest.mark.parametrize("name", builtin_names())
def test_analyze_json_matches_golden(name: str, update_golden: bool) -> None:
    result = CliRunner().invoke(cli, ["analyze", name, "--format", "json", "--seed", "1"])
    assert result.exit_code == 0, result.stderr
    actual = json.loads(result.stdout)
    path = GOLDEN / f"analyze-{name}.json"
    if update_golden:
        path.write_text(json.dumps(actual, indent=2) + "\n")
        pytest.skip(f"rewrote {path.name}")
    assert path.exists(), f"no golden file for {name}: run pytest --update-golden"
    assert_same(actual, json.loads(path.read_text()))


@pytest.mark.parametrize("name", builtin_names())
def test_analyze_table_matches_golden(name: str, update_golden: bool) -> None:
    """The text a reader sees: verdict, rows naming their strike, the dyad's quantities."""
    args = ["analyze", name, "--seed", "1", "--trials", "2000"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    path = GOLDEN / f"analyze-{name}.txt"
    if update_golden:
        path.write_text(result.stdout)
        pytest.skip(f"rewrote {path.name}")
    assert path.exists(), f"no golden file for {name}: run pytest --update-golden"
    assert result.stdout == path.read_text()
