"""The one evaluator of expected-value dyad metrics: variants in, metrics out.

Every command that asks "is this dyad deterred, who gains by striking first, is
there a bargaining range?" gets its answer here: ``analyze`` (one variant, the
scenario itself), map cells, supplier plans, what-if deliveries and the possible
worlds of claims are thin builders of variants (docs/model.md §3, §4, §6).

A *variant* is the scenario plus some quantity of each of a list of deliveries.
Every count the engines use (launchers, rounds, interceptors, channels, EW units)
is linear in those quantities, so each dyad side is built once as base arrays plus
the contribution of one unit of each delivery, and a batch of variants is
``base + Q @ contributions`` run through the expected-value exchange in one pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from equipoise.analysis.deliveries import DeliveryItem, apply_items, variant_matrix
from equipoise.analysis.forces import combined_ew_factor, dyad_forces, ew_units
from equipoise.analysis.metrics import DYAD_ARRAYS
from equipoise.domain.loading import load_scenario
from equipoise.domain.scenario import Scenario
from equipoise.engines.dynamics import BargainingRange, contest_probability, destruction_share
from equipoise.engines.exchange import (
    Direction,
    ExchangeOutcome,
    Side,
    as_counts,
    best_split_expected,
    damage_limiting_split,
    exchange_expected,
    exchange_stochastic,
    first_strike_advantage,
    select_rows,
    trials_of,
)
from equipoise.engines.random import SeedLike, as_seed_sequence
from equipoise.engines.types import FloatArray, IntArray


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

    def touched_by(self) -> IntArray:
        """Indices of the items that change this side at all."""
        stacked = np.concatenate(
            [self.launchers, self.rounds, self.interceptors, self.channels, self.ew_units], axis=1
        )
        return np.flatnonzero(np.abs(stacked).sum(axis=1) > 0)


@dataclass(frozen=True)
class DyadModel:
    """A dyad's two sides as linear functions of the item quantities."""

    a: str
    b: str
    a_side: SideModel
    b_side: SideModel
    a_first: Direction
    b_first: Direction

    def directions(self, scenario: Scenario, quantities: FloatArray) -> tuple[Direction, Direction]:
        """The two exchanges (A first, B first) for every variant."""
        a_side = self.a_side.batch(scenario, quantities)
        b_side = self.b_side.batch(scenario, quantities)
        return (
            replace(self.a_first, striker=a_side, victim=b_side),
            replace(self.b_first, striker=b_side, victim=a_side),
        )

    def items(self) -> IntArray:
        """Indices of the items that change this dyad (the rest cannot move its metrics)."""
        return np.union1d(self.a_side.touched_by(), self.b_side.touched_by())


def _side_model(
    scenario: Scenario, items: Sequence[DeliveryItem], state: str, rival: str
) -> SideModel:
    zeros = [0.0] * len(items)
    zero = apply_items(scenario, items, zeros, keep_zero=True)
    base = dyad_forces(zero, state, rival).a
    base_units = ew_units(zero, state, rival)
    classes = tuple(sorted(base_units))
    rows: dict[str, list[FloatArray]] = {k: [] for k in ("l", "r", "i", "c", "e")}
    for index, item in enumerate(items):
        unit = list(zeros)
        unit[index] = 1.0
        one = apply_items(scenario, items, unit, keep_zero=True)
        side = dyad_forces(one, state, rival).a.side
        units = ew_units(one, state, rival)
        per = item.per
        rows["l"].append((side.offence.launchers[0] - base.side.offence.launchers[0]) / per)
        rows["r"].append((side.offence.rounds[0] - base.side.offence.rounds[0]) / per)
        rows["i"].append((side.defence.interceptors[0] - base.side.defence.interceptors[0]) / per)
        rows["c"].append((side.defence.channels[0] - base.side.defence.channels[0]) / per)
        rows["e"].append(
            np.array([units.get(n, 0) - base_units.get(n, 0) for n in classes], float) / per
        )

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


def dyad_model(scenario: Scenario, items: Sequence[DeliveryItem], a: str, b: str) -> DyadModel:
    """The linear model of dyad (a, b) over the items, for batches of variants."""
    zero = apply_items(scenario, items, [0.0] * len(items), keep_zero=True)
    forces = dyad_forces(zero, a, b)
    return DyadModel(
        a,
        b,
        _side_model(scenario, items, a, b),
        _side_model(scenario, items, b, a),
        forces.a_first,
        forces.b_first,
    )


def dyad_models(scenario: Scenario, items: Sequence[DeliveryItem]) -> tuple[DyadModel, ...]:
    """Linear models of every dyad in the scenario, for batches of variants."""
    return tuple(dyad_model(scenario, items, d.a, d.b) for d in scenario.dyads)


# --- the metrics of one dyad ------------------------------------------------------------


def is_deterred(
    scenario: Scenario,
    retaliation: FloatArray,
    threshold: float,
    probability: FloatArray,
) -> FloatArray:
    """1.0 where a side is deterred from striking first, by the scenario's criterion.

    ``retaliation`` is the rival's expected retaliation after this side's most
    disarming strike; ``probability`` the estimated probability that it reaches
    ``threshold`` (read only under the ``probability`` criterion).
    """
    settings = scenario.deterrence
    if settings.criterion == "expected_value":
        return np.asarray(retaliation >= threshold, dtype=float)
    return np.asarray(np.asarray(probability) >= settings.confidence, dtype=float)


def capability_probability(scenario: Scenario, a: str, b: str) -> tuple[float | None, str]:
    """P(A prevails) from the contest function of capabilities, or why it is missing."""
    from equipoise.analysis.bargaining import state_capability

    cap_a, cap_b = state_capability(scenario, a), state_capability(scenario, b)
    if cap_a is None or cap_b is None:
        return None, f"{a if cap_a is None else b} has no capability block"
    return float(contest_probability(cap_a, cap_b, scenario.bargaining.exponent)), ""


@dataclass(frozen=True)
class DyadExchanges:
    """One dyad over a batch of variants: metric columns and the exchanges behind them.

    ``chosen`` and ``limiting`` hold each striker's split (its preferred one and its
    most disarming one) keyed 'a' and 'b'; ``outcomes`` their expected exchanges.
    """

    columns: dict[str, FloatArray]
    chosen: dict[str, FloatArray] = field(default_factory=dict)
    limiting: dict[str, FloatArray] = field(default_factory=dict)
    outcomes: dict[str, ExchangeOutcome] = field(default_factory=dict)
    bargaining_note: str = ""


def evaluate_dyad(
    scenario: Scenario,
    states: tuple[str, str],
    a_first: Direction,
    b_first: Direction,
    *,
    first_strike: bool = True,
    retaliation_probabilities: bool = False,
    probability_trials: int | None = None,
    seed: SeedLike | None = 0,
) -> DyadExchanges:
    """Deterrence, first-strike advantages, damage, survivability, P(prevail) and the
    bargaining range of a dyad for every batch row (expected-value exchange).

    ``first_strike`` runs the striker's split search (the chosen strike); without it
    the metrics that need it are NaN. Each side's probability that its retaliation
    reaches the rival's threshold is estimated (``probability_trials`` stochastic
    trials per variant, default the scenario's ``deterrence.trials``, seeded by the
    variant itself: see :func:`retaliation_probability`) when the deterrence criterion
    is ``probability`` or ``retaliation_probabilities`` asks for it; else it is NaN.
    """
    a_side, b_side = a_first.striker, a_first.victim
    rows = a_side.batch
    settings = scenario.exchange
    weights = (settings.dealt_weight, settings.suffered_weight)
    out: dict[str, FloatArray] = {}
    result = DyadExchanges(out)
    for key, direction in (("a", a_first), ("b", b_first)):
        result.limiting[key] = damage_limiting_split(direction)
        result.outcomes[f"limited_{key}"] = exchange_expected(direction, result.limiting[key])
    nan = np.full(rows, np.nan)
    probabilities = (nan, nan)
    if retaliation_probabilities or scenario.deterrence.criterion == "probability":
        trials = probability_trials or scenario.deterrence.trials
        probabilities = (
            retaliation_probability(b_first, result.limiting["b"], trials, seed),
            retaliation_probability(a_first, result.limiting["a"], trials, seed),
        )
    out["p_retaliation_a"], out["p_retaliation_b"] = probabilities
    limited_a, limited_b = result.outcomes["limited_a"], result.outcomes["limited_b"]
    out["retaliation_a"] = limited_b.retaliation_damage
    out["retaliation_b"] = limited_a.retaliation_damage
    out["survivability_a"] = limited_b.victim_surviving_share
    out["survivability_b"] = limited_a.victim_surviving_share
    out["a_deterred"] = is_deterred(
        scenario, limited_a.retaliation_damage, a_side.unacceptable_damage, probabilities[1]
    )
    out["b_deterred"] = is_deterred(
        scenario, limited_b.retaliation_damage, b_side.unacceptable_damage, probabilities[0]
    )
    for name in ("dealt_a", "suffered_a", "dealt_b", "suffered_b", "fsa_a", "fsa_b"):
        out[name] = nan
    if first_strike:
        for key, direction in (("a", a_first), ("b", b_first)):
            result.chosen[key] = best_split_expected(
                direction,
                levels=settings.split_levels,
                dealt_weight=weights[0],
                suffered_weight=weights[1],
                max_candidates=settings.max_split_candidates,
            ).split
            chosen = exchange_expected(direction, result.chosen[key])
            result.outcomes[f"chosen_{key}"] = chosen
            out[f"dealt_{key}"] = chosen.first_strike_damage
            out[f"suffered_{key}"] = chosen.retaliation_damage
        va, vb = a_side.value_at_risk, b_side.value_at_risk
        chosen_a, chosen_b = result.outcomes["chosen_a"], result.outcomes["chosen_b"]
        out["fsa_a"] = first_strike_advantage(chosen_a, chosen_b, va, vb, *weights)
        out["fsa_b"] = first_strike_advantage(chosen_b, chosen_a, vb, va, *weights)
    note = _bargaining(scenario, states, a_side, b_side, out, rows)
    return replace(result, bargaining_note=note)


def _bargaining(
    scenario: Scenario,
    states: tuple[str, str],
    a_side: Side,
    b_side: Side,
    out: dict[str, FloatArray],
    rows: int,
) -> str:
    """Fill P(prevail) and Fearon's range into ``out``; return why it is missing, if it is."""
    a, b = states
    va, vb = a_side.value_at_risk, b_side.value_at_risk
    reason = ""
    if scenario.bargaining.probability == "capability":
        p, reason = capability_probability(scenario, a, b)
        p_first = p_second = np.full(rows, np.nan if p is None else p)
    else:
        p_first = destruction_share(out["dealt_a"] / vb, out["suffered_a"] / va)
        p_second = destruction_share(out["suffered_b"] / vb, out["dealt_b"] / va)
        p_first = np.where(np.isnan(out["dealt_a"]), np.nan, p_first)
        p_second = np.where(np.isnan(out["dealt_b"]), np.nan, p_second)
    out["p_first"], out["p_second"] = p_first, p_second
    cost_a, cost_b = scenario.states[a].war_cost, scenario.states[b].war_cost
    if not reason and (cost_a is None or cost_b is None):
        reason = f"{a if cost_a is None else b} has no war_cost"
    if reason:
        for name in ("range_low", "range_high", "range_width", "range_closed"):
            out[name] = np.full(rows, np.nan)
        out["has_range"] = np.zeros(rows)
        return reason
    assert cost_a is not None
    assert cost_b is not None
    bargain = BargainingRange(p_first, p_second, cost_a, cost_b)
    out["range_low"] = np.asarray(bargain.low, dtype=float)
    out["range_high"] = np.asarray(bargain.high, dtype=float)
    out["range_width"] = np.asarray(bargain.width, dtype=float)
    out["range_closed"] = np.asarray(bargain.closed, dtype=float)
    out["has_range"] = np.asarray(np.isfinite(out["range_width"]), dtype=float)
    return ""


def retaliation_probability(
    striker_first: Direction, limiting: FloatArray, trials: int, seed: SeedLike | None
) -> FloatArray:
    """P(the victim's retaliation after the striker's most disarming strike reaches the
    striker's unacceptable damage), per batch row, from ``trials`` stochastic trials.

    Each row draws from its own stream, keyed by ``seed`` and by the row's own counts
    and split (common random numbers): the same variant gets the same estimate whether
    it is a map cell, a supplier plan, a what-if or a world of claims, and wherever it
    sits in a batch.
    """
    base = as_seed_sequence(seed)
    out = np.zeros(striker_first.batch)
    for row in range(striker_first.batch):
        direction = _rows(striker_first, np.array([row]))
        stream = np.random.SeedSequence(
            base.entropy, spawn_key=(*base.spawn_key, *_fingerprint(direction, limiting[row]))
        )
        stacked = trials_of(direction, trials)
        split = np.repeat(limiting[row : row + 1], trials, axis=0)
        outcome = exchange_stochastic(np.random.default_rng(stream), stacked, split)
        threshold = striker_first.striker.unacceptable_damage
        out[row] = float((outcome.retaliation_damage >= threshold).mean())
    return out


def _fingerprint(direction: Direction, split: FloatArray) -> tuple[int, ...]:
    """Words identifying one variant's exchange: its whole-number counts, EW factors
    and split (rounded, so builders that differ by float rounding agree)."""
    parts = [np.round(np.asarray(split, dtype=float), 9)]
    for side in (direction.striker, direction.victim):
        counted = as_counts(side)
        parts += [
            np.asarray(counted.offence.launchers, dtype=float),
            np.asarray(counted.offence.rounds, dtype=float),
            np.asarray(counted.defence.interceptors, dtype=float),
            np.asarray(counted.defence.channels, dtype=float),
            np.round(np.asarray(side.defence.guided_arrival_factor, dtype=float), 9),
        ]
    data = b"".join(np.ascontiguousarray(part).tobytes() for part in parts)
    digest = hashlib.blake2b(data, digest_size=16).digest()
    return tuple(int(word) for word in np.frombuffer(digest, dtype=np.uint32))


def _rows(direction: Direction, index: IntArray) -> Direction:
    return replace(
        direction,
        striker=select_rows(direction.striker, index),
        victim=select_rows(direction.victim, index),
    )


# --- many dyads, many variants ------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Expected-value metrics of every dyad for a batch of variants: (variants, dyads)
    arrays named as in :data:`equipoise.analysis.metrics.DYAD_ARRAYS`, plus each
    variant's cost. ``_a``/``_b`` name the dyad's first and second state."""

    dyads: tuple[tuple[str, str], ...]
    values: dict[str, FloatArray]
    cost: FloatArray

    def __getattr__(self, name: str) -> FloatArray:
        values: dict[str, FloatArray] = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def a_deterred(self) -> IntArray:
        return self.values["a_deterred"].astype(np.int64)

    @property
    def b_deterred(self) -> IntArray:
        return self.values["b_deterred"].astype(np.int64)

    @property
    def mutual(self) -> IntArray:
        return np.asarray(self.a_deterred & self.b_deterred)

    @property
    def status_codes(self) -> IntArray:
        """0 neither, 1 only A deterred, 2 only B deterred, 3 mutual (STATUS_LABELS order)."""
        return np.asarray(self.a_deterred + 2 * self.b_deterred)


def evaluate(
    scenario: Scenario | str | Path,
    items: Sequence[DeliveryItem],
    quantities: IntArray | FloatArray,
    *,
    models: Sequence[DyadModel] | None = None,
    first_strike: bool = True,
    retaliation_probabilities: bool = False,
    probability_trials: int | None = None,
    seed: SeedLike | None = 0,
) -> Metrics:
    """Metrics of every dyad for a batch of variants (rows of ``quantities``).

    Each dyad is evaluated once per distinct combination of the items that touch it,
    so plans differing only in deliveries elsewhere share the work.
    """
    scenario = load_scenario(scenario)
    q = variant_matrix(quantities, len(items))
    models = dyad_models(scenario, items) if models is None else models
    columns: list[dict[str, FloatArray]] = []
    for model in models:
        relevant = model.items()
        unique, inverse = np.unique(q[:, relevant], axis=0, return_inverse=True)
        reduced = np.zeros((unique.shape[0], q.shape[1]))
        reduced[:, relevant] = unique
        a_first, b_first = model.directions(scenario, reduced)
        exchanges = evaluate_dyad(
            scenario,
            (model.a, model.b),
            a_first,
            b_first,
            first_strike=first_strike,
            retaliation_probabilities=retaliation_probabilities,
            probability_trials=probability_trials,
            seed=seed,
        )
        columns.append({k: v[inverse.ravel()] for k, v in exchanges.columns.items()})
    costs = np.array([item.cost for item in items], dtype=float)
    return gather(
        tuple((m.a, m.b) for m in models), columns, q.shape[0], q @ costs if items else None
    )


def gather(
    dyads: tuple[tuple[str, str], ...],
    columns: Sequence[dict[str, FloatArray]],
    rows: int,
    costs: FloatArray | None = None,
) -> Metrics:
    """Stack per-dyad metric columns into (variants, dyads) arrays."""
    values = {
        name: np.stack([c[name] for c in columns], axis=1) if columns else np.zeros((rows, 0))
        for name in DYAD_ARRAYS
    }
    cost = np.zeros(rows) if costs is None else np.asarray(costs, dtype=float)
    return Metrics(dyads, values, cost)


def evaluate_scenario(
    scenario: Scenario | str | Path, *, first_strike: bool = True, seed: SeedLike | None = 0
) -> Metrics:
    """The scenario itself as one variant (``analyze`` in expected-value mode)."""
    return evaluate(scenario, (), np.zeros((1, 0)), first_strike=first_strike, seed=seed)
