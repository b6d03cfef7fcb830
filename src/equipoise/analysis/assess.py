"""Assess every dyad of a scenario: first strikes, retaliation, deterrence status.

For each dyad and each side striking first (DOMAIN.md §3):

1. the striker's preferred counterforce split is chosen on the expected-value
   exchange, maximising ``dealt_weight * dealt share - suffered_weight * suffered
   share`` (its net outcome; the weights are scenario settings);
2. its most disarming strike (every counterforce-capable round at launchers) gives
   the victim's second-strike survivability and decides deterrence: a side is
   deterred when even that strike leaves the rival able to inflict its
   unacceptable damage (Intriligator & Brito 1984);
3. the stochastic exchange is run for both splits over all trials, in seeded
   blocks, for means, intervals and the probability that retaliation crosses the
   threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from equipoise.analysis.bargaining import dyad_bargaining
from equipoise.analysis.forces import (
    DyadForces,
    ElementLabel,
    SideForces,
    dyad_forces,
    kill_matrix,
    launchers_per_wave,
    side_forces,
)
from equipoise.analysis.results import (
    AnalysisResult,
    CalibrationCheck,
    DamageHistogram,
    DeterrenceStatus,
    DyadAssessment,
    Estimate,
    LayerUse,
    SideAssessment,
)
from equipoise.domain.scenario import CalibrationCase, OffensiveClass, Scenario
from equipoise.engines.exchange import (
    Direction,
    ExchangeOutcome,
    Offence,
    Side,
    as_counts,
    best_split_expected,
    damage_limiting_split,
    exchange_expected,
    exchange_stochastic,
    first_strike_advantage,
    net_outcome,
    strike_expected,
    strike_stochastic,
    tile_side,
    trials_of,
)
from equipoise.engines.random import SeedLike, as_seed_sequence, run_blocks
from equipoise.engines.types import Array, FloatArray

DEFAULT_TRIALS = 10_000

Progress = Callable[[int], None]


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
            "first_intercepted": chosen.first_strike_intercepted_by_layer,
            "retaliation_launched": chosen.retaliation_launched,
            "retaliation_leaked": chosen.retaliation_leakers,
            "retaliation_intercepted": chosen.retaliation_intercepted_by_layer,
            "limited_retaliation": limiting.retaliation_damage,
            "limited_surviving": limiting.victim_surviving_share,
        }


def _concatenate(blocks: list[dict[str, Array]]) -> dict[str, Array]:
    return {key: np.concatenate([block[key] for block in blocks]) for key in blocks[0]}


@dataclass(frozen=True)
class DirectionResult:
    """One side striking first: its chosen split, expected values and trials."""

    direction: Direction
    chosen: FloatArray
    limiting: FloatArray
    expected_chosen: ExchangeOutcome
    expected_limiting: ExchangeOutcome
    trials: dict[str, Array]


def run_direction(
    direction: Direction,
    scenario: Scenario,
    seed: np.random.SeedSequence,
    trials: int,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> DirectionResult:
    """Choose the striker's split, then run both strikes over all trials."""
    settings = scenario.exchange
    choice = best_split_expected(
        direction,
        levels=settings.split_levels,
        dealt_weight=settings.dealt_weight,
        suffered_weight=settings.suffered_weight,
    )
    limiting = damage_limiting_split(direction)
    task = ExchangeTrials(direction, choice.split[0], limiting[0])
    blocks = run_blocks(task, seed, trials, executor=executor, progress=progress)
    return DirectionResult(
        direction,
        choice.split[0],
        limiting[0],
        exchange_expected(direction, choice.split),
        exchange_expected(direction, limiting),
        _concatenate(blocks),
    )


def _side(
    forces: SideForces,
    own_first: DirectionResult,
    rival_first: DirectionResult,
    deterred: bool,
    weights: tuple[float, float],
) -> SideAssessment:
    own, rival = own_first.direction.striker, own_first.direction.victim
    first, second = own_first.trials, rival_first.trials
    ev_first, ev_second = own_first.expected_chosen, rival_first.expected_chosen
    v_rival, v_own = rival.value_at_risk, own.value_at_risk
    net_first = net_outcome(first["dealt"], first["suffered"], v_rival, v_own, *weights)
    net_second = net_outcome(second["suffered"], second["dealt"], v_rival, v_own, *weights)
    ev_fsa = float(first_strike_advantage(ev_first, ev_second, v_own, v_rival, *weights)[0])
    crosses = second["limited_retaliation"] >= rival.unacceptable_damage
    ev_crosses = rival_first.expected_limiting.retaliation_damage[0] >= rival.unacceptable_damage
    return SideAssessment(
        state=forces.state,
        rival=forces.rival,
        value_at_risk=v_own,
        unacceptable_damage=own.unacceptable_damage,
        damage_dealt_striking_first=Estimate.of_mean(
            first["dealt"], float(ev_first.first_strike_damage[0])
        ),
        damage_suffered_striking_first=Estimate.of_mean(
            first["suffered"], float(ev_first.retaliation_damage[0])
        ),
        damage_dealt_struck_first=Estimate.of_mean(
            second["suffered"], float(ev_second.retaliation_damage[0])
        ),
        damage_suffered_struck_first=Estimate.of_mean(
            second["dealt"], float(ev_second.first_strike_damage[0])
        ),
        first_strike_advantage=Estimate.of_difference(net_first, net_second, ev_fsa),
        second_strike_survivability=Estimate.of_mean(
            second["limited_surviving"],
            float(rival_first.expected_limiting.victim_surviving_share[0]),
        ),
        retaliation_probability=Estimate.of_proportion(crosses, float(ev_crosses)),
        deterred=deterred,
        counterforce_split=_split_by_element(forces.elements, own_first.chosen),
    )


def _split_by_element(labels: tuple[ElementLabel, ...], split: FloatArray) -> dict[str, float]:
    return {label.text: float(share) for label, share in zip(labels, split, strict=True)}


def is_deterred(scenario: Scenario, striker_first: DirectionResult) -> bool:
    """Whether a side is deterred from striking first, by the scenario's criterion."""
    threshold = striker_first.direction.striker.unacceptable_damage
    if scenario.deterrence.criterion == "expected_value":
        return bool(striker_first.expected_limiting.retaliation_damage[0] >= threshold)
    hits = striker_first.trials["limited_retaliation"] >= threshold
    return bool(hits.mean() >= scenario.deterrence.confidence)


def deterrence_status(a_deterred: bool, b_deterred: bool) -> DeterrenceStatus:
    """The dyad's status from whether each side is deterred (Intriligator & Brito 1984)."""
    if a_deterred and b_deterred:
        return "mutual deterrence"
    if a_deterred:
        return "only A deterred"
    if b_deterred:
        return "only B deterred"
    return "neither"


def _layer_use(
    strike: str, defender: SideForces, result: DirectionResult, prefix: str
) -> list[LayerUse]:
    trials = result.trials
    intercepted = trials[f"{prefix}_intercepted"].mean(axis=0)
    launched = float(trials[f"{prefix}_launched"].mean())
    leaked = float(trials[f"{prefix}_leaked"].mean())
    return [
        LayerUse(strike, defender.state, layer, float(intercepted[i]), launched, leaked)
        for i, layer in enumerate(defender.layers)
    ]


def assess_dyad(
    scenario: Scenario,
    forces: DyadForces,
    seed: np.random.SeedSequence,
    trials: int,
    label: str = "",
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> DyadAssessment:
    """Both exchanges of one dyad, over ``trials`` stochastic trials."""
    a_seed, b_seed = seed.spawn(2)
    a_first = run_direction(
        forces.a_first, scenario, a_seed, trials, executor=executor, progress=progress
    )
    b_first = run_direction(
        forces.b_first, scenario, b_seed, trials, executor=executor, progress=progress
    )
    a_deterred = is_deterred(scenario, a_first)
    b_deterred = is_deterred(scenario, b_first)
    weights = (scenario.exchange.dealt_weight, scenario.exchange.suffered_weight)
    sides = (
        _side(forces.a, a_first, b_first, a_deterred, weights),
        _side(forces.b, b_first, a_first, b_deterred, weights),
    )
    a, b = forces.a.state, forces.b.state
    value_a, value_b = forces.a.side.value_at_risk, forces.b.side.value_at_risk
    layer_use = (
        _layer_use(f"{a} strikes first", forces.b, a_first, "first")
        + _layer_use(f"{b} retaliates", forces.a, a_first, "retaliation")
        + _layer_use(f"{b} strikes first", forces.a, b_first, "first")
        + _layer_use(f"{a} retaliates", forces.b, b_first, "retaliation")
    )
    return DyadAssessment(
        a,
        b,
        label,
        deterrence_status(a_deterred, b_deterred),
        sides,
        tuple(layer_use),
        forces.a.notes + forces.b.notes,
        dyad_bargaining(scenario, *sides),
        (
            DamageHistogram.of(a, "striking first", a_first.trials["suffered"], value_a),
            DamageHistogram.of(a, "struck first", b_first.trials["dealt"], value_a),
            DamageHistogram.of(b, "striking first", b_first.trials["suffered"], value_b),
            DamageHistogram.of(b, "struck first", a_first.trials["dealt"], value_b),
        ),
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


def calibration_offence(scenario: Scenario, case: CalibrationCase) -> tuple[Offence, list[str]]:
    """The reported attack as an offence fired in ``case.waves`` waves, all countervalue."""
    names = list(case.attack)
    classes = []
    for name in names:
        system = scenario.classes[name]
        assert isinstance(system, OffensiveClass)
        classes.append(system)
    rounds = np.array([[case.attack[n] for n in names]], dtype=float)
    launchers = np.array([[launchers_per_wave(case.attack[n], case.waves) for n in names]], float)
    offence = Offence(
        launchers=launchers,
        rounds=rounds,
        rounds_per_launcher_per_wave=np.ones(len(names), dtype=np.int64),
        reliability=np.array([c.reliability for c in classes]),
        arrival=np.array([c.arrival for c in classes]),
        guided=np.array([c.is_guided for c in classes]),
        damage=np.array([c.damage for c in classes]),
        counterforce_kill=np.zeros(len(names)),
        targetable=np.zeros(len(names), dtype=bool),
    )
    return offence, names


def calibrate(
    scenario: Scenario, case: CalibrationCase, seed: np.random.SeedSequence, trials: int
) -> CalibrationCheck:
    """Replay a reported attack against the defender's side and compare shares."""
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
    blocks = run_blocks(StrikeTrials(offence, defender.side, kill, case.waves), seed, trials)
    shares = 1.0 - _concatenate(blocks)["leaked"] / launched
    return CalibrationCheck(
        case.name,
        case.attacker,
        case.defender,
        launched,
        case.reported_neutralised_share,
        case.tolerance,
        Estimate.of_mean(shares, ev_share),
        case.source,
    )


def analyze(
    scenario: Scenario,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: SeedLike | None = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Assess every dyad in ``scenario`` (DOMAIN.md §3) and run its calibration cases.

    ``seed`` makes the run reproducible: the same seed gives the same numbers
    whatever ``workers`` is. ``progress`` is called with the number of trials just
    completed (each dyad runs ``2 * trials``).
    """
    if trials < 2:
        raise ValueError("trials must be at least 2")
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
                executor=executor,
                progress=progress,
            )
            for dyad, child in zip(scenario.dyads, dyad_seeds, strict=True)
        )
    finally:
        if executor is not None:
            executor.shutdown()
    checks = tuple(
        calibrate(scenario, case, child, trials)
        for case, child in zip(
            scenario.calibration, calibration_seed.spawn(len(scenario.calibration)), strict=True
        )
    )
    return AnalysisResult(
        scenario=scenario.name,
        title=scenario.title,
        seed=seed if isinstance(seed, int) else None,
        trials=trials,
        criterion=scenario.deterrence.criterion,
        dyads=dyads,
        calibration=checks,
    )
