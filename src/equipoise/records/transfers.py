"""Arms transfers on record: SIPRI trade registers, the military-diplomacy index,
priors for claims from a supplier's past deliveries.

Reads a SIPRI Arms Transfers Database trade register exactly as SIPRI's site
exports it (CSV, Latin-1, notes before the header, ``?`` columns flagging uncertain
figures, "Year(s) of delivery" as "2018; 2019", TIVs in millions of SIPRI
trend-indicator value). The rule for years: a deal's "SIPRI TIV of delivered
weapons" is spread evenly over its listed delivery years. A small excerpt ships
with equipoise (information from the SIPRI Arms Transfers Database; calculations
here are equipoise's, not SIPRI's); pass a full download with ``register=``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equipoise.analysis.results import Plottable, clean
from equipoise.data import FILES, StateRecord, resolve_state, states
from equipoise.domain.claims import ClaimsBlock
from equipoise.domain.scenario import OFFENSIVE_KINDS, Package, Scenario
from equipoise.errors import EquipoiseError, InputError
from equipoise.records.provenance import csv_with_provenance

SIPRI_CREDIT = "Information from the SIPRI Arms Transfers Database"
SIPRI_TERMS = (
    "Information from the SIPRI Arms Transfers Database; calculations by equipoise, "
    "not attributable to SIPRI."
)
EXCERPT = "sipri/trade-register-excerpt.csv"
YEARS = (1900, 2100)
"""Years a deal's order or delivery may have (SIPRI's records start in 1950)."""
FAMILIES_FILE = "sipri/families.csv"
ALIASES_FILE = "sipri/aliases.csv"
EXCERPT_LABEL = "the SIPRI trade-register excerpt shipped with equipoise"

FAMILIES = ("air_defence", "electronic_warfare", "strike", "other")
FAMILY_LABELS = {
    "air_defence": "air and missile defence",
    "electronic_warfare": "electronic warfare",
    "strike": "strike",
    "other": "other",
    "unmapped": "not in the families table",
}
UNMAPPED = "unmapped"
ALL_FAMILIES = (*FAMILIES, UNMAPPED)
KIND_FAMILY = {
    "air_defence": "air_defence",
    "electronic_warfare": "electronic_warfare",
    **dict.fromkeys(OFFENSIVE_KINDS, "strike"),
}
YEAR_RULE = (
    "a deal's 'SIPRI TIV of delivered weapons' is spread evenly over its listed delivery years"
)
EVENNESS_RULE = "evenness = 1 - |TIV_a - TIV_b| / (TIV_a + TIV_b): 1 equal, 0 one side only"
DEFENSIVE_RULE = "defensive share = air and missile defence TIV / all TIV delivered to that side"
BOTH_SIDES_RULE = (
    "armed both sides = at least one delivery (a deal with a listed delivery year, even "
    "of TIV 0) to each side in the period"
)
PRIOR_RULE = (
    "record prior = (k + 1) / (n + 2), Laplace's rule of succession: k of the n years "
    "in the window had a delivery of the family from the supplier to the recipient"
)
RIVAL_RULE = (
    "rival dyads: the seed article's dyads (the built-in scenarios asia-rivals-2024, "
    "levant-2018, west-asia-2024) plus any given with --dyad; equipoise does not infer "
    "rivalries from the register"
)

# Column names of SIPRI's export, in order; a blank-named column after three of them
# carries '?' when that figure is uncertain.
COLUMNS = {
    "Recipient": "recipient",
    "Supplier": "supplier",
    "Year of order": "order_year",
    "Number ordered": "ordered",
    "Weapon designation": "designation",
    "Weapon description": "description",
    "Number delivered": "delivered",
    "Year(s) of delivery": "delivery_years",
    "status": "status",
    "Comments": "comments",
    "SIPRI TIV per unit": "tiv_unit",
    "SIPRI TIV for total order": "tiv_order",
    "SIPRI TIV of delivered weapons": "tiv_delivered",
}
FLAGGED = {
    "order_year": "order_year_uncertain",
    "ordered": "ordered_uncertain",
    "delivered": "delivered_uncertain",
}
NUMBERS = ("ordered", "delivered", "tiv_unit", "tiv_order", "tiv_delivered")
HEADER_SEARCH_LINES = 200


def _key(text: str) -> str:
    """Case-, accent- and space-insensitive key for a name: 'Türkiye' == 'turkiye'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _resource_text(name: str) -> str:
    return resources.files(FILES).joinpath(name).read_text(encoding="utf-8")


def _shipped_label(name: str) -> str:
    return f"equipoise/data/files/{name}"


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class FamilyEntry:
    """One row of the families table: a SIPRI weapon description and its family."""

    description: str
    family: str
    kind: str
    note: str


def read_families(text: str | None = None, label: str | None = None) -> dict[str, FamilyEntry]:
    """The families table (default: the shipped one), keyed by normalised description."""
    label = label or _shipped_label(FAMILIES_FILE)
    text = _resource_text(FAMILIES_FILE) if text is None else text
    table: dict[str, FamilyEntry] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        description = (row.get("description") or "").strip()
        family = (row.get("family") or "").strip()
        kind = (row.get("kind") or "").strip()
        if not description or family not in FAMILIES:
            raise InputError(
                f"{label}:{line}: row {dict(row)} needs a description and a family",
                f"family is one of {', '.join(FAMILIES)}",
            )
        if kind and kind not in KIND_FAMILY:
            raise InputError(
                f"{label}:{line}: unknown model kind '{kind}'",
                f"leave kind empty or use one of {', '.join(KIND_FAMILY)}",
            )
        key = _key(description)
        if key in table:
            raise InputError(
                f"{label}:{line}: description '{description}' is listed twice",
                "keep one row per description",
            )
        table[key] = FamilyEntry(description, family, kind, (row.get("note") or "").strip())
    return table


@dataclass(frozen=True)
class Actor:
    """A SIPRI supplier or recipient name and the CoW state it is, if any.

    ``actor`` is ``state`` (with CoW code and abbreviation), ``non-state`` (a rebel
    group, an unknown supplier, an organisation: no code) or ``unmatched`` (a name
    neither the alias table nor the state list knows: no code, listed in the output).
    """

    name: str
    ccode: int | None
    stateabb: str | None
    actor: str


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, str]]:
    label = _shipped_label(ALIASES_FILE)
    table: dict[str, tuple[str, str]] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(_resource_text(ALIASES_FILE))), 2):
        name = (row.get("sipri_name") or "").strip()
        if not name:
            raise InputError(
                f"{label}:{line}: empty sipri_name", "give the name as SIPRI writes it"
            )
        table[_key(name)] = ((row.get("state") or "").strip(), label + f":{line}")
    return table


@lru_cache(maxsize=1)
def _state_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for record in states():
        names.setdefault(_key(record.name), record.ccode)
        short = record.name.split(" (")[0]
        names.setdefault(_key(short), record.ccode)
    return names


@lru_cache(maxsize=4096)
def resolve_actor(name: str) -> Actor:
    """A SIPRI name as a CoW state (alias table, then the state list) or a non-state actor.

    Names ending in '*' (SIPRI's mark for non-state actors) and alias rows with an
    empty ``state`` are non-state actors.
    """
    key = _key(name)
    alias = _aliases().get(key)
    if alias is not None:
        state, where = alias
        if not state:
            return Actor(name, None, None, "non-state")
        try:
            record = resolve_state(state)
        except EquipoiseError as error:
            raise InputError(
                f"{where}: alias '{name}' -> '{state}': {error}",
                "write a CoW abbreviation or code in the state column",
            ) from None
        return Actor(name, record.ccode, record.stateabb, "state")
    if name.strip().endswith("*"):
        return Actor(name, None, None, "non-state")
    ccode = _state_names().get(key)
    if ccode is None:
        return Actor(name, None, None, "unmatched")
    record = resolve_state(ccode)
    return Actor(name, record.ccode, record.stateabb, "state")


# --------------------------------------------------------------------------- register


@dataclass(frozen=True, repr=False)
class TransferRegister(Plottable):
    """A SIPRI trade register read as exported, one row per deal, and its deliveries.

    ``deals``: SIPRI's columns (snake_case), the three uncertainty flags as booleans,
    the delivery years as a list, CoW codes of both parties and each deal's family.
    ``deliveries``: one row per deal and delivery year, with the deal's delivered TIV
    spread evenly over its delivery years.
    """

    source: str
    deals: pd.DataFrame
    deliveries: pd.DataFrame
    unmapped_descriptions: tuple[str, ...]
    unmatched_names: tuple[str, ...]
    non_state_names: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def years(self) -> tuple[int, int]:
        """First and last delivery year on record."""
        if self.deliveries.empty:
            raise InputError(f"{self.source} records no delivery years", "use another register")
        year = self.deliveries["year"]
        return int(year.min()), int(year.max())

    def to_frame(self) -> pd.DataFrame:
        """One row per deal (delivery years joined as SIPRI writes them)."""
        frame = self.deals.copy()
        frame["delivery_years"] = frame["delivery_years"].map(
            lambda years: "; ".join(str(y) for y in years)
        )
        return frame

    def to_csv(self) -> str:
        """``to_frame()`` as CSV, SIPRI's credit and the source in leading ``# `` lines
        (read back with ``pandas.read_csv(path, comment="#")``)."""
        return csv_with_provenance(self.to_frame(), (SIPRI_TERMS, f"Data: {self.source}"))

    def to_dict(self) -> dict[str, Any]:
        totals = self.deliveries.groupby("family")["tiv"].sum()
        return clean(
            {
                "source": self.source,
                "credit": SIPRI_TERMS,
                "rule": YEAR_RULE,
                "deals": len(self.deals),
                "delivery_years": list(self.years) if not self.deliveries.empty else None,
                "tiv_by_family": {k: float(v) for k, v in totals.items()},
                "unmapped_descriptions": list(self.unmapped_descriptions),
                "unmatched_names": list(self.unmatched_names),
                "non_state_names": list(self.non_state_names),
                "notes": list(self.notes),
            }
        )

    def plot(self, **options: Any) -> Any:
        """Mirrored delivery flows per dyad (default: the seed article's dyads)."""
        return diplomacy_index(self, options.pop("dyads", None)).plot(**options)


def _decode(raw: bytes) -> str:
    """UTF-8 if the file is valid UTF-8 (a re-saved copy), else Latin-1 as SIPRI exports."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _header(text: str, label: str) -> tuple[int, list[str]]:
    """Index of the header line (after SIPRI's notes) and its cells."""
    for index, line in enumerate(text.splitlines()[:HEADER_SEARCH_LINES]):
        if line.startswith("Recipient,") or line.startswith('"Recipient",'):
            return index, next(csv.reader([line]))
    raise InputError(
        f"{label}: no header line starting 'Recipient,Supplier,...' in the first "
        f"{HEADER_SEARCH_LINES} lines",
        "export the trade register from SIPRI's Arms Transfers Database as CSV, unchanged",
    )


def _column_names(cells: list[str], label: str, line: int) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if text in COLUMNS:
            names.append(COLUMNS[text])
        elif not text and names and names[-1] in FLAGGED:
            names.append(FLAGGED[names[-1]])
        else:
            names.append(f"extra_{index}")
    missing = [name for name, column in COLUMNS.items() if column not in names]
    if missing:
        raise InputError(
            f"{label}:{line}: the header lacks the columns {', '.join(repr(m) for m in missing)}",
            "export the trade register from SIPRI as CSV with all columns, unchanged",
        )
    flags = {column: flag for column, flag in FLAGGED.items() if flag not in names}
    if flags:
        after = ", ".join(repr(name) for name, column in COLUMNS.items() if column in flags)
        raise InputError(
            f"{label}:{line}: the header lacks the blank-named '?' column after {after}",
            "export the trade register from SIPRI as CSV with all columns, unchanged",
        )
    return names


def _fail_at(label: str, frame: pd.DataFrame, bad: pd.Series, what: str, fix: str) -> None:
    if bool(bad.any()):
        first = frame.index[bad.to_numpy()][0]
        row = frame.loc[first]
        raise InputError(
            f"{label}:{int(row['line'])}: {what} (deal: {row['recipient']} from "
            f"{row['supplier']}, {row['designation']}); {int(bad.sum())} such row(s)",
            fix,
        )


def _numbers(frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    text = frame[column]
    values = pd.to_numeric(text, errors="coerce")
    retry = values.isna() & (text != "")
    if bool(retry.any()):  # only the few fields with spaces around the number
        stripped = text[retry].str.strip()
        values[retry] = pd.to_numeric(stripped, errors="coerce")
        bad = pd.Series(False, index=frame.index)
        bad[retry] = values[retry].isna() & (stripped != "")
        _fail_at(
            label,
            frame,
            bad,
            f"'{column}' is not a number",
            "SIPRI writes plain numbers (TIVs in millions) or leaves the field empty",
        )
    _fail_at(
        label,
        frame,
        values.notna() & ~np.isfinite(values.astype(float)),
        f"'{column}' is not a finite number",
        "SIPRI writes plain numbers (TIVs in millions) or leaves the field empty",
    )
    return values.astype(float)


def parse_register(raw: bytes, label: str) -> TransferRegister:
    """A trade register from the bytes of SIPRI's CSV export (see ``read_register``)."""
    text = _decode(raw)
    header_index, cells = _header(text, label)
    names = _column_names(cells, label, header_index + 1)
    parts = text.split("\n", header_index + 1)
    body = parts[header_index + 1] if len(parts) > header_index + 1 else ""
    if not body.strip():
        raise InputError(
            f"{label}: the register has a header but no deals",
            "export a trade register with at least one deal",
        )
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            header=None,
            names=names,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(
            f"{label}: cannot read the register as CSV: {error}",
            "export the trade register from SIPRI as CSV, unchanged",
        ) from None
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("extra_")])
    frame.insert(0, "line", header_index + 2 + np.arange(len(frame)))
    for column in ("recipient", "supplier", "description"):
        frame[column] = frame[column].str.strip()
        _fail_at(
            label,
            frame,
            frame[column] == "",
            f"empty '{column}'",
            "every deal names its recipient, supplier and weapon description",
        )
    for flag in FLAGGED.values():
        values = frame[flag].str.strip()
        _fail_at(
            label,
            frame,
            ~values.isin(["", "?"]),
            f"uncertainty column '{flag}' holds something other than '?' or nothing",
            "the blank-named columns after Year of order, Number ordered and Number delivered "
            "hold '?' or nothing",
        )
        frame[flag] = values == "?"
    order_year = _numbers(frame, "order_year", label)
    _fail_at(
        label,
        frame,
        order_year.notna() & ((order_year < YEARS[0]) | (order_year > YEARS[1])),
        f"'Year of order' is not a year from {YEARS[0]} to {YEARS[1]}",
        "write the year as SIPRI does, e.g. 2018",
    )
    frame["order_year"] = order_year.round().astype("Int64")
    for column in NUMBERS:
        frame[column] = _numbers(frame, column, label)

    # delivery years: "2018; 2019" -> one row per deal and year
    years_text = frame["delivery_years"].str.strip()
    split = years_text.str.split(r"\s*;\s*", regex=True)
    exploded = split.explode()
    exploded = exploded[exploded.notna() & (exploded != "")]
    year_values = pd.to_numeric(exploded, errors="coerce")
    bad_rows = pd.Series(False, index=frame.index)
    bad_rows[
        year_values.index[year_values.isna() | (year_values < YEARS[0]) | (year_values > YEARS[1])]
    ] = True
    _fail_at(
        label,
        frame,
        bad_rows,
        f"'Year(s) of delivery' is not a list of years: '{years_text[bad_rows].iloc[0]}'"
        if bool(bad_rows.any())
        else "",
        "write the years as SIPRI does, e.g. 2018; 2019",
    )
    deal_index = year_values.index.to_numpy()
    years = year_values.to_numpy(dtype=np.int64)
    per_deal = np.bincount(deal_index, minlength=len(frame))
    flat, ends = years.tolist(), np.cumsum(per_deal).tolist()
    frame["delivery_years"] = [
        flat[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)
    ]
    frame["delivery_year_count"] = per_deal

    # names and families (loops over the few distinct names, not over the rows)
    actors = {
        name: resolve_actor(name)
        for name in pd.unique(pd.concat([frame["recipient"], frame["supplier"]]))
    }
    codes = {n: a.ccode for n, a in actors.items()}
    abbreviations = {n: a.stateabb for n, a in actors.items()}
    kinds_of_actor = {n: a.actor for n, a in actors.items()}
    for side in ("recipient", "supplier"):
        frame[f"{side}_ccode"] = frame[side].map(codes).astype("Int64")
        frame[f"{side}_stateabb"] = frame[side].map(abbreviations)
        frame[f"{side}_actor"] = frame[side].map(kinds_of_actor)
    table = read_families()
    descriptions = pd.unique(frame["description"])
    families = {d: table.get(_key(d)) for d in descriptions}
    frame["family"] = frame["description"].map(
        {d: e.family if e else UNMAPPED for d, e in families.items()}
    )
    frame["kind"] = frame["description"].map({d: e.kind if e else "" for d, e in families.items()})

    tiv = frame["tiv_delivered"].to_numpy()
    spread = np.where(per_deal > 0, np.nan_to_num(tiv) / np.maximum(per_deal, 1), 0.0)
    keep = [
        "recipient",
        "recipient_ccode",
        "recipient_stateabb",
        "supplier",
        "supplier_ccode",
        "supplier_stateabb",
        "description",
        "family",
        "kind",
    ]
    deliveries = frame.loc[deal_index, keep].reset_index(names="deal")
    deliveries.insert(1, "year", years)
    deliveries["tiv"] = spread[deal_index]
    deliveries["line"] = frame["line"].to_numpy()[deal_index]

    notes = [YEAR_RULE + "."]
    undated = (per_deal == 0) & (np.nan_to_num(tiv) > 0)
    if undated.any():
        notes.append(
            f"{int(undated.sum())} deal(s) with {float(tiv[undated].sum()):.1f} TIV delivered "
            "list no delivery year: kept in the deals, not in any year's flows"
        )
    no_tiv = (per_deal > 0) & np.isnan(tiv)
    if no_tiv.any():
        notes.append(
            f"{int(no_tiv.sum())} deal(s) list delivery years but no delivered TIV: counted "
            "as deliveries of TIV 0"
        )
    notes.append("a delivered TIV of 0 is SIPRI's mark for a volume between 0 and 0.5 million TIV")
    unmapped = tuple(sorted(d for d, entry in families.items() if entry is None))
    if unmapped:
        notes.append(
            f"{len(unmapped)} weapon description(s) are not in the families table: counted as "
            f"'{UNMAPPED}' ({', '.join(unmapped[:5])}{'...' if len(unmapped) > 5 else ''})"
        )
    unmatched = tuple(sorted(n for n, a in actors.items() if a.actor == "unmatched"))
    if unmatched:
        notes.append(
            f"{len(unmatched)} name(s) are neither a CoW state nor a known non-state actor: "
            f"kept with no code ({', '.join(unmatched[:5])}{'...' if len(unmatched) > 5 else ''})"
        )
    return TransferRegister(
        source=label,
        deals=frame,
        deliveries=deliveries,
        unmapped_descriptions=unmapped,
        unmatched_names=unmatched,
        non_state_names=tuple(sorted(n for n, a in actors.items() if a.actor == "non-state")),
        notes=tuple(notes),
    )


@lru_cache(maxsize=1)
def _excerpt() -> TransferRegister:
    raw = resources.files(FILES).joinpath(EXCERPT).read_bytes()
    return parse_register(raw, EXCERPT_LABEL)


def read_register(register: str | Path | TransferRegister | None = None) -> TransferRegister:
    """A SIPRI trade register: the shipped excerpt (default) or a user's CSV download."""
    if isinstance(register, TransferRegister):
        return register
    if register is None:
        return _excerpt()
    path = Path(register)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read register {path}: {error.strerror or error}",
            "give the path of a trade register CSV downloaded from SIPRI",
        ) from None
    return parse_register(raw, str(path))


# --------------------------------------------------------------------------- dyads


# The seed article's rival dyads: those of the built-in scenarios asia-rivals-2024,
# levant-2018 and west-asia-2024, as CoW abbreviations (tests/test_transfers.py
# checks that they still match).
ARTICLE_SCENARIOS = ("asia-rivals-2024", "levant-2018", "west-asia-2024")
ARTICLE_DYADS: tuple[tuple[str, str], ...] = (
    ("CHN", "IND"),
    ("CHN", "VNM"),
    ("SYR", "ISR"),
    ("SYR", "TUR"),
    ("IRN", "ISR"),
)


def article_dyads() -> tuple[tuple[str, str], ...]:
    """The seed article's rival pairs (the dyads of ``ARTICLE_SCENARIOS``)."""
    return ARTICLE_DYADS


def _state(text: str | int) -> StateRecord:
    """A state from a CoW abbreviation, CoW code or ISO3 code, or a SIPRI name."""
    try:
        return resolve_state(text)
    except EquipoiseError as error:
        actor = resolve_actor(str(text))
        if actor.ccode is None:
            raise error from None
        return resolve_state(actor.ccode)


def parse_dyad(text: str) -> tuple[str, str]:
    """'CHN:IND' -> ('CHN', 'IND'), each side a CoW abbreviation, CoW code, ISO3 code
    or SIPRI name."""
    first, colon, second = text.partition(":")
    if not colon or not first.strip() or not second.strip():
        raise InputError(f"dyad '{text}' is not A:B", "write e.g. --dyad CHN:IND")
    a, b = _state(first.strip()), _state(second.strip())
    if a.ccode == b.ccode:
        raise InputError(f"dyad '{text}' names {a.label} twice", "name two different states")

    def label(given: str, record: StateRecord) -> str:
        """The code as written (VNM stays VNM); a name or number becomes the CoW one."""
        upper = given.strip().upper()
        return upper if upper in (record.stateabb, record.iso3) else record.stateabb

    return label(first, a), label(second, b)


def _dyads(dyads: Iterable[str | tuple[str, str]] | None) -> list[tuple[str, str]]:
    if dyads is None:
        return list(article_dyads())
    out: list[tuple[str, str]] = []
    for dyad in dyads:
        pair = parse_dyad(dyad) if isinstance(dyad, str) else parse_dyad(f"{dyad[0]}:{dyad[1]}")
        if pair not in out:
            out.append(pair)
    if not out:
        raise InputError("no dyads given", "give at least one dyad, e.g. CHN:IND")
    return out


def _supplier_names(register: TransferRegister, supplier: str | int) -> list[str]:
    """SIPRI supplier names meaning ``supplier``: a SIPRI name, or a CoW state."""
    names = register.deals[["supplier", "supplier_ccode"]].drop_duplicates()
    wanted = _key(str(supplier))
    direct = [n for n in names["supplier"] if _key(n) == wanted]
    if direct:
        return direct
    try:
        record = resolve_state(supplier)
    except EquipoiseError:
        record = None
    if record is None:
        actor = resolve_actor(str(supplier))
        if actor.ccode is None:
            raise InputError(
                f"no supplier '{supplier}' in {register.source}",
                "use SIPRI's name (e.g. Russia) or a CoW abbreviation (RUS); suppliers on "
                "record: " + ", ".join(sorted(names["supplier"])[:40]),
            )
        ccode = actor.ccode
    else:
        ccode = record.ccode
    matched = names.loc[names["supplier_ccode"] == ccode, "supplier"].tolist()
    if not matched:
        raise InputError(
            f"{supplier} delivered nothing on record in {register.source}",
            "suppliers on record: " + ", ".join(sorted(names["supplier"])[:40]),
        )
    return matched


def _year_window(register: TransferRegister, years: tuple[int, int] | None) -> tuple[int, int]:
    if years is None:
        return register.years
    first, last = int(years[0]), int(years[1])
    if first > last:
        raise InputError(f"years {first}-{last} run backwards", f"write {last}-{first}")
    return first, last


# --------------------------------------------------------------------------- index


def _side_columns(prefix: str) -> list[str]:
    return [f"{prefix}_tiv", f"{prefix}_deliveries", *(f"{prefix}_{f}" for f in ALL_FAMILIES)]


@dataclass(frozen=True, repr=False)
class DiplomacyIndex(Plottable):
    """Per supplier, rival dyad and period (or year): what the supplier delivered to
    each side, by family; whether it armed both sides; how even and how defensive.

    TIVs in millions of SIPRI trend-indicator value; rules in ``rules``.
    """

    source: str
    dyads: tuple[tuple[str, str], ...]
    years: tuple[int, int]
    by: str
    suppliers: tuple[str, ...] | None
    frame: pd.DataFrame
    flows: pd.DataFrame
    rules: tuple[str, ...]
    notes: tuple[str, ...] = ()
    both_sides_only: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per supplier, dyad and period (or year)."""
        return self.frame.copy()

    def to_csv(self) -> str:
        """``to_frame()`` as CSV, SIPRI's credit and the source in leading ``# `` lines
        (read back with ``pandas.read_csv(path, comment="#")``)."""
        return csv_with_provenance(self.to_frame(), (SIPRI_TERMS, f"Data: {self.source}"))

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "source": self.source,
                "credit": SIPRI_TERMS,
                "dyads": [f"{a}:{b}" for a, b in self.dyads],
                "years": list(self.years),
                "by": self.by,
                "suppliers": list(self.suppliers) if self.suppliers else None,
                "both_sides_only": self.both_sides_only,
                "rules": list(self.rules),
                "notes": list(self.notes),
                "rows": self.frame.to_dict(orient="records"),
            }
        )

    def plot(self, **options: Any) -> Any:
        """Mirrored flows over time per dyad: side a up, side b down, by family."""
        from equipoise.plots.transfers import flows_figure

        return flows_figure(self, **options)


def diplomacy_index(
    register: str | Path | TransferRegister | None = None,
    dyads: Iterable[str | tuple[str, str]] | None = None,
    *,
    supplier: str | int | Sequence[str | int] | None = None,
    years: tuple[int, int] | None = None,
    by: str = "period",
    both_sides: bool = False,
) -> DiplomacyIndex:
    """The military-diplomacy index of the register for the dyads (default: the article's).

    ``by="period"``: one row per supplier and dyad over ``years``; ``by="year"``: one
    row per year with deliveries. ``both_sides=True`` keeps the dyads each supplier
    armed on both sides, ranked by the smaller side's TIV (then evenness).
    """
    if by not in ("period", "year"):
        raise InputError(f"--by '{by}' is not year or period", "use --by year or --by period")
    record = read_register(register)
    pairs = _dyads(dyads)
    window = _year_window(record, years)
    deliveries = record.deliveries
    deliveries = deliveries[(deliveries["year"] >= window[0]) & (deliveries["year"] <= window[1])]
    chosen: list[str] | None = None
    if supplier is not None:
        wanted = [supplier] if isinstance(supplier, str | int) else list(supplier)
        chosen = [n for s in wanted for n in _supplier_names(record, s)]
        deliveries = deliveries[deliveries["supplier"].isin(chosen)]
    codes = {abb: resolve_state(abb).ccode for pair in pairs for abb in pair}
    period = f"{window[0]}-{window[1]}"
    parts: list[pd.DataFrame] = []
    flows: list[pd.DataFrame] = []
    notes: list[str] = []
    recipients = set(record.deals["recipient_ccode"].dropna().astype(int))
    for abb, ccode in codes.items():
        if ccode not in recipients:
            notes.append(f"{abb} receives nothing in {record.source}")
    for a, b in pairs:
        sub = deliveries[deliveries["recipient_ccode"].isin([codes[a], codes[b]])].copy()
        sub["side"] = np.where(sub["recipient_ccode"] == codes[a], "a", "b")
        sub["period"] = sub["year"].astype(str) if by == "year" else period
        flow = pd.DataFrame(sub.groupby(["year", "side", "family"], as_index=False)["tiv"].sum())
        flow.insert(0, "dyad", f"{a}:{b}")
        flows.append(flow)
        if sub.empty:
            continue
        index = ["supplier", "period"]
        tiv = sub.pivot_table(
            index=index, columns=["side", "family"], values="tiv", aggfunc="sum", fill_value=0.0
        )
        tiv.columns = [f"{pair[0]}_{pair[1]}" for pair in tiv.columns]
        count = sub.pivot_table(
            index=index, columns="side", values="deal", aggfunc="size", fill_value=0
        )
        count.columns = [f"{side}_deliveries" for side in count.columns]
        rows = tiv.join(count)
        for prefix in ("a", "b"):
            for column in _side_columns(prefix):
                if column not in rows and column != f"{prefix}_tiv":
                    rows[column] = 0.0 if not column.endswith("_deliveries") else 0
            rows[f"{prefix}_tiv"] = rows[[f"{prefix}_{f}" for f in ALL_FAMILIES]].sum(axis=1)
        rows = rows.reset_index()
        rows.insert(1, "dyad", f"{a}:{b}")
        rows.insert(2, "a", a)
        rows.insert(3, "b", b)
        parts.append(rows)
    columns = ["supplier", "dyad", "a", "b", "period", *_side_columns("a"), *_side_columns("b")]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    frame = frame[columns]
    supplier_codes = record.deals.drop_duplicates("supplier").set_index("supplier")[
        "supplier_ccode"
    ]
    frame.insert(1, "supplier_ccode", frame["supplier"].map(supplier_codes).astype("Int64"))
    a_tiv, b_tiv = frame["a_tiv"].astype(float), frame["b_tiv"].astype(float)
    total = a_tiv + b_tiv
    frame["both_sides"] = (frame["a_deliveries"] > 0) & (frame["b_deliveries"] > 0)
    frame["evenness"] = (1.0 - (a_tiv - b_tiv).abs() / total).where(total > 0)
    for prefix, side_tiv in (("a", a_tiv), ("b", b_tiv)):
        positive = side_tiv.where(side_tiv > 0)
        frame[f"{prefix}_defensive_share"] = frame[f"{prefix}_air_defence"] / positive
        frame[f"{prefix}_strike_share"] = frame[f"{prefix}_strike"] / positive
    frame["smaller_side_tiv"] = np.minimum(a_tiv, b_tiv)
    if both_sides:
        frame = frame[frame["both_sides"]]
        frame = frame.sort_values(
            ["period", "smaller_side_tiv", "evenness"], ascending=[True, False, False]
        )
        frame.insert(0, "rank", frame.groupby("period").cumcount() + 1)
    else:
        order = pd.Series(pd.Categorical(frame["dyad"], [f"{x}:{y}" for x, y in pairs]))
        frame = (
            frame.assign(_order=order.cat.codes.to_numpy(), _total=(a_tiv + b_tiv).to_numpy())
            .sort_values(
                ["period", "_order", "both_sides", "_total", "supplier"],
                ascending=[True, True, False, False, True],
            )
            .drop(columns=["_order", "_total"])
        )
    frame = frame.reset_index(drop=True)
    flow_frame: pd.DataFrame = (
        pd.concat(flows, ignore_index=True)
        if flows
        else pd.DataFrame(columns=["dyad", "year", "side", "family", "tiv"])
    )
    rules = [YEAR_RULE, BOTH_SIDES_RULE, EVENNESS_RULE, DEFENSIVE_RULE]
    if both_sides:
        rules += [
            RIVAL_RULE,
            "ranked by the smaller side's TIV (what both sides got), then evenness",
        ]
    return DiplomacyIndex(
        source=record.source,
        dyads=tuple(pairs),
        years=window,
        by=by,
        suppliers=tuple(chosen) if chosen else None,
        frame=frame,
        flows=flow_frame,
        rules=tuple(rules),
        notes=tuple([*notes, *record.notes[1:]]),
        both_sides_only=both_sides,
    )


def armed_both_sides(
    register: str | Path | TransferRegister | None = None,
    supplier: str | int | Sequence[str | int] | None = None,
    extra_dyads: Iterable[str | tuple[str, str]] = (),
    *,
    years: tuple[int, int] | None = None,
) -> DiplomacyIndex:
    """Every rival dyad (the article's dyads plus ``extra_dyads``) a supplier armed on both
    sides in the period, ranked by the smaller side's TIV."""
    pairs = [*article_dyads(), *_dyads(list(extra_dyads))] if extra_dyads else None
    return diplomacy_index(
        register, pairs, supplier=supplier, years=years, by="period", both_sides=True
    )


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class RecordPrior:
    """A base rate from the record for "supplier S delivered family F to recipient R".

    ``prior = (k + 1) / (n + 2)`` (Laplace's rule of succession) with ``k`` the years
    of the window with at least one such delivery and ``n`` the years in the window.
    It is the yearly rate of such deliveries, not the probability of one reported
    flight: accept it, or keep a hand-set prior.
    """

    supplier: str
    supplier_names: tuple[str, ...]
    recipient: str
    families: tuple[str, ...]
    window: tuple[int, int]
    delivery_years: tuple[int, ...]
    tiv: float
    prior: float
    source: str
    rule: str = PRIOR_RULE

    @property
    def k(self) -> int:
        return len(self.delivery_years)

    @property
    def n(self) -> int:
        return self.window[1] - self.window[0] + 1

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "supplier": self.supplier,
                "supplier_names": list(self.supplier_names),
                "recipient": self.recipient,
                "families": list(self.families),
                "window": list(self.window),
                "years_with_delivery": list(self.delivery_years),
                "k": self.k,
                "n": self.n,
                "tiv": self.tiv,
                "prior": self.prior,
                "rule": self.rule,
                "source": self.source,
            }
        )


def laplace_rate(k: int, n: int) -> float:
    """Laplace's rule of succession: (k + 1) / (n + 2)."""
    return (k + 1) / (n + 2)


def record_prior(
    register: str | Path | TransferRegister | None,
    supplier: str | int,
    recipient: str | int,
    family: str | Sequence[str],
    *,
    years: tuple[int, int] | None = None,
    kinds: Sequence[str] | None = None,
) -> RecordPrior:
    """The record's prior that ``supplier`` delivered ``family`` to ``recipient``.

    The window defaults to the register's delivery years; see ``RecordPrior``.
    ``kinds`` narrows the family to descriptions of these model kinds (the families
    table's ``kind`` column, e.g. ballistic_missile).
    """
    record = read_register(register)
    families = (family,) if isinstance(family, str) else tuple(family)
    for name in families:
        if name not in ALL_FAMILIES:
            raise InputError(f"unknown family '{name}'", f"use one of {', '.join(FAMILIES)}")
    names = _supplier_names(record, supplier)
    target = _state(recipient)
    window = _year_window(record, years)
    deliveries = record.deliveries
    hits = deliveries[
        deliveries["supplier"].isin(names)
        & (deliveries["recipient_ccode"] == target.ccode)
        & deliveries["family"].isin(families)
        & (deliveries["year"] >= window[0])
        & (deliveries["year"] <= window[1])
    ]
    if kinds is not None:
        hits = hits[hits["kind"].isin(list(kinds))]
    delivery_years = tuple(sorted(int(y) for y in hits["year"].unique()))
    n = window[1] - window[0] + 1
    return RecordPrior(
        supplier=str(supplier),
        supplier_names=tuple(names),
        recipient=target.stateabb,
        families=families,
        window=window,
        delivery_years=delivery_years,
        tiv=float(hits["tiv"].sum()),
        prior=laplace_rate(len(delivery_years), n),
        source=record.source,
    )


@dataclass(frozen=True)
class ClaimPrior:
    """One claim's hand-set prior beside the record's (None where none applies)."""

    name: str
    statement: str
    supplier: str | None
    recipient: str
    families: tuple[str, ...]
    hand_prior: float
    record: RecordPrior | None
    note: str = ""
    kinds: tuple[str, ...] = ()
    kind_record: RecordPrior | None = None

    @property
    def record_prior(self) -> float | None:
        return None if self.record is None else self.record.prior


@dataclass(frozen=True, repr=False)
class ClaimPriors(Plottable):
    """Every claim's hand-set prior and the prior from the record, side by side."""

    scenario: str
    source: str
    window: tuple[int, int]
    items: tuple[ClaimPrior, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "claim": item.name,
                    "supplier": item.supplier,
                    "recipient": item.recipient,
                    "families": "; ".join(item.families),
                    "hand_prior": item.hand_prior,
                    "record_prior": item.record_prior,
                    "years_with_delivery": None if item.record is None else item.record.k,
                    "years_in_window": None if item.record is None else item.record.n,
                    "record_tiv": None if item.record is None else item.record.tiv,
                    "kinds": "; ".join(item.kinds),
                    "kind_record_prior": None
                    if item.kind_record is None
                    else item.kind_record.prior,
                    "note": item.note,
                }
                for item in self.items
            ]
        )

    def to_csv(self) -> str:
        """``to_frame()`` as CSV, SIPRI's credit and the source in leading ``# `` lines
        (read back with ``pandas.read_csv(path, comment="#")``)."""
        return csv_with_provenance(self.to_frame(), (SIPRI_TERMS, f"Data: {self.source}"))

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "scenario": self.scenario,
                "source": self.source,
                "credit": SIPRI_TERMS,
                "window": list(self.window),
                "rule": PRIOR_RULE,
                "claims": [
                    {
                        "claim": item.name,
                        "statement": item.statement,
                        "supplier": item.supplier,
                        "recipient": item.recipient,
                        "families": list(item.families),
                        "hand_prior": item.hand_prior,
                        "record": None if item.record is None else item.record.to_dict(),
                        "kinds": list(item.kinds),
                        "kind_record": None
                        if item.kind_record is None
                        else item.kind_record.to_dict(),
                        "note": item.note,
                    }
                    for item in self.items
                ],
            }
        )

    def block(self, claims: ClaimsBlock, only: Iterable[str] | None = None) -> ClaimsBlock:
        """``claims`` with the record's priors (for ``only`` these claims, default all)."""
        return with_record_priors(claims, self, only)

    def plot(self, **options: Any) -> Any:
        from equipoise.plots.transfers import priors_figure

        return priors_figure(self, **options)


def _claim_families(
    scenario: Scenario, claim: Any
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The supplier key, the families and the model kinds of what a claim says was
    delivered."""
    delivery = claim.delivery
    supplier: str | None = delivery.supplier
    holdings: Mapping[str, Any] = delivery.systems
    if delivery.package is not None:
        first, dot, rest = delivery.package.partition(".")
        package: Package | None = None
        if dot and first in scenario.suppliers and rest in scenario.suppliers[first].packages:
            supplier, package = first, scenario.suppliers[first].packages[rest]
        else:
            offering = [s for s, b in scenario.suppliers.items() if delivery.package in b.packages]
            if offering:
                supplier = offering[0]
                package = scenario.suppliers[offering[0]].packages[delivery.package]
        holdings = package.systems if package is not None else {}
    kinds = []
    for key, holding in holdings.items():
        system = scenario.classes.get(holding.class_name(key))
        if system is not None:
            kinds.append(str(system.kind))
    families = tuple(dict.fromkeys(KIND_FAMILY.get(k, "other") for k in kinds))
    return supplier, families, tuple(dict.fromkeys(kinds))


def _state_code(scenario: Scenario, key: str) -> str:
    state = scenario.states.get(key)
    if state is not None and state.capability is not None and state.capability.state:
        return state.capability.state
    return key


def compare_priors(
    scenario: Scenario,
    claims: ClaimsBlock | None = None,
    register: str | Path | TransferRegister | None = None,
    *,
    years: tuple[int, int] | None = None,
) -> ClaimPriors:
    """Each claim's hand-set prior beside the record's base rate for its delivery."""
    block = claims if claims is not None else scenario.claims
    if block is None:
        raise InputError(
            f"scenario '{scenario.name}' has no claims block", "use a scenario with claims"
        )
    record = read_register(register)
    window = _year_window(record, years)
    items = []
    for name, claim in block.items.items():
        supplier, families, kinds = _claim_families(scenario, claim)
        recipient = claim.delivery.recipient
        prior, note, kind_prior = None, "", None
        if supplier is None:
            note = "the claim names no supplier: no record prior"
        elif not families:
            note = "the claimed systems have no family: no record prior"
        else:
            who = scenario.suppliers[supplier].name if supplier in scenario.suppliers else ""
            state = _state_code(scenario, recipient)
            for attempt in dict.fromkeys([supplier, who or supplier]):
                try:
                    prior = record_prior(record, attempt, state, families, years=window)
                    kind_prior = record_prior(
                        record, attempt, state, families, years=window, kinds=kinds
                    )
                    note = ""
                    break
                except EquipoiseError as error:
                    note = f"no record prior: {error}"
        items.append(
            ClaimPrior(
                name,
                claim.statement,
                supplier,
                recipient,
                families,
                claim.prior,
                prior,
                note,
                kinds,
                kind_prior,
            )
        )
    return ClaimPriors(scenario.name, record.source, window, tuple(items))


def with_record_priors(
    claims: ClaimsBlock, priors: ClaimPriors, only: Iterable[str] | None = None
) -> ClaimsBlock:
    """A copy of ``claims`` whose priors are the record's (where the record gives one).

    ``only`` limits the replacement to these claims; the others keep their priors.
    """
    chosen = set(claims.items) if only is None else set(only)
    unknown = chosen - set(claims.items)
    if unknown:
        raise InputError(
            f"unknown claim(s) {', '.join(sorted(unknown))}",
            f"the claims are {', '.join(claims.items)}",
        )
    by_name = {item.name: item for item in priors.items}
    items = {}
    for name, claim in claims.items.items():
        item = by_name.get(name)
        if name in chosen and item is not None and item.record_prior is not None:
            claim = claim.model_copy(update={"prior": item.record_prior})
        items[name] = claim
    return claims.model_copy(update={"items": items})


__all__ = [
    "ALL_FAMILIES",
    "FAMILIES",
    "FAMILY_LABELS",
    "SIPRI_CREDIT",
    "SIPRI_TERMS",
    "YEAR_RULE",
    "Actor",
    "ClaimPrior",
    "ClaimPriors",
    "DiplomacyIndex",
    "FamilyEntry",
    "RecordPrior",
    "TransferRegister",
    "armed_both_sides",
    "article_dyads",
    "compare_priors",
    "diplomacy_index",
    "laplace_rate",
    "parse_dyad",
    "parse_register",
    "read_families",
    "read_register",
    "record_prior",
    "resolve_actor",
    "with_record_priors",
]
