"""First strike and retaliation between two sides, with layered defences.

docs/model.md §3. The striker splits each offensive element's rounds between
counterforce (the victim's launchers) and countervalue (the victim's value at
risk), fires them in waves through the victim's defences (interceptor stocks deplete
from wave to wave), destroys launchers with the counterforce leakers, and the victim
retaliates with what survives, countervalue only, through the striker's defences.
With no defences, one round per launcher and kill probability 1 this is the
exchange of Intriligator & Brito (1984, *Journal of Conflict Resolution* 28(1)).

Each striker element spreads its counterforce rounds as evenly as possible over
the targeted launchers, independently of its other elements, so while rounds do
not outnumber launchers each arriving round removes ``q`` launchers in expectation
(Intriligator–Brito's linear f); beyond that, rounds double up on the same
launchers with diminishing returns.

Everything is vectorised over a leading batch axis. The expected-value form is the
mean-field approximation (no Python loop over trials); the stochastic form draws
binomial and hypergeometric variates for all trials of a block at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import product

import numpy as np

from equipoise.engines.salvo import (
    DefenceLayers,
    binomial_where_random,
    columns_with_any,
    salvo_expected,
    salvo_stochastic,
)
from equipoise.engines.types import Array, BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class Offence:
    """A side's offensive elements: (batch, elements) counts, (elements,) parameters."""

    launchers: Array
    rounds: Array
    rounds_per_launcher_per_wave: IntArray
    reliability: FloatArray
    arrival: FloatArray
    guided: BoolArray
    damage: FloatArray
    counterforce_kill: FloatArray
    targetable: BoolArray

    @property
    def elements(self) -> int:
        return int(self.reliability.shape[0])


@dataclass(frozen=True)
class Defence:
    """A side's defence layers, outermost first: (batch, layers) stocks and channels."""

    interceptors: Array
    channels: Array
    shots_per_threat: IntArray
    shoot_look_shoot: BoolArray
    guided_arrival_factor: Array

    @property
    def layers(self) -> int:
        return int(self.shots_per_threat.shape[0])


@dataclass(frozen=True)
class Side:
    """One side of a dyad as the engine sees it."""

    offence: Offence
    defence: Defence
    value_at_risk: float
    unacceptable_damage: float

    @property
    def batch(self) -> int:
        return int(self.offence.launchers.shape[0])


@dataclass(frozen=True)
class Direction:
    """An exchange in which ``striker`` moves first.

    ``striker_kill`` is (striker elements, victim layers): the victim's layers'
    single-shot kill probability against each striker element; ``victim_kill`` the
    reverse.
    """

    striker: Side
    victim: Side
    striker_kill: FloatArray
    victim_kill: FloatArray
    waves: int

    @property
    def batch(self) -> int:
        return self.striker.batch


@dataclass(frozen=True)
class StrikeOutcome:
    """One side's strike: leakers by element and aim point, interceptions by layer."""

    launched: Array
    leakers: Array
    intercepted_by_layer: Array


@dataclass(frozen=True)
class ExchangeOutcome:
    """First strike and retaliation, per batch row.

    Damage is in the target's value units, clipped to its value at risk.
    ``victim_surviving_share`` is the share of the victim's retaliatory potential
    (fireable rounds weighted by unopposed deliverable damage) left after the strike.
    ``first_strike_leakers`` are the rounds through the defences at the victim's value,
    ``first_strike_counterforce_leakers`` those through at its launchers.
    """

    first_strike_damage: FloatArray
    retaliation_damage: FloatArray
    victim_surviving_share: FloatArray
    first_strike_launched: FloatArray
    first_strike_leakers: FloatArray
    first_strike_counterforce_leakers: FloatArray
    first_strike_intercepted_by_layer: FloatArray
    retaliation_launched: FloatArray
    retaliation_leakers: FloatArray
    retaliation_intercepted_by_layer: FloatArray
    victim_launchers_destroyed: FloatArray


def aim_fractions(split: Array, victim: Offence) -> FloatArray:
    """Share of each striker element's rounds aimed at each target.

    Returns (batch, striker elements, 1 + victim elements): column 0 is countervalue,
    column 1 + m the victim's element m, weighted by its launchers (only targetable
    elements). With nothing to target, everything goes countervalue.
    """
    weights = victim.launchers * victim.targetable[np.newaxis, :]
    total = weights.sum(axis=1, keepdims=True)
    has_targets = total > 0
    target_share = np.divide(
        weights, total, out=np.zeros(weights.shape, dtype=float), where=has_targets
    )
    counterforce = np.where(has_targets, split, 0.0)
    aim = np.empty((split.shape[0], split.shape[1], 1 + weights.shape[1]))
    aim[:, :, 0] = 1.0 - counterforce
    aim[:, :, 1:] = counterforce[:, :, np.newaxis] * target_share[:, np.newaxis, :]
    return aim


def _arrival_probability(offence: Offence, defence: Defence) -> FloatArray:
    ew = np.where(offence.guided[np.newaxis, :], defence.guided_arrival_factor[:, np.newaxis], 1.0)
    return np.asarray(offence.reliability * offence.arrival * ew, dtype=float)


def _layers_for_streams(defence: Defence, kill: FloatArray, targets: int) -> DefenceLayers:
    return DefenceLayers(
        channels=defence.channels,
        shots_per_threat=defence.shots_per_threat,
        shoot_look_shoot=defence.shoot_look_shoot,
        kill_probability=np.repeat(kill, targets, axis=0),
    )


def strike_expected(
    offence: Offence, defence: Defence, kill: FloatArray, aim: FloatArray, waves: int
) -> StrikeOutcome:
    """Expected leakers of a strike fired in ``waves`` waves (mean-field form)."""
    batch, elements, targets = aim.shape
    remaining = np.array(offence.rounds, dtype=float, copy=True)
    per_wave = offence.launchers * offence.rounds_per_launcher_per_wave[np.newaxis, :]
    arrival = _arrival_probability(offence, defence)[:, :, np.newaxis]
    layers = _layers_for_streams(defence, kill, targets)
    stock = np.array(defence.interceptors, dtype=float, copy=True)
    leakers = np.zeros((batch, elements, targets))
    intercepted = np.zeros((batch, defence.layers))
    launched = np.zeros((batch, elements))
    for _ in range(waves):
        fired = np.minimum(remaining, per_wave)
        if not fired.any():
            break
        remaining = remaining - fired
        launched += fired
        arriving = fired[:, :, np.newaxis] * aim * arrival
        salvo = salvo_expected(arriving.reshape(batch, elements * targets), layers, stock)
        stock = salvo.interceptors_left
        leakers += salvo.leakers.reshape(batch, elements, targets)
        intercepted += salvo.intercepted_by_layer
    return StrikeOutcome(launched, leakers, intercepted)


def split_counts(rng: np.random.Generator, counts: IntArray, shares: FloatArray) -> IntArray:
    """Multinomial split of ``counts`` (batch, ...) over the last axis of ``shares``.

    Sequential conditional binomials, vectorised over all leading axes; a share of 0
    or 1 (of what is left) is applied exactly, without a draw.
    """
    out = np.zeros(shares.shape, dtype=np.int64)
    left = np.array(counts, dtype=np.int64, copy=True)
    share_left = np.ones(counts.shape)
    for k in range(shares.shape[-1] - 1):
        p = np.divide(
            shares[..., k], share_left, out=np.zeros(counts.shape), where=share_left > 1e-15
        )
        taken = binomial_where_random(rng, left, np.clip(p, 0.0, 1.0))
        out[..., k] = taken
        left = left - taken
        share_left = share_left - shares[..., k]
    out[..., -1] = left
    return out


def strike_stochastic(
    rng: np.random.Generator,
    offence: Offence,
    defence: Defence,
    kill: FloatArray,
    aim: FloatArray,
    waves: int,
) -> StrikeOutcome:
    """The same strike with binomial launches and arrivals, per trial.

    The defence tells rounds apart only by element (kill probabilities, arrival and
    random engagement among arrivals do not depend on the aim point), so each round's
    aim point is an independent label that nothing downstream reads: each element's
    salvo is carried through the waves and layers as one count, and its leakers are
    split among the aim points once, after the last wave (multinomial, ``aim``). This
    is the law of aiming every round at launch, with fewer draws.
    """
    batch, elements, targets = aim.shape
    remaining = np.array(offence.rounds, dtype=np.int64, copy=True)
    per_wave = np.asarray(offence.launchers, dtype=np.int64) * offence.rounds_per_launcher_per_wave[
        np.newaxis, :
    ].astype(np.int64)
    arrival = _arrival_probability(offence, defence)
    layers = DefenceLayers(
        channels=defence.channels,
        shots_per_threat=defence.shots_per_threat,
        shoot_look_shoot=defence.shoot_look_shoot,
        kill_probability=kill,
    )
    stock = np.array(defence.interceptors, dtype=np.int64, copy=True)
    leaked = np.zeros((batch, elements), dtype=np.int64)
    intercepted = np.zeros((batch, defence.layers), dtype=np.int64)
    launched = np.zeros((batch, elements), dtype=np.int64)
    for _ in range(waves):
        fired = np.minimum(remaining, per_wave)
        if not fired.any():
            break
        remaining = remaining - fired
        launched += fired
        arriving = binomial_where_random(rng, fired, arrival)
        salvo = salvo_stochastic(rng, arriving, layers, stock)
        stock = salvo.interceptors_left
        leaked += salvo.leakers
        intercepted += salvo.intercepted_by_layer
    leakers = split_counts(rng, leaked, aim) if targets > 1 else leaked[:, :, np.newaxis]
    return StrikeOutcome(launched, leakers, intercepted)


def even_spread_survival(rounds: Array, launchers: Array, kill: float) -> FloatArray:
    """Expected share of launchers surviving ``rounds`` spread evenly over them.

    ``rounds // launchers`` rounds on every launcher and one more on
    ``rounds % launchers`` of them, each killing its aim point with ``kill``. While
    rounds do not outnumber launchers this is ``1 - kill * rounds / launchers``:
    Intriligator–Brito's linear counterforce.
    """
    safe = np.where(launchers > 0, launchers, 1.0)
    per_launcher = np.floor(rounds / safe)
    extra = rounds - per_launcher * safe
    miss = 1.0 - kill
    surviving = (extra * miss ** (per_launcher + 1) + (safe - extra) * miss**per_launcher) / safe
    return np.asarray(np.where(launchers > 0, surviving, 1.0), dtype=float)


def counterforce_expected(
    counterforce_leakers: FloatArray, kill: FloatArray, launchers: FloatArray
) -> FloatArray:
    """Expected launchers destroyed per victim element, (batch, victim elements).

    ``counterforce_leakers`` is (batch, striker elements, victim elements). Each
    striker element spreads its rounds evenly over the target's launchers,
    independently of the other elements, so survival shares multiply: exact for
    one element, and never more destroyed when fewer rounds arrive.
    """
    surviving = np.ones(launchers.shape)
    for element in range(counterforce_leakers.shape[1]):
        if kill[element] > 0.0:
            surviving = surviving * even_spread_survival(
                counterforce_leakers[:, element, :], launchers, float(kill[element])
            )
    return np.asarray(launchers * (1.0 - surviving), dtype=float)


def counterforce_stochastic(
    rng: np.random.Generator, counterforce_leakers: IntArray, kill: FloatArray, launchers: IntArray
) -> IntArray:
    """Launchers destroyed per victim element in each trial (the same model, drawn).

    For each striker element in turn, which launchers get the extra round is
    random: the live ones among them are hypergeometric, and each live launcher
    survives its rounds with ``(1 - kill) ** rounds``. Draws whose outcome is fixed
    (no extra rounds, no rounds at all) are skipped.
    """
    alive = np.array(launchers, dtype=np.int64, copy=True)
    safe = np.where(launchers > 0, launchers, 1)
    for element in range(counterforce_leakers.shape[1]):
        q = float(kill[element])
        rounds = counterforce_leakers[:, element, :]
        if q <= 0.0 or not rounds.any():
            continue
        per_launcher = rounds // safe
        extra = rounds - per_launcher * safe
        alive_extra = _hypergeometric_where_random(
            rng, extra, safe - extra, np.where(launchers > 0, alive, 0)
        )
        miss = 1.0 - q
        alive = binomial_where_random(
            rng, alive_extra, miss ** (per_launcher + 1)
        ) + binomial_where_random(rng, alive - alive_extra, miss**per_launcher)
    return np.asarray(launchers - alive, dtype=np.int64)


def _hypergeometric_where_random(
    rng: np.random.Generator, good: IntArray, bad: IntArray, sample: IntArray
) -> IntArray:
    """Hypergeometric(``good``, ``bad``, ``sample``) per entry of (batch, columns) arrays,
    drawn only for columns where it is random in some row (else 0 or ``sample``)."""
    fixed = np.where(bad == 0, sample, 0)
    random = columns_with_any((good > 0) & (bad > 0) & (sample > 0))
    if not random.any():
        return np.asarray(fixed, dtype=np.int64)
    columns = np.flatnonzero(random)
    out = np.array(fixed, dtype=np.int64, copy=True)
    out[:, columns] = rng.hypergeometric(good[:, columns], bad[:, columns], sample[:, columns])
    return out


def rounds_on_surviving_launchers(
    rng: np.random.Generator, rounds: IntArray, launchers: IntArray, surviving: IntArray
) -> IntArray:
    """Rounds left on the surviving launchers, rounds spread evenly over launchers.

    Each launcher holds ``rounds // launchers`` rounds and ``rounds % launchers`` of
    them one more; which launchers survive is random, so the extra rounds left are
    hypergeometric. Its mean is ``rounds * surviving / launchers``, the
    expected-value form; with one round per launcher rounds follow launchers exactly.
    """
    safe = np.where(launchers > 0, launchers, 1)
    base = rounds // safe
    extra = rounds - base * safe
    sample = np.where(launchers > 0, surviving, 0)
    shape = extra.shape
    drawn = _hypergeometric_where_random(
        rng,
        extra.reshape(shape[0], -1),
        (safe - extra).reshape(shape[0], -1),
        np.broadcast_to(sample, shape).reshape(shape[0], -1),
    ).reshape(shape)
    return np.where(launchers > 0, surviving * base + drawn, rounds).astype(np.int64)


def retaliatory_potential(offence: Offence, launchers: Array, rounds: Array, waves: int) -> Array:
    """Rounds a side can fire in the exchange, weighted by unopposed deliverable damage."""
    fireable = np.minimum(
        rounds, waves * launchers * offence.rounds_per_launcher_per_wave[np.newaxis, :]
    )
    weight = offence.reliability * offence.arrival * offence.damage
    return np.asarray((fireable * weight[np.newaxis, :]).sum(axis=1), dtype=float)


def _damage(leakers_by_element: Array, offence: Offence, value_at_risk: float) -> FloatArray:
    raw = (leakers_by_element * offence.damage[np.newaxis, :]).sum(axis=1)
    return np.asarray(np.clip(raw, 0.0, value_at_risk), dtype=float)


def _outcome(
    direction: Direction,
    first: StrikeOutcome,
    retaliation: StrikeOutcome,
    destroyed: Array,
    launchers_left: Array,
    rounds_left: Array,
) -> ExchangeOutcome:
    striker, victim = direction.striker, direction.victim
    before = retaliatory_potential(
        victim.offence, victim.offence.launchers, victim.offence.rounds, direction.waves
    )
    after = retaliatory_potential(victim.offence, launchers_left, rounds_left, direction.waves)
    surviving = np.divide(after, before, out=np.full(before.shape, np.nan), where=before > 0)
    return ExchangeOutcome(
        first_strike_damage=_damage(first.leakers[:, :, 0], striker.offence, victim.value_at_risk),
        retaliation_damage=_damage(
            retaliation.leakers[:, :, 0], victim.offence, striker.value_at_risk
        ),
        victim_surviving_share=surviving,
        first_strike_launched=np.asarray(first.launched.sum(axis=1), dtype=float),
        first_strike_leakers=np.asarray(first.leakers[:, :, 0].sum(axis=1), dtype=float),
        first_strike_counterforce_leakers=np.asarray(
            first.leakers[:, :, 1:].sum(axis=(1, 2)), dtype=float
        ),
        first_strike_intercepted_by_layer=np.asarray(first.intercepted_by_layer, dtype=float),
        retaliation_launched=np.asarray(retaliation.launched.sum(axis=1), dtype=float),
        retaliation_leakers=np.asarray(retaliation.leakers[:, :, 0].sum(axis=1), dtype=float),
        retaliation_intercepted_by_layer=np.asarray(retaliation.intercepted_by_layer, dtype=float),
        victim_launchers_destroyed=np.asarray(destroyed.sum(axis=1), dtype=float),
    )


def exchange_expected(direction: Direction, split: Array) -> ExchangeOutcome:
    """Expected-value exchange for a (batch, striker elements) counterforce split."""
    striker, victim = direction.striker, direction.victim
    aim = aim_fractions(np.asarray(split, dtype=float), victim.offence)
    first = strike_expected(
        striker.offence, victim.defence, direction.striker_kill, aim, direction.waves
    )
    launchers = np.asarray(victim.offence.launchers, dtype=float)
    destroyed = counterforce_expected(
        first.leakers[:, :, 1:], striker.offence.counterforce_kill, launchers
    )
    launchers_left = launchers - destroyed
    rounds_left = victim.offence.rounds * np.divide(
        launchers_left, launchers, out=np.ones(launchers.shape), where=launchers > 0
    )
    survivors = replace(victim.offence, launchers=launchers_left, rounds=rounds_left)
    countervalue = np.ones((direction.batch, victim.offence.elements, 1))
    retaliation = strike_expected(
        survivors, striker.defence, direction.victim_kill, countervalue, direction.waves
    )
    return _outcome(direction, first, retaliation, destroyed, launchers_left, rounds_left)


def exchange_stochastic(
    rng: np.random.Generator, direction: Direction, split: Array
) -> ExchangeOutcome:
    """Stochastic exchange: every count is drawn; the batch axis is trials."""
    striker, victim = direction.striker, direction.victim
    aim = aim_fractions(np.asarray(split, dtype=float), victim.offence)
    first = strike_stochastic(
        rng, striker.offence, victim.defence, direction.striker_kill, aim, direction.waves
    )
    launchers = np.asarray(victim.offence.launchers, dtype=np.int64)
    destroyed = counterforce_stochastic(
        rng, first.leakers[:, :, 1:], striker.offence.counterforce_kill, launchers
    )
    launchers_left = launchers - destroyed
    rounds_left = rounds_on_surviving_launchers(
        rng, np.asarray(victim.offence.rounds, dtype=np.int64), launchers, launchers_left
    )
    survivors = replace(victim.offence, launchers=launchers_left, rounds=rounds_left)
    countervalue = np.ones((direction.batch, victim.offence.elements, 1))
    retaliation = strike_stochastic(
        rng, survivors, striker.defence, direction.victim_kill, countervalue, direction.waves
    )
    return _outcome(direction, first, retaliation, destroyed, launchers_left, rounds_left)


def counterforce_capable(direction: Direction) -> BoolArray:
    """Per batch row, the striker elements whose rounds can destroy launchers the victim
    exposes, (batch, elements): a kill probability, launchers fielded in that row and a
    targetable victim element. Row by row, so a row's strike never depends on the other
    rows it is batched with."""
    offence = direction.striker.offence
    has_targets = bool(direction.victim.offence.targetable.any())
    fielded = np.asarray(offence.launchers) > 0
    return np.asarray((offence.counterforce_kill > 0.0) & fielded & has_targets, dtype=bool)


def damage_limiting_split(direction: Direction) -> FloatArray:
    """The strike that leaves the victim the least to retaliate with.

    Every counterforce-capable round goes counterforce: engagement is random among
    arrivals, so this maximises counterforce leakers whatever the defence.
    """
    return counterforce_capable(direction).astype(float)


def split_groups(
    direction: Direction, levels: int, max_candidates: int
) -> list[tuple[IntArray, FloatArray]]:
    """The batch rows that can aim the same elements at launchers, each group with its
    :func:`candidate_splits`: a row's candidates never depend on its batch."""
    patterns, group = np.unique(counterforce_capable(direction), axis=0, return_inverse=True)
    return [
        (np.flatnonzero(group.ravel() == code), candidate_splits(pattern, levels, max_candidates))
        for code, pattern in enumerate(patterns)
    ]


def candidate_splits(capable: BoolArray, levels: int, max_candidates: int) -> FloatArray:
    """Counterforce splits the striker considers, (candidates, elements).

    A full grid of ``levels`` fractions per capable element while it stays within
    ``max_candidates``; beyond that one shared fraction for all capable elements.
    """
    grid = np.linspace(0.0, 1.0, levels)
    capable_index = np.flatnonzero(capable)
    count = capable_index.size
    if count == 0:
        return np.zeros((1, capable.shape[0]))
    if levels**count <= max_candidates:
        combos = np.array(list(product(grid, repeat=count)))
    else:
        combos = np.repeat(grid[:, np.newaxis], count, axis=1)
    splits = np.zeros((combos.shape[0], capable.shape[0]))
    splits[:, capable_index] = combos
    return splits


def map_batch(
    side: Side, transform: Callable[[Array], Array], *, counts_only: bool = False
) -> Side:
    """Apply ``transform`` to every per-batch array of a side: its counts, and its EW
    factor unless ``counts_only``."""
    offence = replace(
        side.offence,
        launchers=transform(side.offence.launchers),
        rounds=transform(side.offence.rounds),
    )
    factor = side.defence.guided_arrival_factor
    defence = replace(
        side.defence,
        interceptors=transform(side.defence.interceptors),
        channels=transform(side.defence.channels),
        guided_arrival_factor=factor if counts_only else transform(factor),
    )
    return replace(side, offence=offence, defence=defence)


def tile_side(side: Side, repeats: int) -> Side:
    """Repeat each batch row ``repeats`` times (row-major: row b, then its copies)."""
    return map_batch(side, lambda array: np.repeat(array, repeats, axis=0))


def as_counts(side: Side) -> Side:
    """The same side with every count as whole numbers, for the stochastic form."""
    return map_batch(side, lambda array: np.rint(array).astype(np.int64), counts_only=True)


def select_rows(side: Side, index: IntArray) -> Side:
    """The batch rows ``index`` of a side."""
    return map_batch(side, lambda array: array[index])


def trials_of(direction: Direction, trials: int) -> Direction:
    """A batch-of-one exchange repeated for ``trials`` stochastic trials, as counts."""
    return replace(
        direction,
        striker=as_counts(tile_side(direction.striker, trials)),
        victim=as_counts(tile_side(direction.victim, trials)),
    )


def net_outcome(
    dealt: Array,
    suffered: Array,
    rival_value: float,
    own_value: float,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
) -> FloatArray:
    """A side's net exchange outcome: weighted damage shares dealt minus suffered.

    Damage dealt is a share of the rival's value at risk, damage suffered a share of
    one's own; the weights are the scenario's ``exchange`` settings.
    """
    return np.asarray(
        dealt_weight * dealt / rival_value - suffered_weight * suffered / own_value, dtype=float
    )


def striker_objective(
    outcome: ExchangeOutcome, direction: Direction, dealt_weight: float, suffered_weight: float
) -> FloatArray:
    """The striker's net outcome from an exchange it opens."""
    return net_outcome(
        outcome.first_strike_damage,
        outcome.retaliation_damage,
        direction.victim.value_at_risk,
        direction.striker.value_at_risk,
        dealt_weight,
        suffered_weight,
    )


def first_strike_advantage(
    own_first: ExchangeOutcome,
    rival_first: ExchangeOutcome,
    own_value: float,
    rival_value: float,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
) -> FloatArray:
    """How much better a side does striking first than being struck first.

    Its net outcome when it opens the exchange minus its net outcome when the rival
    opens it (the preemption incentive of Schelling 1960 and Powell 2006).
    """
    weights = (dealt_weight, suffered_weight)
    first = net_outcome(
        own_first.first_strike_damage,
        own_first.retaliation_damage,
        rival_value,
        own_value,
        *weights,
    )
    second = net_outcome(
        rival_first.retaliation_damage,
        rival_first.first_strike_damage,
        rival_value,
        own_value,
        *weights,
    )
    return first - second


@dataclass(frozen=True)
class SplitChoice:
    """The striker's preferred split per batch row and its expected outcome."""

    split: FloatArray
    objective: FloatArray


def leakers_by_element(direction: Direction) -> FloatArray:
    """Expected rounds of each striker element through the victim's defences, whatever
    the split: (batch, striker elements).

    Every layer engages arrivals at random among the streams it can shoot at, and a
    stream's kill probability is its element's, so the streams of one element (its aim
    points) pass each layer in the same proportion and deplete the stocks only through
    their sum (docs/model.md §2): the split only divides each element's leakers
    between aim points in its own proportions.
    """
    whole = np.ones((direction.batch, direction.striker.offence.elements, 1))
    strike = strike_expected(
        direction.striker.offence,
        direction.victim.defence,
        direction.striker_kill,
        whole,
        direction.waves,
    )
    return np.asarray(strike.leakers[:, :, 0], dtype=float)


def candidate_objectives(
    direction: Direction,
    candidates: FloatArray,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
) -> FloatArray:
    """The striker's objective of every candidate split in every row, (batch, candidates).

    The same exchange as :func:`exchange_expected` (docs/model.md §3), with the first
    strike run once per row (:func:`leakers_by_element`), each element's counterforce
    once per row and distinct fraction, and only the retaliation once per (row,
    candidate).
    """
    striker, victim = direction.striker, direction.victim
    batch, count = direction.batch, candidates.shape[0]
    leakers = leakers_by_element(direction)[:, np.newaxis, :]
    elements = striker.offence.elements
    all_counterforce = aim_fractions(np.ones((batch, elements)), victim.offence)
    target_share = all_counterforce[:, :1, 1:]
    has_targets = target_share.sum(axis=2) > 0
    counterforce = np.where(has_targets[:, :, np.newaxis], candidates[np.newaxis], 0.0)
    countervalue = (leakers * (1.0 - counterforce)).reshape(batch * count, elements)
    dealt = _damage(countervalue, striker.offence, victim.value_at_risk)
    launchers = np.asarray(victim.offence.launchers, dtype=float)[:, np.newaxis, :]
    surviving = np.ones((batch, count, victim.offence.elements))
    kill = striker.offence.counterforce_kill
    for element in np.flatnonzero(kill > 0.0):
        # An element takes few distinct fractions over the candidates: its survival
        # factor is computed for each once and gathered (the same numbers, elementwise).
        fractions, which = np.unique(candidates[:, element], return_inverse=True)
        aimed = np.where(has_targets, fractions[np.newaxis, :], 0.0)
        rounds = (leakers[:, :, element] * aimed)[:, :, np.newaxis]
        factor = even_spread_survival(rounds * target_share, launchers, float(kill[element]))
        surviving = surviving * factor[:, which.ravel(), :]
    launchers_left = launchers - launchers * (1.0 - surviving)
    rounds_left = victim.offence.rounds[:, np.newaxis, :] * np.divide(
        launchers_left,
        launchers,
        out=np.ones(launchers_left.shape),
        where=np.broadcast_to(launchers > 0, launchers_left.shape),
    )
    survivors = replace(
        victim.offence,
        launchers=launchers_left.reshape(batch * count, -1),
        rounds=rounds_left.reshape(batch * count, -1),
    )
    defence = striker.defence
    retaliation = strike_expected(
        survivors,
        replace(
            defence,
            interceptors=np.repeat(defence.interceptors, count, axis=0),
            channels=np.repeat(defence.channels, count, axis=0),
            guided_arrival_factor=np.repeat(defence.guided_arrival_factor, count, axis=0),
        ),
        direction.victim_kill,
        np.ones((batch * count, victim.offence.elements, 1)),
        direction.waves,
    )
    suffered = _damage(retaliation.leakers[:, :, 0], victim.offence, striker.value_at_risk)
    value = net_outcome(
        dealt,
        suffered,
        victim.value_at_risk,
        striker.value_at_risk,
        dealt_weight,
        suffered_weight,
    )
    return np.asarray(value.reshape(batch, count), dtype=float)


Objectives = Callable[[Direction, FloatArray, float, float], FloatArray]
"""Scores (rows, candidates) of candidate splits for a batch of rows."""


def search_splits(
    direction: Direction,
    score: Objectives,
    *,
    levels: int,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
    max_candidates: int = 4096,
    max_rows: int = 20_000,
) -> SplitChoice:
    """The best candidate split per row under ``score``, about ``max_rows`` (row,
    candidate) pairs at a time. Rows are grouped by the elements they can aim at
    launchers (:func:`split_groups`), so a row's answer is the same in any batch; ties
    go to the candidate listed first, i.e. the least counterforce."""
    best_split = np.zeros((direction.batch, direction.striker.offence.elements))
    best_value = np.zeros(direction.batch)
    for rows, candidates in split_groups(direction, levels, max_candidates):
        rows_per_chunk = max(1, max_rows // candidates.shape[0])
        for start in range(0, rows.size, rows_per_chunk):
            index = rows[start : start + rows_per_chunk]
            chunk = replace(
                direction,
                striker=select_rows(direction.striker, index),
                victim=select_rows(direction.victim, index),
            )
            value = score(chunk, candidates, dealt_weight, suffered_weight)
            choice = np.argmax(value, axis=1)
            best_split[index] = candidates[choice]
            best_value[index] = value[np.arange(index.size), choice]
    return SplitChoice(best_split, best_value)


def best_split_expected(
    direction: Direction,
    *,
    levels: int,
    dealt_weight: float = 1.0,
    suffered_weight: float = 1.0,
    max_candidates: int = 4096,
    max_rows: int = 20_000,
) -> SplitChoice:
    """Search counterforce splits for the striker's best first strike (vectorised):
    every candidate of :func:`candidate_splits` scored by :func:`candidate_objectives`
    (one first strike shared by all candidates), in chunks small enough for the arrays
    to stay in cache."""
    return search_splits(
        direction,
        candidate_objectives,
        levels=levels,
        dealt_weight=dealt_weight,
        suffered_weight=suffered_weight,
        max_candidates=max_candidates,
        max_rows=max_rows,
    )
