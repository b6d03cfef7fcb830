"""Fearon's (1995) bargaining range for each dyad.

The probability that A prevails comes either from the exchanges (A's share of the
destruction when it strikes first, and when B does) or from the states'
capabilities through the contest function; war costs come from the scenario.
A first-strike advantage narrows the range; it closes when the advantages outweigh
the costs of war (Fearon 1995, "Rationalist explanations for war", International
Organization 49(3), on preemption).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from equipoise import data as nmc_data
from equipoise.analysis.results import Bargaining
from equipoise.domain.scenario import Scenario


def state_capability(scenario: Scenario, state: str) -> float | None:
    """A state's CINC from its capability block (the data set or a given value)."""
    capability = scenario.states[state].capability
    if capability is None:
        return None
    if capability.source == "given":
        return capability.cinc
    assert capability.year is not None
    record = nmc_data.resolve_state(capability.state or state)
    return nmc_data.capability(record, capability.year)


def bargaining_of(
    scenario: Scenario, a: str, b: str, columns: Mapping[str, float], reason: str
) -> Bargaining:
    """The Bargaining result of one variant of dyad (a, b) from the evaluator's columns."""
    source = scenario.bargaining.probability
    p_first, p_second = columns["p_first"], columns["p_second"]
    if reason:
        if math.isnan(p_first):
            return Bargaining(source, reason=reason)
        return Bargaining(source, p_first, p_second, reason=reason)
    cost_a, cost_b = scenario.states[a].war_cost, scenario.states[b].war_cost
    low, high, closed = columns["range_low"], columns["range_high"], columns["range_closed"]
    return Bargaining(source, p_first, p_second, cost_a, cost_b, low, high, bool(closed))
