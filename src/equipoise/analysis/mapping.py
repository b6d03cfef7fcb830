"""Deterrence regions of a dyad over a grid of two inventories.

Intriligator & Brito (1984, *Journal of Conflict Resolution* 28(1)) split the
plane of two missile stocks into mutual deterrence, one-sided deterrence and
war-likely regions bounded by straight lines. equipoise draws the same map for
any two holdings of a scenario (offensive launchers, defence batteries, EW units)
with defences in play, from the expected-value exchange evaluated for every grid
cell in one vectorised pass by the one evaluator (a cell is a variant: the two
axis holdings at that cell's counts). With defences removed, the boundaries are
Intriligator–Brito's lines (tests/test_deterrence_map.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equipoise.analysis.deliveries import (
    DeliveryItem,
    delivered_holdings,
    holding_title,
    with_inventories,
)
from equipoise.analysis.evaluator import dyad_model, evaluate
from equipoise.analysis.forces import side_parties
from equipoise.analysis.metrics import STATUS_LABELS, side_column
from equipoise.analysis.results import Plottable, clean
from equipoise.analysis.settings import progress_of
from equipoise.domain.common import MAX_COUNT
from equipoise.domain.loading import load_scenario
from equipoise.domain.references import suggest
from equipoise.domain.scenario import AirDefenceClass, Holding, OffensiveClass, Scenario
from equipoise.engines.random import SeedLike
from equipoise.engines.types import Array, FloatArray
from equipoise.errors import InputError, ScenarioError

FSA_CHUNK_CELLS = 128
"""Distinct cells per evaluator call with the split search (each cell scores every
candidate split, so a chunk is already a large batch)."""
REGION_CHUNK_CELLS = 16_384
"""Distinct cells per evaluator call for regions only (cheap cells: big chunks)."""


@dataclass(frozen=True)
class AxisSpec:
    """One map axis: a party's holding of one class, over a range of counts."""

    party: str
    system: str
    values: FloatArray

    @property
    def label(self) -> str:
        return f"{self.party}.{self.system}"

    @property
    def title(self) -> str:
        """The axis in words for a figure ('IRN lr-sam delivered by RUS (lr-sam-battery)'
        for a delivered holding)."""
        title = holding_title(self.system)
        return self.label if title == self.system else f"{self.party} {title}"


def parse_axis_name(text: str) -> tuple[str, str]:
    """'IRN.mrbm' -> ('IRN', 'mrbm'), with a clear error otherwise."""
    party, dot, system = text.partition(".")
    if not dot or not party or not system:
        raise InputError(
            f"axis '{text}' should name PARTY.class",
            "for example --x IRN.mrbm --y ISR.upper-tier-bmd",
        )
    return party, system


def axis_class(scenario: Scenario, party: str, key: str) -> str:
    """The class an axis varies: its holding's class, or ``key`` itself if not held yet."""
    holding = scenario.party_inventory(party).get(key)
    return holding.class_name(key) if holding is not None else key


def current_count(scenario: Scenario, party: str, system: str) -> float:
    """The count an axis stands for today: launchers, or units for defences."""
    holding = scenario.party_inventory(party).get(system)
    if holding is None:
        return 0.0
    return float(holding_units(scenario, holding, axis_class(scenario, party, system)))


def check_axis(scenario: Scenario, a: str, b: str, party: str, system: str) -> str:
    """Validate an axis against the dyad; return which side ('a' or 'b') it belongs to."""
    sides = {"a": side_parties(scenario, a, b), "b": side_parties(scenario, b, a)}
    owner = next((key for key, parties in sides.items() if party in parties), None)
    if owner is None:
        raise InputError(
            f"'{party}' is not on either side of dyad {a}:{b}",
            suggest(party, sides["a"] + sides["b"]),
        )
    class_name = axis_class(scenario, party, system)
    if class_name not in scenario.classes:
        choices = [*scenario.classes, *scenario.party_inventory(party)]
        raise InputError(f"unknown system class '{system}'", suggest(system, choices))
    backer = scenario.backers.get(party)
    if (
        backer is not None
        and backer.defence_only
        and isinstance(scenario.classes[class_name], OffensiveClass)
    ):
        raise InputError(
            f"backer '{party}' is defence-only, so its '{system}' never fires",
            "choose a defensive class or another party",
        )
    return owner


def _package_holding(scenario: Scenario, party: str, class_name: str) -> Holding | None:
    """One package's holding of ``class_name`` as delivered to ``party``, if any offers it."""
    for supplier_name, supplier in scenario.suppliers.items():
        for package_name, package in supplier.packages.items():
            if package.recipients and party not in package.recipients:
                continue
            delivered = delivered_holdings(scenario, supplier_name, package_name, party, 1)
            for holding in delivered.values():
                if holding.class_name("") == class_name and holding_units(
                    scenario, holding, class_name
                ):
                    return holding
    return None


def holding_units(scenario: Scenario, holding: Holding, class_name: str) -> int:
    """What a map axis counts: launchers of an offensive holding, units of any other."""
    system = scenario.classes[class_name]
    return (holding.launchers if isinstance(system, OffensiveClass) else holding.units) or 0


def axis_item(scenario: Scenario, party: str, key: str) -> DeliveryItem:
    """One unit of a map axis (a launcher, a battery or an EW unit) as a delivery.

    A held holding gives its own rounds or interceptors per unit; a class the party
    does not hold yet takes them from a supplier's package of that class for the
    party, else from the class's defaults (a launcher carries one load per wave).
    """
    class_name = axis_class(scenario, party, key)
    system = scenario.classes[class_name]
    held = scenario.party_inventory(party).get(key)
    if held is not None and holding_units(scenario, held, class_name):
        return DeliveryItem(key, party, {key: held}, per=holding_units(scenario, held, class_name))
    holding = _package_holding(scenario, party, class_name)
    if holding is None:
        if isinstance(system, OffensiveClass):  # a load a wave, within a holding's limit
            rounds = min(system.rounds_per_launcher_per_wave * scenario.exchange.waves, MAX_COUNT)
            holding = Holding(system=class_name, launchers=1, rounds=rounds)
        else:
            holding = Holding(system=class_name, units=1)
    holding = holding.model_copy(update={"system": class_name})
    return DeliveryItem(
        key, party, {key: holding}, per=holding_units(scenario, holding, class_name)
    )


def is_offensive(scenario: Scenario, party: str, key: str) -> bool:
    holding = scenario.party_inventory(party)[key]
    return isinstance(scenario.classes[holding.class_name(key)], OffensiveClass)


def holding_count(scenario: Scenario, party: str, key: str) -> int:
    """What a slider moves: launchers of an offensive holding, units of any other."""
    return round(current_count(scenario, party, key))


def scaled_holding(scenario: Scenario, party: str, key: str, count: int) -> Holding:
    """The holding with ``count`` launchers (or units), everything else in proportion,
    as a map axis scales it (rounds per launcher and interceptors per battery kept)."""
    holding = scenario.party_inventory(party)[key]
    now = holding_count(scenario, party, key)
    offensive = is_offensive(scenario, party, key)
    if now > 0:
        return holding.with_counts(lambda value: round(value * count / now))
    if offensive:
        system = scenario.classes[holding.class_name(key)]
        assert isinstance(system, OffensiveClass)
        rounds = count * system.rounds_per_launcher_per_wave * scenario.exchange.waves
        return holding.model_copy(update={"launchers": count, "rounds": rounds})
    return holding.model_copy(update={"units": count, "interceptors": None})


def main_offensive_holding(scenario: Scenario, state: str) -> str | None:
    """The state's offensive holding with the most deliverable damage per wave
    (launchers x rounds per wave x reliability x arrival x damage), not restricted
    against any rival: the default map axis of the report and the explorer."""
    best: tuple[float, str] | None = None
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
        if best is None or value > best[0]:
            best = (value, key)
    return None if best is None else best[1]


def set_holdings(scenario: Scenario, counts: Mapping[tuple[str, str], int]) -> Scenario:
    """The scenario with each (party, key) holding at a new count of launchers (or
    units), rounds and interceptors scaled as a map axis scales them; a count equal to
    today's leaves the holding exactly as it is."""
    inventories: dict[str, dict[str, Holding]] = {}
    for (party, key), count in counts.items():
        if count == holding_count(scenario, party, key):
            continue
        inventory = inventories.setdefault(party, dict(scenario.party_inventory(party)))
        inventory[key] = scaled_holding(scenario, party, key, int(count))
    return with_inventories(scenario, inventories)


@dataclass(frozen=True, repr=False)
class DeterrenceMap(Plottable):
    """Deterrence status and exchange outcomes on a grid (rows: y, columns: x)."""

    scenario: str
    a: str
    b: str
    x: AxisSpec
    y: AxisSpec
    current: tuple[float, float]
    a_deterred: Array
    b_deterred: Array
    retaliation_by_a: FloatArray
    retaliation_by_b: FloatArray
    survivability_a: FloatArray
    survivability_b: FloatArray
    first_strike_advantage_a: FloatArray
    first_strike_advantage_b: FloatArray
    x_unit: str = "count"
    y_unit: str = "count"
    names: tuple[str, str] = ("", "")
    """The two states as a reader is shown them (:meth:`Scenario.called`)."""

    @property
    def called(self) -> tuple[str, str]:
        """A and B as a reader is shown them: their names, else their codes."""
        return self.names[0] or self.a, self.names[1] or self.b

    @property
    def status(self) -> Array:
        """Status label per cell."""
        codes = self.a_deterred.astype(int) + 2 * self.b_deterred.astype(int)
        labels: Array = np.array(STATUS_LABELS)[codes]
        return labels

    def status_at(self, x: float, y: float) -> str:
        """The status of the cell at (x, y), which must be a grid point."""
        column = np.flatnonzero(np.isclose(self.x.values, x))
        row = np.flatnonzero(np.isclose(self.y.values, y))
        if not column.size or not row.size:
            raise ValueError(f"({x:g}, {y:g}) is not a point of the grid")
        return str(self.status[row[0], column[0]])

    def to_frame(self) -> pd.DataFrame:
        """One row per grid cell, ready to plot (x, y, status and outcomes), with the
        registry's column names as a sweep has them ('retaliation_damage_a')."""
        xs, ys = np.meshgrid(self.x.values, self.y.values)
        return pd.DataFrame(
            {
                "x_axis": self.x.label,
                "y_axis": self.y.label,
                "x": xs.ravel(),
                "y": ys.ravel(),
                "status": self.status.ravel(),
                "a": self.a,
                "b": self.b,
                side_column("deterred", "a"): self.a_deterred.ravel(),
                side_column("deterred", "b"): self.b_deterred.ravel(),
                side_column("retaliation_damage", "a"): self.retaliation_by_a.ravel(),
                side_column("retaliation_damage", "b"): self.retaliation_by_b.ravel(),
                side_column("second_strike_survivability", "a"): self.survivability_a.ravel(),
                side_column("second_strike_survivability", "b"): self.survivability_b.ravel(),
                side_column("first_strike_advantage", "a"): self.first_strike_advantage_a.ravel(),
                side_column("first_strike_advantage", "b"): self.first_strike_advantage_b.ravel(),
                "x_current": self.current[0],
                "y_current": self.current[1],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        return clean(
            {
                "scenario": self.scenario,
                "dyad": [self.a, self.b],
                "x_axis": self.x.label,
                "y_axis": self.y.label,
                "current": list(self.current),
                "cells": frame.drop(columns=["x_axis", "y_axis", "a", "b"]).to_dict(
                    orient="records"
                ),
            }
        )


def _check_largest_cell(
    scenario: Scenario, items: tuple[DeliveryItem, DeliveryItem], axes: tuple[AxisSpec, AxisSpec]
) -> None:
    """Refuse axes whose largest cell is not a scenario a file could hold: the loader's
    limits (at most MAX_COUNT in a holding's field, MAX_TOTAL_COUNT in all) keep every
    count below what the samplers take (engines/salvo.py), and counts grow with the cell."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    for item, axis in zip(items, axes, strict=True):
        share = float(np.max(axis.values)) / item.per if len(axis.values) else 0.0
        group = "states" if item.recipient in scenario.states else "backers"
        inventory = data[group][item.recipient].setdefault("inventory", {})
        for key, holding in item.holdings.items():
            body = holding.model_dump(mode="json", exclude_defaults=True)
            for field in ("launchers", "rounds", "units", "interceptors"):
                if body.get(field) is not None:
                    body[field] = round(body[field] * share)
            inventory[key] = body
    try:
        load_scenario(data)
    except ScenarioError as error:
        problem = error.problems[0]
        cell = " and ".join(f"{axis.label} {float(np.max(axis.values)):,.0f}" for axis in axes)
        raise InputError(
            f"the map's largest cell ({cell}) is not a scenario a file could hold: "
            f"{problem.field}: {problem.message}",
            "narrow the axis ranges (--x-range, --y-range)",
        ) from None


def deterrence_map(
    scenario: Scenario | str | Path,
    a: str,
    b: str,
    x: AxisSpec,
    y: AxisSpec,
    *,
    first_strike_advantage: bool = True,
    seed: SeedLike | None = 0,
    progress: Callable[[int], None] | bool | None = None,
    chunk: int | None = None,
) -> DeterrenceMap:
    """Deterrence regions of dyad (a, b) over the grid ``x.values`` by ``y.values``.

    Each cell is a variant for the evaluator, with its deterrence criterion (``seed``
    keys the estimates of the ``probability`` criterion). With
    ``first_strike_advantage`` the striker's split search runs in every cell too.
    The distinct cells go to the evaluator ``chunk`` at a time (default
    :data:`FSA_CHUNK_CELLS` with the split search, :data:`REGION_CHUNK_CELLS`
    without); every cell is evaluated on its own, so the chunks never change a
    number. ``progress`` is called with the cells each chunk completes;
    ``progress=True`` shows a bar (in a notebook, a widget).
    """
    scenario = load_scenario(scenario)
    for name in (a, b):
        if name not in scenario.states:
            raise InputError(f"unknown state '{name}'", suggest(name, scenario.states))
    check_axis(scenario, a, b, x.party, x.system)
    check_axis(scenario, a, b, y.party, y.system)
    if (x.party, x.system) == (y.party, y.system):
        raise InputError("the two axes name the same holding", "choose two different holdings")
    items = (axis_item(scenario, x.party, x.system), axis_item(scenario, y.party, y.system))
    _check_largest_cell(scenario, items, (x, y))
    xs, ys = np.meshgrid(x.values.astype(float), y.values.astype(float))
    cells, inverse = np.unique(
        np.column_stack([xs.ravel(), ys.ravel()]), axis=0, return_inverse=True
    )
    inverse = inverse.ravel()
    per_cell = np.bincount(inverse, minlength=cells.shape[0])
    models = [dyad_model(scenario, items, a, b)]
    if chunk is not None and chunk < 1:
        raise InputError(f"chunk must be at least 1 cell, got {chunk}", "leave it out")
    size = chunk or (FSA_CHUNK_CELLS if first_strike_advantage else REGION_CHUNK_CELLS)
    parts: list[dict[str, FloatArray]] = []
    with progress_of(progress, xs.size, f"map {a}:{b}", unit="cell") as report:
        for start in range(0, cells.shape[0], size):
            metrics = evaluate(
                scenario,
                items,
                cells[start : start + size],
                models=models,
                first_strike=first_strike_advantage,
                seed=seed,
            )
            parts.append(metrics.values)
            if report is not None:
                report(int(per_cell[start : start + size].sum()))

    def grid(name: str) -> FloatArray:
        column = np.concatenate([part[name][:, 0] for part in parts])
        return np.asarray(column[inverse].reshape(xs.shape), dtype=float)

    return DeterrenceMap(
        scenario=scenario.name,
        a=a,
        b=b,
        x=x,
        y=y,
        current=(
            current_count(scenario, x.party, x.system),
            current_count(scenario, y.party, y.system),
        ),
        a_deterred=grid("a_deterred").astype(bool),
        b_deterred=grid("b_deterred").astype(bool),
        retaliation_by_a=grid("retaliation_a"),
        retaliation_by_b=grid("retaliation_b"),
        survivability_a=grid("survivability_a"),
        survivability_b=grid("survivability_b"),
        first_strike_advantage_a=grid("fsa_a"),
        first_strike_advantage_b=grid("fsa_b"),
        x_unit=axis_unit(scenario, x),
        y_unit=axis_unit(scenario, y),
        names=(scenario.called(a), scenario.called(b)),
    )


def axis_unit(scenario: Scenario, axis: AxisSpec) -> str:
    """What an axis counts: launchers, batteries or EW units."""
    system = scenario.classes[axis_class(scenario, axis.party, axis.system)]
    if isinstance(system, OffensiveClass):
        return "launchers"
    return "batteries" if isinstance(system, AirDefenceClass) else "EW units"


def axis_values(low: float, high: float, steps: int) -> FloatArray:
    """Evenly spaced whole counts from ``low`` to ``high`` (duplicates removed)."""
    if steps < 2:
        raise InputError("a map axis needs at least 2 steps", "use --steps 2 or more")
    if low < 0 or high <= low:
        raise InputError(
            f"axis range {low:g}:{high:g} is not increasing from a non-negative start",
            "write LOW:HIGH with 0 <= LOW < HIGH, e.g. 0:200",
        )
    return np.unique(np.round(np.linspace(low, high, steps)))
