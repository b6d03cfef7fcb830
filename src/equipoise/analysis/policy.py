"""What-if deliveries, recommended plans and policy comparisons (docs/model.md §8).

The search runs on the expected-value exchange in batches (analysis.supply); the
plans it picks, and any what-if delivery, are then assessed with the full
stochastic analysis before and after, with the same seed, so that the numbers
shown side by side differ only because of the deliveries.

Each entry point takes ``progress``: a callable receiving the units of work done
(stochastic trials, plans considered, or a local search's time in units of about a
trial's time), out of the total its ``*_units`` function states up front, or ``True``
for a bar.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from equipoise.analysis.assess import analysis_units, analyze
from equipoise.analysis.deliveries import (
    PlanKey,
    PlanSummary,
    apply_plan,
    holding_title,
    parse_delivery,
    plan_of,
    plan_problems,
    summarise_plan,
)
from equipoise.analysis.mapping import holding_count, parse_axis_name, set_holdings
from equipoise.analysis.metrics import CRITERION_COLUMN, SIDE_METRICS, Metric, in_words
from equipoise.analysis.metrics import metric as metric_of
from equipoise.analysis.policies import Policy, PolicyWeights, parse_policy
from equipoise.analysis.results import (
    AnalysisResult,
    DyadAssessment,
    Plottable,
    bargaining_columns,
    clean,
)
from equipoise.analysis.settings import Progress, RunSettings, progress_of
from equipoise.analysis.supply import SearchOutcome, search, search_units
from equipoise.domain.loading import load_scenario
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Scenario
from equipoise.engines.random import SeedLike
from equipoise.errors import InputError


@dataclass(frozen=True, repr=False)
class Comparison(Plottable):
    """Every dyad metric before and after a set of deliveries."""

    plan: PlanSummary
    before: AnalysisResult
    after: AnalysisResult
    warnings: tuple[str, ...] = ()
    edits: tuple[str, ...] = ()
    """Holding changes beside the plan ('ISR.upper-tier-bmd: 3 -> 6')."""

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for old, new in zip(self.before.dyads, self.after.dyads, strict=True):
            status = metric_of("status").label
            rows.append(
                _row(old, old.a, status, old.status_named, new.status_named, column="status_named")
            )
            if old.bargaining is not None or new.bargaining is not None:
                for name, field_name in BARGAINING_ROWS:
                    rows.append(
                        _row(
                            old,
                            old.a,
                            metric_of(name),
                            _bargaining_value(old, field_name),
                            _bargaining_value(new, field_name),
                        )
                    )
            for side_old, side_new in zip(old.sides, new.sides, strict=True):
                for metric in SIDE_METRICS:
                    name = metric.name
                    value_old, value_new = getattr(side_old, name), getattr(side_new, name)
                    noise = 0.0
                    expected: tuple[Any, Any] = (None, None)
                    if hasattr(value_old, "mean"):
                        noise = math.hypot(_half_width(value_old), _half_width(value_new))
                        if name != "retaliation_probability":  # its 'expected value'
                            # is only whether the expected retaliation reaches the threshold
                            expected = (value_old.expected_value, value_new.expected_value)
                        value_old, value_new = value_old.mean, value_new.mean
                    rows.append(
                        _row(old, side_old.state, metric, value_old, value_new, noise, expected)
                    )
                    first, second = side_old.criterion_probability, side_new.criterion_probability
                    if name == "retaliation_probability" and first and second:
                        # under the probability criterion: the estimate that decides
                        rows.append(
                            _row(
                                old,
                                side_old.state,
                                f"{metric.label}, the verdict's estimate",
                                first.mean,
                                second.mean,
                                math.hypot(_half_width(first), _half_width(second)),
                                column=CRITERION_COLUMN,
                            )
                        )
                # a changed chosen strike explains changes above (a defence delivered to the
                # rival can move the striker's counterforce share, and with it the damage)
                split_old, split_new = side_old.counterforce_split, side_new.counterforce_split
                for element in sorted(set(split_old) | set(split_new)):
                    share_old: Any = split_old.get(element, "n/a")  # n/a: not fielded then
                    share_new: Any = split_new.get(element, "n/a")
                    if "n/a" in (share_old, share_new):
                        share_old, share_new = (
                            x if isinstance(x, str) else f"{x:g}" for x in (share_old, share_new)
                        )
                    if share_old != share_new:
                        party, _, key = element.partition(":")
                        label = (
                            f"counterforce share of {party} {holding_title(key)} "
                            "(own chosen strike)"
                        )
                        rows.append(_row(old, side_old.state, label, share_old, share_new))
        return rows

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows())

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "plan": self.plan.to_dict(),
                "holding_changes": list(self.edits),
                "warnings": list(self.warnings),
                "changes": self.rows(),
                "before": self.before.to_dict(),
                "after": self.after.to_dict(),
            }
        )


BARGAINING_ROWS = (
    ("p_first", "p_first"),
    ("p_second", "p_second"),
    ("bargaining_low", "low"),
    ("bargaining_high", "high"),
    ("bargaining_closed", "closed"),
)
"""The dyad's bargaining metrics a comparison shows (registry name, ``Bargaining`` field)."""


def _bargaining_value(dyad: DyadAssessment, field_name: str) -> Any:
    """One number of the dyad's bargaining range, or 'n/a' where there is none."""
    value = None if dyad.bargaining is None else getattr(dyad.bargaining, field_name)
    return "n/a" if value is None else value


def _half_width(estimate: Any) -> float:
    """Half the 95 % interval of a mean (0 where there is none)."""
    half = (estimate.high - estimate.low) / 2
    return float(half) if math.isfinite(half) else 0.0


def _row(
    dyad: DyadAssessment,
    state: str,
    metric: Metric | str,
    before: Any,
    after: Any,
    noise: float = 0.0,
    expected: tuple[Any, Any] = (None, None),
    *,
    column: str | None = None,
) -> dict[str, Any]:
    """One metric before and after. A change of a stochastic mean counts only beyond
    ``noise`` (the 95 % half-width of the difference of the two means, taken as
    independent: conservative, since both runs share the seed); smaller ones are
    flagged ``within_noise``. ``expected`` holds the metric's expected values (the
    evaluator's, which the supplier search and maps read) before and after, where it
    has them: a change there is exact, so ``expected_changed`` needs no noise band.
    A registry ``metric`` gives the row its label and ``column``, its letters A and B
    replaced by the dyad's state names; a derived row (a text label) has the
    ``column`` given, if any."""
    within_noise = False
    if isinstance(before, bool | str) or isinstance(after, bool | str):
        changed = before != after
        change: Any = f"{before} -> {after}" if changed else ""
    else:
        delta = float(after) - float(before)
        moved = _moved(before, after)
        within_noise = moved and abs(delta) <= noise
        changed = moved and not within_noise
        change = delta
    return {
        "dyad": f"{dyad.a}-{dyad.b}",
        "state": state,
        "metric": in_words(
            metric if isinstance(metric, str) else metric.label,
            dyad.sides[0].called,
            dyad.sides[1].called,
        ),
        "column": column if isinstance(metric, str) else metric.column,
        "before": before,
        "after": after,
        "change": change,
        "changed": changed,
        "within_noise": within_noise,
        "expected_before": expected[0],
        "expected_after": expected[1],
        "expected_changed": _moved(*expected),
    }


def _moved(before: Any, after: Any) -> bool:
    """Whether an expected value moved beyond float rounding (False where it is missing)."""
    if before is None or after is None:
        return False
    delta = float(after) - float(before)
    return math.isfinite(delta) and abs(delta) > 1e-9 * max(1.0, abs(float(before)))


def _mean_prevail(dyad: DyadAssessment) -> float | None:
    bargain = dyad.bargaining
    if bargain is None or bargain.p_first is None or bargain.p_second is None:
        return None
    return (bargain.p_first + bargain.p_second) / 2


def commitment_problems(
    scenario: Scenario, plan: PlanSummary, before: AnalysisResult, after: AnalysisResult
) -> list[str]:
    """Dyads where deliveries still on their way shift the balance by more than the
    costs of war: the side losing ground may prefer war before they arrive (Fearon 1995,
    commitment problems from shifting power)."""
    out = []
    for old, new in zip(before.dyads, after.dyads, strict=True):
        pending = [
            line for line in plan.lines if line.recipient in (old.a, old.b) and line.delay_years > 0
        ]
        p_old, p_new = _mean_prevail(old), _mean_prevail(new)
        cost_a, cost_b = scenario.states[old.a].war_cost, scenario.states[old.b].war_cost
        if not pending or p_old is None or p_new is None or cost_a is None or cost_b is None:
            continue
        shift = p_new - p_old
        if abs(shift) > cost_a + cost_b:
            loser = old.a if shift < 0 else old.b
            years = max(line.delay_years for line in pending)
            out.append(
                f"commitment problem in {old.a}-{old.b}: deliveries arriving within {years} "
                f"year(s) shift P({old.a} prevails) by {shift:+.3f}, more than the costs of war "
                f"({cost_a:g} + {cost_b:g}); {loser} may prefer war before they arrive "
                "(Fearon 1995)"
            )
    return out


def compare_plan(
    scenario: Scenario,
    plan: Mapping[PlanKey, int],
    settings: RunSettings,
    *,
    warnings: Sequence[str] = (),
    counts: Mapping[tuple[str, str], int] | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Analyse the scenario before and after the plan (and the holdings set to
    ``counts``), same seed, same trials; ``progress`` counts the trials of both, out of
    :func:`comparison_units`.

    Also warns of commitment problems: pending deliveries shifting the balance by
    more than the costs of war.
    """
    before = analyze(scenario, settings, progress=progress)
    after = analyze(
        set_holdings(apply_plan(scenario, plan), counts or {}), settings, progress=progress
    )
    summary = summarise_plan(scenario, plan)
    shifts = commitment_problems(scenario, summary, before, after)
    edits = tuple(
        f"{party}.{key}: {holding_count(scenario, party, key)} -> {count}"
        for (party, key), count in (counts or {}).items()
    )
    return Comparison(summary, before, after, (*warnings, *shifts), edits)


def comparison_units(scenario: Scenario, settings: RunSettings) -> int:
    """The trials of a before-and-after comparison (deliveries change no dyad and no
    calibration case, so both runs have as many)."""
    return 2 * analysis_units(scenario, settings)


def whatif(
    scenario: Scenario | str | Path,
    deliveries: Sequence[str] = (),
    settings: RunSettings | None = None,
    *,
    add: Sequence[str] = (),
    trials: int | None = None,
    seed: SeedLike | None = None,
    workers: int | None = None,
    progress: Progress | bool | None = None,
) -> Comparison:
    """Every dyad metric before and after the given deliveries (catalogue packages,
    'RECIPIENT:PACKAGE[xN]') and holding changes ('PARTY.HOLDING=+N' or '=-N': launchers
    or units added or removed, rounds and interceptors in proportion).

    ``progress`` receives the trials done, out of :func:`comparison_units`; ``True``
    shows a bar."""
    scenario = load_scenario(scenario)
    settings = RunSettings.of(settings, trials=trials, seed=seed, workers=workers)
    if not deliveries and not add:
        raise InputError(
            "whatif needs a --deliver or an --add",
            "for example --deliver IRN:sam-battery or --add ISR.upper-tier-bmd=+2",
        )
    plan: dict[PlanKey, int] = {}
    for text in deliveries:
        key, quantity = parse_delivery(scenario, text)
        plan[key] = plan.get(key, 0) + quantity
    warnings = [f"this delivery breaks a supplier rule: {p}" for p in plan_problems(scenario, plan)]
    counts = dict(parse_addition(scenario, text) for text in add)
    total = comparison_units(scenario, settings)
    with progress_of(progress, total, f"whatif {scenario.name}") as report:
        return compare_plan(
            scenario, plan, settings, warnings=warnings, counts=counts, progress=report
        )


def parse_addition(scenario: Scenario, text: str) -> tuple[tuple[str, str], int]:
    """'ISR.upper-tier-bmd=+2' -> ((ISR, upper-tier-bmd), its count after the change)."""
    name, equals, number = text.partition("=")
    example = "for example --add ISR.upper-tier-bmd=+2 or --add IRN.mrbm=-20"
    if not equals:
        raise InputError(f"--add '{text}' should be PARTY.HOLDING=+N or =-N", example)
    party, system = parse_axis_name(name.strip())
    inventory = (
        scenario.party_inventory(party) if party in {*scenario.states, *scenario.backers} else None
    )
    if inventory is None or system not in inventory:
        choices = list(inventory or {*scenario.states, *scenario.backers})
        missing = system if inventory is not None else party
        raise InputError(
            f"--add '{text}': no holding '{name.strip()}'", f"{suggest(missing, choices)}"
        )
    try:
        change = int(number.strip())
    except ValueError:
        raise InputError(
            f"--add '{text}': '{number.strip()}' is not a whole number", example
        ) from None
    now = holding_count(scenario, party, system)
    if number.strip()[:1] not in ("+", "-"):  # '=2' could mean 'add two' or 'set to two'
        raise InputError(
            f"--add '{text}': say whether {number.strip()} is added or removed "
            f"({party}.{system} holds {now})",
            f"write ={'+' if change >= 0 else ''}{change} to add {abs(change)}, or "
            f"={change - now:+d} to end at {change}",
        )
    if not 0 <= now + change <= MAX_ADDED:
        raise InputError(
            f"--add '{text}': {party}.{system} would hold {now + change} (it holds {now})",
            f"keep the count between 0 and {MAX_ADDED:,}",
        )
    return (party, system), now + change


MAX_ADDED = 10_000_000
"""Most launchers or units one holding may reach with --add (the scenario limit)."""


@dataclass(frozen=True, repr=False)
class Recommendation(Plottable):
    """A policy's chosen plan, how it was found, and the dyads before and after."""

    policy: str
    weights: PolicyWeights
    outcome: SearchOutcome
    comparison: Comparison
    decisions: int

    def to_frame(self) -> pd.DataFrame:
        """Every metric before and after the plan (the deliveries are in ``to_dict``)."""
        return self.comparison.to_frame().assign(policy=self.policy)

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "policy": self.policy,
                "weights": self.weights.__dict__,
                "search": {
                    "method": self.outcome.method,
                    "proven_optimal": self.outcome.proven_optimal,
                    "note": self.outcome.note,
                    "plans_evaluated": self.outcome.evaluated,
                    "seconds": self.outcome.seconds,
                    "objective": self.outcome.score,
                    "decisions": self.decisions,
                },
                **self.comparison.to_dict(),
            }
        )


def recommend(
    scenario: Scenario | str | Path,
    policy: str | Policy = "balancer",
    weights: PolicyWeights | None = None,
    settings: RunSettings | None = None,
    *,
    trials: int | None = None,
    seed: SeedLike | None = None,
    workers: int | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    progress: Progress | bool | None = None,
) -> Recommendation:
    """The plan a policy chooses, and every dyad before and after it.

    ``progress`` receives the units done, out of :func:`recommend_units`: the search's
    (plans considered, or a local search's time limit in ``local_search_units``), then the trials
    before and after the plan; ``True`` shows a bar."""
    scenario = load_scenario(scenario)
    settings = RunSettings.of(settings, trials=trials, seed=seed, workers=workers)
    _need_suppliers(scenario)
    chosen = parse_policy(scenario, policy)
    chosen_weights = weights or PolicyWeights()
    total = partial(
        recommend_units, scenario, chosen, settings, method=method, time_limit=time_limit
    )
    with progress_of(progress, total, f"recommend {scenario.name}", unit="unit") as report:
        decisions_, outcome = search(
            scenario,
            chosen,
            chosen_weights,
            seed=settings.seed,
            method=method,
            time_limit=time_limit,
            workers=settings.workers,
            progress=report,
        )
        plan = plan_of(decisions_, outcome.quantities)
        comparison = compare_plan(scenario, plan, settings, progress=report)
    return Recommendation(chosen.name, chosen_weights, outcome, comparison, len(decisions_))


def _need_suppliers(scenario: Scenario) -> None:
    if not scenario.suppliers:
        raise InputError(
            f"scenario '{scenario.name}' has no suppliers",
            "add a 'suppliers:' block (see `equipoise show west-asia-2024`)",
        )


def recommend_units(
    scenario: Scenario,
    policy: str | Policy,
    settings: RunSettings,
    *,
    method: str = "auto",
    time_limit: float | None = None,
) -> int:
    """The units :func:`recommend` reports: the search's (:func:`search_units`) and the
    trials before and after the plan."""
    searching = search_units(scenario, policy, method=method, time_limit=time_limit)
    return searching + comparison_units(scenario, settings)


@dataclass(frozen=True, repr=False)
class PolicyComparison(Plottable):
    """Abstain, partisan for each side the suppliers arm, and balancer, in one table."""

    recommendations: tuple[Recommendation, ...]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for item in self.recommendations:
            for dyad in item.comparison.after.dyads:
                a, b = dyad.sides
                rows.append(
                    {
                        "policy": item.policy,
                        "cost": item.comparison.plan.total_cost,
                        "dyad": f"{dyad.a}-{dyad.b}",
                        "status": dyad.status_named,
                        "first_strike_advantage_a": a.first_strike_advantage.mean,
                        "first_strike_advantage_b": b.first_strike_advantage.mean,
                        **bargaining_columns(dyad.bargaining),
                        "proven_optimal": item.outcome.proven_optimal,
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "table": self.to_frame().to_dict(orient="records"),
                "plans": {r.policy: r.comparison.plan.to_dict() for r in self.recommendations},
                "search": {
                    r.policy: {"method": r.outcome.method, "note": r.outcome.note}
                    for r in self.recommendations
                },
            }
        )


def compare_policies(
    scenario: Scenario | str | Path,
    weights: PolicyWeights | None = None,
    settings: RunSettings | None = None,
    *,
    trials: int | None = None,
    seed: SeedLike | None = None,
    workers: int | None = None,
    progress: Progress | bool | None = None,
) -> PolicyComparison:
    """Run every built-in policy on the scenario and assess its outcome.

    ``progress`` receives the units done, out of :func:`compare_policies_units` (each
    policy's :func:`recommend_units` in turn); ``True`` shows a bar."""
    scenario = load_scenario(scenario)
    settings = RunSettings.of(settings, trials=trials, seed=seed, workers=workers)
    _need_suppliers(scenario)
    total = partial(compare_policies_units, scenario, settings)
    with progress_of(progress, total, f"compare-policies {scenario.name}", unit="unit") as report:
        return PolicyComparison(
            tuple(
                recommend(scenario, p, weights, settings, progress=report)
                for p in compared_policies(scenario)
            )
        )


def compared_policies(scenario: Scenario) -> list[str]:
    """The policies :func:`compare_policies` runs: abstain, partisan for each state of a
    dyad that a supplier arms, and balancer."""
    armed = sorted(
        {
            state
            for supplier in scenario.suppliers.values()
            for state in supplier.relations
            if supplier.arms(state) and any(state in (d.a, d.b) for d in scenario.dyads)
        }
    )
    return ["abstain", *[f"partisan:{state}" for state in armed], "balancer"]


def compare_policies_units(scenario: Scenario, settings: RunSettings) -> int:
    """The units :func:`compare_policies` reports: each policy's :func:`recommend_units`."""
    return sum(recommend_units(scenario, p, settings) for p in compared_policies(scenario))


@dataclass(frozen=True, repr=False)
class ScenarioDiff(Plottable):
    """Two scenarios compared: the inputs that differ, then every dyad metric side by
    side (the same rows, change marks and noise rule as a what-if)."""

    inputs: tuple[tuple[str, Any, Any], ...]
    comparison: Comparison
    labels: tuple[str, str] = ("A", "B")
    """What A and B were given as (file paths or built-in names)."""

    def to_frame(self) -> pd.DataFrame:
        return self.comparison.to_frame()

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "a_is": self.labels[0],
                "b_is": self.labels[1],
                "inputs": [{"path": p, "a": a, "b": b} for p, a, b in self.inputs],
                "changes": self.comparison.rows(),
                "a": self.comparison.before.to_dict(),
                "b": self.comparison.after.to_dict(),
            }
        )

    def plot(self, **options: Any) -> Any:
        return self.comparison.plot(**options)


def _changed_inputs(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(path, value in A, value in B) for every leaf that differs, paths as --set writes them."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            inner = f"{path}.{key}" if path else str(key)
            out += _changed_inputs(a.get(key), b.get(key), inner)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [x for i, (u, v) in pairs for x in _changed_inputs(u, v, f"{path}[{i}]")]
    return [] if a == b else [(path, a, b)]


def diff(
    a: Scenario | str | Path,
    b: Scenario | str | Path,
    settings: RunSettings | None = None,
    *,
    trials: int | None = None,
    seed: SeedLike | None = None,
    progress: Progress | bool | None = None,
) -> ScenarioDiff:
    """Scenario B against scenario A: changed inputs, then metrics, same seed and trials.

    ``progress`` receives the trials done, out of :func:`diff_units`; ``True`` shows a bar.
    """
    first, second = load_scenario(a), load_scenario(b)
    pairs = [(d.a, d.b) for d in first.dyads]
    if pairs != [(d.a, d.b) for d in second.dyads]:
        raise InputError(
            f"'{first.name}' and '{second.name}' assess different dyads",
            "compare two versions of one scenario (the same dyads in the same order)",
        )
    run = RunSettings.of(settings, trials=trials, seed=seed)
    inputs = _changed_inputs(first.model_dump(mode="json"), second.model_dump(mode="json"))
    empty = summarise_plan(first, {})
    with progress_of(progress, diff_units(first, second, run), "diff") as report:
        comparison = Comparison(
            empty, analyze(first, run, progress=report), analyze(second, run, progress=report)
        )
    labels = tuple(str(x) if isinstance(x, str | Path) else x.name for x in (a, b))
    return ScenarioDiff(tuple(inputs), comparison, (labels[0], labels[1]))


def diff_units(a: Scenario, b: Scenario, settings: RunSettings) -> int:
    """The trials :func:`diff` runs: both scenarios' analyses."""
    return analysis_units(a, settings) + analysis_units(b, settings)
