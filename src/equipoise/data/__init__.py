"""Data shipped with equipoise: Correlates of War capabilities and state names.

``nmc()`` returns the National Material Capabilities data set v6.0 (Singer, Bremer
& Stuckey 1972; Greig & Enterline 2021) as a DataFrame with missing values as NaN;
``cinc()`` recomputes the Composite Index of National Capability from any frame of
the six indicators; ``resolve_state()`` turns a CoW abbreviation, a CoW code or an
ISO3 code into one state, or explains why it cannot. Nothing is downloaded.
"""

from __future__ import annotations

import csv
import difflib
import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from equipoise.errors import InputError

COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
COMPONENT_NAMES = {
    "milex": "military expenditure",
    "milper": "military personnel",
    "irst": "iron and steel production",
    "pec": "primary energy consumption",
    "tpop": "total population",
    "upop": "urban population",
}
MISSING_CODE = -9
FILES = "equipoise.data.files"
NMC_CITATION = (
    "Correlates of War Project, National Material Capabilities v6.0 (Singer, Bremer & "
    "Stuckey 1972; Greig & Enterline 2021)"
)


@dataclass(frozen=True)
class StateRecord:
    """One Correlates of War state: numeric code, abbreviation, ISO3 code, name."""

    ccode: int
    stateabb: str
    iso3: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.stateabb} ({self.name}, CoW {self.ccode})"


@lru_cache(maxsize=1)
def _raw_nmc() -> pd.DataFrame:
    import pandas as pd  # loaded on first use: a scenario file never needs it

    with resources.files(FILES).joinpath("NMC-60-abridged.csv.gz").open("rb") as handle:
        return pd.read_csv(handle, compression="gzip")


def nmc() -> pd.DataFrame:
    """The NMC v6.0 data set, one row per state-year, missing values (-9) as NaN.

    A fresh copy each call, so callers may modify it.
    """
    frame = _raw_nmc().copy()
    for column in (*COMPONENTS, "cinc"):
        frame[column] = frame[column].astype(float).where(frame[column] != MISSING_CODE)
    return frame


def cinc(frame: pd.DataFrame, *, year: str = "year") -> pd.Series:
    """CINC from the six indicators: the mean of each state's shares of the year's totals.

    Singer, Bremer & Stuckey (1972): a state's share of the system total of each
    indicator, averaged over the indicators that are not missing (NaN or -9) for
    that state-year; totals are summed over the states reporting the indicator.
    ``frame`` needs a ``year`` column and the six indicator columns.
    """
    missing = [c for c in (year, *COMPONENTS) if c not in frame.columns]
    if missing:
        raise InputError(
            f"cannot compute CINC: missing columns {', '.join(missing)}",
            f"give a frame with columns {year}, {', '.join(COMPONENTS)}",
        )
    values = frame[list(COMPONENTS)].astype(float)
    values = values.where(values != MISSING_CODE)
    if (values < 0).any().any():
        raise InputError(
            "cannot compute CINC: negative indicator values", "indicators are counts or amounts"
        )
    totals = values.groupby(frame[year]).transform("sum")
    shares = values / totals.where(totals > 0)
    return shares.mean(axis=1, skipna=True).rename("cinc")


def component_shares(frame: pd.DataFrame, *, year: str = "year") -> pd.DataFrame:
    """Each state-year's share of the year's total for each indicator (the parts of CINC)."""
    values = frame[list(COMPONENTS)].astype(float)
    values = values.where(values != MISSING_CODE)
    totals = values.groupby(frame[year]).transform("sum")
    return (values / totals.where(totals > 0)).add_suffix("_share")


@lru_cache(maxsize=1)
def states() -> tuple[StateRecord, ...]:
    """Every state in the data, with its codes and name."""
    with resources.files(FILES).joinpath("states.csv").open("r", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        StateRecord(int(row["ccode"]), row["stateabb"], row["iso3"], row["name"]) for row in rows
    )


def resolve_state(name: str | int) -> StateRecord:
    """A state from its CoW abbreviation, CoW code or ISO3 code (case-insensitive).

    A text that is one state's CoW abbreviation and another's ISO3 code (e.g. AUS:
    Austria in CoW, Australia in ISO) is refused with both readings offered.
    """
    text = str(name).strip()
    records = states()
    if not text or len(text) > 100:
        raise InputError(
            f"'{text[:40]}' is not a state name" if text else "no state named",
            "use a CoW abbreviation (e.g. ISR), a CoW code (666) or an ISO3 code; "
            "`equipoise balance --list` shows them",
        )
    if text.isascii() and text.isdigit():
        for record in records:
            if record.ccode == int(text):
                return record
        raise InputError(
            f"no state with CoW code {text}",
            "CoW codes run from 2 (USA) to 990 (Samoa); `equipoise balance --list` shows them",
        )
    upper = text.upper()
    by_cow = [r for r in records if r.stateabb == upper]
    by_iso = [r for r in records if r.iso3 and r.iso3 == upper]
    candidates = {r.ccode: r for r in by_cow + by_iso}
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if len(candidates) > 1 and by_cow and by_iso:
        cow, iso = by_cow[0], by_iso[0]
        raise InputError(
            f"'{text}' is ambiguous: CoW abbreviation of {cow.name} (CoW {cow.ccode}) and ISO3 "
            f"code of {iso.name} (CoW {iso.stateabb}, {iso.ccode})",
            f"write {cow.ccode} for {cow.name}, or {iso.stateabb} or {iso.ccode} for {iso.name}",
        )
    if len(candidates) > 1:
        codes = " or ".join(str(r.ccode) for r in candidates.values())
        raise InputError(f"'{text}' is ambiguous", f"write its CoW code: {codes}")
    raise InputError(f"unknown state '{text}'", suggest_states(text))


def suggest_states(text: str) -> str:
    """'did you mean ...' for a state name or code."""
    records = states()
    keys: dict[str, StateRecord] = {}
    for record in records:
        for key in (record.stateabb, record.iso3, record.name.upper()):
            if key:
                keys[key] = record
    close = difflib.get_close_matches(text.upper(), list(keys), n=3, cutoff=0.5)
    if close:
        found = {keys[c].ccode: keys[c] for c in close}
        return "did you mean " + " or ".join(r.label for r in found.values()) + "?"
    return (
        "use a CoW abbreviation (e.g. ISR), a CoW code (666) or an ISO3 code; "
        "`equipoise balance --list` shows them"
    )


@lru_cache(maxsize=1)
def _cinc_by_state() -> dict[int, dict[int, float]]:
    """Each state's CINC by year, read without pandas (scenario files cite it)."""
    table: dict[int, dict[int, float]] = {}
    path = resources.files(FILES).joinpath("NMC-60-abridged.csv.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(int(row["ccode"]), {})[int(row["year"])] = float(row["cinc"])
    return table


def state_years(record: StateRecord) -> tuple[int, int]:
    """First and last year the state appears in the data."""
    years = _cinc_by_state().get(record.ccode, {})
    if not years:
        raise InputError(f"{record.label} is not in the NMC data", "use another state")
    return min(years), max(years)


def capability(record: StateRecord, year: int) -> float:
    """The state's CINC in ``year`` from the data set (an InputError if absent)."""
    value = _cinc_by_state().get(record.ccode, {}).get(year)
    if value is None:
        first, last = state_years(record)
        raise InputError(
            f"{record.label} is not in the NMC data in {year}",
            f"use a year from {first} to {last}",
        )
    if not np.isfinite(value) or value == MISSING_CODE:
        raise InputError(f"{record.label} has no CINC in {year}", "use another year")
    return value


__all__ = [
    "COMPONENTS",
    "NMC_CITATION",
    "StateRecord",
    "capability",
    "cinc",
    "component_shares",
    "nmc",
    "resolve_state",
    "state_years",
    "states",
]
