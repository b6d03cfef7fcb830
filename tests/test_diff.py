"""`equipoise diff A B`: the inputs that differ, then every metric side by side."""

from __future__ import annotations

import json
from pathlib import Path

from equipoise.domain.loading import builtin_text
from tests.cli import run


def test_diff_lists_the_changed_input_and_the_status_it_changes(tmp_path: Path) -> None:
    text = builtin_text("west-asia-2024")
    (tmp_path / "a.yaml").write_text(text)
    edited = text.replace("unacceptable_damage: 10\n", "unacceptable_damage: 3\n", 1)
    assert edited != text
    (tmp_path / "b.yaml").write_text(edited)
    code, out, err = run(
        "diff",
        str(tmp_path / "a.yaml"),
        str(tmp_path / "b.yaml"),
        "--trials",
        "300",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["inputs"] == [{"path": "states.ISR.unacceptable_damage", "a": 10.0, "b": 3.0}]
    status = next(row for row in data["changes"] if row["column"] == "status_named")
    assert (status["before"], status["after"]) == ("only Iran deterred", "mutual deterrence")
    assert (data["a_is"], data["b_is"]) == (str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert status["changed"]
    assert data["a"]["dyads"][0]["status"] != data["b"]["dyads"][0]["status"]


def test_diff_of_two_scenarios_with_other_dyads_is_refused() -> None:
    code, _, err = run("diff", "west-asia-2024", "levant-2018", "--trials", "2")
    assert code == 2
    assert "different dyads" in err
    assert "fix:" in err


def test_whatif_add_changes_any_holding_like_a_map_axis() -> None:
    """`whatif --add ISR.upper-tier-bmd=+3` equals the map cell at today's count + 3, and
    the comparison lists the change; a count below zero is refused with the fix."""
    import numpy as np

    import equipoise

    result = equipoise.whatif("west-asia-2024", add=["ISR.upper-tier-bmd=+3"], trials=50)
    assert result.edits == ("ISR.upper-tier-bmd: 3 -> 6",)
    grid = equipoise.deterrence_map(
        "west-asia-2024",
        "IRN",
        "ISR",
        equipoise.AxisSpec("IRN", "mrbm", np.array([120.0])),
        equipoise.AxisSpec("ISR", "upper-tier-bmd", np.array([6.0])),
        first_strike_advantage=False,
    )
    after = result.after.dyads[0]
    assert grid.retaliation_by_a[0, 0] == after.sides[0].retaliation_damage.expected_value
    code, _, err = run("whatif", "west-asia-2024", "--add", "ISR.upper-tier-bmd=-30")
    assert code == 2
    assert "would hold -27" in err


def test_whatif_add_without_a_sign_is_refused_with_both_readings() -> None:
    """'=2' could mean 'add two' or 'set to two' (a new user read it as the second):
    the error offers the signed forms for both."""
    code, _, err = run("whatif", "west-asia-2024", "--add", "ISR.upper-tier-bmd=2")
    assert code == 2
    assert "holds 3" in err
    assert "=+2 to add 2" in err
    assert "=-1 to end at 2" in err
