"""Real-world records (interception reports, arms transfers) read, fitted and checked."""

from equipoise.records.interception import (
    Backtest,
    InterceptionFit,
    InterceptionRecord,
    backtest,
    fit_interception,
    interception_record,
)
from equipoise.records.transfers import (
    ClaimPriors,
    DiplomacyIndex,
    RecordPrior,
    TransferRegister,
    armed_both_sides,
    compare_priors,
    diplomacy_index,
    read_register,
    record_prior,
    with_record_priors,
)

__all__ = [
    "Backtest",
    "ClaimPriors",
    "DiplomacyIndex",
    "InterceptionFit",
    "InterceptionRecord",
    "RecordPrior",
    "TransferRegister",
    "armed_both_sides",
    "backtest",
    "compare_priors",
    "diplomacy_index",
    "fit_interception",
    "interception_record",
    "read_register",
    "record_prior",
    "with_record_priors",
]
