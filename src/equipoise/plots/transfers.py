"""Figures of arms transfers on record: mirrored delivery flows per dyad, priors.

Colour-blind-safe (Okabe & Ito 2008); every figure is captioned with SIPRI's credit,
"Information from the SIPRI Arms Transfers Database", and the rule for years.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from equipoise.plots.figures import OKABE_ITO, _caption, _figure
from equipoise.records.transfers import (
    ALL_FAMILIES,
    FAMILY_LABELS,
    SIPRI_CREDIT,
    YEAR_RULE,
    ClaimPriors,
    DiplomacyIndex,
)

FAMILY_COLOURS = {
    "air_defence": OKABE_ITO["blue"],
    "electronic_warfare": OKABE_ITO["purple"],
    "strike": OKABE_ITO["vermillion"],
    "other": OKABE_ITO["grey"],
    "unmapped": OKABE_ITO["black"],
}


def _credit(extra: str = "") -> str:
    text = f"{SIPRI_CREDIT}; calculations by equipoise. TIV: {YEAR_RULE}."
    return f"{extra} {text}".strip()


def flows_figure(result: DiplomacyIndex, *, caption: str = "") -> Figure:
    """Per dyad, TIV delivered each year: side a above the axis, side b below, by family."""
    dyads = [f"{a}:{b}" for a, b in result.dyads]
    figure = _figure(9.0, 2.6 * len(dyads) + 0.8)
    flows = result.flows
    first, last = result.years
    years = np.arange(first, last + 1)
    axes_list = figure.subplots(len(dyads), 1, sharex=True, squeeze=False)[:, 0]
    for axes, dyad in zip(axes_list, dyads, strict=True):
        a, b = dyad.split(":")
        sub = flows[flows["dyad"] == dyad]
        for side, sign in (("a", 1.0), ("b", -1.0)):
            bottom = np.zeros(years.size)
            for family in ALL_FAMILIES:
                rows = sub[(sub["side"] == side) & (sub["family"] == family)]
                values = rows.groupby("year")["tiv"].sum().reindex(years, fill_value=0.0).to_numpy()
                if not values.any():
                    continue
                axes.bar(
                    years,
                    sign * values,
                    bottom=sign * bottom,
                    color=FAMILY_COLOURS[family],
                    width=0.8,
                    edgecolor="white",
                    linewidth=0.3,
                )
                bottom += values
        axes.axhline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
        axes.set_ylabel(f"TIV (millions)\n{a} up, {b} down", fontsize=8)
        top = max(abs(v) for v in (*axes.get_ylim(), 1.0))
        axes.set_ylim(-top, top)
        axes.set_yticks(axes.get_yticks())
        axes.set_yticklabels([f"{abs(t):g}" for t in axes.get_yticks()])
        axes.set_ylim(-top, top)
        axes.set_title(f"Deliveries to {a} (up) and {b} (down)", fontsize=10)
    axes_list[-1].set_xlabel("year of delivery")
    who = ", ".join(result.suppliers) if result.suppliers else "all suppliers"
    figure.suptitle(f"Arms deliveries on record, {first}-{last}, from {who}")
    handles = [Patch(color=FAMILY_COLOURS[f], label=FAMILY_LABELS[f]) for f in ALL_FAMILIES]
    figure.legend(handles=handles, loc="outside right upper", fontsize=8)
    _caption(figure, _credit(caption))
    return figure


def priors_figure(result: ClaimPriors, *, caption: str = "") -> Figure:
    """Each claim's hand-set prior beside the prior from the record."""
    items = result.items
    figure = _figure(8.0, 1.0 + 0.6 * max(len(items), 1))
    axes = figure.add_subplot()
    positions = np.arange(len(items))
    hand = [item.hand_prior for item in items]
    record = [np.nan if item.record_prior is None else item.record_prior for item in items]
    axes.barh(positions - 0.2, hand, height=0.4, color=OKABE_ITO["orange"], label="hand-set")
    axes.barh(positions + 0.2, record, height=0.4, color=OKABE_ITO["blue"], label="from record")
    axes.set_yticks(positions, [item.name for item in items])
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("prior probability")
    axes.set_title(
        f"Claims' priors, scenario {result.scenario}: hand-set and from the record "
        f"({result.window[0]}-{result.window[1]})",
        fontsize=10,
    )
    axes.legend(fontsize=8)
    _caption(figure, _credit(caption or "Record prior: (k + 1) / (n + 2) over the window."))
    return figure


def plot_transfers(result: Any, **options: Any) -> Figure:
    """The standard figure of a transfers result."""
    if isinstance(result, ClaimPriors):
        return priors_figure(result, **options)
    return flows_figure(result, **options)


__all__ = ["FAMILY_COLOURS", "flows_figure", "plot_transfers", "priors_figure"]
