"""A self-contained HTML report of a scenario: tables and figures in one file.

Every figure is embedded as a base64 PNG; the page loads nothing from anywhere.
The numbers behind the report are kept apart (``ReportData``) so that they can be
pinned by golden tests independently of the pixels.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from equipoise.analysis.assess import analyze
from equipoise.analysis.balance import balance
from equipoise.analysis.claims import analyze_claims, claims_report_from
from equipoise.analysis.dynamics import arms_race
from equipoise.analysis.mapping import (
    AxisSpec,
    DeterrenceMap,
    axis_values,
    current_count,
    deterrence_map,
)
from equipoise.analysis.policy import (
    Comparison,
    compare_plan,
    compare_policies,
    parse_delivery,
    recommend,
)
from equipoise.analysis.results import AnalysisResult, clean
from equipoise.analysis.supply import PlanKey, delivered_holdings, plan_problems
from equipoise.domain.scenario import OffensiveClass, Scenario
from equipoise.plots import figure_bytes
from equipoise.plots.figures import (
    arms_race_figure,
    balance_figure,
    claims_figure,
    damage_figure,
    deterrence_map_figure,
    interception_figure,
    policy_figure,
    worlds_figure,
)

MAP_STEPS = 25
BALANCE_YEARS = (1990, 2016)


@dataclass(frozen=True)
class ReportFigure:
    """One embedded figure: where it goes, its caption, its PNG."""

    section: str
    title: str
    caption: str
    png: bytes


@dataclass
class ReportData:
    """The numeric tables of a report (what golden tests pin)."""

    scenario: str
    title: str
    seed: int
    trials: int
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = clean(
            {
                "scenario": self.scenario,
                "title": self.title,
                "seed": self.seed,
                "trials": self.trials,
                "tables": self.tables,
            }
        )
        return data


@dataclass(frozen=True)
class Report:
    """Tables and figures of a scenario, ready to render as one HTML file."""

    scenario: Scenario
    data: ReportData
    figures: tuple[ReportFigure, ...]
    notes: tuple[str, ...] = ()

    def html(self) -> str:
        return render(self)


def _main_offensive_holding(scenario: Scenario, state: str) -> str | None:
    """The state's offensive holding with the largest per-wave deliverable damage."""
    best, best_value = None, -1.0
    for key, holding in scenario.states[state].inventory.items():
        system = scenario.classes[holding.class_name(key)]
        if not isinstance(system, OffensiveClass) or holding.not_cleared_against:
            continue
        value = (
            (holding.launchers or 0)
            * system.rounds_per_launcher_per_wave
            * system.reliability
            * system.arrival
            * system.damage
        )
        if value > best_value:
            best, best_value = key, value
    return best


def _axis_key(scenario: Scenario, state: str, class_name: str) -> str:
    """The state's own holding of a class (to vary on a map axis), or the class itself."""
    for key, holding in scenario.states[state].inventory.items():
        if holding.class_name(key) == class_name and not holding.supplied_by:
            return key
    return class_name


def _delivered_units(
    scenario: Scenario, plan: dict[PlanKey, int], recipient: str
) -> dict[str, float]:
    """Delivered launchers (offensive) or units (defence) per class for one recipient."""
    out: dict[str, float] = {}
    for (supplier, package, to), quantity in plan.items():
        if to != recipient or not quantity:
            continue
        for key, holding in delivered_holdings(scenario, supplier, package, to, quantity).items():
            class_name = holding.class_name(key)
            count = (
                holding.launchers
                if isinstance(scenario.classes[class_name], OffensiveClass)
                else holding.units
            )
            out[class_name] = out.get(class_name, 0.0) + float(count or 0)
    return out


def _map_for_dyad(
    scenario: Scenario, a: str, b: str, plan: dict[PlanKey, int]
) -> tuple[DeterrenceMap, tuple[float, float] | None, str] | None:
    """The dyad's deterrence map: an axis for the delivered class when the plan arms one side."""
    for recipient, rival in ((a, b), (b, a)):
        delivered = _delivered_units(scenario, plan, recipient)
        if not delivered:
            continue
        class_name = max(delivered, key=lambda name: delivered[name])
        rival_key = _main_offensive_holding(scenario, rival)
        if rival_key is None:
            continue
        y_key = _axis_key(scenario, recipient, class_name)
        x_axis = (rival, rival_key)
        y_axis = (recipient, y_key)
        shift = (0.0, delivered[class_name])
        break
    else:
        a_key, b_key = _main_offensive_holding(scenario, a), _main_offensive_holding(scenario, b)
        if a_key is None or b_key is None:
            return None
        x_axis, y_axis, shift = (a, a_key), (b, b_key), (0.0, 0.0)
    x_now = current_count(scenario, *x_axis)
    y_now = current_count(scenario, *y_axis)
    x_values = axis_values(0, max(2 * x_now, 10.0), MAP_STEPS)
    y_values = axis_values(0, max(2 * y_now, y_now + 2 * shift[1], 10.0), MAP_STEPS)
    result = deterrence_map(
        scenario,
        a,
        b,
        AxisSpec(*x_axis, x_values),
        AxisSpec(*y_axis, y_values),
        first_strike_advantage=False,
    )
    after = None
    described = "Regions of the expected-value exchange; the dot is today's count on each axis."
    if shift[1]:
        after = (x_now + shift[0], y_now + shift[1])
        described += (
            f" The arrow shows the {shift[1]:g} {result.y_unit} of {y_axis[1]} delivered to "
            f"{y_axis[0]}; other deliveries in the plan change the regions, not the point."
        )
    return result, after, described


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _capability_rows(scenario: Scenario) -> list[dict[str, Any]]:
    from equipoise.analysis.bargaining import state_capability

    rows = []
    for name, state in scenario.states.items():
        rows.append(
            {
                "state": name,
                "name": state.name,
                "value_at_risk": state.value_at_risk,
                "unacceptable_damage": state.unacceptable_damage,
                "war_cost": state.war_cost,
                "cinc": state_capability(scenario, name),
                "source": state.source,
            }
        )
    return rows


def build_report(
    scenario: Scenario,
    *,
    trials: int = 4_000,
    seed: int = 0,
    deliveries: Sequence[str] = (),
    policy: str = "balancer",
) -> Report:
    """Every analysis the scenario supports, as tables and figures."""
    caption = f"Scenario {scenario.name}, seed {seed}, {trials} trials per exchange."
    figures: list[ReportFigure] = []
    notes: list[str] = []
    data = ReportData(scenario.name, scenario.title, seed, trials)
    data.tables["states"] = _capability_rows(scenario)

    plan: dict[PlanKey, int] = {}
    comparison: Comparison | None = None
    if deliveries:
        for text in deliveries:
            key, quantity = parse_delivery(scenario, text)
            plan[key] = plan.get(key, 0) + quantity
        notes += [
            f"what-if delivery breaks a supplier rule: {p}" for p in plan_problems(scenario, plan)
        ]
        comparison = compare_plan(scenario, plan, trials=trials, seed=seed)
        data.tables["plan_source"] = [{"source": "what-if deliveries"}]
    elif scenario.suppliers:
        recommendation = recommend(scenario, policy, trials=trials, seed=seed)
        comparison = recommendation.comparison
        plan = {
            (line.supplier, line.package, line.recipient): line.quantity
            for line in comparison.plan.lines
        }
        data.tables["plan_source"] = [
            {
                "source": f"recommended by the {policy} policy",
                "method": recommendation.outcome.method,
                "proven_optimal": recommendation.outcome.proven_optimal,
            }
        ]
    result: AnalysisResult = (
        comparison.before if comparison else analyze(scenario, trials=trials, seed=seed)
    )
    data.tables["dyads"] = _records(result.to_frame())
    data.tables["calibration"] = [c.to_dict() for c in result.calibration]
    data.tables["interception"] = [
        {
            "dyad": f"{d.a}-{d.b}",
            "strike": u.strike,
            "defender": u.defender,
            "layer": u.layer,
            "intercepted": u.intercepted,
            "launched": u.launched,
            "leaked": u.leaked,
        }
        for d in result.dyads
        for u in d.layer_use
    ]
    if comparison is not None:
        data.tables["plan"] = _records(comparison.plan.to_frame())
        data.tables["changes"] = [
            {k: v for k, v in row.items() if k != "change"} for row in comparison.rows()
        ]
        data.tables["after"] = _records(comparison.after.to_frame())

    for dyad in result.dyads:
        name = f"{dyad.a}-{dyad.b}"
        mapped = _map_for_dyad(scenario, dyad.a, dyad.b, plan)
        if mapped is not None:
            grid, after, described = mapped
            figures.append(
                ReportFigure(
                    name,
                    f"Deterrence map, {name}",
                    described,
                    figure_bytes(deterrence_map_figure(grid, after=after, caption=caption)),
                )
            )
            frame = grid.to_frame()
            data.tables[f"map_{name}"] = [
                {"status": status, "cells": int(count)}
                for status, count in frame["status"].value_counts().sort_index().items()
            ]
        figures.append(
            ReportFigure(
                name,
                f"Damage distributions, {name}",
                "Damage each side suffers when it strikes first (the rival's retaliation) and when "
                "it is struck first, over the trials; dashed: its unacceptable damage.",
                figure_bytes(damage_figure(dyad, caption=caption)),
            )
        )
        figures.append(
            ReportFigure(
                name,
                f"Interception by layer, {name}",
                "Mean rounds per exchange killed by each defence layer, leaked, or lost before "
                "arriving (launch failures and jamming).",
                figure_bytes(interception_figure(dyad, caption=caption)),
            )
        )

    if scenario.suppliers:
        comparison_of_policies = compare_policies(scenario, trials=min(trials, 2_000), seed=seed)
        data.tables["policies"] = _records(comparison_of_policies.to_frame())
        figures.append(
            ReportFigure(
                "policies",
                "Supplier policies compared",
                "First-strike advantage and bargaining range per dyad under each policy.",
                figure_bytes(policy_figure(comparison_of_policies, caption=caption)),
            )
        )

    if scenario.claims is not None:
        worlds = analyze_claims(scenario, seed=seed, probabilities=False)
        report = claims_report_from(worlds)
        data.tables["claims"] = _records(report.to_frame())
        figures.append(
            ReportFigure(
                "claims",
                "Claims: posteriors and value of information",
                "Posterior = prior odds x likelihood ratios (documented assumptions).",
                figure_bytes(claims_figure(report, caption=caption)),
            )
        )
        data.tables["claims_status"] = [
            {"dyad": f"{a}-{b}", **worlds.status_probabilities(i)}
            for i, (a, b) in enumerate(worlds.dyads)
        ]
        figures.append(
            ReportFigure(
                "claims",
                "Deterrence status over the possible worlds",
                "Probability of each status given the claims' posteriors.",
                figure_bytes(worlds_figure(worlds, caption=caption)),
            )
        )

    if scenario.arms_race is not None:
        race = arms_race(scenario.arms_race)
        data.tables["arms_race"] = [
            {
                "equilibrium_a": race.equilibrium[0],
                "equilibrium_b": race.equilibrium[1],
                "stable": race.stable,
                "final_a": float(race.trajectory[-1, 0]),
                "final_b": float(race.trajectory[-1, 1]),
            }
        ]
        figures.append(
            ReportFigure(
                "time series",
                "Richardson arms race",
                f"{scenario.arms_race.units}; source: {scenario.arms_race.source}.",
                figure_bytes(arms_race_figure(race, caption=caption)),
            )
        )
    for pair in scenario.dyads:
        a_cap = scenario.states[pair.a].capability
        b_cap = scenario.states[pair.b].capability
        if a_cap is not None and b_cap is not None and a_cap.source == b_cap.source == "nmc":
            trend = balance(a_cap.state or pair.a, b_cap.state or pair.b, BALANCE_YEARS)
            frame = trend.to_frame()
            data.tables[f"balance_{pair.a}-{pair.b}"] = [
                {"year": int(row["year"]), "ratio": float(row["capability_ratio"])}
                for _, row in frame.iterrows()
                if int(row["year"]) % 5 == 0 or int(row["year"]) == BALANCE_YEARS[1]
            ]
            figures.append(
                ReportFigure(
                    "time series",
                    f"Capabilities {pair.a}-{pair.b}, {BALANCE_YEARS[0]}-{BALANCE_YEARS[1]}",
                    "CINC from the Correlates of War NMC data and the contest probability.",
                    figure_bytes(balance_figure(trend)),
                )
            )
    return Report(scenario, data, tuple(figures), tuple(notes))


STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: right; }
th { background: #eee; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #555; }
.note { color: #8a4b00; }
"""


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.4g}"
    if value is None:
        return ""
    return html.escape(str(value))


def _table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "<p>none</p>"
    names = list(columns) if columns else list(rows[0])
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(n))}</td>" for n in names) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(figure: ReportFigure) -> str:
    encoded = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(figure.title)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption><b>{html.escape(figure.title)}.</b> {html.escape(figure.caption)}"
        "</figcaption></figure>"
    )


def render(report: Report) -> str:
    """The report as one HTML document (no external resources)."""
    scenario, data = report.scenario, report.data
    tables = data.tables
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>equipoise report: {html.escape(scenario.name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(scenario.title)}</h1>",
        f"<p>Scenario <code>{html.escape(scenario.name)}</code>; seed {data.seed}; "
        f"{data.trials} trials per exchange. Numbers are illustrative unless the scenario "
        "cites a source; see the scenario's <code>sources</code> and each entry's "
        "<code>source</code>.</p>",
        f"<p>{html.escape(scenario.description)}</p>",
    ]
    parts += [f"<p class='note'>{html.escape(note)}</p>" for note in report.notes]
    parts.append("<h2>Summary</h2>")
    parts.append(_table(tables["states"]))
    if scenario.sources:
        parts.append(
            "<ul>"
            + "".join(
                f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                for k, v in scenario.sources.items()
            )
            + "</ul>"
        )
    parts.append("<h2>Deterrence by dyad</h2>")
    parts.append(
        _table(
            tables["dyads"],
            [
                "dyad",
                "state",
                "status",
                "deterred",
                "first_strike_advantage",
                "second_strike_survivability",
                "retaliation_probability",
                "damage_suffered_striking_first",
                "damage_suffered_struck_first",
                "bargaining_low",
                "bargaining_high",
                "bargaining_closed",
            ],
        )
    )
    if tables.get("calibration"):
        parts.append("<h3>Calibration</h3>")
        parts.append(
            _table(
                [
                    {
                        "case": c["name"],
                        "reported": c["reported_neutralised_share"],
                        "tolerance": c["tolerance"],
                        "model": c["model_neutralised_share"]["expected_value_form"],
                        "within band": c["within_band"],
                    }
                    for c in tables["calibration"]
                ]
            )
        )
    if "plan" in tables:
        source = tables["plan_source"][0]
        parts.append(f"<h2>Deliveries ({html.escape(str(source['source']))})</h2>")
        parts.append(_table(tables["plan"]))
        changed = [row for row in tables["changes"] if row.get("changed")]
        parts.append("<h3>What changes</h3>")
        parts.append(_table(changed, ["dyad", "state", "metric", "before", "after"]))
    for section in dict.fromkeys(f.section for f in report.figures):
        if section in ("policies", "claims", "time series"):
            continue
        parts.append(f"<h2>Dyad {html.escape(section)}</h2>")
        parts += [_figure_html(f) for f in report.figures if f.section == section]
    if "policies" in tables:
        parts.append("<h2>Supplier policies compared</h2>")
        parts.append(_table(tables["policies"]))
        parts += [_figure_html(f) for f in report.figures if f.section == "policies"]
    if "claims" in tables:
        parts.append("<h2>Reports of uncertain credibility</h2>")
        parts.append(_table(tables["claims"]))
        parts.append(_table(tables["claims_status"]))
        parts += [_figure_html(f) for f in report.figures if f.section == "claims"]
    if any(f.section == "time series" for f in report.figures):
        parts.append("<h2>Time series</h2>")
        if "arms_race" in tables:
            parts.append(_table(tables["arms_race"]))
        parts += [_figure_html(f) for f in report.figures if f.section == "time series"]
    parts.append(
        "<p><small>Made by equipoise. Models and their sources: Hughes (1995), Armstrong (2005), "
        "Intriligator &amp; Brito (1984), Fearon (1995), Richardson (1960), Lanchester (1916), "
        "Singer, Bremer &amp; Stuckey (1972).</small></p></body></html>"
    )
    return "".join(parts)
