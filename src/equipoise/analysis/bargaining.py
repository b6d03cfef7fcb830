"""Fearon's (1995) bargaining range for each dyad.

The probability that A prevails comes either from the exchanges (A's share of the
destruction when it strikes first, and when B does) or from the states'
capabilities through the contest function; war costs come from the scenario.
A first-strike advantage narrows the range; it closes when the advantages outweigh
the costs of war (Fearon 1995, "Rationalist explanations for war", International
Organization 49(3), on preemption).
"""

from __future__ import annotations

from equipoise import data as nmc_data
from equipoise.analysis.results import Bargaining, SideAssessment
from equipoise.domain.scenario import Scenario
from equipoise.engines.dynamics import BargainingRange, contest_probability, destruction_share


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


def dyad_bargaining(scenario: Scenario, a: SideAssessment, b: SideAssessment) -> Bargaining:
    """The bargaining range of dyad (a, b), or why it cannot be computed."""
    settings = scenario.bargaining
    cost_a, cost_b = scenario.states[a.state].war_cost, scenario.states[b.state].war_cost
    if settings.probability == "capability":
        cap_a, cap_b = state_capability(scenario, a.state), state_capability(scenario, b.state)
        if cap_a is None or cap_b is None:
            missing = a.state if cap_a is None else b.state
            return Bargaining.unavailable(
                settings.probability, f"{missing} has no capability block"
            )
        p = float(contest_probability(cap_a, cap_b, settings.exponent))
        p_first = p_second = p
    else:
        p_first = float(
            destruction_share(
                a.damage_dealt_striking_first.mean / b.value_at_risk,
                a.damage_suffered_striking_first.mean / a.value_at_risk,
            )
        )
        p_second = float(
            destruction_share(
                a.damage_dealt_struck_first.mean / b.value_at_risk,
                a.damage_suffered_struck_first.mean / a.value_at_risk,
            )
        )
    if cost_a is None or cost_b is None:
        missing = a.state if cost_a is None else b.state
        return Bargaining.unavailable(
            settings.probability, f"{missing} has no war_cost", p_first, p_second
        )
    return Bargaining.of(settings.probability, BargainingRange(p_first, p_second, cost_a, cost_b))
