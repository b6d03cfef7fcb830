"""Plain-text tables for what-if deliveries, recommendations and policy comparisons."""

from __future__ import annotations

import math
from typing import Any

from equipoise.analysis.deliveries import PlanSummary
from equipoise.analysis.metrics import column_label
from equipoise.analysis.policy import Comparison, PolicyComparison, Recommendation, ScenarioDiff
from equipoise.report.text import table

MARK = "<- changed"
NOISE = "(within noise)"
EXPECTED_MARK = "<- expected value changed"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.3f}"
    return str(value)


def _change(row: dict[str, Any]) -> str:
    change = row["change"]
    if isinstance(change, float):
        return f"{change:+.3f}" if row["changed"] or row["within_noise"] else ""
    return ""


def plan_text(plan: PlanSummary) -> str:
    if not plan.lines:
        return "Deliveries: none"
    rows = [
        (
            line.recipient,
            f"{line.supplier}.{line.package}",
            str(line.quantity),
            f"{line.cost:g}",
            f"{line.delay_years} y",
            ", ".join(line.restricted_against) or "-",
        )
        for line in plan.lines
    ]
    spend = ", ".join(f"{name} {value:g}/year" for name, value in plan.per_year.items())
    return "\n".join(
        [
            f"Deliveries (total cost {plan.total_cost:g}; spending {spend}):",
            table(rows, ("to", "package", "qty", "cost", "delay", "not cleared against")),
        ]
    )


def comparison_text(comparison: Comparison) -> str:
    """Every dyad metric before and after, the changes marked."""
    lines = [plan_text(comparison.plan)]
    lines += [f"Holding changed: {edit}" for edit in comparison.edits]
    lines += [f"warning: {w}" for w in comparison.warnings]
    lines.append(_how_read("Before and after", comparison))
    lines.append(changes_table(comparison))
    return "\n".join(lines)


def _how_read(lead: str, comparison: Comparison) -> str:
    """The line above a changes table: the run, and how to read its columns and marks."""
    return (
        f"{lead}, seed {comparison.before.seed}, {comparison.before.trials} trials each "
        "(means; damage in the target's value units; a change no larger than the 95 % "
        "interval of the difference is marked within noise; 'expected value' is the "
        "evaluator's number, which maps and the supplier search read):"
    )


def _expected(row: dict[str, Any]) -> str:
    before, after = row["expected_before"], row["expected_after"]
    if before is None or after is None:
        return ""
    return f"{_value(float(before))} -> {_value(float(after))}"


def _mark(row: dict[str, Any]) -> str:
    if row["changed"]:
        return MARK
    if row["expected_changed"]:  # exact: the trial means may still sit inside the noise
        return EXPECTED_MARK
    return NOISE if row["within_noise"] else ""


def changes_table(comparison: Comparison, columns: tuple[str, str] = ("before", "after")) -> str:
    """The metric rows of a comparison, each change marked (or marked within noise),
    with the metric's expected values beside its trial means."""
    first, second = columns
    body = [
        (
            row["dyad"],
            row["state"],
            row["metric"],
            _value(row["before"]),
            _value(row["after"]),
            _change(row),
            _expected(row),
            _mark(row),
        )
        for row in comparison.rows()
    ]
    header = ("dyad", "state", "metric", first, second, "change", "expected value", "")
    return table(body, header)


def diff_text(result: ScenarioDiff) -> str:
    """The inputs that differ, then every metric of A beside B."""
    a, b = result.comparison.before, result.comparison.after
    first, second = result.labels
    lines = [
        f"A = {first}"
        + ("" if first == a.scenario else f" (scenario {a.scenario})")
        + f", B = {second}"
        + ("" if second == b.scenario else f" (scenario {b.scenario})")
        + "; inputs that differ:"
    ]
    rows = [(path, _value(x), _value(y)) for path, x, y in result.inputs]
    lines.append(table(rows, ("input", "A", "B")) if rows else "  none")
    lines.append(_how_read("Metrics", result.comparison))
    lines.append(changes_table(result.comparison, ("A", "B")))
    return "\n".join(lines)


def recommendation_text(result: Recommendation) -> str:
    outcome = result.outcome
    weights = result.weights
    head = [
        f"Policy {result.policy}: {outcome.method}, {outcome.evaluated} plans evaluated in "
        f"{outcome.seconds:.2f} s.",
        ("PROVEN OPTIMAL" if outcome.proven_optimal else "HEURISTIC (best found)")
        + f": {outcome.note}.",
        f"Objective weights: mutual={weights.mutual:g}, fsa={weights.fsa:g}, "
        f"range={weights.range:g}, cost={weights.cost:g} (docs/model.md §8); objective of "
        f"the plan {outcome.score:.6g}"
        + (
            ""
            if outcome.bound is None
            else f", proven upper bound {outcome.bound:.6g}, gap {outcome.gap or 0.0:.3g}"
        )
        + ".",
    ]
    if not result.comparison.plan.lines and result.policy != "abstain" and result.decisions:
        why = (
            "(what any delivery gains in the objective is less than its cost term). Try "
            "--weights cost=0 to see what would be delivered if cost were no object."
            if weights.cost > 0
            else "even with cost no object: every delivery it may make lowers the objective "
            "(a partisan gains nothing from arming its side's rivals, for instance)."
        )
        head.append(
            f"Why nothing: of the {result.decisions} deliveries the supplier may make, no "
            f"feasible combination scores higher than delivering nothing under these weights {why}"
        )
    return "\n".join(head) + "\n" + comparison_text(result.comparison)


def policies_text(result: PolicyComparison) -> str:
    frame = result.to_frame()
    rows = []
    for _, row in frame.iterrows():
        if row["bargaining_low"] is None or not math.isfinite(row["bargaining_low"]):
            bargain = "n/a"
        elif row["bargaining_closed"]:
            bargain = "closed"
        else:
            bargain = f"[{row['bargaining_low']:.3f}, {row['bargaining_high']:.3f}]"
        rows.append(
            (
                row["policy"],
                f"{row['cost']:g}",
                row["dyad"],
                row["status"],
                f"{row['first_strike_advantage_a']:+.3f}",
                f"{row['first_strike_advantage_b']:+.3f}",
                bargain,
                "yes" if row["proven_optimal"] else "heuristic",
            )
        )
    parts = [
        table(
            rows,
            (
                "policy",
                "cost",
                "dyad",
                "status",
                column_label("first_strike_advantage_a"),
                column_label("first_strike_advantage_b"),
                "bargaining range",
                "optimal",
            ),
        ),
        "",
    ]
    for item in result.recommendations:
        parts.append(f"{item.policy}: " + plan_text(item.comparison.plan).replace("\n", "\n  "))
    return "\n".join(parts)
