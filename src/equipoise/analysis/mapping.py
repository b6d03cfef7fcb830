"""Deterrence regions of a dyad over a grid of two inventories.

Intriligator & Brito (1984, *Journal of Conflict Resolution* 28(1)) split the
plane of two missile stocks into mutual deterrence, one-sided deterrence and
war-likely regions bounded by straight lines. equipoise draws the same map for
any two holdings of a scenario (offensive launchers, defence batteries, EW units)
with defences in play, from the expected-value exchange evaluated for every grid
cell in one vectorised pass. With defences removed, the boundaries are
Intriligator–Brito's lines (tests/test_deterrence_map.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from equipoise.analysis.forces import (
    combined_ew_factor,
    dyad_forces,
    ew_units,
    side_parties,
)
from equipoise.analysis.results import Plottable, clean
from equipoise.domain.references import suggest
from equipoise.domain.scenario import (
    AirDefenceClass,
    ElectronicWarfareClass,
    Holding,
    OffensiveClass,
    Scenario,
)
from equipoise.engines.exchange import (
    Direction,
    Side,
    best_split_expected,
    damage_limiting_split,
    exchange_expected,
    first_strike_advantage,
    tile_side,
)
from equipoise.engines.types import Array, FloatArray
from equipoise.errors import InputError

STATUS_CODES = ("neither", "only A deterred", "only B deterred", "mutual deterrence")


@dataclass(frozen=True)
class AxisSpec:
    """One map axis: a party's holding of one class, over a range of counts."""

    party: str
    system: str
    values: FloatArray

    @property
    def label(self) -> str:
        return f"{self.party}.{self.system}"


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
    system_class = scenario.classes[axis_class(scenario, party, system)]
    value = holding.launchers if isinstance(system_class, OffensiveClass) else holding.units
    return float(value or 0)


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


def _zero_holding(scenario: Scenario, party: str, system: str) -> Scenario:
    class_name = axis_class(scenario, party, system)
    system_class = scenario.classes[class_name]
    kept = scenario.party_inventory(party).get(system, Holding(system=class_name))
    zero = kept.model_copy(
        update={"launchers": 0, "rounds": 0}
        if isinstance(system_class, OffensiveClass)
        else {"units": 0, "interceptors": 0 if isinstance(system_class, AirDefenceClass) else None}
    )
    if party in scenario.states:
        state = scenario.states[party]
        states = {
            **scenario.states,
            party: state.model_copy(update={"inventory": {**state.inventory, system: zero}}),
        }
        return scenario.model_copy(update={"states": states})
    backer = scenario.backers[party]
    backers = {
        **scenario.backers,
        party: backer.model_copy(update={"inventory": {**backer.inventory, system: zero}}),
    }
    return scenario.model_copy(update={"backers": backers})


def _per_unit(scenario: Scenario, party: str, system: str) -> tuple[float, float]:
    """(rounds per launcher, interceptors per battery) for scaling an axis count."""
    holding = scenario.party_inventory(party).get(system)
    system_class = scenario.classes[axis_class(scenario, party, system)]
    if isinstance(system_class, OffensiveClass):
        if holding is not None and holding.launchers:
            return (holding.rounds or 0) / holding.launchers, 0.0
        return 1.0, 0.0
    if isinstance(system_class, AirDefenceClass):
        if holding is not None and holding.units and holding.interceptors is not None:
            return 0.0, holding.interceptors / holding.units
        return 0.0, float(system_class.interceptors_per_battery)
    return 0.0, 0.0


def _vary(
    base: Scenario,
    zeroed: Scenario,
    side: Side,
    forces_side: Any,
    state: str,
    rival: str,
    axis: AxisSpec,
    counts: FloatArray,
) -> Side:
    """``side`` (batch of cells) with the axis holding set to ``counts`` per cell."""
    class_name = axis_class(base, axis.party, axis.system)
    system_class = base.classes[class_name]
    rounds_per_launcher, interceptors_per_unit = _per_unit(base, axis.party, axis.system)
    if isinstance(system_class, OffensiveClass):
        column = next(
            i
            for i, label in enumerate(forces_side.elements)
            if label.party == axis.party and label.key == axis.system and not label.note
        )
        launchers = np.array(side.offence.launchers, dtype=float, copy=True)
        rounds = np.array(side.offence.rounds, dtype=float, copy=True)
        launchers[:, column] = counts
        rounds[:, column] = counts * rounds_per_launcher
        return replace(side, offence=replace(side.offence, launchers=launchers, rounds=rounds))
    if isinstance(system_class, AirDefenceClass):
        column = forces_side.layers.index(class_name)
        interceptors = np.array(side.defence.interceptors, dtype=float, copy=True)
        channels = np.array(side.defence.channels, dtype=float, copy=True)
        interceptors[:, column] += counts * interceptors_per_unit
        channels[:, column] += counts * system_class.channels_per_battery
        return replace(
            side, defence=replace(side.defence, interceptors=interceptors, channels=channels)
        )
    assert isinstance(system_class, ElectronicWarfareClass)
    units: dict[str, Array] = {
        k: np.asarray(float(v)) for k, v in ew_units(zeroed, state, rival).items()
    }
    units[class_name] = units.get(class_name, np.asarray(0.0)) + counts
    factor = np.broadcast_to(combined_ew_factor(base, units), counts.shape).astype(float)
    return replace(side, defence=replace(side.defence, guided_arrival_factor=factor))


@dataclass(frozen=True)
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

    @property
    def status(self) -> Array:
        """Status label per cell."""
        codes = self.a_deterred.astype(int) + 2 * self.b_deterred.astype(int)
        labels: Array = np.array(STATUS_CODES)[codes]
        return labels

    def to_frame(self) -> pd.DataFrame:
        """One row per grid cell, ready to plot (x, y, status and outcomes)."""
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
                "a_deterred": self.a_deterred.ravel(),
                "b_deterred": self.b_deterred.ravel(),
                "retaliation_by_a": self.retaliation_by_a.ravel(),
                "retaliation_by_b": self.retaliation_by_b.ravel(),
                "survivability_a": self.survivability_a.ravel(),
                "survivability_b": self.survivability_b.ravel(),
                "first_strike_advantage_a": self.first_strike_advantage_a.ravel(),
                "first_strike_advantage_b": self.first_strike_advantage_b.ravel(),
                "x_current": self.current[0],
                "y_current": self.current[1],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        data: dict[str, Any] = clean(
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
        return data


def deterrence_map(
    scenario: Scenario,
    a: str,
    b: str,
    x: AxisSpec,
    y: AxisSpec,
    *,
    first_strike_advantage: bool = True,
) -> DeterrenceMap:
    """Deterrence regions of dyad (a, b) over the grid ``x.values`` by ``y.values``.

    Uses the expected-value exchange and the expected-value deterrence criterion in
    every cell. With ``first_strike_advantage`` the striker's split search runs in
    every cell too (slower).
    """
    for name in (a, b):
        if name not in scenario.states:
            raise InputError(f"unknown state '{name}'", suggest(name, scenario.states))
    owners = {
        "x": check_axis(scenario, a, b, x.party, x.system),
        "y": check_axis(scenario, a, b, y.party, y.system),
    }
    if (x.party, x.system) == (y.party, y.system):
        raise InputError("the two axes name the same holding", "choose two different holdings")
    zeroed = _zero_holding(_zero_holding(scenario, x.party, x.system), y.party, y.system)
    forces = dyad_forces(zeroed, a, b)
    xs, ys = np.meshgrid(x.values.astype(float), y.values.astype(float))
    cells = xs.size
    sides = {"a": tile_side(forces.a.side, cells), "b": tile_side(forces.b.side, cells)}
    labels = {"a": forces.a, "b": forces.b}
    states = {"a": (a, b), "b": (b, a)}
    for axis, counts in ((x, xs.ravel()), (y, ys.ravel())):
        key = owners["x" if axis is x else "y"]
        state, rival = states[key]
        sides[key] = _vary(scenario, zeroed, sides[key], labels[key], state, rival, axis, counts)
    a_first = replace(forces.a_first, striker=sides["a"], victim=sides["b"])
    b_first = replace(forces.b_first, striker=sides["b"], victim=sides["a"])
    a_limited = exchange_expected(a_first, damage_limiting_split(a_first))
    b_limited = exchange_expected(b_first, damage_limiting_split(b_first))
    shape = xs.shape
    a_deterred = (a_limited.retaliation_damage >= sides["a"].unacceptable_damage).reshape(shape)
    b_deterred = (b_limited.retaliation_damage >= sides["b"].unacceptable_damage).reshape(shape)
    fsa_a = np.full(shape, np.nan)
    fsa_b = np.full(shape, np.nan)
    if first_strike_advantage:
        fsa_a, fsa_b = _first_strike_advantages(scenario, a_first, b_first, shape)
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
        a_deterred=a_deterred,
        b_deterred=b_deterred,
        retaliation_by_a=b_limited.retaliation_damage.reshape(shape),
        retaliation_by_b=a_limited.retaliation_damage.reshape(shape),
        survivability_a=b_limited.victim_surviving_share.reshape(shape),
        survivability_b=a_limited.victim_surviving_share.reshape(shape),
        first_strike_advantage_a=fsa_a,
        first_strike_advantage_b=fsa_b,
        x_unit=axis_unit(scenario, x),
        y_unit=axis_unit(scenario, y),
    )


def _first_strike_advantages(
    scenario: Scenario, a_first: Direction, b_first: Direction, shape: tuple[int, ...]
) -> tuple[FloatArray, FloatArray]:
    settings = scenario.exchange
    weights = (settings.dealt_weight, settings.suffered_weight)
    outcomes = {}
    for key, direction in (("a", a_first), ("b", b_first)):
        choice = best_split_expected(
            direction,
            levels=settings.split_levels,
            dealt_weight=weights[0],
            suffered_weight=weights[1],
        )
        outcomes[key] = exchange_expected(direction, choice.split)
    a_value, b_value = a_first.striker.value_at_risk, b_first.striker.value_at_risk
    fsa_a = first_strike_advantage(outcomes["a"], outcomes["b"], a_value, b_value, *weights)
    fsa_b = first_strike_advantage(outcomes["b"], outcomes["a"], b_value, a_value, *weights)
    return fsa_a.reshape(shape), fsa_b.reshape(shape)


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
