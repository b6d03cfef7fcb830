"""Plain-text tables for capabilities, arms races, battles and fits."""

from __future__ import annotations

import math

from equipoise.analysis.balance import BalanceResult
from equipoise.analysis.dynamics import ArmsRaceResult, AttritionResult, FitResult
from equipoise.data import NMC_CITATION
from equipoise.report.text import number, table


def _number(value: float, digits: int = 4) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}g}"


def balance_text(result: BalanceResult) -> str:
    """CINC of both states per year, the ratio and the probability of prevailing."""
    a, b = result.a.stateabb, result.b.stateabb
    frame = result.frame
    rows = [
        (
            str(int(row["year"])),
            f"{row[f'{a}_cinc']:.5f}",
            f"{row[f'{b}_cinc']:.5f}",
            number(row["capability_ratio"], 3),
            f"{row[f'p_{a}_prevails']:.3f}",
        )
        for _, row in frame.iterrows()
    ]
    header = ("year", f"{a} CINC", f"{b} CINC", f"ratio {a}/{b}", f"P({a} prevails)")
    lines = [
        f"{result.a.label} and {result.b.label}",
        f"Contest function exponent m = {result.exponent:g}: P = C_A^m / (C_A^m + C_B^m).",
        table(rows, header),
        "Component shares (military expenditure, personnel, iron and steel, energy, total and "
        "urban population) are in --format csv or json.",
        f"Source: {NMC_CITATION}.",
    ]
    return "\n".join(lines)


def fit_text(fit: FitResult) -> str:
    rows = [
        (
            name,
            f"{estimate:.6g}",
            f"{error:.3g}",
            _number(estimate / error if error > 0 else math.nan, 3),
        )
        for name, estimate, error in zip(fit.names, fit.estimates, fit.standard_errors, strict=True)
    ]
    goodness = ", ".join(
        f"{name}: R² {fit.r_squared[name]:.3f}, RMSE {fit.rmse[name]:.4g}" for name in fit.r_squared
    )
    lines = [
        f"Least-squares fit ({fit.model}, {fit.observations} observations)",
        table(rows, ("parameter", "estimate", "std. error", "t")),
        f"Goodness of fit: {goodness}",
    ]
    lines += [f"note: {note}" for note in fit.notes]
    return "\n".join(lines)


def arms_race_text(result: ArmsRaceResult) -> str:
    race = result.race
    c = race.coefficients
    frame = result.to_frame()
    rows = [
        (
            str(int(row["year"])),
            f"{row[race.a]:.4g}",
            f"{row[race.b]:.4g}",
            f"{row[f'delivered_to_{race.a}']:g}",
            f"{row[f'delivered_to_{race.b}']:g}",
        )
        for _, row in frame.iterrows()
    ]
    eigen = ", ".join(
        f"{e.real:.4g}{e.imag:+.4g}i" if e.imag else f"{e.real:.4g}" for e in result.eigenvalues
    )
    x_star, y_star = result.equilibrium
    lines = [
        f"Richardson arms race {race.a} (x) and {race.b} (y), {race.units}; source: {race.source}",
        f"dx/dt = {c.k:g}·y − {c.a:g}·x + {c.g:g},  dy/dt = {c.l:g}·x − {c.b:g}·y + {c.h:g}",
        f"equilibrium: {race.a} {_number(x_star)}, {race.b} {_number(y_star)}; "
        f"{'stable' if result.stable else 'unstable'} "
        f"(a·b = {c.a * c.b:.4g} vs k·l = {c.k * c.l:.4g}; "
        f"eigenvalues {eigen})",
        table(rows, ("year", race.a, race.b, f"to {race.a}", f"to {race.b}")),
    ]
    return "\n".join(lines)


def attrition_text(result: AttritionResult) -> str:
    case = result.attrition
    frame = result.to_frame()
    a, b = case.a.name, case.b.name
    rows = [
        (
            str(int(row["day"])),
            f"{row[a]:,.0f}",
            f"{row[b]:,.0f}",
            f"{row[f'{a}_reinforcements']:,.0f}",
            f"{row[f'{b}_reinforcements']:,.0f}",
        )
        for _, row in frame.iterrows()
    ]
    law = (
        f"d{a}/dt = −{case.beta:g}·{b} + P_{a}(t),  d{b}/dt = −{case.alpha:g}·{a} + P_{b}(t)"
        if case.law == "square"
        else f"d{a}/dt = −{case.beta:g}·{a}·{b} + P_{a}(t),  "
        f"d{b}/dt = −{case.alpha:g}·{a}·{b} + P_{b}(t)"
    )
    lines = [
        f"{case.title or case.name}: Lanchester {case.law} law; source: {case.source}",
        law,
        table(rows, ("day", a, b, f"{a} arriving", f"{b} arriving")),
    ]
    return "\n".join(lines)
