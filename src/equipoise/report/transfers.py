"""Text and HTML for arms transfers on record (SIPRI trade registers).

Every output states SIPRI's credit ("Information from the SIPRI Arms Transfers
Database"), that the calculations are equipoise's, and the rules used: a deal's
delivered TIV spread evenly over its delivery years, evenness, defensive share.
"""

from __future__ import annotations

import base64
import html
import math
from typing import Any

import pandas as pd

from equipoise.analysis.metrics import column_label
from equipoise.domain.scenario import Scenario
from equipoise.errors import EquipoiseError
from equipoise.records.transfers import (
    SIPRI_TERMS,
    ClaimPriors,
    DiplomacyIndex,
    TransferRegister,
    diplomacy_index,
    parse_dyad,
    read_register,
)


def _number(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(number):
        return "-"
    return f"{number:,.{digits}f}"


def _share(value: Any) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{100 * float(value):.0f} %"


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Fixed-width columns: the first ``left`` left-aligned, the rest right-aligned."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), *(line(row) for row in rows)]


INDEX_COLUMNS = (
    "a_tiv",
    "b_tiv",
    "both_sides",
    "evenness",
    "a_defensive_share",
    "b_defensive_share",
    "a_strike_share",
    "b_strike_share",
)
"""The index's columns that text and HTML tables show, headed by :func:`column_label`."""


def _cell(column: str, value: Any) -> str:
    """A cell of the index: TIV to one decimal, shares in per cent, evenness to two."""
    if column == "both_sides":
        return _number(bool(value))
    if column.endswith("share"):
        return _share(value)
    if column == "evenness":
        return _number(value, 2)
    return _number(value)


def _credit_lines(source: str) -> list[str]:
    return [f"Source: {source}.", SIPRI_TERMS, "TIV: SIPRI trend-indicator value, millions."]


def index_text(result: DiplomacyIndex) -> str:
    """The military-diplomacy index, one table per dyad (or one ranked table)."""
    first, last = result.years
    who = ", ".join(result.suppliers) if result.suppliers else "every supplier"
    title = (
        f"Rival dyads armed on both sides, {first}-{last}, {who}"
        if result.both_sides_only
        else f"Military-diplomacy index, {first}-{last}, {who}, by {result.by}"
    )
    lines = [title, *_credit_lines(result.source), ""]
    frame = result.frame
    header = ["supplier", "period", *map(column_label, INDEX_COLUMNS)]

    def row(record: Any, first_column: str) -> list[str]:
        return [first_column, str(record["period"])] + [
            _cell(column, record[column]) for column in INDEX_COLUMNS
        ]

    if frame.empty:
        lines.append("No deliveries on record for these dyads, years and suppliers.")
    elif result.both_sides_only:
        rows = [
            [str(r["rank"]), str(r["supplier"]), str(r["dyad"]), *row(r, "")[1:]]
            for _, r in frame.iterrows()
        ]
        lines += _table(["rank", "supplier", "dyad", *header[1:]], rows, left=4)
    else:
        for dyad in dict.fromkeys(frame["dyad"]):
            sub = frame[frame["dyad"] == dyad]
            a, b = str(sub["a"].iloc[0]), str(sub["b"].iloc[0])
            lines.append(f"{dyad} (A = {a}, B = {b})")
            lines += _table(header, [row(r, str(r["supplier"])) for _, r in sub.iterrows()], left=2)
            both = sorted(set(sub.loc[sub["both_sides"], "supplier"]))
            lines.append("armed both sides: " + (", ".join(both) if both else "none"))
            lines.append("")
    lines.append("")
    lines.append("Rules:")
    lines += [f"  - {rule}" for rule in result.rules]
    lines.append("  - A def./B def.: defensive (air and missile defence) share of that side's TIV;")
    lines.append("    A strike/B strike: strike share. Families: data/files/sipri/families.csv.")
    if result.notes:
        lines.append("Notes:")
        lines += [f"  - {note}" for note in result.notes]
    return "\n".join(lines)


def register_text(register: TransferRegister) -> str:
    """What a register holds: deals, years, families, and what could not be mapped."""
    data = register.to_dict()
    lines = [
        f"{data['deals']} deals, deliveries {data['delivery_years']}",
        *_credit_lines(register.source),
    ]
    for family, tiv in data["tiv_by_family"].items():
        lines.append(f"  {family}: {_number(tiv)} TIV")
    lines += [f"  - {note}" for note in register.notes]
    return "\n".join(lines)


def priors_text(result: ClaimPriors) -> str:
    """Each claim's hand-set prior beside the record's, with the rule."""
    first, last = result.window
    lines = [
        f"Claims of scenario {result.scenario}: hand-set priors and priors from the record "
        f"({first}-{last})",
        *_credit_lines(result.source),
        "",
    ]
    header = ["claim", "supplier", "to", "family", "hand-set", "record", "k/n", "by kind"]
    rows = []
    for item in result.items:
        record = item.record
        kind = item.kind_record
        rows.append(
            [
                item.name,
                item.supplier or "-",
                item.recipient,
                ", ".join(item.families) or "-",
                f"{item.hand_prior:.3f}",
                "-" if record is None else f"{record.prior:.3f}",
                "-" if record is None else f"{record.k}/{record.n}",
                "-"
                if kind is None
                else f"{kind.prior:.3f} ({', '.join(item.kinds)}, {kind.k}/{kind.n})",
            ]
        )
    lines += _table(header, rows, left=4)
    lines += [""]
    for item in result.items:
        if item.record is not None and item.record.delivery_years:
            years = ", ".join(map(str, item.record.delivery_years))
            lines.append(
                f"{item.name}: deliveries on record in {years} "
                f"({_number(item.record.tiv)} TIV from {', '.join(item.record.supplier_names)})"
            )
        if item.note:
            lines.append(f"{item.name}: {item.note}")
    lines += [
        "",
        "Rule: record prior = (k + 1) / (n + 2) (Laplace's rule of succession), k the years of",
        "the window with a delivery of the family from the supplier to the recipient, n the",
        "years in the window; 'by kind' narrows the family to the claimed system's model kind.",
        "It is a yearly base rate, not the probability of one reported flight; a register of",
        "deals ordered since 2000 misses deliveries from earlier orders. Accept it with",
        "ClaimPriors.block(claims), or keep the hand-set priors.",
    ]
    return "\n".join(lines)


def _scenario_dyads(scenario: Scenario) -> tuple[list[tuple[str, str]], list[str]]:
    pairs, skipped = [], []
    for dyad in scenario.dyads:
        codes = []
        for key in (dyad.a, dyad.b):
            state = scenario.states.get(key)
            if state is not None and state.capability is not None and state.capability.state:
                codes.append(state.capability.state)
            else:
                codes.append(key)
        try:
            pairs.append(parse_dyad(f"{codes[0]}:{codes[1]}"))
        except EquipoiseError:  # a party that is not a CoW state has no record
            skipped.append(f"{dyad.a}:{dyad.b}")
    return pairs, skipped


def transfers_section(scenario: Scenario, register: Any = None) -> str:
    """HTML: "deliveries on record" for the scenario's dyads (table and mirrored flows)."""
    pairs, skipped = _scenario_dyads(scenario)
    parts = ["<h2>Deliveries on record</h2>"]
    if not pairs:
        parts.append("<p>None of the scenario's dyads is a pair of states on record.</p>")
        return "".join(parts)
    record = read_register(register)
    result = diplomacy_index(record, pairs)
    first, last = result.years
    parts.append(
        f"<p>Arms deliveries to the scenario's dyads, {first}-{last}, from "
        f"{html.escape(result.source)}. {html.escape(SIPRI_TERMS)} TIV in millions; "
        "a deal's delivered TIV is spread evenly over its delivery years; "
        "both: the supplier armed both sides; "
        "def.: defensive share = air and missile defence TIV / all TIV to that side; "
        "evenness = 1 - |A - B| / (A + B) of the TIV to each side.</p>"
    )
    frame = result.frame
    one_dyad = frame["dyad"].nunique() == 1
    sides = (str(frame["a"].iloc[0]), str(frame["b"].iloc[0])) if one_dyad else None
    columns = ["supplier", "dyad", *INDEX_COLUMNS[:6]]
    head = "".join(f"<th>{html.escape(column_label(c, sides))}</th>" for c in columns)
    body = []
    for _, row in frame.iterrows():
        cells = [
            html.escape(str(row[c])) if c in ("supplier", "dyad") else _cell(c, row[c])
            for c in columns
        ]
        body.append("<tr>" + "".join(f"<td>{text}</td>" for text in cells) + "</tr>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if skipped:
        parts.append(
            "<p>Not on record (a party is not a CoW state): "
            + html.escape(", ".join(skipped))
            + "</p>"
        )
    try:
        from equipoise.plots import figure_bytes

        png = figure_bytes(result.plot())
    except EquipoiseError:  # matplotlib missing: the table alone
        return "".join(parts)
    encoded = base64.b64encode(png).decode("ascii")
    parts.append(
        f'<figure><img alt="Deliveries on record" src="data:image/png;base64,{encoded}">'
        "<figcaption><b>Deliveries on record.</b> One side up, the other down, by family. "
        f"{html.escape(SIPRI_TERMS)}</figcaption></figure>"
    )
    return "".join(parts)


__all__ = ["index_text", "priors_text", "register_text", "transfers_section"]
