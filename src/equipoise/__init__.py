"""equipoise: deterrence and the balance of power between rival states.

The public API::

    import equipoise
    scenario = equipoise.load_scenario("west-asia-2024")   # or a path to a YAML file
    result = equipoise.analyze(scenario, trials=10_000, seed=1)
    result.to_frame()                                        # pandas DataFrame
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from equipoise import data
from equipoise.analysis.assess import analyze
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
from equipoise.analysis.evaluator import Metrics, evaluate, evaluate_scenario
from equipoise.analysis.mapping import AxisSpec, DeterrenceMap, axis_values, deterrence_map
from equipoise.analysis.metrics import METRICS, STATUS_LABELS, Metric
from equipoise.analysis.policies import Abstain, Balancer, Partisan, Policy, PolicyWeights
from equipoise.analysis.policy import (
    Comparison,
    PolicyComparison,
    Recommendation,
    compare_policies,
    recommend,
    whatif,
)
from equipoise.analysis.results import AnalysisResult, DyadAssessment, Estimate, SideAssessment
from equipoise.analysis.settings import RunSettings
from equipoise.data import cinc
from equipoise.domain.loading import (
    builtin_names,
    dump_scenario,
    load_scenario,
    scenario_json_schema,
)
from equipoise.domain.scenario import Scenario
from equipoise.errors import EquipoiseError, InputError, Problem, ScenarioError

__version__ = "0.1.0"

# Real records load on first use (pandas parsing, fits): ``equipoise.backtest`` etc.
_RECORDS = (
    "armed_both_sides",
    "backtest",
    "compare_priors",
    "diplomacy_index",
    "fit_interception",
    "interception_record",
    "read_register",
    "record_prior",
)

if TYPE_CHECKING:
    from equipoise.records import (
        armed_both_sides,
        backtest,
        compare_priors,
        diplomacy_index,
        fit_interception,
        interception_record,
        read_register,
        record_prior,
    )


def __getattr__(name: str) -> Any:
    if name in _RECORDS:
        from equipoise import records

        return getattr(records, name)
    raise AttributeError(f"module 'equipoise' has no attribute {name!r}")


__all__ = [
    "METRICS",
    "STATUS_LABELS",
    "Abstain",
    "AnalysisResult",
    "ArmsRaceResult",
    "AttritionResult",
    "AxisSpec",
    "BalanceResult",
    "Balancer",
    "ClaimsReport",
    "Comparison",
    "DeterrenceMap",
    "DyadAssessment",
    "EquipoiseError",
    "Estimate",
    "FitResult",
    "InputError",
    "Metric",
    "Metrics",
    "Partisan",
    "Policy",
    "PolicyComparison",
    "PolicyWeights",
    "Problem",
    "Recommendation",
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "SideAssessment",
    "WorldAnalysis",
    "__version__",
    "analyze",
    "analyze_claims",
    "armed_both_sides",
    "arms_race",
    "attrition",
    "axis_values",
    "backtest",
    "balance",
    "builtin_names",
    "cinc",
    "claims_report",
    "compare_policies",
    "compare_priors",
    "data",
    "deterrence_map",
    "diplomacy_index",
    "dump_scenario",
    "evaluate",
    "evaluate_scenario",
    "fit_interception",
    "fit_lanchester",
    "fit_richardson",
    "interception_record",
    "load_arms_race",
    "load_attrition",
    "load_claims",
    "load_scenario",
    "read_register",
    "recommend",
    "record_prior",
    "scenario_json_schema",
    "whatif",
]
