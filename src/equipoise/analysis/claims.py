"""Claims of uncertain credibility: posteriors, possible worlds, value of information.

docs/model.md §9. Posteriors are prior odds times the product of the sources'
likelihood ratios (independent given the truth; of sources marked as sharing an
origin only the most informative counts). Every dyad is then assessed in each
possible world (which claims are true) in one batched pass of the evaluator: the
expected-value metrics, and the stochastic probability that retaliation crosses the rival's
threshold from a stack of trials per world. Worlds are enumerated exactly up to
``max_enumerated_worlds``, sampled beyond.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equipoise.analysis.deliveries import (
    DeliveryItem,
    deliver_holding,
    delivered_holdings,
    resolve_package,
)
from equipoise.analysis.evaluator import (
    Metrics,
    evaluate,
)
from equipoise.analysis.metrics import SIDE_METRICS, STATUS_LABELS, in_words
from equipoise.analysis.metrics import metric as metric_of
from equipoise.analysis.results import Plottable, clean
from equipoise.domain.claims import Claim, ClaimsBlock, ClaimsFile
from equipoise.domain.loading import load_document, load_scenario, read_text_file
from equipoise.domain.references import claims_problems
from equipoise.domain.scenario import Scenario
from equipoise.engines.random import SeedLike, as_seed_sequence
from equipoise.engines.types import FloatArray
from equipoise.engines.worlds import (
    Distribution,
    Worlds,
    enumerate_worlds,
    expected_absolute_change,
    group_posteriors,
    odds,
    sample_worlds,
    variance_reduction,
    world_count,
)
from equipoise.errors import InputError

CREDIBLE_MASS = 0.9


@dataclass(frozen=True)
class SourceTerm:
    """One source's contribution to a claim's evidence."""

    kind: str
    reference: str
    ratio: float
    reasoning: str
    counted: bool
    dependency_group: str | None


@dataclass(frozen=True)
class ClaimPosterior:
    """A claim's arithmetic: prior, likelihood ratios counted, posterior."""

    name: str
    statement: str
    when: str
    delivery: str
    prior: float
    terms: tuple[SourceTerm, ...]
    evidence: float
    posterior: float
    exclusive_with: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def prior_odds(self) -> float:
        return odds(self.prior)

    def arithmetic(self) -> str:
        """'prior odds 0.25 × 1.5 × 1.3 = 0.49 -> P = 0.33' (or the categorical form)."""
        counted = [t for t in self.terms if t.counted]
        factors = " × ".join(f"{t.ratio:g}" for t in counted) or "1 (no sources)"
        if self.prior in (0.0, 1.0):
            return (
                f"prior {self.prior:g} is certain: evidence cannot move it; P = {self.posterior:g}"
            )
        if self.exclusive_with:
            return (
                f"prior {self.prior:g}, evidence {factors} = {self.evidence:.4g}; exclusive with "
                f"{', '.join(self.exclusive_with)}: P = prior × evidence / (P(none) + Σ prior × "
                f"evidence) = {self.posterior:.4f}"
            )
        return (
            f"prior odds {self.prior_odds:.4g} × {factors} = posterior odds "
            f"{self.prior_odds * self.evidence:.4g} -> P = {self.posterior:.4f}"
        )


def _counted_terms(claim: Claim, table: Mapping[str, Any]) -> tuple[list[SourceTerm], list[str]]:
    """Sources with their ratios; in a dependency group only the most informative counts."""
    notes = []
    strength = [abs(math.log(table[source.kind].ratio)) for source in claim.sources]
    best: dict[str, int] = {}
    for index, source in enumerate(claim.sources):
        group = source.dependency_group
        if group is not None and (group not in best or strength[index] > strength[best[group]]):
            best[group] = index
    terms = []
    for index, source in enumerate(claim.sources):
        entry = table[source.kind]
        group = source.dependency_group
        counted = group is None or best[group] == index
        if not counted:
            notes.append(
                f"source '{source.reference}' shares origin '{group}' with a more informative "
                "source: not counted again"
            )
        terms.append(
            SourceTerm(source.kind, source.reference, entry.ratio, entry.reasoning, counted, group)
        )
    return terms, notes


def _delivery_text(claim: Claim) -> str:
    delivery = claim.delivery
    what = ", ".join(delivery.systems) if delivery.package is None else delivery.package
    return f"{what} x{delivery.quantity} to {delivery.recipient}"


def claim_groups(block: ClaimsBlock) -> list[list[int]]:
    """Indices of claims per independent group (exclusive groups, then singletons)."""
    names = list(block.items)
    grouped = [[names.index(n) for n in group] for group in block.exclusive]
    taken = {i for group in grouped for i in group}
    return grouped + [[i] for i in range(len(names)) if i not in taken]


def claim_posteriors(block: ClaimsBlock) -> tuple[ClaimPosterior, ...]:
    """Every claim's posterior, with the arithmetic and dependency flags."""
    table = block.ratios()
    names = list(block.items)
    counted = [_counted_terms(claim, table) for claim in block.items.values()]
    evidence = [math.prod(t.ratio for t in terms if t.counted) for terms, _ in counted]
    shared: dict[str, set[str]] = {}
    for name, claim in block.items.items():
        for source in claim.sources:
            if source.dependency_group:
                shared.setdefault(source.dependency_group, set()).add(name)
    posterior = np.zeros(len(names))
    exclusive: dict[str, list[str]] = {}
    for group in claim_groups(block):
        priors = [block.items[names[i]].prior for i in group]
        posterior[group] = group_posteriors(priors, [evidence[i] for i in group])
        if len(group) > 1:
            exclusive |= {names[i]: [names[j] for j in group if j != i] for i in group}
    out = []
    for i, (name, claim) in enumerate(block.items.items()):
        terms, notes = counted[i]
        for origin, members in shared.items():
            others = sorted(members - {name})
            if name in members and others:
                notes.append(
                    f"source origin '{origin}' also supports {', '.join(others)}; the claims' "
                    "truths are treated as independent"
                )
        out.append(
            ClaimPosterior(
                name,
                claim.statement,
                claim.when,
                _delivery_text(claim),
                claim.prior,
                tuple(terms),
                float(evidence[i]),
                float(posterior[i]),
                tuple(exclusive.get(name, ())),
                tuple(notes),
            )
        )
    return tuple(out)


def claim_items(scenario: Scenario, block: ClaimsBlock) -> tuple[DeliveryItem, ...]:
    """Each claim as a delivery item (unique inventory keys per claim)."""
    items = []
    for name, claim in block.items.items():
        delivery = claim.delivery
        recipient = delivery.recipient
        if delivery.package is not None:
            found = resolve_package(scenario, delivery.package)
            if found is None:
                raise InputError(
                    f"unknown package '{delivery.package}'",
                    "`equipoise show SCENARIO` lists the packages",
                )
            supplier, package = found
            base = delivered_holdings(scenario, supplier, package, recipient, delivery.quantity)
            holdings = {f"claim:{name}/{key}": h for key, h in base.items()}
        else:
            holdings = {
                f"claim:{name}/{key}": deliver_holding(
                    scenario, key, holding, recipient, delivery.quantity, delivery.supplier
                )
                for key, holding in delivery.systems.items()
            }
        items.append(DeliveryItem(f"claim:{name}", recipient, holdings))
    return tuple(items)


def claims_of(scenario: Scenario, block: ClaimsBlock | None) -> ClaimsBlock:
    """The claims to use: the given block, else the scenario's own, else an error."""
    claims = block or scenario.claims
    if claims is None:
        raise InputError(
            f"scenario '{scenario.name}' has no claims",
            "add a 'claims:' block or pass a claims file with --claims FILE",
        )
    return claims


def load_claims(path: str | Path, scenario: Scenario) -> ClaimsBlock:
    """A claims file checked against the scenario it will be used with."""
    label = str(path)
    text = read_text_file(Path(path), "claims file")
    data = scenario.model_dump(mode="python")

    def checks(document: Mapping[str, Any]) -> list[Any]:
        return claims_problems(document.get("claims"), data)

    return load_document(text, label, ClaimsFile, "claims file", checks).claims


def build_worlds(
    block: ClaimsBlock, posteriors: Sequence[ClaimPosterior], seed: SeedLike | None
) -> Worlds:
    """Enumerate the worlds if there are few enough, else sample them (seeded)."""
    groups = claim_groups(block)
    probabilities = np.array([p.posterior for p in posteriors])
    if world_count(groups) <= block.max_enumerated_worlds:
        return enumerate_worlds(groups, probabilities, len(posteriors))
    rng = np.random.default_rng(as_seed_sequence(seed).spawn(1)[0])
    return sample_worlds(groups, probabilities, len(posteriors), block.sampled_worlds, rng)


SIDE_WORLD_METRICS = tuple(m for m in SIDE_METRICS if m.arrays and m.name != "deterred")


@dataclass(frozen=True, repr=False)
class WorldAnalysis(Plottable):
    """Every dyad metric as a distribution over the possible worlds."""

    scenario: str
    claims: tuple[ClaimPosterior, ...]
    worlds: Worlds
    metrics: Metrics
    retaliation_probability_a: FloatArray
    retaliation_probability_b: FloatArray
    dyads: tuple[tuple[str, str], ...]
    trials_per_world: int
    seed: int | None
    names: tuple[tuple[str, str], ...] = ()
    """Each dyad's states as a reader is shown them (names, :meth:`Scenario.called`);
    the codes of ``dyads`` if empty."""

    def called(self, column: int) -> tuple[str, str]:
        """The states of dyad ``column`` as a reader is shown them."""
        return self.names[column] if self.names else self.dyads[column]

    def status_probabilities(self, column: int) -> dict[str, float]:
        codes = self.metrics.status_codes[:, column]
        return {
            label: float(self.worlds.probability[codes == code].sum())
            for code, label in enumerate(STATUS_LABELS)
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per (dyad, state, metric): mean and credible interval over worlds.

        ``metric`` is the registry's label (a yes/no metric becomes its probability over
        the worlds, 'P(deterred from striking first)'), ``column`` its column name."""
        metrics = self.metrics
        out: list[dict[str, Any]] = []
        for column, (a, b) in enumerate(self.dyads):
            series = [
                (state, metric, metrics.values[name])
                for metric in SIDE_WORLD_METRICS
                for state, name in zip((a, b), metric.arrays, strict=True)
            ]
            for state, values in (
                (a, self.retaliation_probability_a),
                (b, self.retaliation_probability_b),
            ):
                if np.isfinite(values[:, column]).any():
                    series.append((state, metric_of("retaliation_probability"), values))
            deterred = metric_of("deterred")
            series += [
                (a, deterred, metrics.a_deterred.astype(float)),
                (b, deterred, metrics.b_deterred.astype(float)),
            ]
            if metrics.has_range[:, column].any():
                series += [
                    (a, metric_of(name), metrics.values[metric_of(name).arrays[0]])
                    for name in ("bargaining_low", "bargaining_high", "bargaining_closed")
                ]
            for state, metric, values in series:
                label = f"P({metric.label})" if metric.unit == "yes/no" else metric.label
                summary = Distribution.of(
                    np.asarray(values[:, column], dtype=float),
                    self.worlds.probability,
                    CREDIBLE_MASS,
                )
                out.append(
                    {"dyad": f"{a}-{b}", "state": state, "metric": label}
                    | {"column": metric.column, "mean": summary.mean}
                    | {"low": summary.low, "high": summary.high}
                )
            for status, probability in self.status_probabilities(column).items():
                named = in_words(status, *self.called(column))
                row: dict[str, Any] = {"dyad": f"{a}-{b}", "state": "", "metric": f"P({named})"}
                row |= {"column": "status", "mean": probability, "low": math.nan}
                out.append(row | {"high": math.nan})
        return out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows())

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "scenario": self.scenario,
                "seed": self.seed,
                "worlds": {
                    "count": int(self.worlds.truth.shape[0]),
                    "exact": self.worlds.exact,
                    "sampled_draws": self.worlds.draws,
                    "trials_per_world": self.trials_per_world,
                    "credible_interval_mass": CREDIBLE_MASS,
                },
                "claims": [_posterior_dict(c) for c in self.claims],
                "metrics": self.rows(),
            }
        )


def _posterior_dict(claim: ClaimPosterior) -> dict[str, Any]:
    return {
        "claim": claim.name,
        "statement": claim.statement,
        "when": claim.when,
        "delivery": claim.delivery,
        "prior": claim.prior,
        "evidence": claim.evidence,
        "posterior": claim.posterior,
        "arithmetic": claim.arithmetic(),
        "exclusive_with": list(claim.exclusive_with),
        "sources": [
            {
                "kind": t.kind,
                "reference": t.reference,
                "likelihood_ratio": t.ratio,
                "counted": t.counted,
                "dependency_group": t.dependency_group,
                "reasoning": t.reasoning,
            }
            for t in claim.terms
        ],
        "notes": list(claim.notes),
    }


def analyze_claims(
    scenario: Scenario | str | Path,
    block: ClaimsBlock | None = None,
    *,
    seed: SeedLike | None = 0,
    trials_per_world: int | None = None,
    probabilities: bool = True,
) -> WorldAnalysis:
    """Assess every dyad in every possible world of the claims, weighted by probability.

    ``probabilities`` estimates the retaliation probabilities in every world from
    ``trials_per_world`` trials (skip them when only expected-value metrics are needed;
    under the ``probability`` deterrence criterion they are always estimated, from the
    scenario's ``deterrence.trials`` like every other command).
    """
    scenario = load_scenario(scenario)
    claims = claims_of(scenario, block)
    posteriors = claim_posteriors(claims)
    items = claim_items(scenario, claims)
    worlds = build_worlds(claims, posteriors, seed)
    truth = worlds.truth.astype(float)
    trials = trials_per_world or claims.trials_per_world
    if scenario.deterrence.criterion == "probability":
        trials = scenario.deterrence.trials
    metrics = evaluate(
        scenario,
        items,
        truth,
        retaliation_probabilities=probabilities,
        probability_trials=trials,
        seed=seed,
    )
    return WorldAnalysis(
        scenario.name,
        posteriors,
        worlds,
        metrics,
        metrics.values["p_retaliation_a"],
        metrics.values["p_retaliation_b"],
        tuple((d.a, d.b) for d in scenario.dyads),
        trials,
        seed if isinstance(seed, int) else None,
        dyad_names(scenario),
    )


def dyad_names(scenario: Scenario) -> tuple[tuple[str, str], ...]:
    """Each dyad's states as a reader is shown them (:meth:`Scenario.called`)."""
    return tuple((scenario.called(d.a), scenario.called(d.b)) for d in scenario.dyads)


@dataclass(frozen=True)
class ClaimValue:
    """How much learning one claim's truth would change the assessment."""

    claim: str
    probability: float
    mutual_deterrence_change: float
    fsa_variance_reduction: float


def value_of_information(analysis: WorldAnalysis) -> tuple[ClaimValue, ...]:
    """Claims ranked by the expected absolute change in P(mutual deterrence), summed over
    dyads (ties by the expected reduction in the variance of the first-strike advantage)."""
    weights = analysis.worlds.probability
    mutual = analysis.metrics.mutual.astype(float)
    fsa = (analysis.metrics.fsa_a + analysis.metrics.fsa_b) / 2
    values = []
    for index, claim in enumerate(analysis.claims):
        truth = analysis.worlds.truth[:, index].astype(float)
        change = sum(
            expected_absolute_change(mutual[:, d], truth, weights) for d in range(mutual.shape[1])
        )
        reduction = sum(variance_reduction(fsa[:, d], truth, weights) for d in range(fsa.shape[1]))
        values.append(ClaimValue(claim.name, float(np.dot(truth, weights)), change, reduction))
    return tuple(
        sorted(
            values, key=lambda v: (-v.mutual_deterrence_change, -v.fsa_variance_reduction, v.claim)
        )
    )


@dataclass(frozen=True, repr=False)
class ClaimsReport(Plottable):
    """Posteriors, and optionally the value of information of each claim."""

    claims: tuple[ClaimPosterior, ...]
    values: tuple[ClaimValue, ...] = ()
    worlds: Worlds | None = None

    def to_frame(self) -> pd.DataFrame:
        value = {v.claim: v for v in self.values}
        rows = []
        for c in self.claims:
            known = value.get(c.name)
            rows.append(
                {
                    "claim": c.name,
                    "prior": c.prior,
                    "evidence": c.evidence,
                    "posterior": c.posterior,
                    "arithmetic": c.arithmetic(),
                    "mutual_deterrence_change": known and known.mutual_deterrence_change,
                    "fsa_variance_reduction": known and known.fsa_variance_reduction,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "claims": [_posterior_dict(c) for c in self.claims],
                "value_of_information": [
                    {
                        "claim": v.claim,
                        "probability": v.probability,
                        "expected_change_in_p_mutual_deterrence": v.mutual_deterrence_change,
                        "expected_fsa_variance_reduction": v.fsa_variance_reduction,
                    }
                    for v in self.values
                ],
                "ranked_by": "expected absolute change in P(mutual deterrence), summed over dyads"
                if self.values
                else None,
                "worlds": None
                if self.worlds is None
                else {"count": int(self.worlds.truth.shape[0]), "exact": self.worlds.exact},
            }
        )


def claims_report(
    scenario: Scenario | str | Path,
    block: ClaimsBlock | None = None,
    *,
    rank_by_information: bool = False,
    seed: SeedLike | None = 0,
) -> ClaimsReport:
    """Each claim's posterior; with ``rank_by_information`` also the claims ranked by
    their value of information."""
    scenario = load_scenario(scenario)
    claims = claims_of(scenario, block)
    if not rank_by_information:
        return ClaimsReport(claim_posteriors(claims))
    return claims_report_from(analyze_claims(scenario, claims, seed=seed, probabilities=False))


def claims_report_from(analysis: WorldAnalysis) -> ClaimsReport:
    """Posteriors and value of information from worlds already assessed (no re-run)."""
    return ClaimsReport(analysis.claims, value_of_information(analysis), analysis.worlds)
