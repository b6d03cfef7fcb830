"""Possible worlds of uncertain claims: posteriors, enumeration, sampling, value of information.

docs/model.md §9. Each claim's evidence is a product of likelihood ratios (sources
assumed independent given the truth, except those the user groups as dependent).
Claims are independent of each other, except within a group of mutually exclusive
alternatives, which is one categorical variable: alternative j, or none. With
priors π_j and evidence Λ_j, P(j | evidence) = π_j Λ_j / (π_none + Σ_k π_k Λ_k), where
π_none = 1 − Σ_k π_k; for a lone claim this is prior odds × Λ, turned back into a
probability. Pure functions on arrays.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from equipoise.engines.types import FloatArray, IntArray


def group_posteriors(priors: Sequence[float], evidence: Sequence[float]) -> FloatArray:
    """Posterior probability of each alternative of one group (mutually exclusive).

    ``priors`` must sum to at most 1; the rest is the prior that none is true. A
    prior of exactly 0 or 1 stays 0 or 1 whatever the evidence.
    """
    prior = np.asarray(priors, dtype=float)
    factor = np.asarray(evidence, dtype=float)
    weights = prior * factor
    none = max(0.0, 1.0 - float(prior.sum()))
    total = none + float(weights.sum())
    if total <= 0.0:
        return np.zeros_like(prior)
    return np.asarray(weights / total, dtype=float)


def odds(probability: float) -> float:
    """p / (1 − p), infinite at 1."""
    return math.inf if probability >= 1.0 else probability / (1.0 - probability)


@dataclass(frozen=True)
class Worlds:
    """Truth assignments of the claims (rows) and their probabilities.

    ``truth`` is (worlds, claims) of 0/1; ``probability`` sums to 1. ``exact`` when
    every world was enumerated; otherwise the rows are the distinct sampled worlds,
    weighted by how often they were drawn.
    """

    truth: IntArray
    probability: FloatArray
    exact: bool
    draws: int = 0


def group_outcomes(posteriors: FloatArray) -> FloatArray:
    """[P(none), P(alternative 1), ...] for one group."""
    return np.concatenate([[max(0.0, 1.0 - float(posteriors.sum()))], posteriors])


def world_count(groups: Sequence[Sequence[int]]) -> int:
    """How many truth assignments there are: Π over groups of (alternatives + 1)."""
    return math.prod(len(group) + 1 for group in groups)


def enumerate_worlds(
    groups: Sequence[Sequence[int]], posteriors: FloatArray, claims: int
) -> Worlds:
    """Every truth assignment with its probability (groups are independent)."""
    outcome_lists = [group_outcomes(posteriors[list(group)]) for group in groups]
    rows, probabilities = [], []
    for choice in itertools.product(*[range(len(group) + 1) for group in groups]):
        truth = np.zeros(claims, dtype=np.int64)
        probability = 1.0
        for group, picked, outcomes in zip(groups, choice, outcome_lists, strict=True):
            probability *= float(outcomes[picked])
            if picked:
                truth[group[picked - 1]] = 1
        if probability > 0.0:
            rows.append(truth)
            probabilities.append(probability)
    matrix = np.array(rows, dtype=np.int64).reshape(len(rows), claims)
    weights = np.array(probabilities, dtype=float)
    return Worlds(matrix, weights / weights.sum(), True)


def sample_worlds(
    groups: Sequence[Sequence[int]],
    posteriors: FloatArray,
    claims: int,
    draws: int,
    rng: np.random.Generator,
) -> Worlds:
    """``draws`` independent worlds, returned as distinct rows weighted by frequency."""
    truth = np.zeros((draws, claims), dtype=np.int64)
    for group in groups:
        outcomes = group_outcomes(posteriors[list(group)])
        picked = rng.choice(len(outcomes), size=draws, p=outcomes / outcomes.sum())
        for position, claim in enumerate(group, start=1):
            truth[:, claim] = picked == position
    unique, counts = np.unique(truth, axis=0, return_counts=True)
    return Worlds(unique.astype(np.int64), counts / draws, False, draws)


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The q-quantile of a discrete distribution (inverse of its CDF)."""
    mask = np.isfinite(values)
    if not mask.any():
        return math.nan
    order = np.argsort(values[mask], kind="stable")
    sorted_values = values[mask][order]
    cumulative = np.cumsum(weights[mask][order])
    cumulative /= cumulative[-1]
    index = int(np.searchsorted(cumulative, q - 1e-12, side="left"))
    return float(sorted_values[min(index, len(sorted_values) - 1)])


@dataclass(frozen=True)
class Distribution:
    """A metric across the possible worlds: mean and a credible interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: FloatArray, weights: FloatArray, mass: float = 0.9) -> Distribution:
        finite = np.isfinite(values)
        if not finite.any():
            return cls(math.nan, math.nan, math.nan)
        w = weights[finite] / weights[finite].sum()
        tail = (1.0 - mass) / 2
        return cls(
            float(np.dot(values[finite], w)),
            weighted_quantile(values, weights, tail),
            weighted_quantile(values, weights, 1.0 - tail),
        )


def conditional_means(
    values: FloatArray, truth: FloatArray, weights: FloatArray
) -> tuple[float, float, float, float] | None:
    """(P(true), E[X], E[X | true], E[X | false]), or None when the truth is certain."""
    p_true = float(np.dot(truth, weights))
    if p_true <= 0.0 or p_true >= 1.0:
        return None
    mean = float(np.dot(values, weights))
    given_true = float(np.dot(values * truth, weights)) / p_true
    given_false = float(np.dot(values * (1 - truth), weights)) / (1.0 - p_true)
    return p_true, mean, given_true, given_false


def expected_absolute_change(
    indicator: FloatArray, truth: FloatArray, weights: FloatArray
) -> float:
    """E over the truth of a claim of |P(event | truth) − P(event)|.

    ``indicator`` is the event per world (0/1 or a probability), ``truth`` the claim's
    truth per world. Never negative; zero when the claim's truth is already certain.
    """
    means = conditional_means(indicator, truth, weights)
    if means is None:
        return 0.0
    p, overall, given_true, given_false = means
    return p * abs(given_true - overall) + (1.0 - p) * abs(given_false - overall)


def variance_reduction(values: FloatArray, truth: FloatArray, weights: FloatArray) -> float:
    """Expected reduction in the variance of a metric from learning a claim's truth.

    By the law of total variance this is the variance of the conditional means,
    p (E[X|true] − E[X])² + (1 − p)(E[X|false] − E[X])², hence never negative.
    """
    means = conditional_means(values, truth, weights)
    if means is None:
        return 0.0
    p, mean, given_true, given_false = means
    return p * (given_true - mean) ** 2 + (1.0 - p) * (given_false - mean) ** 2
