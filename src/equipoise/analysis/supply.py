"""The supplier's search: the plan a policy prefers among every plan the rules allow.

Plans are scored by the one evaluator (:mod:`equipoise.analysis.evaluator`) in
batches, with each dyad evaluated once per distinct set of deliveries that touch it;
the policies' objectives are in :mod:`equipoise.analysis.policies`. Small spaces are
enumerated (proven optimal); larger ones get a seeded local search (docs/model.md §8).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from equipoise.analysis.deliveries import (
    Decision,
    DeliveryItem,
    decision_items,
    decisions,
    feasible,
)
from equipoise.analysis.evaluator import DyadModel, Metrics, dyad_models, evaluate
from equipoise.analysis.policies import Abstain, Policy, PolicyWeights, parse_policy
from equipoise.domain.scenario import Scenario
from equipoise.engines.random import SeedLike, as_seed_sequence
from equipoise.engines.types import FloatArray, IntArray

CHUNK_PLANS = 1024
MAX_RESTARTS = 25


@dataclass(frozen=True)
class PlanSpace:
    """The decisions a search ranges over, as delivery items and the dyads' linear models;
    ``seed`` keys the evaluator's estimates (the ``probability`` deterrence criterion)."""

    scenario: Scenario
    decisions: tuple[Decision, ...]
    items: tuple[DeliveryItem, ...]
    models: tuple[DyadModel, ...]
    seed: SeedLike | None = 0

    @classmethod
    def of(cls, scenario: Scenario, seed: SeedLike | None = 0) -> PlanSpace:
        decisions_ = decisions(scenario)
        items = decision_items(scenario, decisions_)
        return cls(scenario, decisions_, items, dyad_models(scenario, items), seed)

    def evaluate(self, quantities: IntArray) -> Metrics:
        """Metrics for a batch of plans (rows of ``quantities``), all dyads."""
        return evaluate(self.scenario, self.items, quantities, models=self.models, seed=self.seed)

    def score(
        self, quantities: IntArray, policy: Policy, weights: PolicyWeights
    ) -> tuple[FloatArray, FloatArray]:
        """(scores, costs) of a batch of plans."""
        metrics = self.evaluate(quantities)
        return policy.score(metrics, weights, budget_scale(self.scenario)), metrics.cost


def budget_scale(scenario: Scenario) -> float:
    """The suppliers' total budget, by which plan costs are scaled in the objectives."""
    total = sum(s.budget.total for s in scenario.suppliers.values())
    return total if total > 0 else 1.0


# --- search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchOutcome:
    """The best plan found and how sure we are of it."""

    quantities: IntArray
    score: float
    method: str
    proven_optimal: bool
    evaluated: int
    seconds: float
    note: str


def _space_size(decisions_: Sequence[Decision]) -> int:
    return math.prod(d.max_quantity + 1 for d in decisions_)


def _best(scores: FloatArray, costs: FloatArray) -> int:
    """Highest score; ties to the cheaper plan, then to the first listed."""
    top = scores.max()
    tied = np.flatnonzero(np.isclose(scores, top, rtol=0, atol=1e-9))
    return int(tied[np.argmin(costs[tied])])


def _beats(score: float, cost: float, best_score: float, best_cost: float) -> bool:
    """A higher score, or the same score at a lower cost."""
    tie = abs(score - best_score) <= 1e-9
    return score > best_score + 1e-9 or (tie and cost < best_cost)


def enumerate_plans(space: PlanSpace, policy: Policy, weights: PolicyWeights) -> SearchOutcome:
    """Evaluate every feasible plan in batches: the exact optimum of the stated objective."""
    scenario, decisions_ = space.scenario, space.decisions
    start = time.perf_counter()
    ranges = [range(d.max_quantity + 1) for d in decisions_]
    best_plan = np.zeros(len(decisions_), dtype=np.int64)
    best_score, best_cost, evaluated = -math.inf, math.inf, 0
    iterator = itertools.product(*ranges)
    while True:
        chunk = np.array(list(itertools.islice(iterator, CHUNK_PLANS)), dtype=np.int64)
        if chunk.size == 0:
            break
        chunk = chunk.reshape(-1, len(decisions_))
        chunk = chunk[feasible(scenario, decisions_, chunk)]
        if chunk.shape[0] == 0:
            continue
        values, costs = space.score(chunk, policy, weights)
        index = _best(values, costs)
        evaluated += chunk.shape[0]
        if _beats(values[index], costs[index], best_score, best_cost):
            best_plan, best_score, best_cost = chunk[index], float(values[index]), costs[index]
    return SearchOutcome(
        best_plan,
        best_score,
        "exhaustive enumeration",
        True,
        evaluated,
        time.perf_counter() - start,
        f"all {evaluated} feasible plans evaluated: proven optimal for the stated objective",
    )


def _neighbours(plan: IntArray, limits: IntArray) -> IntArray:
    """Plans one package away: add one, remove one, or move one between decisions."""
    out = []
    count = plan.shape[0]
    for i in range(count):
        if plan[i] < limits[i]:
            up = plan.copy()
            up[i] += 1
            out.append(up)
        if plan[i] > 0:
            down = plan.copy()
            down[i] -= 1
            out.append(down)
            for j in range(count):
                if j != i and plan[j] < limits[j]:
                    swap = down.copy()
                    swap[j] += 1
                    out.append(swap)
    return np.array(out, dtype=np.int64).reshape(-1, count)


def local_search(
    space: PlanSpace,
    policy: Policy,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    time_limit: float | None = None,
) -> SearchOutcome:
    """Best-improvement local search over add/remove/swap moves, with seeded restarts.

    Each step evaluates all neighbours of the current plan in one batch. Stops at
    the time limit; the result is a local optimum, with no bound on the gap.
    """
    scenario, decisions_ = space.scenario, space.decisions
    start = time.perf_counter()
    limit = time_limit if time_limit is not None else scenario.search.time_limit_s
    rng = np.random.default_rng(as_seed_sequence(seed))
    limits = np.array([d.max_quantity for d in decisions_], dtype=np.int64)
    best_plan = np.zeros(len(decisions_), dtype=np.int64)
    best_score, best_cost = -math.inf, math.inf
    evaluated, restarts, timed_out = 0, 0, False
    current = best_plan.copy()
    while True:
        current_score = float(space.score(current[np.newaxis], policy, weights)[0][0])
        evaluated += 1
        while True:
            if time.perf_counter() - start > limit:
                timed_out = True
                break
            candidates = _neighbours(current, limits)
            candidates = candidates[feasible(scenario, decisions_, candidates)]
            if candidates.shape[0] == 0:
                break
            values, costs = space.score(candidates, policy, weights)
            evaluated += candidates.shape[0]
            index = _best(values, costs)
            if values[index] <= current_score + 1e-9:
                break
            current, current_score = candidates[index], float(values[index])
        cost = float(current @ np.array([d.cost for d in decisions_])) if decisions_ else 0.0
        if _beats(current_score, cost, best_score, best_cost):
            best_plan, best_score, best_cost = current.copy(), current_score, cost
        if timed_out or restarts >= MAX_RESTARTS or time.perf_counter() - start > limit / 2:
            break
        restarts += 1
        current = np.array([rng.integers(0, m + 1) for m in limits], dtype=np.int64)
        while not feasible(scenario, decisions_, current[np.newaxis])[0] and current.any():
            current[rng.choice(np.flatnonzero(current))] -= 1
    note = (
        f"local search (add, remove or swap one package), {restarts} random restarts: "
        + ("stopped at the time limit; " if timed_out else "local optimum; ")
        + "heuristic, optimality gap unknown"
    )
    return SearchOutcome(
        best_plan, best_score, "local search", False, evaluated, time.perf_counter() - start, note
    )


def search(
    scenario: Scenario,
    policy: Policy | str,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    method: str = "auto",
    time_limit: float | None = None,
) -> tuple[tuple[Decision, ...], SearchOutcome]:
    """The best plan for a policy: enumeration if the space is small enough, else local search."""
    policy = parse_policy(scenario, policy)
    space = PlanSpace.of(scenario, seed)
    decisions_ = space.decisions
    if isinstance(policy, Abstain) or not decisions_:
        zero = np.zeros(len(decisions_), dtype=np.int64)
        value = float(space.score(zero[np.newaxis], policy, weights)[0][0])
        note = (
            "the policy delivers nothing"
            if isinstance(policy, Abstain)
            else "no delivery is possible: no supplier offers a package it may send "
            "to a state of a dyad (relations, offers, red lines, caps and budgets)"
        )
        return decisions_, SearchOutcome(zero, value, "none needed", True, 1, 0.0, note)
    use_enumeration = method == "exhaustive" or (
        method == "auto" and _space_size(decisions_) <= scenario.search.max_enumeration
    )
    if use_enumeration:
        return decisions_, enumerate_plans(space, policy, weights)
    return decisions_, local_search(space, policy, weights, seed=seed, time_limit=time_limit)
