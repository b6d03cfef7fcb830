"""Many variants of a scenario at once: deliveries as linear contributions.

A *variant* is the scenario plus some quantity of each of a list of deliveries (a
supplier's candidate plan, or a possible world in which some reported deliveries
happened). Every count the engines use (launchers, rounds, interceptors, channels,
EW units) is linear in those quantities, so each dyad side is built once as base
arrays plus the contribution of one unit of each delivery, and a batch of variants
is ``base + Q @ contributions`` run through the engine in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from equipoise.analysis.forces import combined_ew_factor, dyad_forces, ew_units
from equipoise.domain.scenario import Holding, Scenario
from equipoise.engines.dynamics import destruction_share
from equipoise.engines.exchange import (
    Direction,
    Side,
    best_split_expected,
    damage_limiting_split,
    exchange_expected,
    first_strike_advantage,
)
from equipoise.engines.types import FloatArray, IntArray


@dataclass(frozen=True)
class DeliveryItem:
    """What one unit of a delivery adds to its recipient's inventory.

    Keys of ``holdings`` must be unique across the items of one batch.
    """

    label: str
    recipient: str
    holdings: Mapping[str, Holding]
    cost: float = 0.0


def apply_items(
    scenario: Scenario,
    items: Sequence[DeliveryItem],
    quantities: Sequence[float],
    *,
    keep_zero: bool = False,
) -> Scenario:
    """The scenario with ``quantities[i]`` units of each item delivered."""
    inventories = {name: dict(state.inventory) for name, state in scenario.states.items()}
    for item, quantity in zip(items, quantities, strict=True):
        count = round(quantity)
        if count or keep_zero:
            for key, holding in item.holdings.items():
                inventories[item.recipient][key] = holding.scaled(count)
    states = {
        name: state.model_copy(update={"inventory": inventories[name]})
        for name, state in scenario.states.items()
    }
    return scenario.model_copy(update={"states": states})


@dataclass(frozen=True)
class SideModel:
    """One dyad side as base arrays plus what one unit of each item adds."""

    base: Side
    launchers: FloatArray
    rounds: FloatArray
    interceptors: FloatArray
    channels: FloatArray
    ew_classes: tuple[str, ...]
    ew_base: FloatArray
    ew_units: FloatArray

    def batch(self, scenario: Scenario, quantities: FloatArray) -> Side:
        """The side for each row of ``quantities`` (variants x items)."""
        offence = replace(
            self.base.offence,
            launchers=self.base.offence.launchers + quantities @ self.launchers,
            rounds=self.base.offence.rounds + quantities @ self.rounds,
        )
        units = self.ew_base[np.newaxis, :] + quantities @ self.ew_units
        factor = combined_ew_factor(
            scenario, {name: units[:, i] for i, name in enumerate(self.ew_classes)}
        )
        defence = replace(
            self.base.defence,
            interceptors=self.base.defence.interceptors + quantities @ self.interceptors,
            channels=self.base.defence.channels + quantities @ self.channels,
            guided_arrival_factor=np.broadcast_to(
                np.asarray(factor, dtype=float), (quantities.shape[0],)
            ).copy(),
        )
        return replace(self.base, offence=offence, defence=defence)


@dataclass(frozen=True)
class DyadModel:
    """A dyad's two sides as linear functions of the item quantities."""

    a: str
    b: str
    a_side: SideModel
    b_side: SideModel
    a_first: Direction
    b_first: Direction
    cost_a: float | None
    cost_b: float | None

    def directions(self, scenario: Scenario, quantities: FloatArray) -> tuple[Direction, Direction]:
        """The two exchanges (A first, B first) for every variant."""
        a_side = self.a_side.batch(scenario, quantities)
        b_side = self.b_side.batch(scenario, quantities)
        return (
            replace(self.a_first, striker=a_side, victim=b_side),
            replace(self.b_first, striker=b_side, victim=a_side),
        )


def _side_model(
    scenario: Scenario, items: Sequence[DeliveryItem], state: str, rival: str
) -> SideModel:
    zeros = [0.0] * len(items)
    zero = apply_items(scenario, items, zeros, keep_zero=True)
    base = dyad_forces(zero, state, rival).a
    base_units = ew_units(zero, state, rival)
    classes = tuple(sorted(base_units))
    rows: dict[str, list[FloatArray]] = {k: [] for k in ("l", "r", "i", "c", "e")}
    for index in range(len(items)):
        unit = list(zeros)
        unit[index] = 1.0
        one = apply_items(scenario, items, unit, keep_zero=True)
        side = dyad_forces(one, state, rival).a.side
        units = ew_units(one, state, rival)
        rows["l"].append(side.offence.launchers[0] - base.side.offence.launchers[0])
        rows["r"].append(side.offence.rounds[0] - base.side.offence.rounds[0])
        rows["i"].append(side.defence.interceptors[0] - base.side.defence.interceptors[0])
        rows["c"].append(side.defence.channels[0] - base.side.defence.channels[0])
        rows["e"].append(np.array([units.get(n, 0) - base_units.get(n, 0) for n in classes], float))

    def stack(key: str, width: int) -> FloatArray:
        return np.array(rows[key], dtype=float).reshape(len(items), width)

    return SideModel(
        base.side,
        stack("l", base.side.offence.elements),
        stack("r", base.side.offence.elements),
        stack("i", base.side.defence.layers),
        stack("c", base.side.defence.layers),
        classes,
        np.array([base_units.get(n, 0) for n in classes], dtype=float),
        stack("e", len(classes)),
    )


def dyad_models(scenario: Scenario, items: Sequence[DeliveryItem]) -> tuple[DyadModel, ...]:
    """Linear models of every dyad in the scenario, for batches of variants."""
    zero = apply_items(scenario, items, [0.0] * len(items), keep_zero=True)
    out = []
    for dyad in scenario.dyads:
        forces = dyad_forces(zero, dyad.a, dyad.b)
        out.append(
            DyadModel(
                dyad.a,
                dyad.b,
                _side_model(scenario, items, dyad.a, dyad.b),
                _side_model(scenario, items, dyad.b, dyad.a),
                forces.a_first,
                forces.b_first,
                scenario.states[dyad.a].war_cost,
                scenario.states[dyad.b].war_cost,
            )
        )
    return tuple(out)


METRIC_NAMES = (
    "a_deterred",
    "b_deterred",
    "fsa_a",
    "fsa_b",
    "p_first",
    "p_second",
    "range_low",
    "range_high",
    "range_width",
    "has_range",
    "dealt_a",
    "suffered_a",
    "dealt_b",
    "suffered_b",
    "survivability_a",
    "survivability_b",
    "retaliation_a",
    "retaliation_b",
)


@dataclass(frozen=True)
class VariantMetrics:
    """Expected-value metrics of every dyad for a batch of variants, (variants, dyads).

    ``dealt_a``/``suffered_a``: damage A deals and suffers when it strikes first
    with its chosen split (``_b`` likewise for B); ``survivability_a``: share of A's
    retaliatory force left by B's most disarming strike; ``retaliation_a``: the
    damage A's retaliation then does to B.
    """

    a_deterred: IntArray
    b_deterred: IntArray
    fsa_a: FloatArray
    fsa_b: FloatArray
    p_first: FloatArray
    p_second: FloatArray
    range_low: FloatArray
    range_high: FloatArray
    range_width: FloatArray
    has_range: FloatArray
    dealt_a: FloatArray
    suffered_a: FloatArray
    dealt_b: FloatArray
    suffered_b: FloatArray
    survivability_a: FloatArray
    survivability_b: FloatArray
    retaliation_a: FloatArray
    retaliation_b: FloatArray
    cost: FloatArray

    @property
    def mutual(self) -> IntArray:
        return np.asarray(self.a_deterred & self.b_deterred)


def dyad_metrics(
    scenario: Scenario,
    a_first: Direction,
    b_first: Direction,
    war_costs: tuple[float | None, float | None],
    levels: int,
    max_candidates: int,
) -> dict[str, FloatArray]:
    """Deterrence, first-strike advantages, damage, survivability, P(prevail) and
    bargaining range of a dyad for every batch row (expected-value form)."""
    a_side, b_side = a_first.striker, a_first.victim
    rows = a_side.batch
    weights = (scenario.exchange.dealt_weight, scenario.exchange.suffered_weight)
    out: dict[str, FloatArray] = {}
    chosen = {}
    limited = {}
    for key, direction in (("a", a_first), ("b", b_first)):
        limited[key] = exchange_expected(direction, damage_limiting_split(direction))
        out[f"{key}_deterred"] = (
            limited[key].retaliation_damage >= direction.striker.unacceptable_damage
        ).astype(float)
        split = best_split_expected(
            direction,
            levels=levels,
            dealt_weight=weights[0],
            suffered_weight=weights[1],
            max_candidates=max_candidates,
        ).split
        chosen[key] = exchange_expected(direction, split)
        out[f"dealt_{key}"] = chosen[key].first_strike_damage
        out[f"suffered_{key}"] = chosen[key].retaliation_damage
    out["survivability_a"] = limited["b"].victim_surviving_share
    out["survivability_b"] = limited["a"].victim_surviving_share
    out["retaliation_a"] = limited["b"].retaliation_damage
    out["retaliation_b"] = limited["a"].retaliation_damage
    va, vb = a_side.value_at_risk, b_side.value_at_risk
    out["fsa_a"] = first_strike_advantage(chosen["a"], chosen["b"], va, vb, *weights)
    out["fsa_b"] = first_strike_advantage(chosen["b"], chosen["a"], vb, va, *weights)
    out["p_first"] = destruction_share(
        chosen["a"].first_strike_damage / vb, chosen["a"].retaliation_damage / va
    )
    out["p_second"] = destruction_share(
        chosen["b"].retaliation_damage / vb, chosen["b"].first_strike_damage / va
    )
    cost_a, cost_b = war_costs
    if cost_a is not None and cost_b is not None:
        out["range_low"] = np.maximum(0.0, out["p_first"] - cost_a)
        out["range_high"] = np.minimum(1.0, out["p_second"] + cost_b)
        out["range_width"] = (out["p_second"] + cost_b) - (out["p_first"] - cost_a)
        out["has_range"] = np.ones(rows)
    else:
        out["range_low"] = np.full(rows, np.nan)
        out["range_high"] = np.full(rows, np.nan)
        out["range_width"] = np.zeros(rows)
        out["has_range"] = np.zeros(rows)
    return out


def gather(
    columns: Sequence[dict[str, FloatArray]], rows: int, costs: FloatArray
) -> VariantMetrics:
    """Stack per-dyad metric columns into (variants, dyads) arrays."""

    def stack(name: str) -> FloatArray:
        if not columns:
            return np.zeros((rows, 0))
        return np.stack([c[name] for c in columns], axis=1)

    values: dict[str, Any] = {name: stack(name) for name in METRIC_NAMES}
    values["a_deterred"] = values["a_deterred"].astype(np.int64)
    values["b_deterred"] = values["b_deterred"].astype(np.int64)
    return VariantMetrics(**values, cost=np.asarray(costs, dtype=float))


def variant_matrix(quantities: IntArray | FloatArray, width: int) -> FloatArray:
    """Variants as a (variants, items) float matrix, even with no items at all."""
    q = np.asarray(quantities, dtype=float)
    return q.reshape(q.shape[0] if q.ndim == 2 else 1, width)


def evaluate(
    scenario: Scenario,
    models: Sequence[DyadModel],
    items: Sequence[DeliveryItem],
    quantities: IntArray | FloatArray,
    *,
    levels: int | None = None,
    max_candidates: int | None = None,
) -> VariantMetrics:
    """Metrics for a batch of variants (rows of ``quantities``), all dyads, one pass each."""
    q = variant_matrix(quantities, len(items))
    split_levels = levels if levels is not None else scenario.search.split_levels
    cap = max_candidates if max_candidates is not None else scenario.search.max_split_candidates
    columns = []
    for model in models:
        a_first, b_first = model.directions(scenario, q)
        columns.append(
            dyad_metrics(
                scenario, a_first, b_first, (model.cost_a, model.cost_b), split_levels, cap
            )
        )
    costs = q @ np.array([item.cost for item in items], dtype=float) if items else np.zeros(len(q))
    return gather(columns, q.shape[0], costs)


def evaluate_one(
    scenario: Scenario,
    items: Sequence[DeliveryItem],
    quantities: Sequence[float],
    *,
    levels: int | None = None,
    max_candidates: int | None = None,
) -> VariantMetrics:
    """One variant through the public single-scenario path (one row).

    The scenario with the deliveries is built from scratch and each dyad assessed
    from its own forces. Every item's holdings are present (at zero where not
    delivered), so the striker weighs the same split grid as in the batched path.
    """
    after = apply_items(scenario, items, quantities, keep_zero=True)
    split_levels = levels if levels is not None else scenario.search.split_levels
    cap = max_candidates if max_candidates is not None else scenario.search.max_split_candidates
    columns = []
    for dyad in scenario.dyads:
        forces = dyad_forces(after, dyad.a, dyad.b)
        costs = (scenario.states[dyad.a].war_cost, scenario.states[dyad.b].war_cost)
        columns.append(
            dyad_metrics(scenario, forces.a_first, forces.b_first, costs, split_levels, cap)
        )
    cost = float(sum(q * item.cost for item, q in zip(items, quantities, strict=True)))
    return gather(columns, 1, np.array([cost]))
