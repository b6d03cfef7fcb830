"""Supplier policies, "military diplomacy" (DOMAIN.md §6): plans, red lines, search.

A *plan* gives a quantity for each (supplier, package, recipient) decision. Its
deliveries become holdings of the recipient (restricted against the rivals the
supplier's red lines name), and every dyad is assessed on the expected-value
exchange. Counts are linear in the quantities, so each dyad side is built once as
``base + Q @ contributions`` and a whole batch of candidate plans runs through the
engine in one pass.

Policies (their objective is documented in :class:`PolicyWeights`):

* ``abstain``: deliver nothing;
* ``partisan:STATE``: deter STATE's rivals first, then raise STATE's probability of
  prevailing, then spend least;
* ``balancer``: mutual deterrence in every dyad first, then the smallest
  first-strike advantages and the widest bargaining ranges, then the least cost.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from equipoise.analysis import linear
from equipoise.analysis.linear import DeliveryItem, DyadModel, VariantMetrics
from equipoise.analysis.results import clean
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Holding, Package, Scenario, Supplier
from equipoise.engines.random import SeedLike, as_seed_sequence
from equipoise.engines.types import BoolArray, FloatArray, IntArray
from equipoise.errors import InputError

CHUNK_PLANS = 1024
MAX_RESTARTS = 25
WEIGHTS_EXAMPLE = "Write e.g. mutual=1000,fsa=10,range=10,cost=1"


@dataclass(frozen=True)
class Decision:
    """One package one supplier could deliver to one recipient, up to ``max_quantity``."""

    supplier: str
    package: str
    recipient: str
    max_quantity: int
    cost: float
    per_year_cost: float

    @property
    def label(self) -> str:
        return f"{self.recipient}:{self.supplier}.{self.package}"


PlanKey = tuple[str, str, str]


def plan_key(decision: Decision) -> PlanKey:
    return (decision.supplier, decision.package, decision.recipient)


def _package_classes(scenario: Scenario, package: Package) -> list[tuple[str, str]]:
    """(class name, kind) of every system in a package."""
    out: list[tuple[str, str]] = []
    for key, holding in package.systems.items():
        name = holding.class_name(key)
        out.append((name, scenario.classes[name].kind))
    return out


def _blocked_classes(supplier: Supplier, recipient: str) -> set[str]:
    return set(supplier.red_lines.no_classes.get(recipient, ()))


def restricted_rivals(
    scenario: Scenario, supplier: Supplier, recipient: str, class_name: str
) -> tuple[str, ...]:
    """Rivals against whom a class delivered to ``recipient`` is not cleared for use."""
    kind = scenario.classes[class_name].kind
    return tuple(
        rule.rival
        for rule in supplier.red_lines.not_cleared
        if rule.recipient == recipient and (class_name in rule.classes or kind in rule.classes)
    )


def dyad_states(scenario: Scenario) -> set[str]:
    return {name for dyad in scenario.dyads for name in (dyad.a, dyad.b)}


def decisions(scenario: Scenario) -> tuple[Decision, ...]:
    """Every delivery the suppliers would consider: allowed by relations, offer lists,
    class red lines, caps and budgets, to states in some dyad."""
    out = []
    states = dyad_states(scenario)
    for supplier_name, supplier in scenario.suppliers.items():
        budget = supplier.budget
        for package_name, package in supplier.packages.items():
            years = max(package.delay_years, 1)
            per_year = package.cost / years
            for recipient in sorted(states):
                if not supplier.arms(recipient):
                    continue
                if package.recipients and recipient not in package.recipients:
                    continue
                blocked = _blocked_classes(supplier, recipient)
                if any(
                    n in blocked or k in blocked for n, k in _package_classes(scenario, package)
                ):
                    continue
                limit = package.max_quantity
                limit = min(limit, math.floor(budget.total / package.cost + 1e-9))
                if budget.per_year is not None:
                    limit = min(limit, math.floor(budget.per_year / per_year + 1e-9))
                cap = supplier.red_lines.caps.get(recipient)
                if cap is not None:
                    if cap.max_packages is not None:
                        limit = min(limit, cap.max_packages)
                    if cap.max_cost is not None:
                        limit = min(limit, math.floor(cap.max_cost / package.cost + 1e-9))
                if limit >= 1:
                    out.append(
                        Decision(
                            supplier_name, package_name, recipient, limit, package.cost, per_year
                        )
                    )
    return tuple(out)


def delivered_holdings(
    scenario: Scenario, supplier_name: str, package_name: str, recipient: str, quantity: int
) -> dict[str, Holding]:
    """The holdings ``quantity`` packages become in the recipient's inventory."""
    supplier = scenario.suppliers[supplier_name]
    package = supplier.packages[package_name]
    out = {}
    for key, holding in package.systems.items():
        class_name = holding.class_name(key)
        out[f"{package_name}@{supplier_name}/{key}"] = holding.scaled(quantity).model_copy(
            update={
                "system": class_name,
                "supplied_by": supplier_name,
                "not_cleared_against": tuple(
                    sorted(
                        {
                            *holding.not_cleared_against,
                            *restricted_rivals(scenario, supplier, recipient, class_name),
                        }
                    )
                ),
            }
        )
    return out


def resolve_package(scenario: Scenario, name: str) -> tuple[str, str] | None:
    """(supplier, package) for 'PACKAGE' or 'SUPPLIER.PACKAGE'; None if no supplier
    offers it, an InputError if several do."""
    supplier_name, dot, package_name = name.partition(".")
    supplier = scenario.suppliers.get(supplier_name)
    if dot and supplier is not None and package_name in supplier.packages:
        return supplier_name, package_name
    matches = [(s, name) for s, body in scenario.suppliers.items() if name in body.packages]
    if len(matches) > 1:
        options = ", ".join(f"{s}.{p}" for s, p in matches)
        raise InputError(
            f"package '{name}' is offered by several suppliers", f"write one of {options}"
        )
    return matches[0] if matches else None


def apply_plan(
    scenario: Scenario, plan: Mapping[PlanKey, int], *, keep_zero: bool = False
) -> Scenario:
    """The scenario after the plan's deliveries (the public single-scenario path)."""
    items = [
        DeliveryItem(
            f"{recipient}:{supplier}.{package}",
            recipient,
            delivered_holdings(scenario, supplier, package, recipient, 1),
        )
        for supplier, package, recipient in plan
    ]
    return linear.apply_items(scenario, items, list(plan.values()), keep_zero=keep_zero)


def plan_problems(scenario: Scenario, plan: Mapping[PlanKey, int]) -> list[str]:
    """Every way a plan breaks the catalogue, relations, red lines, caps or budgets."""
    problems = []
    spend: dict[str, float] = {}
    per_year: dict[str, float] = {}
    per_recipient: dict[tuple[str, str], tuple[float, int]] = {}
    for (supplier_name, package_name, recipient), quantity in plan.items():
        if quantity == 0:
            continue
        where = f"{recipient}:{supplier_name}.{package_name}"
        if quantity < 0:
            problems.append(f"{where}: negative quantity {quantity}")
            continue
        supplier = scenario.suppliers.get(supplier_name)
        if supplier is None or package_name not in supplier.packages:
            problems.append(f"{where}: not in any supplier's catalogue")
            continue
        package = supplier.packages[package_name]
        if recipient not in scenario.states:
            problems.append(f"{where}: unknown recipient")
            continue
        if not supplier.arms(recipient):
            relation = supplier.relations.get(recipient, "no relation")
            problems.append(f"{where}: {supplier_name} does not arm {recipient} ({relation})")
        if package.recipients and recipient not in package.recipients:
            problems.append(f"{where}: package not offered to {recipient}")
        blocked = _blocked_classes(supplier, recipient)
        for name, kind in _package_classes(scenario, package):
            if name in blocked or kind in blocked:
                problems.append(f"{where}: red line, no {name} ({kind}) to {recipient}")
        if quantity > package.max_quantity:
            problems.append(f"{where}: {quantity} packages, at most {package.max_quantity}")
        spend[supplier_name] = spend.get(supplier_name, 0.0) + quantity * package.cost
        per_year[supplier_name] = per_year.get(supplier_name, 0.0) + quantity * package.cost / max(
            package.delay_years, 1
        )
        cost, count = per_recipient.get((supplier_name, recipient), (0.0, 0))
        per_recipient[(supplier_name, recipient)] = (
            cost + quantity * package.cost,
            count + quantity,
        )
    for supplier_name, total in spend.items():
        budget = scenario.suppliers[supplier_name].budget
        if total > budget.total + 1e-9:
            problems.append(f"{supplier_name}: spends {total:g}, budget {budget.total:g}")
        if budget.per_year is not None and per_year[supplier_name] > budget.per_year + 1e-9:
            problems.append(
                f"{supplier_name}: spends {per_year[supplier_name]:g} a year, "
                f"budget {budget.per_year:g} a year"
            )
    for (supplier_name, recipient), (cost, count) in per_recipient.items():
        cap = scenario.suppliers[supplier_name].red_lines.caps.get(recipient)
        if cap is None:
            continue
        if cap.max_cost is not None and cost > cap.max_cost + 1e-9:
            problems.append(
                f"{supplier_name} to {recipient}: cost {cost:g} over cap {cap.max_cost:g}"
            )
        if cap.max_packages is not None and count > cap.max_packages:
            problems.append(
                f"{supplier_name} to {recipient}: {count} packages over cap {cap.max_packages}"
            )
    return problems


# --- batched evaluation ------------------------------------------------------------

PlanMetrics = VariantMetrics


def decision_items(scenario: Scenario, decisions_: Sequence[Decision]) -> tuple[DeliveryItem, ...]:
    """Each decision as a delivery item: the holdings one package becomes."""
    return tuple(
        DeliveryItem(
            d.label,
            d.recipient,
            delivered_holdings(scenario, d.supplier, d.package, d.recipient, 1),
            d.cost,
        )
        for d in decisions_
    )


def dyad_models(scenario: Scenario, decisions_: Sequence[Decision]) -> tuple[DyadModel, ...]:
    """Linear models of every dyad for batches of plans over these decisions."""
    return linear.dyad_models(scenario, decision_items(scenario, decisions_))


def evaluate_plans(
    scenario: Scenario,
    models: Sequence[DyadModel],
    decisions_: Sequence[Decision],
    quantities: IntArray,
    levels: int | None = None,
) -> PlanMetrics:
    """Metrics for a batch of plans (rows of ``quantities``), all dyads, one pass each."""
    items = [DeliveryItem(d.label, d.recipient, {}, d.cost) for d in decisions_]
    return linear.evaluate(scenario, models, items, quantities, levels=levels)


def evaluate_plan(scenario: Scenario, plan: Mapping[PlanKey, int]) -> PlanMetrics:
    """One plan's metrics through the public single-scenario path (one row)."""
    decisions_ = decisions(scenario)
    known = {plan_key(d) for d in decisions_}
    unknown = [key for key, quantity in plan.items() if quantity and key not in known]
    if unknown:
        raise InputError(f"plan includes deliveries no supplier would consider: {unknown}", "")
    quantities = [float(plan.get(plan_key(d), 0)) for d in decisions_]
    return linear.evaluate_one(scenario, decision_items(scenario, decisions_), quantities)


def feasible(scenario: Scenario, decisions_: Sequence[Decision], quantities: IntArray) -> BoolArray:
    """Which plans respect budgets (total and per year), caps and quantity limits."""
    q = linear.variant_matrix(quantities, len(decisions_))
    ok = np.ones(q.shape[0], dtype=bool)
    if not decisions_:
        return ok
    limits = np.array([d.max_quantity for d in decisions_], dtype=float)
    ok &= (q >= 0).all(axis=1) & (q <= limits).all(axis=1)
    costs = np.array([d.cost for d in decisions_], dtype=float)
    yearly = np.array([d.per_year_cost for d in decisions_], dtype=float)
    for supplier_name, supplier in scenario.suppliers.items():
        mask = np.array([d.supplier == supplier_name for d in decisions_], dtype=float)
        ok &= q @ (costs * mask) <= supplier.budget.total + 1e-9
        if supplier.budget.per_year is not None:
            ok &= q @ (yearly * mask) <= supplier.budget.per_year + 1e-9
        for recipient, cap in supplier.red_lines.caps.items():
            rows = mask * np.array([d.recipient == recipient for d in decisions_], dtype=float)
            if cap.max_cost is not None:
                ok &= q @ (costs * rows) <= cap.max_cost + 1e-9
            if cap.max_packages is not None:
                ok &= q @ rows <= cap.max_packages
    return ok


# --- objectives ----------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyWeights:
    """The weights of the policy objectives, in one place (DOMAIN.md §6).

    balancer score = mutual · (dyads in mutual deterrence)
                   − fsa · Σ over dyads of the mean positive first-strike advantage
                   + range · Σ over dyads of the bargaining-range width (negative when closed)
                   − cost · (plan cost / total budget)
    partisan:S score = mutual · (S's rivals deterred) + range · Σ S's probability of
                   prevailing (mean of striking first and struck first) − cost · (cost / budget)

    The defaults make the order lexicographic in practice: one more dyad in mutual
    deterrence outweighs any change in advantages or ranges, which outweigh cost.
    """

    mutual: float = 1000.0
    fsa: float = 10.0
    range: float = 10.0
    cost: float = 1.0

    @classmethod
    def parse(cls, text: str | None) -> PolicyWeights:
        """'mutual=1000,fsa=10,range=10,cost=1' (any subset)."""
        if not text:
            return cls()
        values: dict[str, float] = {}
        for part in text.split(","):
            name, equals, number = part.partition("=")
            name = name.strip()
            if name not in cls.__dataclass_fields__:
                raise InputError(
                    f"--weights: unknown weight '{name}'",
                    f"{suggest(name, cls.__dataclass_fields__)} {WEIGHTS_EXAMPLE}",
                )
            try:
                value = float(number)
            except ValueError:
                raise InputError(
                    f"--weights: '{number.strip()}' for {name} is not a number",
                    "write e.g. mutual=1000,fsa=10,range=10,cost=1",
                ) from None
            if not equals or not math.isfinite(value) or value < 0:
                raise InputError(
                    f"--weights: {name} must be a non-negative number", "write e.g. fsa=10"
                )
            values[name] = value
        return cls(**values)


def parse_policy(scenario: Scenario, text: str) -> str:
    """Validate 'abstain', 'balancer' or 'partisan:STATE'."""
    if text in ("abstain", "balancer"):
        return text
    kind, colon, state = text.partition(":")
    if kind == "partisan" and colon:
        if state not in scenario.states:
            raise InputError(
                f"--policy {text}: unknown state '{state}'", suggest(state, scenario.states)
            )
        return text
    raise InputError(
        f"unknown policy '{text}'", "use abstain, balancer or partisan:STATE (e.g. partisan:IRN)"
    )


def _budget_scale(scenario: Scenario) -> float:
    total = sum(s.budget.total for s in scenario.suppliers.values())
    return total if total > 0 else 1.0


def score(
    scenario: Scenario,
    models: Sequence[DyadModel],
    metrics: PlanMetrics,
    policy: str,
    weights: PolicyWeights,
) -> FloatArray:
    """The policy objective for each plan (higher is better)."""
    cost_term = weights.cost * metrics.cost / _budget_scale(scenario)
    if policy == "abstain":
        return np.asarray(-metrics.cost, dtype=float)
    if policy == "balancer":
        advantage = (np.maximum(metrics.fsa_a, 0.0) + np.maximum(metrics.fsa_b, 0.0)) / 2
        return np.asarray(
            weights.mutual * metrics.mutual.sum(axis=1)
            - weights.fsa * advantage.sum(axis=1)
            + weights.range * (metrics.range_width * metrics.has_range).sum(axis=1)
            - cost_term,
            dtype=float,
        )
    state = policy.partition(":")[2]
    deterred = np.zeros(metrics.cost.shape)
    prevail = np.zeros(metrics.cost.shape)
    for column, model in enumerate(models):
        mean_p = (metrics.p_first[:, column] + metrics.p_second[:, column]) / 2
        if model.a == state:
            deterred += metrics.b_deterred[:, column]
            prevail += mean_p
        elif model.b == state:
            deterred += metrics.a_deterred[:, column]
            prevail += 1.0 - mean_p
    return np.asarray(weights.mutual * deterred + weights.range * prevail - cost_term, dtype=float)


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


def enumerate_plans(
    scenario: Scenario,
    models: Sequence[DyadModel],
    decisions_: Sequence[Decision],
    policy: str,
    weights: PolicyWeights,
) -> SearchOutcome:
    """Evaluate every feasible plan in batches: the exact optimum of the stated objective."""
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
        metrics = evaluate_plans(scenario, models, decisions_, chunk)
        values = score(scenario, models, metrics, policy, weights)
        index = _best(values, metrics.cost)
        evaluated += chunk.shape[0]
        better = values[index] > best_score + 1e-9
        tie_cheaper = abs(values[index] - best_score) <= 1e-9 and metrics.cost[index] < best_cost
        if better or tie_cheaper:
            best_plan, best_score, best_cost = (
                chunk[index],
                float(values[index]),
                float(metrics.cost[index]),
            )
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
    scenario: Scenario,
    models: Sequence[DyadModel],
    decisions_: Sequence[Decision],
    policy: str,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    time_limit: float | None = None,
) -> SearchOutcome:
    """Best-improvement local search over add/remove/swap moves, with seeded restarts.

    Each step evaluates all neighbours of the current plan in one batch. Stops at
    the time limit; the result is a local optimum, with no bound on the gap.
    """
    start = time.perf_counter()
    limit = time_limit if time_limit is not None else scenario.search.time_limit_s
    rng = np.random.default_rng(as_seed_sequence(seed))
    limits = np.array([d.max_quantity for d in decisions_], dtype=np.int64)
    best_plan = np.zeros(len(decisions_), dtype=np.int64)
    best_score, best_cost = -math.inf, math.inf
    evaluated, restarts, timed_out = 0, 0, False
    current = best_plan.copy()
    while True:
        metrics = evaluate_plans(scenario, models, decisions_, current[np.newaxis])
        current_score = float(score(scenario, models, metrics, policy, weights)[0])
        evaluated += 1
        while True:
            if time.perf_counter() - start > limit:
                timed_out = True
                break
            candidates = _neighbours(current, limits)
            candidates = candidates[feasible(scenario, decisions_, candidates)]
            if candidates.shape[0] == 0:
                break
            metrics = evaluate_plans(scenario, models, decisions_, candidates)
            values = score(scenario, models, metrics, policy, weights)
            evaluated += candidates.shape[0]
            index = _best(values, metrics.cost)
            if values[index] <= current_score + 1e-9:
                break
            current, current_score = candidates[index], float(values[index])
        cost = float(current @ np.array([d.cost for d in decisions_])) if decisions_ else 0.0
        if current_score > best_score + 1e-9 or (
            abs(current_score - best_score) <= 1e-9 and cost < best_cost
        ):
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
    policy: str,
    weights: PolicyWeights,
    *,
    seed: SeedLike | None = 0,
    method: str = "auto",
    time_limit: float | None = None,
) -> tuple[tuple[Decision, ...], SearchOutcome]:
    """The best plan for a policy: enumeration if the space is small enough, else local search."""
    decisions_ = decisions(scenario)
    if policy == "abstain" or not decisions_:
        zero = np.zeros(len(decisions_), dtype=np.int64)
        value = 0.0
        if policy != "abstain":
            models = dyad_models(scenario, decisions_)
            metrics = evaluate_plans(scenario, models, decisions_, zero[np.newaxis])
            value = float(score(scenario, models, metrics, policy, weights)[0])
        note = "the policy delivers nothing" if policy == "abstain" else "no delivery is possible"
        return decisions_, SearchOutcome(zero, value, "none needed", True, 1, 0.0, note)
    models = dyad_models(scenario, decisions_)
    size = _space_size(decisions_)
    use_enumeration = method == "exhaustive" or (
        method == "auto" and size <= scenario.search.max_enumeration
    )
    if use_enumeration:
        return decisions_, enumerate_plans(scenario, models, decisions_, policy, weights)
    return decisions_, local_search(
        scenario, models, decisions_, policy, weights, seed=seed, time_limit=time_limit
    )


def plan_of(decisions_: Sequence[Decision], quantities: IntArray) -> dict[PlanKey, int]:
    return {plan_key(d): int(q) for d, q in zip(decisions_, quantities, strict=True) if q}


@dataclass(frozen=True)
class PlanLine:
    """One delivery in a plan."""

    recipient: str
    supplier: str
    package: str
    quantity: int
    cost: float
    delay_years: int
    restricted_against: tuple[str, ...] = ()


def plan_lines(scenario: Scenario, plan: Mapping[PlanKey, int]) -> tuple[PlanLine, ...]:
    lines = []
    for (supplier_name, package_name, recipient), quantity in sorted(plan.items()):
        if not quantity:
            continue
        package = scenario.suppliers[supplier_name].packages[package_name]
        holdings = delivered_holdings(scenario, supplier_name, package_name, recipient, quantity)
        restricted = tuple(sorted({r for h in holdings.values() for r in h.not_cleared_against}))
        lines.append(
            PlanLine(
                recipient,
                supplier_name,
                package_name,
                quantity,
                quantity * package.cost,
                package.delay_years,
                restricted,
            )
        )
    return tuple(lines)


@dataclass(frozen=True)
class PlanSummary:
    """A plan with its cost and, for each supplier, its yearly spending."""

    lines: tuple[PlanLine, ...]
    total_cost: float
    per_year: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "recipient": line.recipient,
                    "supplier": line.supplier,
                    "package": line.package,
                    "quantity": line.quantity,
                    "cost": line.cost,
                    "delay_years": line.delay_years,
                    "not_cleared_against": ",".join(line.restricted_against),
                }
                for line in self.lines
            ],
            columns=[
                "recipient",
                "supplier",
                "package",
                "quantity",
                "cost",
                "delay_years",
                "not_cleared_against",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = clean(
            {
                "deliveries": self.to_frame().to_dict(orient="records"),
                "total_cost": self.total_cost,
                "per_year_spending": self.per_year,
            }
        )
        return data


def summarise_plan(scenario: Scenario, plan: Mapping[PlanKey, int]) -> PlanSummary:
    lines = plan_lines(scenario, plan)
    per_year: dict[str, float] = {}
    for (supplier_name, package_name, _), quantity in plan.items():
        package = scenario.suppliers[supplier_name].packages[package_name]
        per_year[supplier_name] = per_year.get(supplier_name, 0.0) + quantity * package.cost / max(
            package.delay_years, 1
        )
    return PlanSummary(lines, float(sum(line.cost for line in lines)), per_year)
