"""Plain-text tables of results, for terminals and logs."""

from __future__ import annotations

import math
from collections.abc import Sequence

from equipoise.analysis.metrics import metric
from equipoise.analysis.results import (
    AnalysisResult,
    DyadAssessment,
    Estimate,
    SideAssessment,
    verdict,
)

ILLUSTRATIVE_NOTE = (
    "Numbers are only as good as the scenario's: built-in values are illustrative unless "
    "the scenario cites a source."
)


WIDE_BAND = 0.25
"""A calibration tolerance beyond which 'within band' says little (±25 points)."""


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> str:
    """Left-aligned first column, right-aligned others, two spaces between."""
    body = [list(header)] + [list(r) for r in rows] if header else [list(r) for r in rows]
    widths = [max(len(row[i]) for row in body) for i in range(len(body[0]))]
    lines = []
    for index, row in enumerate(body):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if header and index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def number(value: float, digits: int = 1) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def with_interval(estimate: Estimate, digits: int = 1, percent: bool = False) -> str:
    scale = 100.0 if percent else 1.0
    unit = " %" if percent else ""
    if not math.isfinite(estimate.mean):
        return "n/a"
    mean = estimate.mean * scale
    half = max(estimate.high - estimate.mean, estimate.mean - estimate.low) * scale
    return f"{mean:.{digits}f} ±{half:.{digits}f}{unit}"


def probability(estimate: Estimate) -> str:
    return f"{estimate.mean:.3f} [{estimate.low:.3f}, {estimate.high:.3f}]"


SIDE_ROWS = (
    "damage_dealt_striking_first",
    "damage_suffered_striking_first",
    "damage_dealt_struck_first",
    "damage_suffered_struck_first",
    "retaliation_damage",
    "second_strike_survivability",
    "retaliation_probability",
    "deterred",
)


def _cell(dyad: DyadAssessment, side: SideAssessment, name: str) -> str:
    value = getattr(side, name)
    if name == "deterred":
        return "yes" if value else "no"
    if name == "retaliation_probability":
        return probability(value)
    if name == "second_strike_survivability":
        return with_interval(value, 1, percent=True)
    spread = dyad.damage_range(side.state, name) if name.startswith("damage_") else None
    if spread is None:
        return with_interval(value)
    return f"{with_interval(value)} [{spread[0]:.0f}-{spread[1]:.0f}]"


def _expected(estimate: Estimate) -> str:
    value = estimate.expected_value
    return "n/a" if value is None else number(value)


def dyad_table(dyad: DyadAssessment, criterion_trials: int | None = None) -> str:
    """The verdict, then one row per side metric naming the strike it refers to, each
    beside the number the verdict reads under the criterion, then the dyad's own
    quantities once."""
    a, b = dyad.sides
    lines = [
        (
            f"{metric(name).label} ({metric(name).strike})",
            _cell(dyad, a, name),
            _cell(dyad, b, name),
        )
        for name in SIDE_ROWS
    ]
    by_probability = dyad.criterion == "probability"
    whose = "" if by_probability else ", the verdict's"
    lines.insert(
        SIDE_ROWS.index("retaliation_damage") + 1,
        (
            f"  its expected value{whose} ({metric('retaliation_damage').strike})",
            _expected(a.retaliation_damage),
            _expected(b.retaliation_damage),
        ),
    )
    if by_probability and a.criterion_probability and b.criterion_probability:
        trials = "" if criterion_trials is None else f"{criterion_trials} trials per variant, "
        lines.insert(
            SIDE_ROWS.index("retaliation_probability") + 2,
            (
                f"  the verdict's estimate ({trials}as in maps and plans)",
                probability(a.criterion_probability),
                probability(b.criterion_probability),
            ),
        )
    lines.append(
        (
            "unacceptable damage / value at risk",
            f"{a.unacceptable_damage:g} / {a.value_at_risk:g}",
            f"{b.unacceptable_damage:g} / {b.value_at_risk:g}",
        )
    )
    title = f"Dyad {dyad.a}-{dyad.b}" + (f" ({dyad.label})" if dyad.label else "")
    text = f"{title}: {dyad.status_named}\n{verdict(dyad)}\n" + table(lines, ("", dyad.a, dyad.b))
    text += "\n" + advantage_text(dyad)
    if dyad.bargaining is not None:
        text += "\n" + bargaining_text(dyad)
    if dyad.notes:
        text += "\n" + "\n".join(f"  note: {note}" for note in dyad.notes)
    return text


def advantage_text(dyad: DyadAssessment) -> str:
    """The first-strike advantage, a property of the dyad, once (each side's own value
    differs only when the exchange weights or values at risk differ)."""
    a, b = dyad.sides
    first_a, first_b = a.first_strike_advantage, b.first_strike_advantage
    label = f"{metric('first_strike_advantage').label} of the dyad (both chosen strikes)"
    if abs(first_a.mean - first_b.mean) < 1e-12:
        expected = first_a.expected_value
        beside = "" if expected is None else f" (expected value, as maps use it: {expected:+.3f})"
        return f"{label}: {first_a.mean:+.3f} ±{first_a.high - first_a.mean:.3f}{beside}"
    return f"{label}: {a.state} {first_a.mean:+.3f}, {b.state} {first_b.mean:+.3f}"


def bargaining_text(dyad: DyadAssessment) -> str:
    """One line on Fearon's bargaining range (docs/model.md §6)."""
    bargain = dyad.bargaining
    assert bargain is not None
    source = f"P from {bargain.probability_source}"
    if bargain.low is None or bargain.high is None:
        return f"bargaining range: n/a ({bargain.reason}; {source})"
    p = (
        f"P({dyad.a} prevails) {bargain.p_first:.3f} striking first, "
        f"{bargain.p_second:.3f} struck first"
    )
    costs = f"war costs {bargain.cost_a:g} / {bargain.cost_b:g}"
    if bargain.closed:
        return f"bargaining range ({dyad.a}'s share): CLOSED ({p}; {costs})"
    return (
        f"bargaining range ({dyad.a}'s share): [{bargain.low:.3f}, {bargain.high:.3f}], "
        f"width {bargain.width:.3f} ({p}; {costs})"
    )


def analysis_text(result: AnalysisResult) -> str:
    """The whole analysis as text: one table per dyad, then calibration."""
    criterion = result.criterion.replace("_", " ")
    if result.confidence is not None:
        criterion += (
            f" (a side is deterred when the probability that the rival's retaliation reaches "
            f"its threshold is {result.confidence:g} or more, estimated from "
            f"{result.criterion_trials} trials per variant as maps, plans and what-ifs do)"
        )
    parts = [
        f"{result.scenario}: {result.title}",
        f"seed {result.seed}, {result.trials} trials per exchange; deterrence criterion: "
        f"{criterion}. Damage in the target's value units: mean ±95 % interval of the "
        "mean, then [5th-95th percentile] of the outcomes over the trials.",
        ILLUSTRATIVE_NOTE,
    ]
    for dyad in result.dyads:
        parts.append("")
        parts.append(dyad_table(dyad, result.criterion_trials))
    if result.calibration:
        parts.append("")
        parts.append("Calibration against reported attacks")
        rows = []
        for check in result.calibration:
            model = check.model
            rows.append(
                (
                    check.name,
                    f"{check.attacker}->{check.defender}",
                    str(check.launched),
                    f"{100 * check.reported_neutralised_share:.1f} ±{100 * check.tolerance:.1f} %",
                    f"{100 * (model.expected_value or model.mean):.1f} %",
                    ("yes" if check.within_band else "NO")
                    + (" (wide band)" if check.tolerance > WIDE_BAND else ""),
                )
            )
        parts.append(
            table(rows, ("case", "attack", "launched", "reported", "model", "within band"))
        )
        if any(check.tolerance > WIDE_BAND for check in result.calibration):
            parts.append(
                f"  a band wider than ±{100 * WIDE_BAND:.0f} points is a weak check: almost "
                "any model falls inside it (the case's tolerance comes from its source's spread)"
            )
        for key, text in result.calibration_sources.items():  # what "reported" rests on
            parts.append(f"  source {key}: {' '.join(text.split())}")
    for note in result.notes:
        parts.append(f"note: {note}")
    return "\n".join(parts)
