"""Layered-defence salvo model, in expected-value and stochastic forms.

One wave of threats meets a defender's layers from the outermost inward; what an
outer layer fails to kill passes to the next (docs/model.md §2). Each threat belongs to
a *stream* (an attacking element aimed at one target), so that the caller can tell
counterforce leakers from countervalue ones. Each layer engages threats it can
shoot at, chosen at random among the arrivals (the defender cannot tell aim points
apart), up to its engagement channels and to the interceptors it holds in reserve
for a full engagement (``shots_per_threat`` each). Unengaged arrivals leak:
saturation.

Hughes' salvo equation (Hughes 1995, *Naval Research Logistics* 42) is the special
case of one layer with kill probability 1, one shot per threat and
``channels = beta * B``; the stochastic form follows Armstrong (2005,
*Operations Research* 53(5)) in replacing expected hits with binomial draws. All
functions are vectorised over a leading batch axis (trials, grid cells or candidate
packages); the only Python loops run over layers, streams and shots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equipoise.engines.types import Array, BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class DefenceLayers:
    """A defender's layers, ordered outermost first.

    ``channels`` is (batch, layers): threats each layer can engage in one wave.
    ``kill_probability`` is (streams, layers): single-shot kill probability of each
    layer against each incoming stream (0 where the layer cannot engage it).
    """

    channels: Array
    shots_per_threat: IntArray
    shoot_look_shoot: BoolArray
    kill_probability: FloatArray

    @property
    def count(self) -> int:
        return int(self.shots_per_threat.shape[0])


@dataclass(frozen=True)
class SalvoOutcome:
    """What one wave did: leakers per stream, kills per layer, stocks left."""

    leakers: Array
    intercepted_by_layer: Array
    interceptors_left: Array


def survival_per_engagement(kill_probability: FloatArray, shots: IntArray) -> FloatArray:
    """Probability an engaged threat survives all its shots: (1 - p)^s."""
    return np.asarray((1.0 - kill_probability) ** shots[np.newaxis, :], dtype=float)


def expected_shots_per_engagement(
    kill_probability: FloatArray, shots: IntArray, shoot_look_shoot: BoolArray
) -> FloatArray:
    """Interceptors an engagement expends on average.

    Shoot-shoot fires all ``s`` shots; shoot-look-shoot fires the next shot only at a
    survivor, so it expends sum_{j<s} (1 - p)^j.
    """
    miss = 1.0 - kill_probability
    max_shots = int(shots.max()) if shots.size else 0
    powers = np.stack([miss**j for j in range(max(max_shots, 1))], axis=0)  # (s, S, L)
    shot_index = np.arange(powers.shape[0])[:, np.newaxis, np.newaxis]
    look = np.where(shot_index < shots[np.newaxis, np.newaxis, :], powers, 0.0).sum(axis=0)
    fire_all = np.broadcast_to(shots[np.newaxis, :].astype(float), kill_probability.shape)
    return np.where(shoot_look_shoot[np.newaxis, :], look, fire_all)


def salvo_expected(arriving: Array, layers: DefenceLayers, interceptors: Array) -> SalvoOutcome:
    """Expected-value (mean-field) salvo: closed form, deterministic, differentiable.

    ``arriving`` is (batch, streams) expected threats reaching the outer layer;
    ``interceptors`` is (batch, layers). Engagements are shared among engageable
    streams in proportion to their arrivals, the mean of the stochastic form's
    random choice.
    """
    leak = np.array(arriving, dtype=float, copy=True)
    batch = leak.shape[0]
    # Stocks and kills by layer as contiguous rows (layers, batch): a layer's column of
    # a (batch, layers) array is strided, and every step below reads or writes one.
    stock = np.array(np.asarray(interceptors, dtype=float).T, order="C")
    intercepted = np.zeros((layers.count, batch))
    kill = layers.kill_probability
    survive = survival_per_engagement(kill, layers.shots_per_threat)
    shots_used = expected_shots_per_engagement(
        kill, layers.shots_per_threat, layers.shoot_look_shoot
    )
    for layer in range(layers.count):
        engageable = kill[:, layer] > 0.0
        if not engageable.any():
            continue
        every = bool(engageable.all())
        demand = (leak if every else leak[:, engageable]).sum(axis=1)
        capacity = np.minimum(
            layers.channels[:, layer], stock[layer] / layers.shots_per_threat[layer]
        )
        engaged_total = np.minimum(demand, np.maximum(capacity, 0.0))
        share = np.divide(engaged_total, demand, out=np.zeros_like(demand), where=demand > 0.0)
        engaged = leak * share[:, np.newaxis]
        if not every:
            engaged *= engageable[np.newaxis, :]
        killed = engaged * (1.0 - survive[np.newaxis, :, layer])
        spent = (engaged * shots_used[np.newaxis, :, layer]).sum(axis=1)
        stock[layer] = np.maximum(stock[layer] - spent, 0.0)
        leak -= killed
        intercepted[layer] = killed.sum(axis=1)
    return SalvoOutcome(leak, intercepted.T, stock.T)


def draw_without_replacement(
    rng: np.random.Generator, counts: IntArray, draws: IntArray
) -> IntArray:
    """Row-wise multivariate hypergeometric draw: ``draws[b]`` items from row b.

    Built from one conditional hypergeometric draw per column, vectorised over rows.
    """
    out = np.zeros_like(counts)
    remaining_population = counts.sum(axis=1)
    remaining_draws = np.array(draws, copy=True)
    for column in range(counts.shape[1]):
        good = counts[:, column]
        if not good.any():
            continue
        bad = remaining_population - good
        taken = rng.hypergeometric(good, bad, remaining_draws)
        out[:, column] = taken
        remaining_population = bad
        remaining_draws = remaining_draws - taken
    return out


def salvo_stochastic(
    rng: np.random.Generator,
    arriving: Array,
    layers: DefenceLayers,
    interceptors: Array,
) -> SalvoOutcome:
    """Stochastic salvo: the same model with binomial and hypergeometric draws.

    ``arriving`` (batch, streams) and ``interceptors`` (batch, layers) are integer
    counts; the batch axis is usually trials.
    """
    leak = np.array(arriving, dtype=np.int64, copy=True)
    stock = np.array(interceptors, dtype=np.int64, copy=True)
    channels = np.asarray(layers.channels).astype(np.int64)
    batch = leak.shape[0]
    intercepted = np.zeros((batch, layers.count), dtype=np.int64)
    kill = layers.kill_probability
    survive = survival_per_engagement(kill, layers.shots_per_threat)
    for layer in range(layers.count):
        engageable = kill[:, layer] > 0.0
        if not engageable.any():
            continue
        shots = int(layers.shots_per_threat[layer])
        candidates = leak * engageable[np.newaxis, :]
        demand = candidates.sum(axis=1)
        capacity = np.minimum(channels[:, layer], stock[:, layer] // shots)
        engaged_total = np.minimum(demand, np.maximum(capacity, 0))
        if np.array_equal(engaged_total, demand):
            engaged = candidates
        else:
            engaged = draw_without_replacement(rng, candidates, engaged_total)
        if layers.shoot_look_shoot[layer]:
            survivors = engaged
            used = np.zeros_like(engaged)
            for _ in range(shots):
                used = used + survivors
                survivors = rng.binomial(survivors, 1.0 - kill[np.newaxis, :, layer])
        else:
            survivors = rng.binomial(engaged, survive[np.newaxis, :, layer])
            used = engaged * shots
        stock[:, layer] = stock[:, layer] - used.sum(axis=1)
        intercepted[:, layer] = (engaged - survivors).sum(axis=1)
        leak = leak - engaged + survivors
    return SalvoOutcome(leak, intercepted, stock)
