"""Plain-text tables for the interception record, its fits and their backtest.

Every table says that the record is one party's claims, not independently verified.
"""

from __future__ import annotations

import math
from typing import Any

from equipoise.analysis.metrics import column_label
from equipoise.records.interception import (
    MODEL_DESCRIPTIONS,
    Backtest,
    InterceptionFit,
    InterceptionRecord,
)
from equipoise.report.text import table


def _share(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    number = float(value)
    return "-" if not math.isfinite(number) else f"{number:.{digits}f}"


def _footer(citation: str, caveat: str) -> list[str]:
    return [f"Source: {citation}", f"Caveat: {caveat}"]


def record_text(record: InterceptionRecord) -> str:
    """Rows, windows and pooled shares per family; unmapped names; problem lines."""
    summary = record.to_dict()
    frame = record.to_frame()
    rows = [
        (
            str(row["family"]),
            f"{int(row['rows'])}",
            f"{int(row['windows'])}",
            f"{int(row['launched'])}",
            _share(row["share_destroyed"]),
            f"{int(row['nrg_windows']) if row['nrg_windows'] == row['nrg_windows'] else 0}",
            _share(row["share_not_reach_goal"]),
            f"{row['first']} - {row['last']}",
        )
        for _, row in frame.iterrows()
    ]
    lines = [
        f"Interception record {record.source}: {summary['rows']} rows "
        f"({summary['usable_rows']} usable), {summary['windows']} windows across the families, "
        f"{summary['first']} to {summary['last']}. Families: {record.families_source}.",
        table(
            rows,
            (
                "family",
                "rows",
                "windows",
                "launched",
                "destroyed",
                "nrg windows",
                "not reached",
                "dates",
            ),
        ),
        "destroyed: pooled share of launched, so the largest raids weigh most; not reached: "
        "pooled share in the windows that report not_reach_goal. 'interception fit' gives "
        "the mean share of a window instead (a large raid weighs less than in proportion to "
        "its size), which is higher where large raids fare worse.",
    ]
    if record.unmapped:
        names = ", ".join(f"{name} ({count})" for name, count in record.unmapped.items())
        lines.append(f"Unmapped model names (family 'unmapped'; add them to the table): {names}")
    else:
        lines.append("Unmapped model names: none.")
    if record.problems:
        lines.append(f"{len(record.problems)} problem(s), every row kept:")
        lines.extend(f"  {problem.render()}" for problem in record.problems)
    lines.extend(_footer(record.citation, record.caveat))
    return "\n".join(lines)


def fit_text(fit: InterceptionFit) -> str:
    """Per-family shares with intervals, overdispersion and the saturation test."""
    rows = []
    for family in fit.families:
        row = family.row()
        rows.append(
            (
                family.family,
                str(family.windows),
                f"{_share(row['share_destroyed'])} ({_share(row['share_destroyed_low'])}-"
                f"{_share(row['share_destroyed_high'])})",
                f"{_share(row['window_share_low'], 2)}-{_share(row['window_share_high'], 2)}",
                _share(row["rho"]),
                (
                    f"{_share(row['share_not_reach_goal'])} ({row['nrg_windows']})"
                    if family.nrg
                    else "-"
                ),
                f"{row['lr_statistic']:.2f} (p {row['lr_p_value']:.2g})",
                family.saturation_verdict,
            )
        )
    lines = [
        f"Interception shares fitted to {fit.source}.",
        "Model: destroyed ~ BetaBinomial(launched, share, rho) per family and window "
        "(rho: correlation within a window, overdispersion between windows); 95 % "
        "intervals Wald on the logit scale. Saturation: share(n) = p*min(n, c)/n (the salvo "
        "engine's channel limit) against a constant share, likelihood ratio with a "
        "0.5 chi2_0 + 0.5 chi2_1 reference.",
        table(
            rows,
            (
                "family",
                "windows",
                "destroyed (95 %)",
                "5-95 % by window",
                "rho",
                "not reached (windows)",
                "LR",
                "saturation",
            ),
        ),
    ]
    reporters = []
    for family in fit.families:
        row = family.row()
        cells = [family.family]
        for reporter in ("national", "regional"):
            key = f"share_destroyed_{reporter}"
            cells.append(
                "-"
                if row[key] is None
                else f"{_share(row[key])} ({_share(row[key + '_low'])}-"
                f"{_share(row[key + '_high'])})"
            )
        cells.append(
            f"{_share(row['share_neutralised'])} ({_share(row['share_neutralised_low'])}-"
            f"{_share(row['share_neutralised_high'])})"
        )
        reporters.append(cells)
    lines.append(
        "By reporter (national Air Force bulletins, regional air commands) and the share "
        "neutralised (destroyed or not reaching the goal, unreported counted as none):"
    )
    lines.append(
        table(reporters, ("family", "national (95 %)", "regional (95 %)", "neutralised (95 %)"))
    )
    lines.append(
        "destroyed: the fitted mean share of a window (a large raid weighs less than in "
        "proportion to its size); "
        "'interception record' gives the pooled share of all launched, which the largest "
        "raids dominate. not reached: fitted on the windows that report not_reach_goal only "
        "(few outside drones), so it is not comparable across families."
    )
    lines.extend(_footer(fit.citation, fit.caveat))
    return "\n".join(lines)


def backtest_text(result: Backtest) -> str:
    """Scores of every model overall, per family, and (rolling) per fold."""
    frame = result.to_frame()
    rows = [
        (
            str(row["family"]),
            str(row["model"]),
            str(int(row["windows"])),
            f"{row['coverage_50']:.2f}",
            f"{row['coverage_90']:.2f}",
            f"{row['mean_log_density']:.3f}",
        )
        for _, row in frame.iterrows()
    ]
    scores = ("coverage_50", "coverage_90", "mean_log_density")
    header = ("family", "model", "windows", *map(column_label, scores))
    mode = (
        f"trained on windows starting on or before {result.train_until}, tested on every later one"
        if result.mode == "single"
        else f"rolling origin: each quarter from {result.train_until} on predicted from all "
        "earlier windows"
    )
    lines = [
        f"Backtest of {result.source}: {mode}.",
        table(rows, header),
        f"Chosen (best mean log predictive density): {result.chosen_model}.",
        "Models: " + "; ".join(f"{name}: {text}" for name, text in MODEL_DESCRIPTIONS.items()),
        "PIT histogram (10 bins) of the chosen model: "
        + " ".join(str(c) for c in result.pit_histogram(result.chosen_model)),
    ]
    if result.mode == "rolling":
        folds = result.folds_frame()
        chosen = folds[folds["model"] == result.chosen_model]
        lines.append(
            table(
                [
                    (
                        str(row["train_until"]),
                        str(int(row["windows"])),
                        f"{row['coverage_50']:.2f}",
                        f"{row['coverage_90']:.2f}",
                        f"{row['mean_log_density']:.3f}",
                    )
                    for _, row in chosen.iterrows()
                ],
                ("test from", "windows", *header[3:]),
            )
        )
    lines.extend(_footer(result.citation, result.caveat))
    return "\n".join(lines)


def interception_report_parts(
    fit: InterceptionFit, result: Backtest, *, section: str = "Interception record"
) -> tuple[dict[str, list[dict[str, Any]]], tuple[Any, ...]]:
    """Tables and figures for the HTML report (``report.html``'s ``ReportFigure``).

    Tables: per-family fits and the backtest scores. Figures: share destroyed per
    family and quarter with bands, share against salvo size with the channel-limited
    fit, and the backtest's PIT histograms and coverage. Needs ``equipoise[plot]``.
    """
    from equipoise.plots import figure_bytes
    from equipoise.plots.interception import backtest_figure, fit_figure, saturation_figure
    from equipoise.report.html import ReportFigure

    caveat = f"{fit.citation} {fit.caveat}"
    figures = (
        ReportFigure(
            section, "Share destroyed per family and quarter", caveat, figure_bytes(fit_figure(fit))
        ),
        ReportFigure(
            section,
            "Share destroyed against salvo size",
            caveat,
            figure_bytes(saturation_figure(fit)),
        ),
        ReportFigure(
            section,
            f"Backtest calibration (trained until {result.train_until})",
            caveat,
            figure_bytes(backtest_figure(result)),
        ),
    )
    tables = {
        "interception_fit": fit.to_dict()["families"],
        "interception_backtest": result.to_frame().to_dict(orient="records"),
    }
    return tables, figures
