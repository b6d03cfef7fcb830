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


def columns_with_any(values: Array) -> BoolArray:
    """Which columns of a (batch, columns) array hold a nonzero entry in some row.

    One strided pass per column: NumPy's ``any(axis=0)`` on a narrow array is an
    order of magnitude slower, and this runs once per draw.
    """
    return np.array([values[:, column].any() for column in range(values.shape[1])], dtype=bool)


def row_sums(values: Array) -> Array:
    """Sum over the columns of a (batch, columns) array, column by column (see
    :func:`columns_with_any`: NumPy's ``sum(axis=1)`` on a narrow array is slow)."""
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=values.dtype)
    total = np.array(values[:, 0], copy=True)
    for column in range(1, values.shape[1]):
        total += values[:, column]
    return total


def binomial_where_random(rng: np.random.Generator, counts: IntArray, p: Array) -> IntArray:
    """Binomial(``counts``, ``p``) drawn only where the outcome is random.

    ``counts`` is (batch, ...) and ``p`` broadcasts to it. A column (everything but the
    batch axis) whose counts are zero in every row, or whose ``p`` is 0 or 1 in every
    row, is filled exactly (0 or ``counts``) without a draw: the same law, fewer variates.
    """
    counts = np.asarray(counts, dtype=np.int64)
    shape = counts.shape
    flat = counts.reshape(shape[0], -1)
    chance = np.broadcast_to(np.asarray(p, dtype=float), shape).reshape(shape[0], -1)
    pattern = chance[:1] if chance.strides[0] == 0 else chance
    random = columns_with_any((pattern > 0.0) & (pattern < 1.0)) & columns_with_any(flat)
    if random.all():
        return np.asarray(rng.binomial(flat, chance).reshape(shape), dtype=np.int64)
    out = np.where(chance >= 1.0, flat, 0)
    if random.any():
        columns = np.flatnonzero(random)
        out[:, columns] = rng.binomial(flat[:, columns], chance[:, columns])
    return np.asarray(out.reshape(shape), dtype=np.int64)


def draw_without_replacement(
    rng: np.random.Generator, counts: IntArray, draws: IntArray
) -> IntArray:
    """Row-wise multivariate hypergeometric draw: ``draws[b]`` items from row b.

    Built from one conditional hypergeometric draw per column, vectorised over rows;
    the last column holding any items takes what is left, exactly, without a draw.
    """
    out = np.zeros_like(counts)
    remaining_population = row_sums(counts)
    remaining_draws = np.array(draws, copy=True)
    held = np.flatnonzero(columns_with_any(counts))
    for position, column in enumerate(held):
        if position == held.size - 1:
            out[:, column] = remaining_draws
            break
        good = counts[:, column]
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
    counts; the batch axis is usually trials. A layer draws only for the streams it
    can engage, and not at all in a wave where it engages nothing in any row (no
    channels, no stock or nothing engageable arriving).
    """
    leak = np.array(arriving, dtype=np.int64, copy=True)
    # per-layer columns as contiguous rows: NumPy is much faster on them
    stock = np.array(np.asarray(interceptors, dtype=np.int64).T, copy=True)
    channels = np.ascontiguousarray(np.asarray(layers.channels, dtype=np.int64).T)
    intercepted = np.zeros((layers.count, leak.shape[0]), dtype=np.int64)
    kill = layers.kill_probability
    survive = survival_per_engagement(kill, layers.shots_per_threat)
    for layer in range(layers.count):
        engageable = np.flatnonzero(kill[:, layer] > 0.0)
        if engageable.size == 0:
            continue
        shots = int(layers.shots_per_threat[layer])
        fundable = stock[layer] // shots if shots > 1 else stock[layer]
        capacity = np.maximum(np.minimum(channels[layer], fundable), 0)
        if not capacity.any():
            continue
        every_stream = engageable.size == leak.shape[1]
        candidates = leak if every_stream else leak[:, engageable]
        demand = row_sums(candidates)
        engaged_total = np.minimum(demand, capacity)
        if not engaged_total.any():
            continue
        if (engaged_total == demand).all():
            engaged = candidates
        else:
            engaged = draw_without_replacement(rng, candidates, engaged_total)
        if layers.shoot_look_shoot[layer]:
            survivors = engaged
            spent = np.zeros_like(engaged_total)
            miss = 1.0 - kill[engageable, layer]
            for shot in range(shots):
                spent += engaged_total if shot == 0 else row_sums(survivors)
                survivors = binomial_where_random(rng, survivors, miss[np.newaxis, :])
        else:
            survivors = binomial_where_random(rng, engaged, survive[np.newaxis, engageable, layer])
            spent = engaged_total * shots
        stock[layer] -= spent
        intercepted[layer] = engaged_total - row_sums(survivors)
        if every_stream:
            leak = leak - engaged + survivors
        else:
            leak[:, engageable] = candidates - engaged + survivors
    return SalvoOutcome(leak, np.ascontiguousarray(intercepted.T), np.ascontiguousarray(stock.T))
