"""Plain-text tables for claims: posteriors with their arithmetic, worlds, value of information."""

from __future__ import annotations

import math
from collections.abc import Iterable

from equipoise.analysis.claims import ClaimsReport, WorldAnalysis
from equipoise.analysis.metrics import column_label
from equipoise.report.text import number, table

FLOAT_ERROR = 1e-12
"""A value this small relative to the largest in its column is zero up to float error."""


def zero_float_error(values: Iterable[float | None]) -> list[float | None]:
    """The column with values below ``FLOAT_ERROR`` times its largest magnitude as 0.0
    (the variance reduction of a claim that changes nothing came out as 1.93e-34, not
    0, from the subtraction of equal variances); None and NaN stay as they are."""
    column = list(values)
    finite = [abs(v) for v in column if v is not None and math.isfinite(v)]
    scale = max(finite, default=0.0)
    return [
        0.0 if v is not None and math.isfinite(v) and abs(v) < FLOAT_ERROR * scale else v
        for v in column
    ]


def _interval(low: float, high: float) -> str:
    return "" if not math.isfinite(low) else f"[{number(low, 3)}, {number(high, 3)}]"


def claims_text(report: ClaimsReport) -> str:
    """Each claim: statement, sources with their ratios, and the posterior arithmetic."""
    parts = [
        "Posterior = prior odds × product of the sources' likelihood ratios (sources assumed "
        "independent given the truth; of sources sharing an origin only the most informative "
        "counts). Ratios are documented assumptions; override them under 'likelihood_ratios'."
    ]
    for claim in report.claims:
        parts.append("")
        parts.append(
            f"{claim.name}: {claim.statement}" + (f" ({claim.when})" if claim.when else "")
        )
        parts.append(f"  delivery: {claim.delivery}")
        rows = [
            (
                term.kind,
                f"{term.ratio:g}",
                "yes" if term.counted else "no (dependent)",
                term.dependency_group or "-",
                term.reference,
            )
            for term in claim.terms
        ]
        if rows:
            parts.append(
                "  "
                + table(rows, ("source kind", "LR", "counted", "origin", "reference")).replace(
                    "\n", "\n  "
                )
            )
        parts.append(f"  {claim.arithmetic()}")
        for note in claim.notes:
            parts.append(f"  flag: {note}")
    if report.values:
        parts.append("")
        parts.append(
            "Value of information, ranked by the expected absolute change in P(mutual deterrence) "
            "summed over dyads if the claim's truth were learnt (ties: expected reduction in the "
            "variance of the first-strike advantage):"
        )
        changes = zero_float_error(v.mutual_deterrence_change for v in report.values)
        reductions = zero_float_error(v.fsa_variance_reduction for v in report.values)
        rows = [
            (str(rank), value.claim, f"{value.probability:.3f}", f"{change:.4f}", f"{cut:.3g}")
            for rank, (value, change, cut) in enumerate(
                zip(report.values, changes, reductions, strict=True), start=1
            )
        ]
        columns = ("mutual_deterrence_change", "fsa_variance_reduction")
        parts.append(table(rows, ("rank", "claim", "P(true)", *map(column_label, columns))))
        if report.worlds is not None:
            how = "enumerated" if report.worlds.exact else "sampled"
            parts.append(f"({report.worlds.truth.shape[0]} possible worlds, {how}.)")
    return "\n".join(parts)


def worlds_text(analysis: WorldAnalysis) -> str:
    """Every dyad metric over the possible worlds: mean and 90 % credible interval."""
    worlds = analysis.worlds
    how = "all enumerated" if worlds.exact else f"distinct among {worlds.draws} sampled"
    parts = [
        f"{analysis.scenario}: every dyad metric over {worlds.truth.shape[0]} possible worlds "
        f"({how}), weighted by probability; seed {analysis.seed}, "
        f"{analysis.trials_per_world} trials per world for probabilities.",
        "Claims: " + ", ".join(f"{c.name} P={c.posterior:.3f}" for c in analysis.claims),
        "Expected-value exchange per world; mean [5 %, 95 %] across worlds.",
    ]
    frame = analysis.to_frame()
    for dyad, rows in frame.groupby("dyad", sort=False):
        parts.append("")
        parts.append(f"Dyad {dyad}")
        body = [
            (
                row["metric"],
                row["state"],
                number(row["mean"], 3),
                _interval(row["low"], row["high"]),
            )
            for _, row in rows.iterrows()
        ]
        parts.append(table(body, ("metric", "state", "mean", "90 % interval")))
    outside = (frame["mean"] < frame["low"] - 1e-9) | (frame["mean"] > frame["high"] + 1e-9)
    if outside.any():
        parts.append(
            "A mean outside its interval is no error: worlds of under 5 % probability with "
            "far other values move the mean but not the interval's ends."
        )
    return "\n".join(parts)
