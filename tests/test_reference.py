"""The vectorised stochastic exchange against an independent one-trial-at-a-time loop.

Both implement the model of equipoise.engines.exchange; the loop moves individual
threats through the layers. Their means must agree within sampling error (4 sigma
on the difference of two independent means, with the variance pooled).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from equipoise import load_scenario
from equipoise.analysis.forces import dyad_forces
from equipoise.engines.exchange import exchange_stochastic, trials_of
from equipoise.engines.reference import exchange_one_trial


@pytest.mark.parametrize(
    ("scenario", "a", "b"), [("levant-2018", "ISR", "SYR"), ("asia-rivals-2024", "IND", "VNM")]
)
def test_vectorised_and_loop_draw_from_the_same_model(scenario: str, a: str, b: str) -> None:
    loaded = load_scenario(scenario)
    forces = dyad_forces(loaded, a, b)
    direction = forces.a_first
    split = np.full(direction.striker.offence.elements, 0.4)
    rng = np.random.default_rng(2024)
    loop = [exchange_one_trial(rng, direction, split) for _ in range(300)]
    trials = 20_000
    vector = exchange_stochastic(
        np.random.default_rng(7),
        trials_of(direction, trials),
        np.broadcast_to(split, (trials, split.size)),
    )
    for name in ("first_strike_damage", "retaliation_damage", "victim_surviving_share"):
        slow = np.array([getattr(t, name) for t in loop])
        fast = getattr(vector, name)
        # under the null hypothesis both samples share one variance: pool it
        pooled = np.concatenate([slow, fast]).var(ddof=1)
        se = math.sqrt(pooled * (1 / slow.size + 1 / fast.size))
        assert abs(slow.mean() - fast.mean()) <= 4 * se + 1e-9, (name, slow.mean(), fast.mean())
