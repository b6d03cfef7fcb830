"""A one-trial-at-a-time reference implementation of the stochastic exchange.

Written the straightforward way (individual threats, Python loops, one trial per
call) from the model's description in :mod:`equipoise.engines.exchange`, not from
its vectorised code. It serves twice: the tests check that the vectorised engine
draws from the same distribution, and ``benchmarks/`` times it as the baseline that
vectorisation is measured against. Do not use it for analysis: it is slow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equipoise.engines.exchange import Direction, Offence, Side


@dataclass(frozen=True)
class TrialOutcome:
    """One trial's first-strike damage, retaliation damage, victim survival share and
    the victim's launchers destroyed."""

    first_strike_damage: float
    retaliation_damage: float
    victim_surviving_share: float
    victim_launchers_destroyed: float


def _row(array: np.ndarray) -> list[int]:
    return [round(float(v)) for v in np.asarray(array)[0]]


def _strike(
    rng: np.random.Generator,
    offence: Offence,
    launchers: list[int],
    rounds: list[int],
    defender: Side,
    kill: np.ndarray,
    aim: list[list[float]],
    waves: int,
) -> list[list[int]]:
    """Fire ``waves`` waves; return leakers per (element, target)."""
    elements, targets = len(launchers), len(aim[0])
    remaining = list(rounds)
    stock = _row(defender.defence.interceptors)
    channels = _row(defender.defence.channels)
    shots = [int(s) for s in defender.defence.shots_per_threat]
    look = [bool(v) for v in defender.defence.shoot_look_shoot]
    ew = float(defender.defence.guided_arrival_factor[0])
    leakers = [[0] * targets for _ in range(elements)]
    for _ in range(waves):
        fired = [
            min(remaining[e], launchers[e] * int(offence.rounds_per_launcher_per_wave[e]))
            for e in range(elements)
        ]
        if not any(fired):
            break
        threats: list[tuple[int, int]] = []
        for e in range(elements):
            remaining[e] -= fired[e]
            p = float(offence.reliability[e] * offence.arrival[e]) * (
                ew if offence.guided[e] else 1.0
            )
            for _round in range(fired[e]):
                target = int(rng.choice(targets, p=aim[e])) if targets > 1 else 0
                if rng.random() < p:
                    threats.append((e, target))
        for layer in range(len(shots)):
            engageable = [i for i, (e, _) in enumerate(threats) if kill[e, layer] > 0]
            capacity = min(channels[layer], stock[layer] // shots[layer])
            count = min(len(engageable), max(capacity, 0))
            chosen = (
                set(rng.choice(engageable, size=count, replace=False).tolist()) if count else set()
            )
            survivors = []
            for index, threat in enumerate(threats):
                if index not in chosen:
                    survivors.append(threat)
                    continue
                p = float(kill[threat[0], layer])
                if look[layer]:
                    killed = False
                    for _shot in range(shots[layer]):
                        stock[layer] -= 1
                        if rng.random() < p:
                            killed = True
                            break
                else:
                    stock[layer] -= shots[layer]
                    killed = rng.random() < 1.0 - (1.0 - p) ** shots[layer]
                if not killed:
                    survivors.append(threat)
            threats = survivors
        for e, target in threats:
            leakers[e][target] += 1
    return leakers


def exchange_one_trial(
    rng: np.random.Generator, direction: Direction, split: np.ndarray
) -> TrialOutcome:
    """One stochastic exchange: first strike, counterforce, retaliation."""
    striker, victim = direction.striker, direction.victim
    s_off, v_off = striker.offence, victim.offence
    v_launchers, v_rounds = _row(v_off.launchers), _row(v_off.rounds)
    weights = [v_launchers[m] if v_off.targetable[m] else 0 for m in range(len(v_launchers))]
    total = sum(weights)
    aim = []
    for e in range(s_off.elements):
        counterforce = float(split[e]) if total > 0 else 0.0
        aim.append(
            [1.0 - counterforce] + [counterforce * w / total if total else 0.0 for w in weights]
        )
    leakers = _strike(
        rng,
        s_off,
        _row(s_off.launchers),
        _row(s_off.rounds),
        victim,
        direction.striker_kill,
        aim,
        direction.waves,
    )
    first_damage = min(
        victim.value_at_risk,
        sum(leakers[e][0] * float(s_off.damage[e]) for e in range(s_off.elements)),
    )
    surviving_launchers, surviving_rounds = [], []
    for m, launchers in enumerate(v_launchers):
        if launchers == 0:
            surviving_launchers.append(0)
            surviving_rounds.append(v_rounds[m])
            continue
        alive = [True] * launchers
        for e in range(s_off.elements):
            q = float(s_off.counterforce_kill[e])
            arriving = leakers[e][1 + m]
            if q <= 0.0 or arriving == 0:
                continue
            for position, launcher in enumerate(rng.permutation(launchers)):
                hits = arriving // launchers + (1 if position < arriving % launchers else 0)
                if alive[int(launcher)] and rng.random() >= (1.0 - q) ** hits:
                    alive[int(launcher)] = False
        base, extra = divmod(v_rounds[m], launchers)
        held = [base + (1 if i < extra else 0) for i in range(launchers)]
        surviving_launchers.append(sum(alive))
        surviving_rounds.append(sum(r for r, a in zip(held, alive, strict=True) if a))
    countervalue = [[1.0] for _ in range(v_off.elements)]
    retaliation = _strike(
        rng,
        v_off,
        surviving_launchers,
        surviving_rounds,
        striker,
        direction.victim_kill,
        countervalue,
        direction.waves,
    )
    retaliation_damage = min(
        striker.value_at_risk,
        sum(retaliation[e][0] * float(v_off.damage[e]) for e in range(v_off.elements)),
    )

    def potential(launchers: list[int], rounds: list[int]) -> float:
        return sum(
            min(
                rounds[e],
                direction.waves * launchers[e] * int(v_off.rounds_per_launcher_per_wave[e]),
            )
            * float(v_off.reliability[e] * v_off.arrival[e] * v_off.damage[e])
            for e in range(v_off.elements)
        )

    before = potential(v_launchers, v_rounds)
    share = (
        potential(surviving_launchers, surviving_rounds) / before if before > 0 else float("nan")
    )
    destroyed = sum(v_launchers) - sum(surviving_launchers)
    return TrialOutcome(first_damage, retaliation_damage, share, float(destroyed))
