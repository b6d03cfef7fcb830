"""What the explorer computes, as pure functions of a scenario and the panels' state.

Nothing here knows about Shiny: the web app (:mod:`equipoise.app.server`) reads its
inputs into a :class:`View`, calls :func:`compute` and shows the result, so the same
numbers can be tested and benchmarked without a browser. Every number comes from
the library's one evaluator (docs/model.md §3-§4): :func:`evaluate_scenario` for the
metrics table, :func:`deterrence_map` (without the first-strike search) for the map,
the claims' posteriors (docs/model.md §9) for the possible worlds, and the supplier
rules of docs/model.md §8 for what-if deliveries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from equipoise.analysis.claims import (
    ClaimPosterior,
    WorldAnalysis,
    build_worlds,
    claim_groups,
    claim_items,
    claim_posteriors,
    dyad_names,
)
from equipoise.analysis.deliveries import PlanKey, apply_items, apply_plan, plan_problems
from equipoise.analysis.evaluator import Metrics, dyad_models, evaluate, evaluate_scenario
from equipoise.analysis.forces import side_parties
from equipoise.analysis.mapping import (
    AxisSpec,
    DeterrenceMap,
    axis_values,
    current_count,
    deterrence_map,
    holding_count,
    is_offensive,
    main_offensive_holding,
    set_holdings,
)
from equipoise.analysis.metrics import (
    DYAD_METRICS,
    SIDE_METRICS,
    in_words,
    status_label,
)
from equipoise.domain.loading import read_text_file, scenario_from_text
from equipoise.domain.scenario import Scenario
from equipoise.engines.worlds import group_outcomes
from equipoise.errors import EquipoiseError, ScenarioError

ClaimMode = Literal["weighted", "true", "false"]
CLAIM_MODES: tuple[ClaimMode, ...] = ("weighted", "true", "false")
MAP_STEPS = 41
MAX_UPLOAD_BYTES = 1_000_000
"""Largest scenario file the app accepts as an upload (a file on disk may have 10 MB)."""
Axis = tuple[str, str]
"""A map axis or a slider: (party, inventory key)."""


# --- editing a scenario ------------------------------------------------------------------


def edit_scenario(
    scenario: Scenario,
    counts: Mapping[Axis, int] | None = None,
    unacceptable_damage: Mapping[str, float] | None = None,
) -> Scenario:
    """The scenario with some holdings set to new counts (:func:`set_holdings`) and some
    states' unacceptable damage changed (a modified copy; the original is untouched)."""
    changed = set_holdings(scenario, counts or {})
    damage = unacceptable_damage or {}
    states = {
        name: state.model_copy(update={"unacceptable_damage": float(damage[name])})
        if name in damage and not math.isclose(damage[name], state.unacceptable_damage)
        else state
        for name, state in changed.states.items()
    }
    return changed.model_copy(update={"states": states})


@dataclass(frozen=True)
class Slider:
    """One holding a slider moves; ``index`` numbers it among all the scenario's
    holdings (:func:`all_holdings`), so that it keeps its place across dyads."""

    party: str
    key: str
    label: str
    value: int
    maximum: int
    index: int


def all_holdings(scenario: Scenario) -> list[Axis]:
    """Every (party, key) of the scenario: the states' holdings, then the backers'."""
    parties = [*scenario.states, *scenario.backers]
    return [(party, key) for party in parties for key in scenario.party_inventory(party)]


def sliders(scenario: Scenario, a: str, b: str) -> tuple[Slider, ...]:
    """A slider for every holding of both sides of dyad (a, b), up to 3x today's count."""
    number = {holding: i for i, holding in enumerate(all_holdings(scenario))}
    out = []
    for state, rival in ((a, b), (b, a)):
        for party in side_parties(scenario, state, rival):
            for key, holding in scenario.party_inventory(party).items():
                value = holding_count(scenario, party, key)
                what = "launchers" if is_offensive(scenario, party, key) else "units"
                system = holding.class_name(key)
                name = key if system == key else f"{key} ({system})"
                label = f"{party} {name}, {what}"
                maximum = max(3 * value, 20)
                out.append(Slider(party, key, label, value, maximum, number[(party, key)]))
    return tuple(out)


def axis_choices(scenario: Scenario, a: str, b: str) -> list[Axis]:
    """Every holding either side of the dyad could put on a map axis."""
    return [
        (party, key)
        for state, rival in ((a, b), (b, a))
        for party in side_parties(scenario, state, rival)
        for key in scenario.party_inventory(party)
    ]


def default_axes(scenario: Scenario, a: str, b: str) -> tuple[Axis, Axis]:
    """A's main offensive holding against B's, else the first two holdings."""
    choices = axis_choices(scenario, a, b)
    x_key, y_key = main_offensive_holding(scenario, a), main_offensive_holding(scenario, b)
    x = (a, x_key) if x_key else choices[0]
    y = (b, y_key) if y_key else next(c for c in choices if c != x)
    return x, y


# --- claims ------------------------------------------------------------------------------


def conditioned_posteriors(
    scenario: Scenario, modes: Mapping[str, ClaimMode]
) -> tuple[ClaimPosterior, ...]:
    """The claims' posteriors given the claims assumed true or false.

    Within a group of exclusive claims the outcomes (none, one of them) are
    conditioned on what is assumed: an assumed-true claim takes the whole group, an
    assumed-false one drops out and the others are renormalised (Bayes' rule).
    """
    block = scenario.claims
    if block is None:
        return ()
    posteriors = claim_posteriors(block)
    values = np.array([p.posterior for p in posteriors])
    for group in claim_groups(block):
        outcomes = group_outcomes(values[group])
        chosen = [modes.get(posteriors[i].name, "weighted") for i in group]
        if "true" in chosen:
            outcomes = np.zeros_like(outcomes)
            outcomes[1 + chosen.index("true")] = 1.0
        for position, mode in enumerate(chosen):
            if mode == "false":
                outcomes[1 + position] = 0.0
        total = float(outcomes.sum())
        values[group] = outcomes[1:] / total if total > 0 else 0.0
    return tuple(replace(p, posterior=float(v)) for p, v in zip(posteriors, values, strict=True))


# --- the computation behind every panel --------------------------------------------------


@dataclass(frozen=True)
class View:
    """The panels' state: the scenario as loaded and every change the user made."""

    scenario: Scenario
    dyad: int = 0
    counts: Mapping[Axis, int] = field(default_factory=dict)
    unacceptable_damage: Mapping[str, float] = field(default_factory=dict)
    claims: Mapping[str, ClaimMode] = field(default_factory=dict)
    plan: Mapping[PlanKey, int] = field(default_factory=dict)
    x: Axis | None = None
    y: Axis | None = None
    steps: int = MAP_STEPS


def edited(view: View) -> Scenario:
    """The scenario after the sliders, the claims assumed true and the what-if plan."""
    return _after(view)[0]


def _after(view: View) -> tuple[Scenario, Scenario, tuple[ClaimPosterior, ...]]:
    """(after every change, after the sliders and plan only, conditioned posteriors)."""
    scenario = edit_scenario(view.scenario, view.counts, view.unacceptable_damage)
    if view.plan:
        scenario = apply_plan(scenario, view.plan)
    posteriors = conditioned_posteriors(view.scenario, view.claims)
    if not posteriors or view.scenario.claims is None:
        return scenario, scenario, posteriors
    items = claim_items(scenario, view.scenario.claims)
    true = [float(view.claims.get(p.name) == "true") for p in posteriors]
    return apply_items(scenario, items, true), scenario, posteriors


def changes(view: View) -> list[str]:
    """The view's changes to the loaded scenario, in words (shown above the table)."""
    base = view.scenario
    out = [
        f"{party}.{key}: {holding_count(base, party, key)} -> {count}"
        for (party, key), count in view.counts.items()
        if count != holding_count(base, party, key)
    ]
    out += [
        f"{state} unacceptable damage: {base.states[state].unacceptable_damage:g} -> {value:g}"
        for state, value in view.unacceptable_damage.items()
        if not math.isclose(value, base.states[state].unacceptable_damage)
    ]
    out += [
        f"claim {name} assumed {mode}" for name, mode in view.claims.items() if mode != "weighted"
    ]
    out += [
        f"{supplier} delivers {recipient} {quantity} x {package}"
        for (supplier, package, recipient), quantity in view.plan.items()
        if quantity
    ]
    return out


@dataclass(frozen=True)
class Row:
    """One line of the metrics table: today (as loaded) and after every change."""

    metric: str
    state: str
    today: float | str
    after: float | str


@dataclass(frozen=True)
class Computed:
    """Everything the panels show for one view."""

    scenario: Scenario
    a: str
    b: str
    rows: tuple[Row, ...]
    map: DeterrenceMap
    today_point: tuple[float, float]
    after_point: tuple[float, float]
    worlds: WorldAnalysis | None
    posteriors: tuple[ClaimPosterior, ...]


def metric_rows(
    before: Metrics,
    after: Metrics,
    column: int,
    a: str,
    b: str,
    names: tuple[str, str] | None = None,
) -> tuple[Row, ...]:
    """The metrics table, labelled from the metric registry (docs/model.md §3), with the
    states' ``names`` (default: their codes) for A and B in labels and statuses, as
    ``analyze`` writes them."""
    called = names or (a, b)
    rows = []
    for metric in SIDE_METRICS:
        if not metric.arrays:
            continue
        for state, name in zip((a, b), metric.arrays, strict=True):
            if metric.name == "deterred":
                today: float | str = "yes" if before.values[name][0, column] else "no"
                later: float | str = "yes" if after.values[name][0, column] else "no"
            else:
                today = float(before.values[name][0, column])
                later = float(after.values[name][0, column])
            rows.append(Row(metric.label, state, today, later))
    for metric in DYAD_METRICS:
        if metric.name == "status":
            words = [
                in_words(
                    status_label(
                        bool(m.values["a_deterred"][0, column]),
                        bool(m.values["b_deterred"][0, column]),
                    ),
                    *called,
                )
                for m in (before, after)
            ]
            rows.append(Row(metric.label, f"{a}-{b}", words[0], words[1]))
            continue
        if metric.name == "bargaining_closed":
            values = [
                "yes" if m.values["range_closed"][0, column] else "no" for m in (before, after)
            ]
            rows.append(Row(metric.label, f"{a}-{b}", values[0], values[1]))
            continue
        name = metric.arrays[0]
        rows.append(
            Row(
                in_words(metric.label, *called),
                f"{a}-{b}",
                float(before.values[name][0, column]),
                float(after.values[name][0, column]),
            )
        )
    return tuple(rows)


def _axis_values(today: float, after: float, steps: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    top = max(2 * max(today, after), 10.0)
    return np.union1d(axis_values(0, top, steps), [today, after])


def compute(view: View, *, first_strike: bool = True) -> Computed:
    """The metrics table, the deterrence map and the claims' worlds for one view.

    The table runs the evaluator on the scenario as loaded and after every change
    (with the first-strike search when ``first_strike``); the map is the edited
    scenario's, without the first-strike search, its dot the loaded scenario's counts
    of the two axis holdings and its diamond the edited scenario's.
    """
    base = view.scenario
    dyad = base.dyads[view.dyad]
    a, b = dyad.a, dyad.b
    after, without_claims, posteriors = _after(view)
    before_metrics = evaluate_scenario(base, first_strike=first_strike)
    after_metrics = evaluate_scenario(after, first_strike=first_strike)
    names = base.called(a), base.called(b)
    rows = metric_rows(before_metrics, after_metrics, view.dyad, a, b, names)

    default_x, default_y = default_axes(after, a, b)
    x, y = view.x or default_x, view.y or default_y

    def count(scenario: Scenario, axis: Axis) -> float:
        if axis[1] not in scenario.party_inventory(axis[0]):
            return 0.0
        return current_count(scenario, *axis)

    today_point = (count(base, x), count(base, y))
    after_point = (count(after, x), count(after, y))
    grid = deterrence_map(
        after,
        a,
        b,
        AxisSpec(*x, _axis_values(today_point[0], after_point[0], view.steps)),
        AxisSpec(*y, _axis_values(today_point[1], after_point[1], view.steps)),
        first_strike_advantage=False,
    )
    grid = replace(grid, current=today_point)
    worlds = None
    block = base.claims
    if block is not None and any(
        view.claims.get(p.name, "weighted") == "weighted" for p in posteriors
    ):
        worlds = claim_worlds(without_claims, block, posteriors)
    return Computed(after, a, b, rows, grid, today_point, after_point, worlds, posteriors)


def claim_worlds(
    scenario: Scenario, block: Any, posteriors: Sequence[ClaimPosterior]
) -> WorldAnalysis:
    """Every dyad over the possible worlds of the claims, with the conditioned
    posteriors (expected-value metrics only: no retaliation trials, for speed)."""
    items = claim_items(scenario, block)
    worlds = build_worlds(block, posteriors, 0)
    metrics = evaluate(
        scenario, items, worlds.truth.astype(float), models=dyad_models(scenario, items)
    )
    missing = np.full(metrics.values["p_retaliation_a"].shape, np.nan)
    return WorldAnalysis(
        scenario.name,
        tuple(posteriors),
        worlds,
        metrics,
        missing,
        missing,
        tuple((d.a, d.b) for d in scenario.dyads),
        0,
        0,
        dyad_names(scenario),
    )


def try_delivery(
    scenario: Scenario, plan: Mapping[PlanKey, int], key: PlanKey, quantity: int
) -> tuple[dict[PlanKey, int], list[str]]:
    """The plan with one more delivery, or the plan unchanged and the supplier rules the
    delivery would break (red lines, caps, budgets: docs/model.md §8)."""
    candidate = dict(plan)
    candidate[key] = candidate.get(key, 0) + quantity
    problems = plan_problems(scenario, candidate)
    if problems:
        return dict(plan), problems
    return candidate, []


def catalogue(scenario: Scenario) -> list[tuple[str, str, str]]:
    """(supplier, package, description) of every package any supplier offers."""
    return [
        (supplier_name, package_name, package.description or "")
        for supplier_name, supplier in scenario.suppliers.items()
        for package_name, package in supplier.packages.items()
    ]


def fmt(value: float | str) -> str:
    """A table cell: text as is, numbers to 4 significant figures, NaN as a dash."""
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


def read_upload(name: str, saved_at: str) -> tuple[Scenario | None, str]:
    """The scenario of an uploaded file (saved by the web server at ``saved_at``), or
    None and the error to show: the loader's own message for a file named ``name``,
    from the same reader as a file on the command line (size, UTF-8, NUL bytes,
    YAML limits, validation), so the app and ``equipoise validate`` say the same."""
    try:
        text = read_text_file(Path(saved_at), "scenario file", label=name, limit=MAX_UPLOAD_BYTES)
        scenario = scenario_from_text(text, name)
    except ScenarioError as error:
        return None, error.render(limit=None)
    except EquipoiseError as error:
        return None, error.render()
    if not scenario.dyads:
        return None, f"{name}: no dyads. Add a 'dyads:' list."
    return scenario, f"Loaded {name}: {scenario.title}"
