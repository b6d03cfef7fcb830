"""Small builders of engine inputs and scenario mappings for the tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from equipoise.engines.exchange import Defence, Direction, Offence, Side


def offence(
    launchers: Sequence[float],
    rounds: Sequence[float] | None = None,
    *,
    reliability: Sequence[float] | float = 1.0,
    arrival: Sequence[float] | float = 1.0,
    guided: Sequence[bool] | bool = False,
    damage: Sequence[float] | float = 1.0,
    counterforce_kill: Sequence[float] | float = 0.0,
    rounds_per_wave: Sequence[int] | int = 1,
    targetable: Sequence[bool] | bool = True,
) -> Offence:
    """A batch-of-one offence; scalars apply to every element."""
    count = len(launchers)

    def per_element(value: Any, dtype: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (count,)).copy()

    return Offence(
        launchers=np.asarray([launchers], dtype=float).reshape(1, count),
        rounds=np.asarray([rounds if rounds is not None else launchers], dtype=float).reshape(
            1, count
        ),
        rounds_per_launcher_per_wave=per_element(rounds_per_wave, np.int64),
        reliability=per_element(reliability, float),
        arrival=per_element(arrival, float),
        guided=per_element(guided, bool),
        damage=per_element(damage, float),
        counterforce_kill=per_element(counterforce_kill, float),
        targetable=per_element(targetable, bool),
    )


def defence(
    interceptors: Sequence[float] = (),
    channels: Sequence[float] = (),
    shots: Sequence[int] = (),
    shoot_look_shoot: Sequence[bool] = (),
    ew: float = 1.0,
) -> Defence:
    """A batch-of-one defence, layers outermost first."""
    layers = len(interceptors)
    return Defence(
        interceptors=np.asarray([interceptors], dtype=float).reshape(1, layers),
        channels=np.asarray([channels], dtype=float).reshape(1, layers),
        shots_per_threat=np.asarray(shots if len(shots) else [1] * layers, dtype=np.int64),
        shoot_look_shoot=np.asarray(
            shoot_look_shoot if len(shoot_look_shoot) else [False] * layers, dtype=bool
        ),
        guided_arrival_factor=np.asarray([ew], dtype=float),
    )


def side(attack: Offence, protect: Defence, value: float = 100.0, threshold: float = 10.0) -> Side:
    return Side(attack, protect, value, threshold)


def no_offence() -> Offence:
    return offence([0.0], [0.0], damage=0.0)


def direction(
    striker: Side,
    victim: Side,
    striker_kill: Sequence[Sequence[float]] | None = None,
    victim_kill: Sequence[Sequence[float]] | None = None,
    waves: int = 1,
) -> Direction:
    """An exchange; kill matrices default to 'no layer can engage anything'."""
    s_elements, v_layers = striker.offence.elements, victim.defence.layers
    v_elements, s_layers = victim.offence.elements, striker.defence.layers
    return Direction(
        striker,
        victim,
        np.asarray(
            striker_kill if striker_kill is not None else np.zeros((s_elements, v_layers)), float
        ).reshape(s_elements, v_layers),
        np.asarray(
            victim_kill if victim_kill is not None else np.zeros((v_elements, s_layers)), float
        ).reshape(v_elements, s_layers),
        waves,
    )


def missile_duel(
    f_a: float, f_b: float, v_a: float, v_b: float, u_a: float, u_b: float, value: float = 1e6
) -> dict[str, Any]:
    """Intriligator-Brito's two-state missile world as a scenario mapping, no defences.

    One round per launcher; a round from A arrives with probability f_A and
    destroys the launcher it hits, so A's strike removes f_A B-missiles per missile
    fired (their f_A). Damage per arriving round is v / f, so that each missile
    fired in retaliation does v in expectation (their v).
    """

    def missile(arrival: float, damage: float) -> dict[str, Any]:
        return {
            "kind": "ballistic_missile",
            "reliability": 1.0,
            "arrival": arrival,
            "damage": damage / arrival,
            "counterforce_kill": 1.0,
        }

    return {
        "name": "missile-duel",
        "title": "Intriligator-Brito missile duel",
        "exchange": {"waves": 1, "split_levels": 11},
        "classes": {"missile-a": missile(f_a, v_a), "missile-b": missile(f_b, v_b)},
        "states": {
            "A": {
                "value_at_risk": value,
                "unacceptable_damage": u_a,
                "inventory": {"missile-a": {"launchers": 50, "rounds": 50}},
            },
            "B": {
                "value_at_risk": value,
                "unacceptable_damage": u_b,
                "inventory": {"missile-b": {"launchers": 50, "rounds": 50}},
            },
        },
        "dyads": [{"a": "A", "b": "B"}],
    }
