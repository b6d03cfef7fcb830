"""equipoise: deterrence and the balance of power between rival states.

The public API::

    import equipoise
    scenario = equipoise.load_scenario("west-asia-2024")   # or a path to a YAML file
    result = equipoise.analyze(scenario, trials=10_000, seed=1)
    result.to_frame()                                        # pandas DataFrame
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from equipoise.lazy import exports

if TYPE_CHECKING:
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

_API = {
    "Abstain": "equipoise.analysis.policies",
    "AnalysisResult": "equipoise.analysis.results",
    "ArmsRaceResult": "equipoise.analysis.dynamics",
    "AttritionResult": "equipoise.analysis.dynamics",
    "AxisSpec": "equipoise.analysis.mapping",
    "BalanceResult": "equipoise.analysis.balance",
    "Balancer": "equipoise.analysis.policies",
    "ClaimsReport": "equipoise.analysis.claims",
    "Comparison": "equipoise.analysis.policy",
    "DeterrenceMap": "equipoise.analysis.mapping",
    "DyadAssessment": "equipoise.analysis.results",
    "EquipoiseError": "equipoise.errors",
    "Estimate": "equipoise.analysis.results",
    "FitResult": "equipoise.analysis.dynamics",
    "InputError": "equipoise.errors",
    "METRICS": "equipoise.analysis.metrics",
    "Metric": "equipoise.analysis.metrics",
    "Metrics": "equipoise.analysis.evaluator",
    "Partisan": "equipoise.analysis.policies",
    "Policy": "equipoise.analysis.policies",
    "PolicyComparison": "equipoise.analysis.policy",
    "PolicyWeights": "equipoise.analysis.policies",
    "Problem": "equipoise.errors",
    "Recommendation": "equipoise.analysis.policy",
    "RunSettings": "equipoise.analysis.settings",
    "STATUS_LABELS": "equipoise.analysis.metrics",
    "Scenario": "equipoise.domain.scenario",
    "ScenarioError": "equipoise.errors",
    "SideAssessment": "equipoise.analysis.results",
    "WorldAnalysis": "equipoise.analysis.claims",
    "analyze": "equipoise.analysis.assess",
    "analyze_claims": "equipoise.analysis.claims",
    "arms_race": "equipoise.analysis.dynamics",
    "attrition": "equipoise.analysis.dynamics",
    "axis_values": "equipoise.analysis.mapping",
    "balance": "equipoise.analysis.balance",
    "builtin_names": "equipoise.domain.loading",
    "cinc": "equipoise.data",
    "claims_report": "equipoise.analysis.claims",
    "compare_policies": "equipoise.analysis.policy",
    "deterrence_map": "equipoise.analysis.mapping",
    "dump_scenario": "equipoise.domain.loading",
    "evaluate": "equipoise.analysis.evaluator",
    "evaluate_scenario": "equipoise.analysis.evaluator",
    "fit_lanchester": "equipoise.analysis.dynamics",
    "fit_richardson": "equipoise.analysis.dynamics",
    "load_arms_race": "equipoise.analysis.dynamics",
    "load_attrition": "equipoise.analysis.dynamics",
    "load_claims": "equipoise.analysis.claims",
    "load_scenario": "equipoise.domain.loading",
    "recommend": "equipoise.analysis.policy",
    "scenario_json_schema": "equipoise.domain.loading",
    "whatif": "equipoise.analysis.policy",
}

__version__ = "0.1.0"

if TYPE_CHECKING:
    from equipoise.analysis.overrides import override
    from equipoise.analysis.policy import diff
    from equipoise.analysis.sensitivity import sensitivity
    from equipoise.analysis.sweep import sweep
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

_API |= {
    "override": "equipoise.analysis.overrides",
    "sweep": "equipoise.analysis.sweep",
    "sensitivity": "equipoise.analysis.sensitivity",
    "diff": "equipoise.analysis.policy",
    "armed_both_sides": "equipoise.records",
    "backtest": "equipoise.records",
    "compare_priors": "equipoise.records",
    "diplomacy_index": "equipoise.records",
    "fit_interception": "equipoise.records",
    "interception_record": "equipoise.records",
    "read_register": "equipoise.records",
    "record_prior": "equipoise.records",
}


def __getattr__(name: str) -> Any:
    """Public names load on first use (``import equipoise`` stays fast)."""
    if name == "data":
        return importlib.import_module("equipoise.data")
    return _exports(name)


_exports = exports(_API, __name__)


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
    "diff",
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
    "override",
    "read_register",
    "recommend",
    "record_prior",
    "scenario_json_schema",
    "sensitivity",
    "sweep",
    "whatif",
]
