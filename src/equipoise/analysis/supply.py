"""The supplier's search: the plan a policy prefers among every plan the rules allow.

Plans are scored by the one evaluator (:mod:`equipoise.analysis.evaluator`) in
batches, with each dyad evaluated once per distinct set of deliveries that touch it;
the policies' objectives are in :mod:`equipoise.analysis.policies`. Small spaces are
enumerated (proven optimal); larger ones get a seeded local search, reported with a
proven upper bound on the objective and the gap to it (docs/model.md §8).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from equipoise.analysis.deliveries import (
    Decision,
    DeliveryItem,
    decision_items,
    decisions,
    feasible,
)
from equipoise.analysis.evaluator import DyadModel, Metrics, dyad_models, evaluate, gather
from equipoise.analysis.policies import Abstain, Policy, PolicyWeights, parse_policy
from equipoise.analysis.settings import Progress
from equipoise.domain.scenario import Scenario
from equipoise.engines.random import SeedLike, as_seed_sequence
from equipoise.engines.types import FloatArray, IntArray
from equipoise.errors import InputError

CHUNK_PLANS = 65_536
MAX_EXHAUSTIVE = 1_000_000_000
"""The most plans an exhaustive search enumerates (about five minutes at full speed)."""
TABLE_BLOCK = 4_096
MAX_RESTARTS = 25


@dataclass(frozen=True)
class DyadTable:
    """One dyad's evaluator columns over every feasible sub-plan of the decisions that
    touch it (zeros elsewhere), computed once and looked up by every plan: a dyad's
    metrics depend only on those decisions (docs/model.md §8)."""

    decisions: IntArray
    """The decisions touching the dyad."""
    plans: IntArray
    """(feasible sub-plans, all decisions)."""
    columns: dict[str, FloatArray]
    lookup: IntArray
    """Mixed-radix index of a sub-plan over ``decisions`` -> its row; -1 if infeasible."""
    strides: IntArray

    def rows(self, quantities: IntArray) -> IntArray:
        """Each plan's row in the table (-1 where its restriction is not in it)."""
        return np.asarray(self.lookup[quantities[:, self.decisions] @ self.strides])


def _table_rows(
    scenario: Scenario,
    items: tuple[DeliveryItem, ...],
    model: DyadModel,
    plans: IntArray,
    seed: SeedLike | None,
) -> dict[str, FloatArray]:
    """One dyad's columns for a block of sub-plans (a worker's job)."""
    metrics = evaluate(scenario, items, plans, models=(model,), seed=seed)
    return {name: column[:, 0] for name, column in metrics.values.items()}


@dataclass(frozen=True)
class PlanSpace:
    """The decisions a search ranges over, as delivery items and the dyads' linear models;
    ``seed`` keys the evaluator's estimates (the ``probability`` deterrence criterion);
    ``workers`` processes share the evaluation of the dyads' sub-plans."""

    scenario: Scenario
    decisions: tuple[Decision, ...]
    items: tuple[DeliveryItem, ...]
    models: tuple[DyadModel, ...]
    seed: SeedLike | None = 0
    workers: int = 1
    _tables: dict[int, tuple[DyadTable, ...] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, scenario: Scenario, seed: SeedLike | None = 0, workers: int = 1) -> PlanSpace:
        decisions_ = decisions(scenario)
        items = decision_items(scenario, decisions_)
        return cls(scenario, decisions_, items, dyad_models(scenario, items), seed, workers)

    def tables(self, max_sub_plans: int | None = None) -> tuple[DyadTable, ...] | None:
        """Every dyad's :class:`DyadTable`, or None when some dyad has more than
        ``max_sub_plans`` sub-plans (default: the scenario's ``search.max_enumeration``)."""
        limit = self.scenario.search.max_enumeration if max_sub_plans is None else max_sub_plans
        if limit not in self._tables:
            self._tables[limit] = self._build_tables(limit)
        return self._tables[limit]

    def _build_tables(self, limit: int) -> tuple[DyadTable, ...] | None:
        radices = np.array([d.max_quantity + 1 for d in self.decisions], dtype=np.int64)
        grids = []
        for model in self.models:
            relevant = np.asarray(model.items(), dtype=np.int64)
            if math.prod(int(radices[i]) for i in relevant) > limit:
                return None
            shape = tuple(int(radices[i]) for i in relevant)
            sub = np.indices(shape).reshape(len(shape), -1).T if shape else np.zeros((1, 0))
            plans = np.zeros((sub.shape[0], len(self.decisions)), dtype=np.int64)
            plans[:, relevant] = sub
            grids.append((model, relevant, shape, plans))
        jobs = []
        for model, _, _, plans in grids:
            kept = plans[feasible(self.scenario, self.decisions, plans)]
            jobs.append((model, kept))
        results = self._evaluate_tables(jobs)
        tables = []
        for (_, relevant, shape, plans), (_, kept), columns in zip(
            grids, jobs, results, strict=True
        ):
            strides = np.array(
                [math.prod(shape[k + 1 :]) for k in range(len(shape))], dtype=np.int64
            )
            lookup = np.full(plans.shape[0], -1, dtype=np.int64)
            lookup[kept[:, relevant] @ strides] = np.arange(kept.shape[0])
            tables.append(DyadTable(relevant, kept, columns, lookup, strides))
        return tuple(tables)

    def _evaluate_tables(
        self, jobs: list[tuple[DyadModel, IntArray]]
    ) -> list[dict[str, FloatArray]]:
        """Each dyad's columns; with ``workers`` > 1 the sub-plans are cut into blocks
        evaluated in parallel (rows are independent, so the numbers are the same)."""
        if self.workers <= 1 or sum(p.shape[0] for _, p in jobs) < TABLE_BLOCK:
            return [
                _table_rows(self.scenario, self.items, model, plans, self.seed)
                for model, plans in jobs
            ]
        blocks = [
            (index, plans[start : start + TABLE_BLOCK])
            for index, (_, plans) in enumerate(jobs)
            for start in range(0, plans.shape[0], TABLE_BLOCK)
        ]
        with ProcessPoolExecutor(self.workers) as pool:
            futures = [
                pool.submit(_table_rows, self.scenario, self.items, jobs[i][0], block, self.seed)
                for i, block in blocks
            ]
            parts = [future.result() for future in futures]
        merged: list[dict[str, FloatArray]] = []
        for index in range(len(jobs)):
            mine = [part for (i, _), part in zip(blocks, parts, strict=True) if i == index]
            merged.append({name: np.concatenate([p[name] for p in mine]) for name in mine[0]})
        return merged

    def evaluate(self, quantities: IntArray) -> Metrics:
        """Metrics for a batch of plans (rows of ``quantities``), all dyads: looked up in
        the dyads' tables when they exist, else evaluated batch by batch."""
        q = np.asarray(quantities)
        tables = self.tables() if q.ndim == 2 and q.shape[1] == len(self.decisions) else None
        if tables is not None and q.shape[0] and np.issubdtype(q.dtype, np.integer):
            limits = np.array([d.max_quantity for d in self.decisions], dtype=np.int64)
            if ((q >= 0) & (q <= limits)).all():
                rows = [table.rows(q) for table in tables]
                if all((r >= 0).all() for r in rows):
                    columns = [
                        {name: column[r] for name, column in table.columns.items()}
                        for table, r in zip(tables, rows, strict=True)
                    ]
                    costs = np.array([item.cost for item in self.items], dtype=float)
                    return gather(
                        tuple((m.a, m.b) for m in self.models), columns, q.shape[0], q @ costs
                    )
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
    bound: float | None = None
    """A proven upper bound on the objective over every feasible plan (local search)."""

    @property
    def gap(self) -> float | None:
        """How far the best plan found may be from the optimum (``bound − score``)."""
        return None if self.bound is None else max(self.bound - self.score, 0.0)


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


def enumerate_plans(
    space: PlanSpace, policy: Policy, weights: PolicyWeights, progress: Progress | None = None
) -> SearchOutcome:
    """Evaluate every feasible plan in batches: the exact optimum of the stated objective.

    ``progress`` receives the plans considered in each batch (feasible or not), out of
    the plan space's size.
    """
    scenario, decisions_ = space.scenario, space.decisions
    start = time.perf_counter()
    shape = tuple(d.max_quantity + 1 for d in decisions_)
    best_plan = np.zeros(len(decisions_), dtype=np.int64)
    best_score, best_cost, evaluated = -math.inf, math.inf, 0
    for first in range(0, math.prod(shape), CHUNK_PLANS):  # in itertools.product order
        flat = np.arange(first, min(first + CHUNK_PLANS, math.prod(shape)))
        chunk = np.column_stack(np.unravel_index(flat, shape)).astype(np.int64)
        if progress is not None:
            progress(chunk.shape[0])
        chunk = chunk[feasible(scenario, decisions_, chunk)]
        if chunk.shape[0] == 0:
            continue
        values, costs = space.score(chunk, policy, weights)
        index = _best(values, costs)
        evaluated += chunk.shape[0]
        score, cost = float(values[index]), float(costs[index])
        if _beats(score, cost, best_score, best_cost):
            best_plan, best_score, best_cost = chunk[index], score, cost
    return SearchOutcome(
        best_plan,
        best_score,
        "exhaustive enumeration",
        True,
        evaluated,
        time.perf_counter() - start,
        f"all {evaluated} feasible plans evaluated: proven optimal for the stated objective",
    )


GAP_TOLERANCE = 1e-9
LAGRANGE_STEPS = 48


def upper_bound(
    space: PlanSpace, policy: Policy, weights: PolicyWeights, max_sub_plans: int | None = None
) -> float | None:
    """A proven upper bound on the objective over every feasible plan, or None when some
    dyad's own sub-plans are too many to enumerate (docs/model.md §8).

    The objective is a sum over dyads of terms that depend only on the decisions
    touching the dyad (:meth:`Policy.dyad_terms`), minus the cost term. Each dyad is
    put at its own best over its feasible sub-plans (every restriction of a feasible
    plan is feasible: costs and caps only bound from above), as if dyads sharing a
    decision could disagree on it; a decision's cost is shared equally among the
    dyads it touches. Each supplier's budget is then priced by a Lagrange multiplier
    λ ≥ 0 (Fisher 1981, "The Lagrangian relaxation method for solving integer
    programming problems", Management Science 27(1)): bound(λ) = Σ_dyads max [terms −
    (cost weight / total budget + λ) · shared cost] + Σ λ · budget is an upper bound
    for every λ ≥ 0, and the smallest found over a grid of λ is reported.
    """
    scenario, decisions_ = space.scenario, space.decisions
    dyad_tables = space.tables(max_sub_plans)
    if dyad_tables is None:
        return None
    costs = np.array([d.cost for d in decisions_], dtype=float)
    touching = np.zeros(len(decisions_))
    tables = []
    for model, table in zip(space.models, dyad_tables, strict=True):
        touching[table.decisions] += 1
        metrics = gather(((model.a, model.b),), [table.columns], table.plans.shape[0])
        tables.append((table, policy.dyad_terms(metrics, weights)[:, 0]))
    if not tables:
        return None
    share = np.divide(costs, touching, out=np.zeros_like(costs), where=touching > 0)
    suppliers = sorted(scenario.suppliers)
    owner = np.array([suppliers.index(d.supplier) for d in decisions_], dtype=np.int64)
    budgets = np.array([scenario.suppliers[name].budget.total for name in suppliers])
    scale = weights.cost / budget_scale(scenario)
    shared = [table.plans * share for table, _ in tables]  # (sub-plans, decisions)

    def bound(prices: FloatArray) -> float:
        unit = scale + prices[owner]
        total = float(prices @ budgets)
        for (_, terms), cost in zip(tables, shared, strict=True):
            values = terms - cost @ unit
            total += float(np.max(values, initial=-math.inf, where=np.isfinite(values)))
        return total

    prices = np.zeros(len(suppliers))
    best = bound(prices)
    # the terms' range over the budget is the largest price worth trying
    spread = max(
        float(np.ptp(t[np.isfinite(t)])) if np.isfinite(t).any() else 0.0 for _, t in tables
    )
    top = (spread * len(tables) + 1.0) / max(float(budgets.min(initial=1.0)), 1e-9)
    levels = np.concatenate([[0.0], np.geomspace(top * 1e-6, top, LAGRANGE_STEPS)])
    for _ in range(2):  # coordinate descent over the suppliers' prices
        for index in range(len(suppliers)):
            trial = prices.copy()
            values = []
            for level in levels:
                trial[index] = level
                values.append(bound(trial))
            prices[index] = levels[int(np.argmin(values))]
            best = min(best, min(values))
    return best


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


TIME_UNITS_PER_SECOND = 100_000
"""Progress units per second of a time-limited search: about one stochastic trial's time
each (``benchmarks/bench_exchange.py`` runs some 140,000 trials a second on two cores), so
a bar over a search and the trials after it moves at an even pace."""


def local_search_units(time_limit: float) -> int:
    """The units a local search reports: its time limit in :data:`TIME_UNITS_PER_SECOND`."""
    return max(1, math.ceil(time_limit * TIME_UNITS_PER_SECOND))


@dataclass
class _TimeShare:
    """Reports a time-limited search's progress as the share of its limit used (in
    :func:`local_search_units`), never more than the limit and never backwards."""

    start: float
    limit: float
    progress: Progress | None
    reported: int = 0

    def report(self) -> None:
        if self.progress is None:
            return
        total = local_search_units(self.limit)
        used = min(int((time.perf_counter() - self.start) * TIME_UNITS_PER_SECOND), total)
        if used > self.reported:
            self.progress(used - self.reported)
            self.reported = used

    def finish(self) -> None:
        if self.progress is not None and self.reported < local_search_units(self.limit):
            self.progress(local_search_units(self.limit) - self.reported)
            self.reported = local_search_units(self.limit)


def local_search(
    space: PlanSpace,
    policy: Policy,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> SearchOutcome:
    """Best-improvement local search over add/remove/swap moves, with seeded restarts.

    Each step evaluates all neighbours of the current plan in one batch. Stops at
    the time limit; the result is a local optimum, reported with the proven
    :func:`upper_bound` and the gap to it (optimal when the gap is zero).
    ``progress`` receives the time used after each step (in :func:`local_search_units`), and
    the rest of :func:`local_search_units` once the bound is known: how many steps a
    search takes is not known up front, but it never runs past its time limit.
    """
    scenario, decisions_ = space.scenario, space.decisions
    start = time.perf_counter()
    limit = time_limit if time_limit is not None else scenario.search.time_limit_s
    clock = _TimeShare(start, limit, progress)
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
            clock.report()
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
    bound = upper_bound(space, policy, weights)
    clock.finish()
    gap = None if bound is None else max(bound - best_score, 0.0)
    optimal = gap is not None and gap <= GAP_TOLERANCE * max(1.0, abs(bound or 0.0))
    note = (
        f"local search (add, remove or swap one package), {restarts} random restarts: "
        + ("stopped at the time limit; " if timed_out else "local optimum; ")
        + (
            "heuristic, optimality gap unknown (a dyad's own plans are too many to bound)"
            if bound is None
            else f"gap 0: the score meets the proven upper bound {bound:.6g}"
            if optimal
            else f"heuristic, upper bound {bound:.6g}, gap at most {gap:.6g}"
        )
    )
    return SearchOutcome(
        best_plan,
        best_score,
        "local search",
        optimal,
        evaluated,
        time.perf_counter() - start,
        note,
        bound,
    )


def _method_for(
    scenario: Scenario, policy: Policy, decisions_: Sequence[Decision], method: str
) -> str:
    """How :func:`search` answers: 'none' (nothing to search), 'exhaustive' or 'local'."""
    if isinstance(policy, Abstain) or not decisions_:
        return "none"
    if method == "exhaustive" and _space_size(decisions_) > MAX_EXHAUSTIVE:
        raise InputError(
            f"--method exhaustive: the plan space has {_space_size(decisions_):.3g} plans, "
            f"more than the {MAX_EXHAUSTIVE:,} that can be enumerated",
            "use --method local (it reports a proven bound and the gap to it), or lower "
            "the packages' max_quantity",
        )
    if method == "exhaustive" or (
        method == "auto" and _space_size(decisions_) <= scenario.search.max_enumeration
    ):
        return "exhaustive"
    return "local"


def search_units(
    scenario: Scenario,
    policy: Policy | str,
    *,
    method: str = "auto",
    time_limit: float | None = None,
) -> int:
    """The units :func:`search` reports to ``progress``: the plan space's size when it is
    enumerated, :func:`local_search_units` of the time limit for a local search, else one."""
    policy = parse_policy(scenario, policy)
    decisions_ = decisions(scenario)
    chosen = _method_for(scenario, policy, decisions_, method)
    if chosen == "exhaustive":
        return _space_size(decisions_)
    if chosen == "local":
        limit = time_limit if time_limit is not None else scenario.search.time_limit_s
        return local_search_units(limit)
    return 1


def search(
    scenario: Scenario,
    policy: Policy | str,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    method: str = "auto",
    time_limit: float | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> tuple[tuple[Decision, ...], SearchOutcome]:
    """The best plan for a policy: enumeration if the space is small enough, else local
    search; ``workers`` processes evaluate the dyads' sub-plans.

    ``progress`` receives units of work out of :func:`search_units` (plans considered, or
    milliseconds of a local search's time limit).
    """
    policy = parse_policy(scenario, policy)
    space = PlanSpace.of(scenario, seed, workers)
    decisions_ = space.decisions
    chosen = _method_for(scenario, policy, decisions_, method)
    if chosen == "none":
        zero = np.zeros(len(decisions_), dtype=np.int64)
        value = float(space.score(zero[np.newaxis], policy, weights)[0][0])
        note = (
            "the policy delivers nothing"
            if isinstance(policy, Abstain)
            else "no delivery is possible: no supplier offers a package it may send "
            "to a state of a dyad (relations, offers, red lines, caps and budgets)"
        )
        if progress is not None:
            progress(1)
        return decisions_, SearchOutcome(zero, value, "none needed", True, 1, 0.0, note)
    if chosen == "exhaustive":
        return decisions_, enumerate_plans(space, policy, weights, progress)
    outcome = local_search(
        space, policy, weights, seed=seed, time_limit=time_limit, progress=progress
    )
    return decisions_, outcome
