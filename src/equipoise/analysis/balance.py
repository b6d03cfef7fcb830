"""Balance of power between two states from the Correlates of War data (docs/model.md §6).

Per year: each state's CINC and the six component shares it averages, the
capability ratio, and the probability that the first state prevails under the
contest function C_A^m / (C_A^m + C_B^m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from equipoise.analysis.results import Plottable, clean
from equipoise.data import (
    COMPONENTS,
    NMC_CITATION,
    StateRecord,
    component_shares,
    nmc,
    resolve_state,
    state_years,
)
from equipoise.engines.dynamics import contest_probability
from equipoise.errors import InputError

DATA_YEARS = (1816, 2016)


@dataclass(frozen=True, repr=False)
class BalanceResult(Plottable):
    """A dyad's capabilities year by year."""

    a: StateRecord
    b: StateRecord
    exponent: float
    frame: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per year: both states' CINC and component shares, ratio, probability."""
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "a": {"stateabb": self.a.stateabb, "ccode": self.a.ccode, "name": self.a.name},
                "b": {"stateabb": self.b.stateabb, "ccode": self.b.ccode, "name": self.b.name},
                "exponent": self.exponent,
                "source": NMC_CITATION,
                "years": self.frame.to_dict(orient="records"),
            }
        )


def parse_years(text: str | None) -> tuple[int, int] | None:
    """'1990-2016' or '2016' -> (first, last); None stays None."""
    if text is None:
        return None
    first, dash, last = text.partition("-")
    try:
        years = (int(first), int(last)) if dash else (int(first), int(first))
    except ValueError:
        raise InputError(f"years '{text}' are not FIRST-LAST", "write e.g. 1990-2016") from None
    if years[0] > years[1]:
        raise InputError(f"years '{text}' run backwards", f"write {years[1]}-{years[0]}")
    return years


def balance(
    a: str | int, b: str | int, years: tuple[int, int] | None = None, exponent: float = 1.0
) -> BalanceResult:
    """Capabilities of states ``a`` and ``b`` per year (CoW abbreviation, code or ISO3)."""
    first, second = resolve_state(a), resolve_state(b)
    if first.ccode == second.ccode:
        raise InputError(f"both names are {first.label}", "name two different states")
    if exponent <= 0:
        raise InputError(f"exponent {exponent} must be positive", "use e.g. --exponent 1")
    if years is not None and (years[0] < DATA_YEARS[0] or years[1] > DATA_YEARS[1]):
        raise InputError(
            f"years {years[0]}-{years[1]} fall outside the data ({DATA_YEARS[0]}-{DATA_YEARS[1]})",
            f"choose years between {DATA_YEARS[0]} and {DATA_YEARS[1]}",
        )
    data = nmc()
    shares = component_shares(data)
    data = pd.concat([data, shares], axis=1)
    columns = ["year", "cinc", *COMPONENTS, *shares.columns]
    parts = []
    for record in (first, second):
        rows = data.loc[data["ccode"] == record.ccode, columns].set_index("year")
        parts.append(rows.add_prefix(f"{record.stateabb}_"))
    frame = parts[0].join(parts[1], how="inner")
    if years is not None:
        frame = frame.loc[(frame.index >= years[0]) & (frame.index <= years[1])]
    if frame.empty:
        spans = [f"{r.label}: {'-'.join(map(str, state_years(r)))}" for r in (first, second)]
        raise InputError(
            "the two states are never in the data in the same year"
            + (f" within {years[0]}-{years[1]}" if years else ""),
            "choose years when both exist (" + "; ".join(spans) + ")",
        )
    cinc_a, cinc_b = frame[f"{first.stateabb}_cinc"], frame[f"{second.stateabb}_cinc"]
    frame["capability_ratio"] = cinc_a / cinc_b
    frame[f"p_{first.stateabb}_prevails"] = contest_probability(
        cinc_a.to_numpy(), cinc_b.to_numpy(), exponent
    )
    return BalanceResult(first, second, exponent, frame.reset_index())
