"""One vocabulary for every metric: name, label, unit, column and meaning.

Tables, CSV, JSON, figures and the report take their labels from here, so a metric
is called the same everywhere (docs/model.md §3). Side metrics exist once per state
of a dyad; dyad metrics once per dyad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

STATUS_LABELS = ("neither", "only A deterred", "only B deterred", "mutual deterrence")
"""Deterrence status by code: 1 if A is deterred, plus 2 if B is (Intriligator & Brito 1984)."""

DeterrenceStatus = Literal["mutual deterrence", "only A deterred", "only B deterred", "neither"]


def status_label(a_deterred: bool, b_deterred: bool) -> DeterrenceStatus:
    """The dyad's status from whether each side is deterred."""
    label: DeterrenceStatus = STATUS_LABELS[int(a_deterred) + 2 * int(b_deterred)]  # type: ignore[assignment]
    return label


def in_words(text: str, a: str, b: str) -> str:
    """A label with the dyad's states for its letters A and B: 'P(A prevails), B strikes
    first' -> 'P(Iran prevails), Israel strikes first' for dyad (Iran, Israel). Codes or
    names, whichever the reader is shown; only the whole words A and B change."""
    return _SIDE_LETTER.sub(lambda found: a if found.group() == "A" else b, text)


_SIDE_LETTER = re.compile(r"\b[AB]\b")


@dataclass(frozen=True)
class Metric:
    """One metric. ``arrays`` names the evaluator's (variants, dyads) arrays that hold it
    for the dyad's first and second state (one name for a dyad metric, none for a
    metric only the stochastic trials give)."""

    name: str
    label: str
    unit: str
    meaning: str
    per: Literal["side", "dyad"]
    arrays: tuple[str, ...] = ()
    stochastic: bool = True
    strike: str = ""
    """Which strike the metric refers to (side metrics): the side's own chosen or most
    disarming first strike, or the rival's."""

    @property
    def column(self) -> str:
        """Its column in tables, CSV and JSON."""
        return self.name


SIDE_METRICS: tuple[Metric, ...] = (
    Metric(
        "deterred",
        "deterred from striking first",
        "yes/no",
        "the rival's retaliation after this side's most disarming strike reaches this "
        "side's unacceptable damage (by the scenario's criterion)",
        "side",
        ("a_deterred", "b_deterred"),
        stochastic=False,
        strike="own most disarming strike",
    ),
    Metric(
        "damage_dealt_striking_first",
        "damage dealt striking first",
        "rival's value units",
        "damage this side's chosen first strike does to the rival",
        "side",
        ("dealt_a", "dealt_b"),
        strike="own chosen strike",
    ),
    Metric(
        "damage_suffered_striking_first",
        "damage suffered striking first",
        "own value units",
        "damage the rival's retaliation does after this side's chosen first strike",
        "side",
        ("suffered_a", "suffered_b"),
        strike="own chosen strike",
    ),
    Metric(
        "damage_dealt_struck_first",
        "damage dealt when struck first",
        "rival's value units",
        "damage this side's retaliation does after the rival's chosen first strike",
        "side",
        ("suffered_b", "suffered_a"),
        strike="rival's chosen strike",
    ),
    Metric(
        "damage_suffered_struck_first",
        "damage suffered when struck first",
        "own value units",
        "damage the rival's chosen first strike does to this side",
        "side",
        ("dealt_b", "dealt_a"),
        strike="rival's chosen strike",
    ),
    Metric(
        "first_strike_advantage",
        "first-strike advantage",
        "share of value",
        "net outcome striking first minus net outcome struck first (each side's chosen "
        "strike); a property of the dyad, equal for both sides with equal weights",
        "side",
        ("fsa_a", "fsa_b"),
        strike="both chosen strikes",
    ),
    Metric(
        "second_strike_survivability",
        "second-strike survivability",
        "share",
        "share of this side's retaliatory force left by the rival's most disarming strike",
        "side",
        ("survivability_a", "survivability_b"),
        strike="rival's most disarming strike",
    ),
    Metric(
        "retaliation_damage",
        "retaliation damage",
        "rival's value units",
        "damage this side's retaliation does after the rival's most disarming first strike",
        "side",
        ("retaliation_a", "retaliation_b"),
        strike="rival's most disarming strike",
    ),
    Metric(
        "retaliation_probability",
        "P(retaliation ≥ rival's threshold)",
        "probability",
        "probability that this side's retaliation after the rival's most disarming strike "
        "reaches the rival's unacceptable damage",
        "side",
        strike="rival's most disarming strike",
    ),
)

DYAD_METRICS: tuple[Metric, ...] = (
    Metric(
        "status",
        "deterrence status",
        "",
        "mutual deterrence, only one side deterred, or neither",
        "dyad",
        stochastic=False,
    ),
    Metric(
        "p_first",
        "P(A prevails), A strikes first",
        "probability",
        "A's share of the destruction when A strikes first (or the capability contest)",
        "dyad",
        ("p_first",),
        stochastic=False,
    ),
    Metric(
        "p_second",
        "P(A prevails), B strikes first",
        "probability",
        "A's share of the destruction when B strikes first (or the capability contest)",
        "dyad",
        ("p_second",),
        stochastic=False,
    ),
    Metric(
        "bargaining_low",
        "bargaining range, low",
        "A's share",
        "the least A accepts rather than fight: P(A prevails striking first) − A's war cost",
        "dyad",
        ("range_low",),
        stochastic=False,
    ),
    Metric(
        "bargaining_high",
        "bargaining range, high",
        "A's share",
        "the most B concedes rather than fight: P(A prevails struck first) + B's war cost",
        "dyad",
        ("range_high",),
        stochastic=False,
    ),
    Metric(
        "bargaining_width",
        "bargaining range width",
        "A's share",
        "high − low of the clipped range; negative when the range is closed (Fearon 1995)",
        "dyad",
        ("range_width",),
        stochastic=False,
    ),
    Metric(
        "bargaining_closed",
        "bargaining range closed",
        "yes/no",
        "no deal both prefer to war: the first-strike advantage outweighs the costs of war",
        "dyad",
        ("range_closed",),
        stochastic=False,
    ),
)

METRICS: tuple[Metric, ...] = SIDE_METRICS + DYAD_METRICS
BY_NAME = {metric.name: metric for metric in METRICS}

DYAD_ARRAYS = (
    *dict.fromkeys(name for m in METRICS for name in m.arrays),
    "has_range",
    "p_retaliation_a",
    "p_retaliation_b",
)
"""The evaluator's arrays, (variants, dyads) each: the metrics' own, whether the dyad
has a bargaining range, and the estimated probabilities that retaliation crosses the
rival's threshold."""

ESTIMATED = tuple(m.name for m in SIDE_METRICS if m.stochastic)
"""Side metrics the stochastic analysis reports with intervals (``Estimate`` objects)."""


def metric(name: str) -> Metric:
    """The registry entry of a metric."""
    return BY_NAME[name]


def label(name: str) -> str:
    """A metric's human label."""
    return BY_NAME[name].label


CRITERION_COLUMN = "retaliation_probability_criterion"
"""The column of the probability criterion's own estimate of ``retaliation_probability``
(the one that decides deterrence), in analyze's CSV and in comparisons."""


def side_column(name: str, side: Literal["a", "b"]) -> str:
    """A side metric's column for the dyad's first or second state in tables with one
    row per dyad (sweeps, maps): 'retaliation_damage_a'."""
    return f"{BY_NAME[name].column}_{side}"


COLUMN_LABELS = {
    "cinc": "CINC",
    "a_tiv": "TIV to A",
    "b_tiv": "TIV to B",
    "both_sides": "both",
    "a_defensive_share": "A def.",
    "b_defensive_share": "B def.",
    "a_strike_share": "A strike",
    "b_strike_share": "B strike",
    "mutual_deterrence_change": "Δ P(mutual)",
    "fsa_variance_reduction": "Var(FSA) reduction",
    "coverage_50": "cover 50 %",
    "coverage_90": "cover 90 %",
}
"""Headers of the columns that tables carry beside the metrics (SIPRI transfers, claims'
value of information, backtests), the same in text and HTML tables."""

_SUFFIXES = (("_low", ", low"), ("_high", ", high"), ("_a", " (A)"), ("_b", " (B)"))
"""A column's interval end (outermost) and side, after the metric's name."""


def column_label(column: str, sides: tuple[str, str] | None = None) -> str:
    """A column's header: the registry label of a metric's column, with its side and its
    interval end ('first_strike_advantage_a' -> 'first-strike advantage (A)',
    'retaliation_damage_low' -> 'retaliation damage, low'), the header of another column
    (:data:`COLUMN_LABELS`), else the name in words ('value_at_risk' -> 'value at risk').
    With ``sides``, the table's one dyad (names or codes), A and B become its states
    (:func:`in_words`)."""
    text = _column_label(column)
    return in_words(text, *sides) if sides else text


def _column_label(column: str) -> str:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    if column in BY_NAME:
        return BY_NAME[column].label
    for suffix, words in _SUFFIXES:
        stem = column.removesuffix(suffix)
        if stem != column and stem:
            return _column_label(stem) + words
    return column.replace("_", " ")
