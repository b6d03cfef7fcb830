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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from equipoise.analysis.assess import analysis_units, analyze
from equipoise.analysis.balance import balance
from equipoise.analysis.claims import analyze_claims, claims_report_from
from equipoise.analysis.deliveries import (
    PlanKey,
    apply_plan,
    delivered_holdings,
    holding_title,
    parse_delivery,
    plan_problems,
)
from equipoise.analysis.dynamics import arms_race
from equipoise.analysis.mapping import (
    AxisSpec,
    DeterrenceMap,
    axis_values,
    current_count,
    deterrence_map,
    holding_units,
    main_offensive_holding,
)
from equipoise.analysis.metrics import column_label, in_words
from equipoise.analysis.policies import parse_policy
from equipoise.analysis.policy import (
    Comparison,
    PolicyComparison,
    Recommendation,
    compare_plan,
    compare_policies,
    compare_policies_units,
    compared_policies,
    comparison_units,
    recommend,
    recommend_units,
)
from equipoise.analysis.results import AnalysisResult, clean, verdict
from equipoise.analysis.settings import Progress, RunSettings, progress_of
from equipoise.domain.loading import load_scenario
from equipoise.domain.scenario import Scenario
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
from equipoise.report.claims import zero_float_error

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
    seed: int | None
    trials: int
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "scenario": self.scenario,
                "title": self.title,
                "seed": self.seed,
                "trials": self.trials,
                "tables": self.tables,
            }
        )


@dataclass(frozen=True)
class Report:
    """Tables and figures of a scenario, ready to render as one HTML file."""

    scenario: Scenario
    data: ReportData
    figures: tuple[ReportFigure, ...]
    notes: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    """Sections rendered by their own modules (HTML), e.g. deliveries on record."""

    def html(self) -> str:
        return render(self)


def _delivered(
    scenario: Scenario, plan: dict[PlanKey, int], recipient: str
) -> tuple[str, float] | None:
    """The plan's largest delivered holding to ``recipient``: its key after the plan, and
    its launchers (offensive) or units (defence)."""
    best: tuple[str, float] | None = None
    for (supplier, package, to), quantity in sorted(plan.items()):
        if to != recipient or not quantity:
            continue
        for key, holding in delivered_holdings(scenario, supplier, package, to, quantity).items():
            count = float(holding_units(scenario, holding, holding.class_name(key)))
            if best is None or count > best[1]:
                best = (key, count)
    return best


def _map_for_dyad(
    scenario: Scenario, a: str, b: str, plan: dict[PlanKey, int]
) -> tuple[DeterrenceMap, tuple[float, float] | None, str, str] | None:
    """The dyad's deterrence map, drawn after the plan's deliveries (if any) so that its
    marked point is exactly the scenario the tables report (the same evaluator). When
    the plan arms one side, the delivered holding is the y axis and an arrow runs from
    none of it to all of it. The last item is the marked point's legend label: 'today'
    only when the map is of today's scenario."""
    mapped_on = apply_plan(scenario, plan) if plan else scenario
    for recipient, rival in ((a, b), (b, a)):
        delivered = _delivered(scenario, plan, recipient)
        rival_key = main_offensive_holding(scenario, rival)
        if delivered is None or rival_key is None:
            continue
        x_axis, y_axis = (rival, rival_key), (recipient, delivered[0])
        shift = delivered[1]
        break
    else:
        a_key, b_key = main_offensive_holding(scenario, a), main_offensive_holding(scenario, b)
        if a_key is None or b_key is None:
            return None
        x_axis, y_axis, shift = (a, a_key), (b, b_key), 0.0
    x_now = current_count(mapped_on, *x_axis)
    y_now = current_count(mapped_on, *y_axis)
    x_values = axis_values(0, max(2 * x_now, 10.0), MAP_STEPS)
    y_values = axis_values(0, max(2 * y_now, 10.0), MAP_STEPS)
    result = deterrence_map(
        mapped_on,
        a,
        b,
        AxisSpec(*x_axis, np.union1d(x_values, [x_now])),
        AxisSpec(*y_axis, np.union1d(y_values, [y_now - shift, y_now])),
        first_strike_advantage=False,
    )
    if not shift:
        when = "after the plan's deliveries" if plan else "today"
        return result, None, f"Regions of the expected-value exchange; the dot is {when}.", when
    result = replace(result, current=(x_now, y_now - shift))
    described = (
        f"Regions of the expected-value exchange after the plan's deliveries, with the "
        f"{shift:g} {result.y_unit} of {y_axis[0]}'s {holding_title(y_axis[1])} on the y "
        "axis: "
        "the arrow runs from none of them to all of them, and its head is the scenario "
        "after the plan."
    )
    return result, (x_now, y_now), described, "today's counts, after the plan's other deliveries"


def _findings(
    result: AnalysisResult, comparison: Comparison | None, plan: dict[PlanKey, int]
) -> list[dict[str, Any]]:
    """What the scenario says, one plain sentence per dyad, and what the deliveries
    change: the report opens with these."""
    rows = []
    after = {(d.a, d.b): d for d in comparison.after.dyads} if comparison else {}
    for dyad in result.dyads:
        status = dyad.status_named
        said = verdict(dyad)
        text = f"{status[:1].upper()}{status[1:]}. {said}"
        later = after.get((dyad.a, dyad.b))
        if later is not None and plan:
            change = (
                f"becomes {later.status_named}"
                if later.status != dyad.status
                else f"stays {later.status_named}"
            )
            text += f" After the deliveries the dyad {change}."
        rows.append({"dyad": f"{dyad.a}-{dyad.b}", "finding": text})
    return rows


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


def _recommendation(
    scenario: Scenario,
    policies: PolicyComparison,
    policy: str,
    settings: RunSettings,
    progress: Progress | None = None,
) -> Recommendation:
    """The policy's recommendation from the comparison already run, else a new search."""
    name = parse_policy(scenario, policy).name
    for item in policies.recommendations:
        if item.policy == name:
            return item
    return recommend(scenario, policy, settings=settings, progress=progress)


def _compared(scenario: Scenario, policy: str) -> bool:
    """Whether ``policy`` is one that the report's comparison of policies runs."""
    name = parse_policy(scenario, policy).name
    return name in {parse_policy(scenario, p).name for p in compared_policies(scenario)}


def report_units(
    scenario: Scenario,
    settings: RunSettings,
    *,
    deliveries: Sequence[str] = (),
    policy: str = "balancer",
) -> int:
    """The units :func:`build_report` reports to ``progress``: the trials before and after
    the what-if deliveries, the policies' searches and trials
    (:func:`compare_policies_units`, and the chosen policy's own if it is not among
    them), the trials of a plain analysis when there is neither, ``MAP_STEPS**2`` cells
    per dyad's map, and one per variant of the uncertain inputs. The figures, claims and
    time series are quick and not counted."""
    units = MAP_STEPS**2 * len(scenario.dyads)
    if deliveries:
        units += comparison_units(scenario, settings)
    if scenario.suppliers:
        units += compare_policies_units(scenario, settings)
        if not deliveries and not _compared(scenario, policy):
            units += recommend_units(scenario, policy, settings)
    elif not deliveries:
        units += analysis_units(scenario, settings)
    if scenario.uncertain:
        from equipoise.analysis.sensitivity import variants_for

        units += variants_for("oat", len(scenario.uncertain), 1)
    return units


def build_report(
    scenario: Scenario | str | Path,
    settings: RunSettings | None = None,
    *,
    deliveries: Sequence[str] = (),
    policy: str = "balancer",
    progress: Progress | bool | None = None,
) -> Report:
    """Every analysis the scenario supports, as tables and figures.

    ``progress`` receives the units done, out of :func:`report_units`; ``True`` shows a
    bar. Neither changes the report."""
    model = load_scenario(scenario)
    run = settings or RunSettings()

    def total() -> int:
        return report_units(model, run, deliveries=deliveries, policy=policy)

    with progress_of(progress, total, f"report {model.name}", unit="unit") as advance:
        return _build_report(model, run, deliveries, policy, advance)


def _build_report(
    scenario: Scenario,
    settings: RunSettings,
    deliveries: Sequence[str],
    policy: str,
    advance: Progress | None,
) -> Report:
    trials, seed = settings.trials, settings.seed
    caption = f"Scenario {scenario.name}, seed {seed}, {trials} trials per exchange."
    figures: list[ReportFigure] = []
    notes: list[str] = []
    data = ReportData(
        scenario.name, scenario.title, seed if isinstance(seed, int) else None, trials
    )
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
        comparison = compare_plan(scenario, plan, settings, progress=advance)
        data.tables["plan_source"] = [{"source": "what-if deliveries"}]
    policies: PolicyComparison | None = None
    if scenario.suppliers:
        policies = compare_policies(scenario, settings=settings, progress=advance)
    if not deliveries and policies is not None:
        recommendation = _recommendation(scenario, policies, policy, settings, advance)
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
                "note": recommendation.outcome.note,
            }
        ]
    result: AnalysisResult = (
        comparison.before if comparison else analyze(scenario, settings, progress=advance)
    )
    data.tables["dyads"] = _records(result.to_frame())
    data.tables["findings"] = _findings(result, comparison, plan)
    data.tables["calibration"] = [c.to_dict() for c in result.calibration]
    data.tables["interception"] = [
        {"dyad": f"{d.a}-{d.b}", **row} for d in result.dyads for row in d.to_dict()["interception"]
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
            grid, after, described, current = mapped
            figure = deterrence_map_figure(
                grid, after=after, current_label=current, caption=caption
            )
            figures.append(
                ReportFigure(name, f"Deterrence map, {name}", described, figure_bytes(figure))
            )
            point = after or grid.current
            marker = "after the plan" if plan else "today"
            data.tables.setdefault("map_points", []).append(
                {
                    "dyad": name,
                    "point": marker,
                    "x": point[0],
                    "y": point[1],
                    "status": grid.status_at(*point),
                }
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
                "Mean rounds per exchange killed by each defence layer, leaked through at "
                "value or at the defender's launchers, or lost before the defences (launch "
                "failures, arrival and jamming).",
                figure_bytes(interception_figure(dyad, caption=caption)),
            )
        )
        if advance is not None:
            advance(MAP_STEPS**2)

    if policies is not None:
        comparison_of_policies = policies
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
        claims_frame = report.to_frame()
        for column in ("mutual_deterrence_change", "fsa_variance_reduction"):
            claims_frame[column] = zero_float_error(claims_frame[column].tolist())
        data.tables["claims"] = _records(claims_frame)
        figures.append(
            ReportFigure(
                "claims",
                "Claims: posteriors and value of information",
                "Posterior = prior odds x likelihood ratios (documented assumptions).",
                figure_bytes(claims_figure(report, caption=caption)),
            )
        )
        data.tables["claims_status"] = [
            {
                "dyad": f"{a}-{b}",
                **{
                    in_words(label, *worlds.called(i)): p
                    for label, p in worlds.status_probabilities(i).items()
                },
            }
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
    if scenario.uncertain:
        _uncertainty_section(scenario, data, figures, caption, advance)
    if RECORD_SOURCE in scenario.sources:
        _record_section(data, figures, settings)
    from equipoise.report.transfers import transfers_section

    return Report(scenario, data, tuple(figures), tuple(notes), (transfers_section(scenario),))


def _uncertainty_section(
    scenario: Scenario,
    data: ReportData,
    figures: list[ReportFigure],
    caption: str,
    progress: Progress | None = None,
) -> None:
    """How each dyad's outputs move across the inputs the scenario declares uncertain,
    one at a time (expected-value metrics; the other inputs stay as they are)."""
    from equipoise.analysis.sensitivity import sensitivity
    from equipoise.plots.sensitivity import sensitivity_figure

    varies = [u.vary for u in scenario.uncertain]
    result = sensitivity(scenario, varies, method="oat", progress=progress)
    data.tables["sensitivity"] = _records(result.to_frame())
    sources = "; ".join(
        f"{u.path}: {u.low:g} to {u.high:g} ({u.source})" for u in scenario.uncertain
    )
    figures.append(
        ReportFigure(
            "uncertain inputs",
            "Which uncertain inputs move the verdict",
            f"Each bar: an output at the input's low and high end, the others as in the "
            f"scenario. Ranges: {sources}. {caption}",
            figure_bytes(sensitivity_figure(result)),
        )
    )


RECORD_SOURCE = "ua-air-defence"
"""A scenario citing this source gets the interception record's fit and backtest."""


def _record_section(data: ReportData, figures: list[ReportFigure], settings: RunSettings) -> None:
    """The interception record the scenario's classes were fitted to: the fit per family
    and the out-of-sample backtest (docs/model.md §12)."""
    from equipoise.records import backtest, fit_interception, interception_record
    from equipoise.report.interception import interception_report_parts

    record = interception_record()
    seed = settings.seed if isinstance(settings.seed, int) else 0
    tables, parts = interception_report_parts(
        fit_interception(record), backtest(record, seed=seed), section="records"
    )
    data.tables.update(tables)
    figures.extend(parts)


STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
.scroll { overflow-x: auto; max-width: 100%; }
.findings li { margin: 0.4em 0; }
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
        return _number(value)
    if value is None:
        return ""
    return html.escape(str(value))


def _number(value: float) -> str:
    """Fixed decimals a reader can compare down a column (no 3.125e-05)."""
    if not math.isfinite(value):
        return ""
    size = abs(value)
    if size == 0:
        return "0"
    if size < 0.001:
        return "&lt;0.001" if value > 0 else "&gt;-0.001"
    if size < 10:
        return f"{value:.3f}"
    if size < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _table(
    rows: list[dict[str, Any]],
    columns: Sequence[str] | None = None,
    sides: tuple[str, str] | None = None,
) -> str:
    """A table with the registry's headers (:func:`column_label`; A and B named by
    ``sides`` when the table is one dyad's), in a box that scrolls sideways if wide."""
    if not rows:
        return "<p>none</p>"
    names = list(columns) if columns else list(rows[0])
    head = "".join(f"<th>{html.escape(column_label(n, sides))}</th>" for n in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(n))}</td>" for n in names) + "</tr>" for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='scroll'>{table}</div>"


NO_RANGE = "—"
"""The low and high cells of a closed bargaining range: there is no range to bound
(low > high, no deal both prefer to war; `analyze` says CLOSED). The numbers stay in
the report's data."""
RANGE_ENDS = ("bargaining_low", "bargaining_high")


def _closed_range_cells(row: dict[str, Any]) -> dict[str, Any]:
    """A dyad row as shown: a closed range's low and high as a dash."""
    if row.get("bargaining_closed") is not True:
        return row
    return {**row, **dict.fromkeys(RANGE_ENDS, NO_RANGE)}


def _closed_range_changes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes table as shown: a range end is a dash where the range is closed, and
    an end that moved while the range stayed closed is no change to show."""
    closed = {
        row["dyad"]: (row.get("before") is True, row.get("after") is True)
        for row in rows
        if row.get("column") == "bargaining_closed"
    }
    shown = []
    for row in rows:
        before, after = closed.get(row.get("dyad"), (False, False))
        if row.get("column") not in RANGE_ENDS or not (before or after):
            shown.append(row)
        elif not (before and after):
            shown.append(
                {
                    **row,
                    **({"before": NO_RANGE} if before else {}),
                    **({"after": NO_RANGE} if after else {}),
                }
            )
    return shown


def _one_dyad(scenario: Scenario, rows: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The names of the states of the one dyad a table's rows are all about, if any."""
    shown = {row.get("dyad") for row in rows}
    for pair in scenario.dyads:
        if shown == {f"{pair.a}-{pair.b}"}:
            return scenario.called(pair.a), scenario.called(pair.b)
    return None


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
    parts.append("<h2>Findings</h2><ul class='findings'>")
    parts += [
        f"<li><b>{html.escape(row['dyad'])}</b>: {html.escape(row['finding'])}</li>"
        for row in tables["findings"]
    ]
    parts.append("</ul>")
    parts.append("<h2>States</h2>")
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
            [_closed_range_cells(row) for row in tables["dyads"]],
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
        if tables["plan"]:
            parts.append(_table(tables["plan"]))
        else:
            parts.append(
                "<p>None: under the policy's objective no feasible plan scores higher than "
                f"delivering nothing ({html.escape(str(source.get('note', '')))}).</p>"
            )
        changed = [
            row
            for row in _closed_range_changes(tables["changes"])
            if row.get("changed") or row.get("expected_changed")
        ]
        parts.append("<h3>What changes</h3>")
        columns = [
            "dyad",
            "state",
            "metric",
            "before",
            "after",
            "expected_before",
            "expected_after",
        ]
        parts.append(_table(changed, columns))
    for section in dict.fromkeys(f.section for f in report.figures):
        if section in ("policies", "claims", "time series", "records", "uncertain inputs"):
            continue
        parts.append(f"<h2>Dyad {html.escape(section)}</h2>")
        parts += [_figure_html(f) for f in report.figures if f.section == section]
    if "policies" in tables:
        parts.append("<h2>Supplier policies compared</h2>")
        parts.append(_table(tables["policies"], sides=_one_dyad(scenario, tables["policies"])))
        parts += [_figure_html(f) for f in report.figures if f.section == "policies"]
    if "claims" in tables:
        parts.append("<h2>Reports of uncertain credibility</h2>")
        parts.append(_table(tables["claims"]))
        parts.append(_table(tables["claims_status"]))
        parts += [_figure_html(f) for f in report.figures if f.section == "claims"]
    if "sensitivity" in tables:
        parts.append("<h2>Which uncertain inputs move the verdict</h2>")
        parts += [_figure_html(f) for f in report.figures if f.section == "uncertain inputs"]
    if "interception_fit" in tables:
        parts.append("<h2>The interception record behind the fitted classes</h2>")
        parts.append(_table(tables["interception_fit"]))
        parts.append(_table(tables["interception_backtest"]))
        parts += [_figure_html(f) for f in report.figures if f.section == "records"]
    if any(f.section == "time series" for f in report.figures):
        parts.append("<h2>Time series</h2>")
        if "arms_race" in tables and scenario.arms_race is not None:
            race = scenario.arms_race
            sides = scenario.called(race.a), scenario.called(race.b)
            parts.append(_table(tables["arms_race"], sides=sides))
        parts += [_figure_html(f) for f in report.figures if f.section == "time series"]
    parts += list(report.sections)
    parts.append(
        "<p><small>Made by equipoise. Models and their sources: Hughes (1995), Armstrong (2005), "
        "Intriligator &amp; Brito (1984), Fearon (1995), Richardson (1960), Lanchester (1916), "
        "Singer, Bremer &amp; Stuckey (1972).</small></p></body></html>"
    )
    return "".join(parts)
