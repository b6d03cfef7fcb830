"""Assess every dyad of a scenario: first strikes, retaliation, deterrence status.

For each dyad and each side striking first (docs/model.md §3):

1. the evaluator (:mod:`equipoise.analysis.evaluator`, the one owner of the
   expected-value metrics) chooses the striker's preferred counterforce split and its
   most disarming one, and gives deterrence, first-strike advantage and the
   bargaining range;
2. the stochastic exchange is run for both splits over all trials, in seeded
   blocks, for means, intervals and the probability that retaliation crosses the
   threshold (which decides deterrence under the ``probability`` criterion). Each
   block is reduced (moments, counts, fixed-bin histograms, sums) as it finishes,
   so memory does not grow with the number of trials.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from equipoise.analysis.bargaining import bargaining_of
from equipoise.analysis.evaluator import DyadExchanges, evaluate_dyad
from equipoise.analysis.forces import (
    DyadForces,
    ElementLabel,
    OffensiveElement,
    SideForces,
    dyad_forces,
    kill_matrix,
    launchers_per_wave,
    offence_of,
    side_forces,
)
from equipoise.analysis.metrics import metric, status_label
from equipoise.analysis.results import (
    AnalysisResult,
    CalibrationCheck,
    DamageCounts,
    DamageHistogram,
    DyadAssessment,
    Estimate,
    Moments,
    SideAssessment,
    StrikeInterception,
)
from equipoise.analysis.settings import Progress, RunSettings, progress_of
from equipoise.domain.loading import load_scenario
from equipoise.domain.scenario import CalibrationCase, OffensiveClass, Scenario
from equipoise.engines.exchange import (
    Direction,
    Offence,
    Side,
    as_counts,
    exchange_stochastic,
    net_outcome,
    strike_expected,
    strike_stochastic,
    tile_side,
    trials_of,
)
from equipoise.engines.random import SeedLike, as_seed_sequence, fold_blocks
from equipoise.engines.types import Array, FloatArray


@dataclass(frozen=True)
class ExchangeTrials:
    """Picklable block task: the chosen and the most disarming exchange, per trial."""

    direction: Direction
    chosen: FloatArray
    limiting: FloatArray

    def __call__(self, rng: np.random.Generator, size: int) -> dict[str, Array]:
        batch = trials_of(self.direction, size)
        chosen = exchange_stochastic(
            rng, batch, np.broadcast_to(self.chosen, (size, self.chosen.size))
        )
        if np.array_equal(self.chosen, self.limiting):
            limiting = chosen
        else:
            limiting = exchange_stochastic(
                rng, batch, np.broadcast_to(self.limiting, (size, self.limiting.size))
            )
        return {
            "dealt": chosen.first_strike_damage,
            "suffered": chosen.retaliation_damage,
            "first_launched": chosen.first_strike_launched,
            "first_leaked": chosen.first_strike_leakers,
            "first_leaked_at_launchers": chosen.first_strike_counterforce_leakers,
            "first_intercepted": chosen.first_strike_intercepted_by_layer,
            "retaliation_launched": chosen.retaliation_launched,
            "retaliation_leaked": chosen.retaliation_leakers,
            "retaliation_intercepted": chosen.retaliation_intercepted_by_layer,
            "limited_retaliation": limiting.retaliation_damage,
            "limited_surviving": limiting.victim_surviving_share,
        }


@dataclass(frozen=True)
class ExchangeSummary:
    """One direction's trials reduced to what the assessment reports (issue 14).

    Moments of the damage, the limiting strike's retaliation and survivability and
    both sides' net outcomes; the count of trials whose limited retaliation reaches
    the striker's unacceptable damage; fixed-bin histogram counts and the observed
    extremes of the damage each side suffers; and per-layer and per-strike sums of
    rounds. Summaries of blocks merge in block order, so no per-trial array outlives
    its block.
    """

    dealt: Moments
    suffered: Moments
    limited_retaliation: Moments
    limited_surviving: Moments
    striker_net: Moments
    victim_net: Moments
    crossing: int
    trials: int
    suffered_counts: DamageCounts
    dealt_counts: DamageCounts
    sums: dict[str, FloatArray]

    @classmethod
    def of(
        cls, block: dict[str, Array], direction: Direction, weights: tuple[float, float]
    ) -> ExchangeSummary:
        """Reduce one block of :class:`ExchangeTrials` output."""
        striker, victim = direction.striker, direction.victim
        dealt, suffered = block["dealt"], block["suffered"]
        limited = block["limited_retaliation"]
        striker_net = net_outcome(
            dealt, suffered, victim.value_at_risk, striker.value_at_risk, *weights
        )
        victim_net = net_outcome(
            suffered, dealt, striker.value_at_risk, victim.value_at_risk, *weights
        )
        return cls(
            dealt=Moments.of_finite(dealt),
            suffered=Moments.of_finite(suffered),
            limited_retaliation=Moments.of_finite(limited),
            limited_surviving=Moments.of_finite(block["limited_surviving"]),
            striker_net=Moments.of(striker_net),
            victim_net=Moments.of(victim_net),
            crossing=int(np.count_nonzero(limited >= striker.unacceptable_damage)),
            trials=int(dealt.shape[0]),
            suffered_counts=DamageCounts.of(suffered, striker.value_at_risk),
            dealt_counts=DamageCounts.of(dealt, victim.value_at_risk),
            sums={key: np.asarray(block[key].sum(axis=0), dtype=float) for key in _SUMMED},
        )

    def merge(self, other: ExchangeSummary) -> ExchangeSummary:
        """Both blocks' trials together (``self``'s blocks first)."""
        return ExchangeSummary(
            self.dealt.merge(other.dealt),
            self.suffered.merge(other.suffered),
            self.limited_retaliation.merge(other.limited_retaliation),
            self.limited_surviving.merge(other.limited_surviving),
            self.striker_net.merge(other.striker_net),
            self.victim_net.merge(other.victim_net),
            self.crossing + other.crossing,
            self.trials + other.trials,
            self.suffered_counts.merge(other.suffered_counts),
            self.dealt_counts.merge(other.dealt_counts),
            {key: self.sums[key] + other.sums[key] for key in self.sums},
        )

    def mean_of(self, key: str) -> FloatArray:
        """Mean over trials of a summed quantity (per layer for interceptions)."""
        return self.sums[key] / self.trials


_SUMMED = (
    "first_launched",
    "first_leaked",
    "first_leaked_at_launchers",
    "first_intercepted",
    "retaliation_launched",
    "retaliation_leaked",
    "retaliation_intercepted",
)


@dataclass(frozen=True)
class SummarisedExchange:
    """Picklable block task: :class:`ExchangeTrials` reduced where it ran."""

    trials: ExchangeTrials
    weights: tuple[float, float]

    def __call__(self, rng: np.random.Generator, size: int) -> ExchangeSummary:
        return ExchangeSummary.of(self.trials(rng, size), self.trials.direction, self.weights)


def _merge(first: ExchangeSummary, second: ExchangeSummary) -> ExchangeSummary:
    return first.merge(second)


@dataclass(frozen=True)
class DirectionResult:
    """One side striking first: its chosen split and its trials, summarised."""

    direction: Direction
    chosen: FloatArray
    summary: ExchangeSummary


def run_direction(
    direction: Direction,
    exchanges: DyadExchanges,
    key: str,
    seed: np.random.SeedSequence,
    trials: int,
    *,
    weights: tuple[float, float] = (1.0, 1.0),
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> DirectionResult:
    """Run the striker's chosen and most disarming strikes (from the evaluator) over all
    trials, each block reduced to an :class:`ExchangeSummary` as it finishes."""
    chosen, limiting = exchanges.chosen[key][0], exchanges.limiting[key][0]
    task = SummarisedExchange(ExchangeTrials(direction, chosen, limiting), weights)
    summary = fold_blocks(task, _merge, seed, trials, executor=executor, progress=progress)
    return DirectionResult(direction, chosen, summary)


def _side(
    forces: SideForces,
    own_first: DirectionResult,
    rival_first: DirectionResult,
    columns: dict[str, float],
    key: str,
    name: str = "",
    criterion_trials: int | None = None,
) -> SideAssessment:
    """One side's estimates over the trials, each beside the evaluator's expected value
    (and, given ``criterion_trials``, the probability criterion's own estimate)."""
    own, rival = own_first.direction.striker, own_first.direction.victim
    first, second = own_first.summary, rival_first.summary
    index = 0 if key == "a" else 1
    criterion_probability = None
    if criterion_trials is not None:
        share = columns[f"p_retaliation_{key}"]
        hits = round(share * criterion_trials)
        criterion_probability = Estimate.of_count(hits, criterion_trials)

    def ev(name: str) -> float:
        return columns[metric(name).arrays[index]]

    means = {
        "damage_dealt_striking_first": first.dealt,
        "damage_suffered_striking_first": first.suffered,
        "damage_dealt_struck_first": second.suffered,
        "damage_suffered_struck_first": second.dealt,
        "second_strike_survivability": second.limited_surviving,
        "retaliation_damage": second.limited_retaliation,
    }
    return SideAssessment(
        state=forces.state,
        rival=forces.rival,
        value_at_risk=own.value_at_risk,
        unacceptable_damage=own.unacceptable_damage,
        **{name: Estimate.of_moments(moments, ev(name)) for name, moments in means.items()},
        first_strike_advantage=Estimate.of_moment_difference(
            first.striker_net, second.victim_net, ev("first_strike_advantage")
        ),
        retaliation_probability=Estimate.of_count(
            second.crossing,
            second.trials,
            float(ev("retaliation_damage") >= rival.unacceptable_damage),
        ),
        deterred=bool(columns[metric("deterred").arrays[index]]),
        counterforce_split=_split_by_element(forces.elements, own_first.chosen),
        name=name,
        criterion_probability=criterion_probability,
    )


def _split_by_element(labels: tuple[ElementLabel, ...], split: FloatArray) -> dict[str, float]:
    return {label.text: float(share) for label, share in zip(labels, split, strict=True)}


def _interception(
    strike: str, defender: SideForces, result: DirectionResult, prefix: str
) -> StrikeInterception:
    summary = result.summary
    intercepted = summary.mean_of(f"{prefix}_intercepted")
    at_launchers = f"{prefix}_leaked_at_launchers"
    return StrikeInterception(
        strike,
        defender.state,
        float(summary.mean_of(f"{prefix}_launched")),
        {layer: float(n) for layer, n in zip(defender.layers, intercepted, strict=True)},
        float(summary.mean_of(f"{prefix}_leaked")),
        float(summary.mean_of(at_launchers)) if at_launchers in summary.sums else 0.0,
    )


def assess_dyad(
    scenario: Scenario,
    forces: DyadForces,
    seed: np.random.SeedSequence,
    trials: int,
    label: str = "",
    *,
    root_seed: SeedLike | None = 0,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> DyadAssessment:
    """Both exchanges of one dyad, over ``trials`` stochastic trials drawn from ``seed``.

    The evaluator's own estimates (the ``probability`` deterrence criterion) are keyed by
    ``root_seed``, the run's seed, as on every other path.
    """
    a, b = forces.a.state, forces.b.state
    exchanges = evaluate_dyad(scenario, (a, b), forces.a_first, forces.b_first, seed=root_seed)
    a_seed, b_seed = seed.spawn(2)
    weights = (scenario.exchange.dealt_weight, scenario.exchange.suffered_weight)
    a_first, b_first = (
        run_direction(
            direction,
            exchanges,
            key,
            child,
            trials,
            weights=weights,
            executor=executor,
            progress=progress,
        )
        for direction, key, child in (
            (forces.a_first, "a", a_seed),
            (forces.b_first, "b", b_seed),
        )
    )
    columns = {name: float(values[0]) for name, values in exchanges.columns.items()}
    rule = scenario.deterrence
    trials_of_criterion = rule.trials if rule.criterion == "probability" else None
    sides = (
        _side(
            forces.a, a_first, b_first, columns, "a", scenario.states[a].name, trials_of_criterion
        ),
        _side(
            forces.b, b_first, a_first, columns, "b", scenario.states[b].name, trials_of_criterion
        ),
    )
    a_deterred, b_deterred = sides[0].deterred, sides[1].deterred
    value_a, value_b = forces.a.side.value_at_risk, forces.b.side.value_at_risk
    interception = (
        _interception(f"{a} strikes first", forces.b, a_first, "first"),
        _interception(f"{b} retaliates", forces.a, a_first, "retaliation"),
        _interception(f"{b} strikes first", forces.a, b_first, "first"),
        _interception(f"{a} retaliates", forces.b, b_first, "retaliation"),
    )
    return DyadAssessment(
        a,
        b,
        label,
        status_label(a_deterred, b_deterred),
        sides,
        interception,
        forces.a.notes + forces.b.notes,
        bargaining_of(scenario, a, b, columns, exchanges.bargaining_note),
        (
            DamageHistogram.of_counts(
                a, "striking first", a_first.summary.suffered_counts, value_a
            ),
            DamageHistogram.of_counts(a, "struck first", b_first.summary.dealt_counts, value_a),
            DamageHistogram.of_counts(
                b, "striking first", b_first.summary.suffered_counts, value_b
            ),
            DamageHistogram.of_counts(b, "struck first", a_first.summary.dealt_counts, value_b),
        ),
        rule.criterion,
        rule.confidence if rule.criterion == "probability" else None,
    )


@dataclass(frozen=True)
class StrikeTrials:
    """Picklable block task: one fixed strike, for calibration."""

    offence: Offence
    side: Side
    kill: FloatArray
    waves: int

    def __call__(self, rng: np.random.Generator, size: int) -> dict[str, Array]:
        victim = as_counts(tile_side(self.side, size))
        offence = replace(
            self.offence,
            launchers=np.repeat(self.offence.launchers, size, axis=0).astype(np.int64),
            rounds=np.repeat(self.offence.rounds, size, axis=0).astype(np.int64),
        )
        aim = np.ones((size, offence.elements, 1))
        outcome = strike_stochastic(rng, offence, victim.defence, self.kill, aim, self.waves)
        return {"leaked": outcome.leakers.sum(axis=(1, 2)).astype(float)}


@dataclass(frozen=True)
class NeutralisedShare:
    """Picklable block task: the moments of the share of a fixed strike neutralised."""

    strike: StrikeTrials
    launched: int

    def __call__(self, rng: np.random.Generator, size: int) -> Moments:
        return Moments.of_finite(1.0 - self.strike(rng, size)["leaked"] / self.launched)


def calibration_offence(scenario: Scenario, case: CalibrationCase) -> tuple[Offence, list[str]]:
    """The reported attack as an offence fired in ``case.waves`` waves, all countervalue:
    one round per launcher per wave, and no round aimed at launchers."""
    names = list(case.attack)
    elements = []
    for name in names:
        system = scenario.classes[name]
        assert isinstance(system, OffensiveClass)
        launchers = launchers_per_wave(case.attack[name], case.waves)
        label = ElementLabel(case.attacker, name)
        elements.append(OffensiveElement(launchers, case.attack[name], system, 1.0, False, label))
    offence = replace(
        offence_of(elements),
        rounds_per_launcher_per_wave=np.ones(len(names), dtype=np.int64),
        counterforce_kill=np.zeros(len(names)),
    )
    return offence, names


def calibrate(
    scenario: Scenario,
    case: CalibrationCase,
    seed: np.random.SeedSequence,
    trials: int,
    progress: Progress | None = None,
    *,
    executor: Executor | None = None,
) -> CalibrationCheck:
    """Replay a reported attack against the defender's side and compare shares (its
    trial blocks on ``executor`` when given)."""
    defender = side_forces(scenario, case.defender, case.attacker)
    offence, names = calibration_offence(scenario, case)
    attacker_labels = SideForces(
        case.attacker,
        case.defender,
        defender.side,
        tuple(ElementLabel(case.attacker, n) for n in names),
        (),
        (),
    )
    kill = kill_matrix(scenario, attacker_labels, defender)
    launched = int(offence.rounds.sum())
    expected = strike_expected(
        offence, defender.side.defence, kill, np.ones((1, len(names), 1)), case.waves
    )
    ev_share = 1.0 - float(expected.leakers.sum()) / launched
    task = NeutralisedShare(StrikeTrials(offence, defender.side, kill, case.waves), launched)
    moments = fold_blocks(task, Moments.merge, seed, trials, executor=executor, progress=progress)
    return CalibrationCheck(
        case.name,
        case.attacker,
        case.defender,
        launched,
        case.reported_neutralised_share,
        case.tolerance,
        Estimate.of_moments(moments, ev_share),
        case.source,
    )


def analysis_units(scenario: Scenario, settings: RunSettings) -> int:
    """The trials :func:`analyze` runs, the units its ``progress`` counts: two exchanges
    per dyad (each side striking first) and one replay per calibration case."""
    return settings.trials * (2 * len(scenario.dyads) + len(scenario.calibration))


def analyze(
    scenario: Scenario | str | Path,
    settings: RunSettings | None = None,
    *,
    trials: int | None = None,
    seed: SeedLike | None = None,
    workers: int | None = None,
    progress: Progress | bool | None = None,
) -> AnalysisResult:
    """Assess every dyad in ``scenario`` (docs/model.md §3) and run its calibration cases.

    ``settings`` (or ``trials``, ``seed``, ``workers`` given one by one) make the run
    reproducible: the same seed gives the same numbers whatever ``workers`` is.
    ``progress`` is called with the number of trials just completed, out of
    :func:`analysis_units`; ``progress=True`` shows a progress bar (in a notebook, a
    widget). Neither changes a number.
    """
    scenario = load_scenario(scenario)
    run = RunSettings.of(settings, trials=trials, seed=seed, workers=workers)
    total = analysis_units(scenario, run)
    with progress_of(progress, total, f"analyze {scenario.name}") as report:
        return _analyze(scenario, run, report)


def _analyze(scenario: Scenario, run: RunSettings, report: Progress | None) -> AnalysisResult:
    trials, seed, workers = run.trials, run.seed, run.workers
    root = as_seed_sequence(seed)
    dyad_seed, calibration_seed = root.spawn(2)
    dyad_seeds = dyad_seed.spawn(len(scenario.dyads))
    executor: Executor | None = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        dyads = tuple(
            assess_dyad(
                scenario,
                dyad_forces(scenario, dyad.a, dyad.b),
                child,
                trials,
                dyad.label,
                root_seed=root,
                executor=executor,
                progress=report,
            )
            for dyad, child in zip(scenario.dyads, dyad_seeds, strict=True)
        )
        checks = tuple(
            calibrate(scenario, case, child, trials, report, executor=executor)
            for case, child in zip(
                scenario.calibration,
                calibration_seed.spawn(len(scenario.calibration)),
                strict=True,
            )
        )
    finally:
        if executor is not None:
            executor.shutdown()
    rule = scenario.deterrence
    by_probability = rule.criterion == "probability"
    return AnalysisResult(
        scenario=scenario.name,
        title=scenario.title,
        seed=seed if isinstance(seed, int) else None,
        trials=trials,
        criterion=scenario.deterrence.criterion,
        dyads=dyads,
        calibration=checks,
        confidence=rule.confidence if by_probability else None,
        criterion_trials=rule.trials if by_probability else None,
        calibration_sources=cited_sources(scenario, [c.source for c in scenario.calibration]),
    )


def cited_sources(scenario: Scenario, cited: Iterable[str]) -> dict[str, str]:
    """The entries of ``scenario.sources`` that ``source`` fields cite by key, in order
    of first citation: a field is one key (``ua-air-defence``), keys joined by ``;``
    (``april-2024-composition; april-2024-interception``), or a key then ``:`` and a
    detail (``ua-air-defence: share destroyed ...``); other text cites nothing."""
    found: dict[str, str] = {}
    for text in cited:
        for part in text.split(";"):
            key = part.split(":", 1)[0].strip()
            if key in scenario.sources:
                found.setdefault(key, scenario.sources[key].strip())
    return found
