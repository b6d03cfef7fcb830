"""Command line for supplier policies: whatif, recommend, compare-policies, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from equipoise.domain.loading import builtin_text
from tests.cli import expect_file_error, run


def test_whatif_shows_before_after_and_marks_changes() -> None:
    code, out, _ = run(
        "whatif", "west-asia-2024", "--deliver", "IRN:lr-sam-batteryx2", "--trials", "500"
    )
    assert code == 0
    assert "before" in out
    assert "after" in out
    assert "<- changed" in out
    assert "RUS.lr-sam-battery" in out


def test_whatif_flags_a_delivery_that_breaks_a_red_line() -> None:
    code, out, _ = run(
        "whatif", "west-asia-2024", "--deliver", "IRN:mrbm-battalion", "--trials", "300"
    )
    assert code == 0
    assert "warning" in out
    assert "red line" in out


def test_recommend_json_says_how_the_plan_was_found() -> None:
    code, out, _ = run("recommend", "west-asia-2024", "--trials", "300", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["search"]["proven_optimal"] is True
    assert data["plan"]["total_cost"] <= 3000
    assert {"before", "after", "changes"} <= set(data)


def test_recommend_local_search_is_reported_with_its_bound() -> None:
    """The local search's answer comes with the proven upper bound: here (120 plans)
    the bound is met, so the answer is reported optimal (docs/model.md §8)."""
    code, out, _ = run(
        "recommend", "west-asia-2024", "--method", "local", "--time-limit", "1", "--trials", "200"
    )
    assert code == 0
    assert "local search" in out
    assert "upper bound" in out
    assert "PROVEN OPTIMAL" in out


def test_recommend_partisan_and_weights() -> None:
    code, out, _ = run(
        "recommend",
        "levant-2018",
        "--policy",
        "partisan:SYR",
        "--weights",
        "cost=5",
        "--trials",
        "200",
    )
    assert code == 0
    assert "Policy partisan:SYR" in out
    assert "cost=5" in out


def test_compare_policies_csv() -> None:
    code, out, _ = run("compare-policies", "levant-2018", "--trials", "200", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame["policy"]) == {"abstain", "partisan:SYR", "partisan:TUR", "balancer"}
    assert set(frame["dyad"]) == {"SYR-ISR", "SYR-TUR"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["whatif", "west-asia-2024", "--deliver", "IRN:s400"], "unknown package"),
        (["whatif", "west-asia-2024", "--deliver", "IRQ:ew-complex"], "unknown recipient"),
        (["recommend", "west-asia-2024", "--weights", "fsa=ten"], "not a number"),
        (["recommend", "west-asia-2024", "--weights", "mutal=1"], "did you mean 'mutual'"),
        (["recommend", "west-asia-2024", "--policy", "partisan:XYZ"], "unknown state"),
        (["recommend", "west-asia-2024", "--policy", "greedy"], "unknown policy"),
        (["recommend", "asia-rivals-2024", "--policy", "balancer", "--method", "best"], "best"),
    ],
)
def test_bad_policy_input(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "budget: {total: 3000, per_year: 2000}",
            "budget: {total: -3000, per_year: 2000}",
            "suppliers.RUS.budget.total",
        ),
        (
            "no_classes: {IRN: [ballistic_missile]}",
            "no_classes: {IRQ: [ballistic_missile]}",
            "suppliers.RUS.red_lines.no_classes.IRQ",
        ),
        (
            "no_classes: {IRN: [ballistic_missile]}",
            "no_classes: {IRN: [balistic_missile]}",
            "suppliers.RUS.red_lines.no_classes.IRN[0]",
        ),
        (
            "relations: {IRN: partner, ISR: neutral}",
            "relations: {IRN: friend, ISR: neutral}",
            "suppliers.RUS.relations.IRN",
        ),
        (
            "systems: {lr-sam: {units: 1}}",
            "systems: {lr-sam2: {units: 1}}",
            "suppliers.RUS.packages.lr-sam-battery.systems.lr-sam2",
        ),
        ("        cost: 600", "        cost: 0", "suppliers.RUS.packages.lr-sam-battery.cost"),
    ],
)
def test_supplier_scenario_errors_name_the_line(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    expect_file_error(tmp_path, "west-asia-2024", old, new, field, "recommend")


def test_scenario_without_suppliers_is_refused(tmp_path: Path) -> None:
    text = builtin_text("west-asia-2024")
    path = tmp_path / "no-suppliers.yaml"
    path.write_text(text[: text.index("suppliers:")] + text[text.index("calibration:") :])
    for command in ("recommend", "compare-policies"):
        code, _, err = run(command, str(path))
        assert code == 2
        assert "has no suppliers" in err
