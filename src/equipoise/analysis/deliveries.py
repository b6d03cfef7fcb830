"""Deliveries: what a supplier could send, what a delivery becomes, and which rules it breaks.

A *plan* gives a quantity for each (supplier, package, recipient) decision. Its
deliveries become holdings of the recipient, restricted against the rivals the
supplier's red lines name (docs/model.md §8). Every delivery is a
:class:`DeliveryItem`: the holdings one unit of it adds, so that counts are linear in
the quantities and the evaluator can assess many variants at once. Nothing here
searches or scores plans (that is :mod:`equipoise.analysis.supply`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from equipoise.analysis.results import clean
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Holding, Package, RecipientCap, Scenario, Supplier
from equipoise.engines.types import BoolArray, FloatArray, IntArray
from equipoise.errors import InputError


@dataclass(frozen=True)
class DeliveryItem:
    """What a delivery adds to its recipient's (a state's or a backer's) inventory.

    ``holdings`` are what ``per`` units of the delivery add, so one unit adds
    ``holdings / per``: a package is one unit of itself (``per`` 1); a map axis over
    a holding of N launchers is N units of one launcher each, whatever its rounds.
    Keys of ``holdings`` must be unique across the items of one batch.
    """

    label: str
    recipient: str
    holdings: Mapping[str, Holding]
    cost: float = 0.0
    per: float = 1.0


def apply_items(
    scenario: Scenario,
    items: Sequence[DeliveryItem],
    quantities: Sequence[float],
    *,
    keep_zero: bool = False,
) -> Scenario:
    """The scenario with ``quantities[i]`` of each item's holdings delivered (whole multiples)."""
    inventories = {name: dict(state.inventory) for name, state in scenario.states.items()}
    inventories |= {name: dict(backer.inventory) for name, backer in scenario.backers.items()}
    for item, quantity in zip(items, quantities, strict=True):
        count = round(quantity)
        if count or keep_zero:
            for key, holding in item.holdings.items():
                inventories[item.recipient][key] = holding.scaled(count)
    return with_inventories(scenario, inventories)


def with_inventories(scenario: Scenario, inventories: Mapping[str, dict[str, Holding]]) -> Scenario:
    """The scenario with the named parties' (states' or backers') inventories replaced."""
    update = {
        group: {
            name: body.model_copy(update={"inventory": inventories[name]})
            if name in inventories
            else body
            for name, body in bodies.items()
        }
        for group, bodies in (("states", scenario.states), ("backers", scenario.backers))
    }
    return scenario.model_copy(update=update)


def variant_matrix(quantities: IntArray | FloatArray, width: int) -> FloatArray:
    """Variants as a (variants, items) float matrix, even with no items at all."""
    q = np.asarray(quantities, dtype=float)
    return q.reshape(q.shape[0] if q.ndim == 2 else 1, width)


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


def _rule_breaks(
    scenario: Scenario, supplier_name: str, package: Package, recipient: str
) -> list[str]:
    """Why the supplier may never send this package to ``recipient`` (relations, offer
    lists, class red lines); empty when it may."""
    supplier = scenario.suppliers[supplier_name]
    out = []
    if not supplier.arms(recipient):
        relation = supplier.relations.get(recipient, "no relation")
        out.append(f"{supplier_name} does not arm {recipient} ({relation})")
    if package.recipients and recipient not in package.recipients:
        out.append(f"package not offered to {recipient}")
    blocked = set(supplier.red_lines.no_classes.get(recipient, ()))
    for key, holding in package.systems.items():
        name = holding.class_name(key)
        kind = scenario.classes[name].kind
        if name in blocked or kind in blocked:
            out.append(f"red line, no {name} ({kind}) to {recipient}")
    return out


def _affordable(bound: float | None, cost: float) -> float:
    """Whole packages of ``cost`` within ``bound`` (none: no limit)."""
    return math.inf if bound is None else math.floor(bound / cost + 1e-9)


def decisions(scenario: Scenario) -> tuple[Decision, ...]:
    """Every delivery the suppliers would consider: allowed by relations, offer lists,
    class red lines, caps and budgets, to states in some dyad."""
    out = []
    states = sorted({name for dyad in scenario.dyads for name in (dyad.a, dyad.b)})
    for supplier_name, supplier in scenario.suppliers.items():
        budget = supplier.budget
        for package_name, package in supplier.packages.items():
            per_year = package.cost / max(package.delay_years, 1)
            for recipient in states:
                if _rule_breaks(scenario, supplier_name, package, recipient):
                    continue
                cap = supplier.red_lines.caps.get(recipient) or RecipientCap()
                limit = min(
                    package.max_quantity,
                    math.inf if cap.max_packages is None else cap.max_packages,
                    _affordable(budget.total, package.cost),
                    _affordable(budget.per_year, per_year),
                    _affordable(cap.max_cost, package.cost),
                )
                if limit >= 1:
                    decision = Decision(
                        supplier_name, package_name, recipient, int(limit), package.cost, per_year
                    )
                    out.append(decision)
    return tuple(out)


def deliver_holding(
    scenario: Scenario,
    key: str,
    holding: Holding,
    recipient: str,
    quantity: int,
    supplier_name: str | None,
) -> Holding:
    """``quantity`` times a holding as delivered to ``recipient``: its class named, its
    supplier recorded and the supplier's not-cleared rules added to its own."""
    class_name = holding.class_name(key)
    restricted = set(holding.not_cleared_against)
    if supplier_name is not None:
        supplier = scenario.suppliers[supplier_name]
        restricted |= set(restricted_rivals(scenario, supplier, recipient, class_name))
    return holding.scaled(quantity).model_copy(
        update={
            "system": class_name,
            "supplied_by": supplier_name or holding.supplied_by,
            "not_cleared_against": tuple(sorted(restricted)),
        }
    )


def delivered_key(package: str, supplier: str, key: str) -> str:
    """The inventory key of a delivered holding, a holding of its own: 'PACKAGE@SUPPLIER/KEY'."""
    return f"{package}@{supplier}/{key}"


def holding_title(key: str) -> str:
    """A holding's key in words: 'lr-sam-battery@RUS/lr-sam' reads 'lr-sam delivered by
    RUS (lr-sam-battery)'; any other key is itself."""
    package, at, rest = key.partition("@")
    supplier, slash, system = rest.partition("/")
    return f"{system} delivered by {supplier} ({package})" if at and slash else key


def delivered_holdings(
    scenario: Scenario, supplier_name: str, package_name: str, recipient: str, quantity: int
) -> dict[str, Holding]:
    """The holdings ``quantity`` packages become in the recipient's inventory."""
    package = scenario.suppliers[supplier_name].packages[package_name]
    return {
        delivered_key(package_name, supplier_name, key): deliver_holding(
            scenario, key, holding, recipient, quantity, supplier_name
        )
        for key, holding in package.systems.items()
    }


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


def package_item(scenario: Scenario, key: PlanKey, cost: float = 0.0) -> DeliveryItem:
    """One package of a plan as a delivery item: the holdings it becomes."""
    supplier, package, recipient = key
    holdings = delivered_holdings(scenario, supplier, package, recipient, 1)
    return DeliveryItem(f"{recipient}:{supplier}.{package}", recipient, holdings, cost)


def apply_plan(
    scenario: Scenario, plan: Mapping[PlanKey, int], *, keep_zero: bool = False
) -> Scenario:
    """The scenario after the plan's deliveries (the public single-scenario path)."""
    items = [package_item(scenario, key) for key in plan]
    return apply_items(scenario, items, list(plan.values()), keep_zero=keep_zero)


def decision_items(scenario: Scenario, decisions_: Sequence[Decision]) -> tuple[DeliveryItem, ...]:
    """Each decision as a delivery item: the holdings one package becomes."""
    return tuple(package_item(scenario, plan_key(d), d.cost) for d in decisions_)


def _spending(
    scenario: Scenario, plan: Mapping[PlanKey, int]
) -> tuple[dict[str, float], dict[str, float], dict[tuple[str, str], tuple[float, int]]]:
    """Each supplier's spending in all and a year, and each (supplier, recipient) pair's
    cost and package count."""
    total: dict[str, float] = defaultdict(float)
    per_year: dict[str, float] = defaultdict(float)
    per_recipient: dict[tuple[str, str], tuple[float, int]] = {}
    for (supplier_name, package_name, recipient), quantity in plan.items():
        package = scenario.suppliers[supplier_name].packages[package_name]
        cost = quantity * package.cost
        total[supplier_name] += cost
        per_year[supplier_name] += cost / max(package.delay_years, 1)
        so_far, count = per_recipient.get((supplier_name, recipient), (0.0, 0))
        per_recipient[(supplier_name, recipient)] = (so_far + cost, count + quantity)
    return dict(total), dict(per_year), per_recipient


def plan_problems(scenario: Scenario, plan: Mapping[PlanKey, int]) -> list[str]:
    """Every way a plan breaks the catalogue, relations, red lines, caps or budgets."""
    problems = []
    known: dict[PlanKey, int] = {}
    for (supplier_name, package_name, recipient), quantity in plan.items():
        if quantity == 0:
            continue
        where = f"{recipient}:{supplier_name}.{package_name}"
        supplier = scenario.suppliers.get(supplier_name)
        if quantity < 0:
            problems.append(f"{where}: negative quantity {quantity}")
        elif supplier is None or package_name not in supplier.packages:
            problems.append(f"{where}: not in any supplier's catalogue")
        elif recipient not in scenario.states:
            problems.append(f"{where}: unknown recipient")
        else:
            package = supplier.packages[package_name]
            breaks = _rule_breaks(scenario, supplier_name, package, recipient)
            problems += [f"{where}: {text}" for text in breaks]
            if quantity > package.max_quantity:
                problems.append(f"{where}: {quantity} packages, at most {package.max_quantity}")
            known[(supplier_name, package_name, recipient)] = quantity
    spend, per_year, per_recipient = _spending(scenario, known)
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


def feasible(scenario: Scenario, decisions_: Sequence[Decision], quantities: IntArray) -> BoolArray:
    """Which plans respect budgets (total and per year), caps and quantity limits."""
    q = variant_matrix(quantities, len(decisions_))
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


@dataclass(frozen=True)
class PlanSummary:
    """A plan with its cost and, for each supplier, its yearly spending."""

    lines: tuple[PlanLine, ...]
    total_cost: float
    per_year: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {**asdict(line), "restricted_against": ",".join(line.restricted_against)}
            for line in self.lines
        ]
        columns = [f.name for f in fields(PlanLine)]
        return pd.DataFrame(rows, columns=columns).rename(
            columns={"restricted_against": "not_cleared_against"}
        )

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "deliveries": self.to_frame().to_dict(orient="records"),
                "total_cost": self.total_cost,
                "per_year_spending": self.per_year,
            }
        )


def summarise_plan(scenario: Scenario, plan: Mapping[PlanKey, int]) -> PlanSummary:
    lines = []
    for (supplier_name, package_name, recipient), quantity in sorted(plan.items()):
        if not quantity:
            continue
        package = scenario.suppliers[supplier_name].packages[package_name]
        holdings = delivered_holdings(scenario, supplier_name, package_name, recipient, quantity)
        restricted = tuple(sorted({r for h in holdings.values() for r in h.not_cleared_against}))
        cost = quantity * package.cost
        line = PlanLine(
            recipient, supplier_name, package_name, quantity, cost, package.delay_years, restricted
        )
        lines.append(line)
    per_year = _spending(scenario, plan)[1]
    return PlanSummary(tuple(lines), float(sum(line.cost for line in lines)), per_year)


def parse_delivery(scenario: Scenario, text: str) -> tuple[PlanKey, int]:
    """'RECIPIENT:PACKAGE' or 'RECIPIENT:PACKAGExN' (PACKAGE may be SUPPLIER.PACKAGE)."""
    recipient, colon, rest = text.partition(":")
    if not colon or not recipient or not rest:
        raise InputError(
            f"--deliver '{text}' should be RECIPIENT:PACKAGE[xN]",
            "for example --deliver IRN:sam-battery or --deliver IRN:sam-batteryx2",
        )
    if recipient not in scenario.states:
        raise InputError(
            f"--deliver '{text}': unknown recipient '{recipient}'",
            suggest(recipient, scenario.states),
        )
    found = resolve_package(scenario, rest)
    quantity = 1
    counted = re.fullmatch(r"(.+)x(\d+)", rest)
    if found is None and counted is not None:
        found = resolve_package(scenario, counted.group(1))
        quantity = int(counted.group(2))
    if found is None:
        names = [p for s in scenario.suppliers.values() for p in s.packages]
        names += [f"{n}.{p}" for n, s in scenario.suppliers.items() for p in s.packages]
        raise InputError(
            f"--deliver '{text}': unknown package '{rest}'",
            f"{suggest(rest, names)} `equipoise show SCENARIO` lists the suppliers' packages.",
        )
    if quantity < 1:
        raise InputError(
            f"--deliver '{text}': quantity must be at least 1", "write e.g. IRN:sam-batteryx2"
        )
    return (found[0], found[1], recipient), quantity
