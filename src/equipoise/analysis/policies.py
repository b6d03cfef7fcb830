"""Supplier policies as small objects, each with one scoring method (docs/model.md §8).

* :class:`Abstain`: deliver nothing;
* :class:`Partisan`: deter one state's rivals first, then raise that state's
  probability of prevailing, then spend least;
* :class:`Balancer` ("military diplomacy"): mutual deterrence in every dyad first,
  then the smallest first-strike advantages and the widest bargaining ranges, then
  the least cost.

A policy scores a batch of plans from the evaluator's metrics; higher is better.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from equipoise.analysis.evaluator import Metrics
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Scenario
from equipoise.engines.types import FloatArray, IntArray
from equipoise.errors import InputError

WEIGHTS_EXAMPLE = "Write e.g. mutual=1000,fsa=10,range=10,cost=1"


@dataclass(frozen=True)
class PolicyWeights:
    """The weights of the policy objectives, in one place (docs/model.md §8).

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


class Policy(ABC):
    """A supplier's objective over plans."""

    name: str

    def score(self, metrics: Metrics, weights: PolicyWeights, budget: float) -> FloatArray:
        """The objective of each plan (higher is better): the dyads' terms less
        ``weights.cost · cost / budget``."""
        terms = self.dyad_terms(metrics, weights).sum(axis=1)
        return np.asarray(terms - weights.cost * metrics.cost / budget, dtype=float)

    @abstractmethod
    def dyad_terms(self, metrics: Metrics, weights: PolicyWeights) -> FloatArray:
        """(plans, dyads): each dyad's part of the objective, before the cost term; the
        supplier search bounds the objective dyad by dyad with them (docs/model.md §8)."""

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Abstain(Policy):
    """Deliver nothing: every plan scores minus its cost."""

    name = "abstain"

    def score(self, metrics: Metrics, weights: PolicyWeights, budget: float) -> FloatArray:
        """Minus the cost itself, whatever the weights: any delivery scores lower."""
        return np.asarray(-metrics.cost, dtype=float)

    def dyad_terms(self, metrics: Metrics, weights: PolicyWeights) -> FloatArray:
        return np.zeros((metrics.cost.shape[0], len(metrics.dyads)))


@dataclass(frozen=True)
class Balancer(Policy):
    """Military diplomacy: mutual deterrence everywhere, small first-strike advantages,
    wide bargaining ranges, little cost."""

    name = "balancer"

    @staticmethod
    def _advantage_and_width(metrics: Metrics) -> tuple[FloatArray, FloatArray]:
        """(plans, dyads): the mean positive first-strike advantage, the range width."""
        advantage = (np.maximum(metrics.fsa_a, 0.0) + np.maximum(metrics.fsa_b, 0.0)) / 2
        return advantage, np.where(metrics.has_range > 0, metrics.range_width, 0.0)

    def dyad_terms(self, metrics: Metrics, weights: PolicyWeights) -> FloatArray:
        advantage, width = self._advantage_and_width(metrics)
        return np.asarray(
            weights.mutual * metrics.mutual - weights.fsa * advantage + weights.range * width,
            dtype=float,
        )


@dataclass(frozen=True)
class Partisan(Policy):
    """Arm one side: its rivals deterred, its probability of prevailing up, little cost."""

    state: str

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"partisan:{self.state}"

    def _own_dyads(self, metrics: Metrics) -> Iterator[tuple[int, IntArray, FloatArray]]:
        """Per dyad of this state: its column, whether the rival is deterred, and the
        state's probability of prevailing (mean of striking first and struck first)."""
        for column, (a, b) in enumerate(metrics.dyads):
            mean_p = (metrics.p_first[:, column] + metrics.p_second[:, column]) / 2
            if a == self.state:
                yield column, metrics.b_deterred[:, column], mean_p
            elif b == self.state:
                yield column, metrics.a_deterred[:, column], 1.0 - mean_p

    def dyad_terms(self, metrics: Metrics, weights: PolicyWeights) -> FloatArray:
        terms = np.zeros((metrics.cost.shape[0], len(metrics.dyads)))
        for column, rival_deterred, own_p in self._own_dyads(metrics):
            terms[:, column] = weights.mutual * rival_deterred
            # a dyad without a probability of prevailing adds nothing for it
            terms[:, column] += weights.range * np.nan_to_num(own_p)
        return terms


def parse_policy(scenario: Scenario, text: str | Policy) -> Policy:
    """'abstain', 'balancer' or 'partisan:STATE' (or a Policy) as a Policy."""
    if isinstance(text, Policy):
        return text
    if text == "abstain":
        return Abstain()
    if text == "balancer":
        return Balancer()
    kind, colon, state = text.partition(":")
    if kind == "partisan" and colon:
        if state not in scenario.states:
            raise InputError(
                f"--policy {text}: unknown state '{state}'", suggest(state, scenario.states)
            )
        return Partisan(state)
    raise InputError(
        f"unknown policy '{text}'", "use abstain, balancer or partisan:STATE (e.g. partisan:IRN)"
    )
