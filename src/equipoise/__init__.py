"""equipoise: deterrence and the balance of power between rival states.

The public API::

    import equipoise
    scenario = equipoise.load_scenario("west-asia-2024")   # or a path to a YAML file
    result = equipoise.analyze(scenario, trials=10_000, seed=1)
    result.to_frame()                                        # pandas DataFrame
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from equipoise import data
from equipoise.analysis.assess import DEFAULT_TRIALS
from equipoise.analysis.assess import analyze as _analyze
from equipoise.analysis.balance import BalanceResult, balance
from equipoise.analysis.claims import (
    ClaimsReport,
    WorldAnalysis,
    analyze_claims,
    claims_report,
    load_claims,
)
from equipoise.analysis.dynamics import (
    ArmsRaceResult,
    AttritionResult,
    FitResult,
    arms_race,
    attrition,
    fit_lanchester,
    fit_richardson,
    load_arms_race,
    load_attrition,
)
from equipoise.analysis.mapping import AxisSpec, DeterrenceMap, axis_values, deterrence_map
from equipoise.analysis.policy import (
    Comparison,
    PolicyComparison,
    Recommendation,
    compare_policies,
    recommend,
    whatif,
)
from equipoise.analysis.results import AnalysisResult, DyadAssessment, Estimate, SideAssessment
from equipoise.analysis.supply import PolicyWeights
from equipoise.data import cinc
from equipoise.domain.loading import (
    builtin_names,
    dump_scenario,
    load_scenario,
    scenario_json_schema,
)
from equipoise.domain.scenario import Scenario
from equipoise.engines.random import SeedLike
from equipoise.errors import EquipoiseError, InputError, Problem, ScenarioError

__version__ = "0.1.0"


def analyze(
    scenario: Scenario | str | Path,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: SeedLike | None = 0,
    workers: int = 1,
    progress: Any = None,
) -> AnalysisResult:
    """Assess every dyad of a scenario (a Scenario, a YAML path or a built-in name)."""
    return _analyze(
        load_scenario(scenario), trials=trials, seed=seed, workers=workers, progress=progress
    )


__all__ = [
    "AnalysisResult",
    "ArmsRaceResult",
    "AttritionResult",
    "AxisSpec",
    "BalanceResult",
    "ClaimsReport",
    "Comparison",
    "DeterrenceMap",
    "DyadAssessment",
    "EquipoiseError",
    "Estimate",
    "FitResult",
    "InputError",
    "PolicyComparison",
    "PolicyWeights",
    "Problem",
    "Recommendation",
    "Scenario",
    "ScenarioError",
    "SideAssessment",
    "WorldAnalysis",
    "__version__",
    "analyze",
    "analyze_claims",
    "arms_race",
    "attrition",
    "axis_values",
    "balance",
    "builtin_names",
    "cinc",
    "claims_report",
    "compare_policies",
    "data",
    "deterrence_map",
    "dump_scenario",
    "fit_lanchester",
    "fit_richardson",
    "load_arms_race",
    "load_attrition",
    "load_claims",
    "load_scenario",
    "recommend",
    "scenario_json_schema",
    "whatif",
]
