"""From a scenario to the arrays the engines take, for one side of one dyad.

A side is a state plus the backers that join it against this rival (docs/model.md §1):
defence-only backers add air defence and electronic warfare only, and a backer's
launchers are not counterforce targets unless it is marked targetable.
Withdrawals that apply against this rival split a holding into the part that stays
and the part pulled back, which either leaves the exchange or arrives less often.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from equipoise.domain.scenario import (
    AirDefenceClass,
    ElectronicWarfareClass,
    Holding,
    OffensiveClass,
    Scenario,
    Withdrawal,
)
from equipoise.engines.exchange import Defence, Direction, Offence, Side
from equipoise.engines.types import Array, FloatArray


@dataclass(frozen=True)
class ElementLabel:
    """Who fires an offensive element, of which class, from which holding, and any
    withdrawal applied (``holding`` is the inventory key, ``system`` the class)."""

    party: str
    system: str
    note: str = ""
    holding: str = ""

    @property
    def key(self) -> str:
        return self.holding or self.system

    @property
    def text(self) -> str:
        base = f"{self.party}:{self.key}"
        return f"{base} ({self.note})" if self.note else base


@dataclass(frozen=True)
class SideForces:
    """One side of a dyad as engine arrays (batch of one), with labels."""

    state: str
    rival: str
    side: Side
    elements: tuple[ElementLabel, ...]
    layers: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DyadForces:
    """Both sides of a dyad and the two exchanges between them."""

    a: SideForces
    b: SideForces
    a_first: Direction
    b_first: Direction


def side_parties(scenario: Scenario, state: str, rival: str) -> list[str]:
    """The state and the backers that join it in its dyad with ``rival``."""
    parties = [state]
    for name, backer in scenario.backers.items():
        if backer.joins == state and (not backer.against or rival in backer.against):
            parties.append(name)
    return parties


def holdings_in_dyad(
    scenario: Scenario, party: str, rival: str, notes: list[str] | None = None
) -> list[tuple[str, Holding]]:
    """A party's holdings that may fire against ``rival`` (restricted ones left out)."""
    usable = []
    for key, holding in scenario.party_inventory(party).items():
        if rival in holding.not_cleared_against:
            if notes is not None:
                supplier = f" by {holding.supplied_by}" if holding.supplied_by else ""
                notes.append(
                    f"{party}:{key}: delivered{supplier} but not cleared for use against {rival}; "
                    "left out of this dyad's exchange"
                )
            continue
        usable.append((key, holding))
    return usable


def applicable_withdrawals(
    scenario: Scenario, party: str, system: str, rival: str
) -> list[Withdrawal]:
    """Withdrawals of ``party``'s ``system`` that apply in a dyad with ``rival``."""
    return [
        w
        for w in scenario.withdrawals
        if w.party == party and w.system == system and (not w.rivals or rival in w.rivals)
    ]


def withdrawal_arrival_factor(withdrawal: Withdrawal, system: OffensiveClass) -> float:
    """Arrival multiplier for withdrawn offensive units; 0 means out of the exchange."""
    if withdrawal.to_distance_km is not None:
        if system.range_km is not None and system.range_km <= withdrawal.to_distance_km:
            return 0.0
        return 1.0 if withdrawal.arrival_factor is None else withdrawal.arrival_factor
    return 0.0 if withdrawal.arrival_factor is None else withdrawal.arrival_factor


@dataclass(frozen=True)
class OffensiveElement:
    """One offensive element (launchers, rounds, class) before it becomes engine arrays."""

    launchers: int
    rounds: int
    system: OffensiveClass
    arrival_factor: float
    targetable: bool
    label: ElementLabel


def _share(total: int, part: int, whole: int) -> int:
    return total * part // whole if whole > 0 else 0


def _elements(
    scenario: Scenario, parties: list[str], rival: str, notes: list[str]
) -> list[OffensiveElement]:
    rows = []
    for party in parties:
        backer = scenario.backers.get(party)
        if backer is not None and backer.defence_only:
            continue
        targetable = backer is None or backer.targetable
        for key, holding in holdings_in_dyad(scenario, party, rival, notes):
            system_name = holding.class_name(key)
            system = scenario.classes[system_name]
            if not isinstance(system, OffensiveClass):
                continue
            launchers, rounds = holding.launchers or 0, holding.rounds or 0
            if 0 < rounds < launchers:  # valid, but often a slip (rounds per launcher?)
                notes.append(
                    f"{party}:{key}: {rounds:g} rounds for {launchers:g} launchers, so "
                    f"{launchers - rounds:g} launchers have nothing to fire ('rounds' is the "
                    "holding's total, not per launcher)"
                )
            elif rounds == 0 < launchers:  # valid, but the holding then fires in no strike
                notes.append(
                    f"{party}:{key}: 0 rounds for {launchers:g} launchers, so all "
                    f"{launchers:g} launchers have nothing to fire ('rounds' is the "
                    "holding's total; with 0 it fires in no strike)"
                )
            for withdrawal in applicable_withdrawals(scenario, party, key, rival):
                moved = min(withdrawal.units, launchers)
                moved_rounds = _share(rounds, moved, launchers)
                launchers, rounds = launchers - moved, rounds - moved_rounds
                factor = withdrawal_arrival_factor(withdrawal, system)
                where = (
                    f"pulled back to {withdrawal.to_distance_km:g} km"
                    if withdrawal.to_distance_km is not None
                    else "withdrawn"
                )
                if factor == 0.0:
                    notes.append(f"{party}:{key}: {moved} launchers {where}, out of the exchange")
                    continue
                label = ElementLabel(party, system_name, f"{where}, arrival x{factor:g}", key)
                rows.append(
                    OffensiveElement(moved, moved_rounds, system, factor, targetable, label)
                )
            label = ElementLabel(party, system_name, "", key)
            rows.append(OffensiveElement(launchers, rounds, system, 1.0, targetable, label))
    return rows


def _batch_of_one(values: Sequence[float]) -> FloatArray:
    """Per-element counts as a (1, elements) batch, even with no elements."""
    return np.array(values, dtype=float).reshape(1, len(values))


def offence_of(rows: list[OffensiveElement]) -> Offence:
    """The elements as the engines' offence arrays (a batch of one)."""
    classes = [row.system for row in rows]
    return Offence(
        launchers=_batch_of_one([row.launchers for row in rows]),
        rounds=_batch_of_one([row.rounds for row in rows]),
        rounds_per_launcher_per_wave=np.array(
            [c.rounds_per_launcher_per_wave for c in classes], dtype=np.int64
        ),
        reliability=np.array([c.reliability for c in classes], dtype=float),
        arrival=np.array([row.system.arrival * row.arrival_factor for row in rows], dtype=float),
        guided=np.array([c.is_guided for c in classes], dtype=bool),
        damage=np.array([c.damage for c in classes], dtype=float),
        counterforce_kill=np.array([c.counterforce_kill for c in classes], dtype=float),
        targetable=np.array([row.targetable for row in rows], dtype=bool),
    )


def _remaining_units(scenario: Scenario, party: str, key: str, holding: Holding, rival: str) -> int:
    units = holding.units or 0
    for withdrawal in applicable_withdrawals(scenario, party, key, rival):
        units -= min(withdrawal.units, units)
    return units


def _defence(
    scenario: Scenario, parties: list[str], rival: str, jammers: Mapping[str, int]
) -> tuple[Defence, tuple[str, ...]]:
    interceptors: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for party in parties:
        for key, holding in holdings_in_dyad(scenario, party, rival):
            system_name = holding.class_name(key)
            system = scenario.classes[system_name]
            units = _remaining_units(scenario, party, key, holding, rival)
            if isinstance(system, AirDefenceClass):
                held = holding.units or 0
                stock = (
                    holding.interceptors
                    if holding.interceptors is not None
                    else held * system.interceptors_per_battery
                )
                interceptors[system_name] += _share(stock, units, held)
                channels[system_name] += units * system.channels_per_battery
    order = sorted(interceptors, key=lambda n: (_air_defence(scenario, n).layer, n))
    systems = [_air_defence(scenario, n) for n in order]
    defence = Defence(
        interceptors=_batch_of_one([interceptors[n] for n in order]),
        channels=_batch_of_one([channels[n] for n in order]),
        shots_per_threat=np.array([s.shots_per_threat for s in systems], dtype=np.int64),
        shoot_look_shoot=np.array([s.doctrine == "shoot-look-shoot" for s in systems], dtype=bool),
        guided_arrival_factor=np.asarray(
            combined_ew_factor(scenario, jammers), dtype=float
        ).reshape(1),
    )
    return defence, tuple(order)


def ew_arrival_factor(system: ElectronicWarfareClass, units: Array | float) -> Array:
    """Arrival multiplier on guided threats from ``units`` of one EW class."""
    coverage = np.minimum(1.0, np.asarray(units, dtype=float) * system.coverage_per_unit)
    return 1.0 - (1.0 - system.arrival_factor) * coverage


def combined_ew_factor(scenario: Scenario, units_by_class: Mapping[str, Array | float]) -> Array:
    """Product of the EW classes' factors: independent effects on each threat."""
    factor: Array = np.asarray(1.0)
    for system_name, units in units_by_class.items():
        jammer = scenario.classes[system_name]
        assert isinstance(jammer, ElectronicWarfareClass)
        factor = factor * ew_arrival_factor(jammer, units)
    return factor


def ew_units(scenario: Scenario, state: str, rival: str) -> dict[str, int]:
    """Electronic warfare units by class on ``state``'s side against ``rival``."""
    units: Counter[str] = Counter()
    for party in side_parties(scenario, state, rival):
        for key, holding in holdings_in_dyad(scenario, party, rival):
            system_name = holding.class_name(key)
            if isinstance(scenario.classes[system_name], ElectronicWarfareClass):
                units[system_name] += _remaining_units(scenario, party, key, holding, rival)
    return dict(units)


def _air_defence(scenario: Scenario, name: str) -> AirDefenceClass:
    system = scenario.classes[name]
    assert isinstance(system, AirDefenceClass)
    return system


def side_forces(scenario: Scenario, state: str, rival: str) -> SideForces:
    """Engine arrays for ``state``'s side in its dyad with ``rival``."""
    parties = side_parties(scenario, state, rival)
    notes: list[str] = []
    rows = _elements(scenario, parties, rival, notes)
    if not rows:
        notes.append(
            f"{state} has no offensive force against {rival}: its first strike does nothing, "
            f"so whether {state} is deterred says only what {rival}'s retaliation would do"
        )
    defence, layers = _defence(scenario, parties, rival, ew_units(scenario, state, rival))
    body = scenario.states[state]
    side = Side(offence_of(rows), defence, body.value_at_risk, body.unacceptable_damage)
    labels = tuple(row.label for row in rows)
    return SideForces(state, rival, side, labels, layers, tuple(notes))


def kill_matrix(scenario: Scenario, attacker: SideForces, defender: SideForces) -> FloatArray:
    """Single-shot kill probability of each defender layer against each attacker element."""
    matrix = np.zeros((len(attacker.elements), len(defender.layers)))
    for row, element in enumerate(attacker.elements):
        system = scenario.classes[element.system]
        assert isinstance(system, OffensiveClass)
        for column, layer_name in enumerate(defender.layers):
            table = _air_defence(scenario, layer_name).kill_probability
            matrix[row, column] = table.get(element.system, table.get(system.kind, 0.0))
    return matrix


def dyad_forces(scenario: Scenario, a: str, b: str) -> DyadForces:
    """Both sides of the dyad (a, b) and the exchanges with each striking first."""
    side_a, side_b = side_forces(scenario, a, b), side_forces(scenario, b, a)
    a_kill, b_kill = kill_matrix(scenario, side_a, side_b), kill_matrix(scenario, side_b, side_a)
    waves = scenario.exchange.waves
    return DyadForces(
        side_a,
        side_b,
        Direction(side_a.side, side_b.side, a_kill, b_kill, waves),
        Direction(side_b.side, side_a.side, b_kill, a_kill, waves),
    )


def launchers_per_wave(rounds: int, waves: int) -> int:
    """Launchers needed to fire ``rounds`` in ``waves`` waves at one round each."""
    return math.ceil(rounds / waves)
