"""Result objects returned by the analyses, each with ``to_dict`` and ``to_frame``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from equipoise.analysis.metrics import (
    CRITERION_COLUMN,
    ESTIMATED,
    DeterrenceStatus,
    in_words,
    metric,
)
from equipoise.engines.types import FloatArray, IntArray


class Plottable:
    """Gives a result object ``.plot()``: its standard matplotlib Figure.

    The plotting layer (and matplotlib, an optional extra) is imported only when a
    figure is asked for, so the analysis never needs it.
    """

    def plot(self, **options: Any) -> Any:
        """A matplotlib Figure of this result (needs ``equipoise[plot]``)."""
        from equipoise.plots import plot_result

        return plot_result(self, **options)

    def __repr__(self) -> str:
        """One line: the result's kind, its scenario or dyad and the size of its table."""
        where = getattr(self, "scenario", "") or getattr(self, "model", "")
        name = getattr(where, "name", where) or "-".join(
            str(getattr(self, side, "")) for side in ("a", "b")
        )
        frame = self._frame()
        size = "" if frame is None else f": {len(frame)} rows × {frame.shape[1]} columns"
        return f"<{type(self).__name__} {name}{size}>"

    def _frame(self) -> pd.DataFrame | None:
        to_frame = getattr(self, "to_frame", None)
        return None if to_frame is None else to_frame()

    def _repr_html_(self) -> str:
        """A notebook's view: the verdict sentences, then the first rows of the table."""
        import html

        frame = self._frame()
        parts = [f"<b>{html.escape(repr(self).strip('<>'))}</b>"]
        parts += [f"<p>{html.escape(line)}</p>" for line in verdicts(self)]
        if frame is not None:
            shown = frame.head(MAX_HTML_ROWS).to_html(
                index=False, float_format=lambda v: f"{v:.3g}"
            )
            parts.append(f"<div style='overflow-x:auto'>{shown}</div>")
            if len(frame) > MAX_HTML_ROWS:
                parts.append(
                    f"<p><small>first {MAX_HTML_ROWS} of {len(frame)} rows; .to_frame() has "
                    "them all</small></p>"
                )
        return "<div>" + "".join(parts) + "</div>"


MAX_HTML_ROWS = 12


Z95 = 1.959963984540054


@overload
def clean(value: dict[str, Any]) -> dict[str, Any]: ...
@overload
def clean(value: list[Any] | tuple[Any, ...] | float | str | np.generic | None) -> Any: ...
def clean(value: Any) -> Any:
    """JSON-ready copy: NaN and infinities become None, numpy scalars Python ones."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squared deviations from the mean of the values seen so far.

    Blocks of trials are reduced to one ``Moments`` each and merged in block order, so
    an estimate needs no per-trial array (streaming aggregation, issue 14). ``merge``
    is the pairwise update of Chan, Golub and LeVeque (1979, "Updating formulae and a
    pairwise algorithm for computing sample variances"), stable where a plain sum of
    squares would cancel.
    """

    count: int = 0
    total: float = 0.0
    squares: float = 0.0

    @classmethod
    def of(cls, samples: np.ndarray) -> Moments:
        """The moments of every value in ``samples`` (non-finite ones propagate)."""
        values = np.asarray(samples, dtype=float).ravel()
        if values.size == 0:
            return cls()
        mean = values.mean()
        deviations = values - mean
        return cls(int(values.size), float(values.sum()), float((deviations * deviations).sum()))

    @classmethod
    def of_finite(cls, samples: np.ndarray) -> Moments:
        """The moments of the finite values in ``samples`` (as :meth:`Estimate.of_mean`)."""
        values = np.asarray(samples, dtype=float)
        return cls.of(values[np.isfinite(values)])

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    def variance(self) -> float:
        """Sample variance (ddof 1); NaN with fewer than two values."""
        return self.squares / (self.count - 1) if self.count > 1 else math.nan

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of values together."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        count = self.count + other.count
        delta = other.mean - self.mean
        squares = self.squares + other.squares + delta * delta * self.count * other.count / count
        return Moments(count, self.total + other.total, squares)


@dataclass(frozen=True)
class Estimate:
    """A stochastic estimate: mean over trials and a 95 % interval.

    ``expected_value`` is the same quantity from the expected-value (mean-field)
    form, where it exists.
    """

    mean: float
    low: float
    high: float
    expected_value: float | None = None

    @classmethod
    def of_mean(cls, samples: np.ndarray, expected_value: float | None = None) -> Estimate:
        """Mean with a normal-approximation 95 % confidence interval."""
        values = samples[np.isfinite(samples)]
        if values.size == 0:
            return cls(math.nan, math.nan, math.nan, expected_value)
        mean = float(values.mean())
        half = Z95 * float(values.std(ddof=1)) / math.sqrt(values.size) if values.size > 1 else 0.0
        return cls(mean, mean - half, mean + half, expected_value)

    @classmethod
    def of_difference(
        cls, first: np.ndarray, second: np.ndarray, expected_value: float | None = None
    ) -> Estimate:
        """Difference of two independent means with its 95 % confidence interval."""
        mean = float(first.mean() - second.mean())
        variance = first.var(ddof=1) / first.size + second.var(ddof=1) / second.size
        half = Z95 * math.sqrt(float(variance))
        return cls(mean, mean - half, mean + half, expected_value)

    @classmethod
    def of_proportion(cls, hits: np.ndarray, expected_value: float | None = None) -> Estimate:
        """A probability with its Wilson score 95 % interval (Wilson 1927)."""
        return cls.of_count(int(np.count_nonzero(hits)), int(hits.size), expected_value)

    @classmethod
    def of_moments(cls, moments: Moments, expected_value: float | None = None) -> Estimate:
        """:meth:`of_mean` from streamed moments of the finite values."""
        if moments.count == 0:
            return cls(math.nan, math.nan, math.nan, expected_value)
        mean = moments.mean
        half = (
            Z95 * math.sqrt(moments.variance()) / math.sqrt(moments.count)
            if moments.count > 1
            else 0.0
        )
        return cls(mean, mean - half, mean + half, expected_value)

    @classmethod
    def of_moment_difference(
        cls, first: Moments, second: Moments, expected_value: float | None = None
    ) -> Estimate:
        """:meth:`of_difference` from streamed moments."""
        mean = first.mean - second.mean
        variance = first.variance() / first.count + second.variance() / second.count
        half = Z95 * math.sqrt(variance)
        return cls(mean, mean - half, mean + half, expected_value)

    @classmethod
    def of_count(cls, hits: int, trials: int, expected_value: float | None = None) -> Estimate:
        """The Wilson score 95 % interval of ``hits`` among ``trials`` (Wilson 1927).

        With no hits the lower limit is exactly 0, and with every trial a hit the upper
        limit exactly 1 (Newcombe 1998, method 3): there ``centre - half`` (or
        ``centre + half``) is 0 (or 1) in exact arithmetic, and rounding left 5e-20."""
        n = int(trials)
        p = float(hits) / n
        denominator = 1.0 + Z95**2 / n
        centre = (p + Z95**2 / (2 * n)) / denominator
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
        low = 0.0 if hits <= 0 else max(0.0, centre - half)
        high = 1.0 if hits >= n else min(1.0, centre + half)
        return cls(p, low, high, expected_value)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mean": self.mean, "ci95": [self.low, self.high]}
        if self.expected_value is not None:
            data["expected_value_form"] = self.expected_value
        return clean(data)


@dataclass(frozen=True)
class SideAssessment:
    """One side of a dyad (docs/model.md §3).

    Damage is in the target's value units. ``first_strike_advantage`` is this side's
    net outcome (damage dealt as a share of the rival's value at risk minus damage
    suffered as a share of its own) when it strikes first, minus the same when the
    rival strikes first. ``second_strike_survivability`` is the share of its
    retaliatory force left after the rival's most disarming first strike;
    ``retaliation_damage`` the damage its retaliation then does and
    ``retaliation_probability`` the probability that it reaches the rival's
    unacceptable damage. ``deterred`` says whether this side is
    deterred from striking first.
    """

    state: str
    rival: str
    value_at_risk: float
    unacceptable_damage: float
    damage_dealt_striking_first: Estimate
    damage_suffered_striking_first: Estimate
    damage_dealt_struck_first: Estimate
    damage_suffered_struck_first: Estimate
    first_strike_advantage: Estimate
    second_strike_survivability: Estimate
    retaliation_damage: Estimate
    retaliation_probability: Estimate
    deterred: bool
    counterforce_split: dict[str, float]
    name: str = ""
    """The state's name in the scenario ('Iran'), for sentences; its code if none."""
    criterion_probability: Estimate | None = None
    """Under the ``probability`` criterion, the estimate of ``retaliation_probability``
    that decides the rival's deterrence: the evaluator's, from ``deterrence.trials``
    trials seeded by the variant itself, so that a map cell, a plan and a what-if of the
    same forces agree. None under the expected-value criterion."""

    @property
    def called(self) -> str:
        return self.name or self.state

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "name": self.called,
            "rival": self.rival,
            "value_at_risk": self.value_at_risk,
            "unacceptable_damage": self.unacceptable_damage,
            "striking_first": {
                "damage_dealt": self.damage_dealt_striking_first.to_dict(),
                "damage_suffered": self.damage_suffered_striking_first.to_dict(),
                "counterforce_share_by_element": clean(self.counterforce_split),
            },
            "struck_first": {
                "damage_dealt": self.damage_dealt_struck_first.to_dict(),
                "damage_suffered": self.damage_suffered_struck_first.to_dict(),
            },
            "first_strike_advantage": self.first_strike_advantage.to_dict(),
            "second_strike_survivability": self.second_strike_survivability.to_dict(),
            "after_rivals_most_disarming_strike": {
                "retaliation_damage": self.retaliation_damage.to_dict(),
            },
            "retaliation_crosses_rival_threshold": self.retaliation_probability.to_dict()
            | (
                {}
                if self.criterion_probability is None
                else {"criterion_estimate": self.criterion_probability.to_dict()}
            ),
            "deterred_from_striking_first": self.deterred,
        }


@dataclass(frozen=True)
class StrikeInterception:
    """Where one kind of strike's rounds went (means over trials): killed by each of the
    defender's layers, through at the defender's value, through at its launchers, or lost
    before the defences (reliability, arrival and electronic warfare)."""

    strike: str
    defender: str
    launched: float
    intercepted: dict[str, float]
    leaked: float
    leaked_at_launchers: float = 0.0

    @property
    def failed(self) -> float:
        """Rounds that never met the defences: launched minus every other outcome."""
        met = sum(self.intercepted.values()) + self.leaked + self.leaked_at_launchers
        return max(self.launched - met, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "strike": self.strike,
                "defender": self.defender,
                "launched": self.launched,
                "intercepted_by_layer": self.intercepted,
                "leaked": self.leaked,
                "leaked_at_launchers": self.leaked_at_launchers,
                "failed_before_defences": self.failed,
            }
        )


@dataclass(frozen=True)
class Bargaining:
    """Fearon's bargaining range of a dyad in A's share of the good, or why it is missing.

    ``p_first`` is A's probability of prevailing when A strikes first, ``p_second``
    when B does; the range is [p_first − c_A, p_second + c_B] and is ``closed`` when
    that interval is empty.
    """

    probability_source: str
    p_first: float | None = None
    p_second: float | None = None
    cost_a: float | None = None
    cost_b: float | None = None
    low: float | None = None
    high: float | None = None
    closed: bool | None = None
    reason: str = ""

    @property
    def width(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return self.high - self.low

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "probability_source": self.probability_source,
                "p_a_prevails_striking_first": self.p_first,
                "p_a_prevails_struck_first": self.p_second,
                "war_cost_a": self.cost_a,
                "war_cost_b": self.cost_b,
                "range": None if self.low is None else [self.low, self.high],
                "width": self.width,
                "closed": self.closed,
                "unavailable_because": self.reason or None,
            }
        )


def bargaining_columns(bargain: Bargaining | None) -> dict[str, Any]:
    """The range's table columns: low, high and closed (None where there is no range)."""
    if bargain is None:
        return dict.fromkeys(("bargaining_low", "bargaining_high", "bargaining_closed"))
    return {
        "bargaining_low": bargain.low,
        "bargaining_high": bargain.high,
        "bargaining_closed": bargain.closed,
    }


HISTOGRAM_BINS = 40


@dataclass(frozen=True)
class DamageCounts:
    """Damage samples reduced for streaming: counts in the fixed bins of
    :meth:`DamageHistogram.edges_for` and the smallest and largest sample as binned
    (clipped to 0 to the value at risk; non-finite samples are left out, as from the
    counts). Blocks merge exactly: counts add, the minimum is the least of the blocks'
    minima and the maximum the greatest of their maxima. With no samples the minimum
    is +inf and the maximum -inf, so merging with it changes nothing."""

    counts: IntArray
    minimum: float = math.inf
    maximum: float = -math.inf

    @classmethod
    def of(cls, samples: np.ndarray, value_at_risk: float) -> DamageCounts:
        """One block's counts and extremes."""
        clipped = np.clip(samples, 0.0, value_at_risk)
        counts, _ = np.histogram(clipped, bins=DamageHistogram.edges_for(value_at_risk))
        finite = clipped[np.isfinite(clipped)]
        if finite.size == 0:
            return cls(counts.astype(np.int64))
        return cls(counts.astype(np.int64), float(finite.min()), float(finite.max()))

    def merge(self, other: DamageCounts) -> DamageCounts:
        """Both blocks' samples together."""
        return DamageCounts(
            self.counts + other.counts,
            min(self.minimum, other.minimum),
            max(self.maximum, other.maximum),
        )


@dataclass(frozen=True)
class DamageHistogram:
    """Distribution over trials of the damage one side suffers in one exchange.

    ``case`` is 'striking first' (the rival's retaliation) or 'struck first' (the
    rival's first strike); ``edges`` span 0 to the side's value at risk;
    ``minimum`` and ``maximum`` are the smallest and largest damage observed (left
    out, nothing bounds the quantiles but the edges).
    """

    state: str
    case: str
    edges: FloatArray
    counts: IntArray
    minimum: float = -math.inf
    maximum: float = math.inf

    @classmethod
    def of(
        cls, state: str, case: str, samples: np.ndarray, value_at_risk: float
    ) -> DamageHistogram:
        return cls.of_counts(state, case, DamageCounts.of(samples, value_at_risk), value_at_risk)

    @staticmethod
    def edges_for(value_at_risk: float) -> FloatArray:
        """The fixed bin edges: :data:`HISTOGRAM_BINS` equal bins from 0 to the value at risk."""
        return np.linspace(0.0, value_at_risk, HISTOGRAM_BINS + 1)

    @classmethod
    def of_counts(
        cls, state: str, case: str, counts: DamageCounts, value_at_risk: float
    ) -> DamageHistogram:
        """The histogram from counts and extremes merged over blocks (:class:`DamageCounts`)."""
        return cls(
            state,
            case,
            cls.edges_for(value_at_risk),
            np.asarray(counts.counts, dtype=np.int64),
            counts.minimum,
            counts.maximum,
        )

    def quantile(self, q: float) -> float:
        """The q-quantile of the damage, read off the histogram (linear within a bin, so
        within one bin width, 1/HISTOGRAM_BINS of the value at risk) and kept within the
        observed minimum and maximum: an outcome that does not vary reads exactly, not
        spread over its bin."""
        total = int(self.counts.sum())
        if total == 0:
            return math.nan
        cumulative = np.concatenate([[0], np.cumsum(self.counts)]) / total
        read = float(np.interp(q, cumulative, self.edges))
        return min(max(read, self.minimum), self.maximum)

    def outcome_range(self) -> tuple[float, float]:
        """The 5th and 95th percentiles: where nine outcomes in ten fall."""
        return self.quantile(0.05), self.quantile(0.95)


@dataclass(frozen=True, repr=False)
class DyadAssessment(Plottable):
    """Deterrence in one dyad: both sides and the resulting status.

    ``histograms`` (damage suffered per side, striking first and struck first) feed
    the plots; they are left out of ``to_dict`` to keep the JSON to the metrics.
    """

    a: str
    b: str
    label: str
    status: DeterrenceStatus
    sides: tuple[SideAssessment, SideAssessment]
    interception: tuple[StrikeInterception, ...] = ()
    """Each kind of strike's rounds by outcome, the one breakdown every figure draws."""
    notes: tuple[str, ...] = ()
    bargaining: Bargaining | None = None
    histograms: tuple[DamageHistogram, ...] = field(default=(), compare=False, repr=False)
    criterion: str = "expected_value"
    """The scenario's deterrence criterion, which decided ``deterred``."""
    confidence: float | None = None
    """Under the ``probability`` criterion, the probability at which a side is deterred."""

    @property
    def status_named(self) -> str:
        """The status with the states' names ('only Iran deterred'), not 'only A deterred'
        (``status``, the category, names the dyad's first and second state A and B)."""
        return in_words(self.status, self.sides[0].called, self.sides[1].called)

    def damage_range(self, state: str, name: str) -> tuple[float, float] | None:
        """5th-95th percentile of a side's damage metric over the trials: damage a side
        deals is the damage its rival suffers in the same exchange."""
        rival = self.b if state == self.a else self.a
        sufferer, case = {
            "damage_suffered_striking_first": (state, "striking first"),
            "damage_suffered_struck_first": (state, "struck first"),
            "damage_dealt_striking_first": (rival, "struck first"),
            "damage_dealt_struck_first": (rival, "striking first"),
        }[name]
        for histogram in self.histograms:
            if (histogram.state, histogram.case) == (sufferer, case):
                return histogram.outcome_range()
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "label": self.label,
            "status": self.status,
            "status_named": self.status_named,
            "sides": [side.to_dict() for side in self.sides],
            "bargaining": None if self.bargaining is None else self.bargaining.to_dict(),
            "interception": [strike.to_dict() for strike in self.interception],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class CalibrationCheck:
    """The model against a reported attack (docs/model.md §5)."""

    name: str
    attacker: str
    defender: str
    launched: int
    reported_neutralised_share: float
    tolerance: float
    model: Estimate
    source: str

    @property
    def within_band(self) -> bool:
        ev = self.model.expected_value
        value = self.model.mean if ev is None else ev
        return abs(value - self.reported_neutralised_share) <= self.tolerance + 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "attacker": self.attacker,
            "defender": self.defender,
            "launched": self.launched,
            "reported_neutralised_share": self.reported_neutralised_share,
            "tolerance": self.tolerance,
            "model_neutralised_share": self.model.to_dict(),
            "within_band": self.within_band,
            "source": self.source,
        }


@dataclass(frozen=True, repr=False)
class AnalysisResult(Plottable):
    """Every dyad of a scenario assessed, plus calibration checks."""

    scenario: str
    title: str
    seed: int | None
    trials: int
    criterion: str
    dyads: tuple[DyadAssessment, ...]
    calibration: tuple[CalibrationCheck, ...] = ()
    notes: tuple[str, ...] = field(default=())
    confidence: float | None = None
    """Under the ``probability`` criterion, the probability at which a side is deterred."""
    criterion_trials: int | None = None
    """Under the ``probability`` criterion, the trials behind each ``criterion_probability``."""
    calibration_sources: dict[str, str] = field(default_factory=dict)
    """The scenario's ``sources`` its calibration cases cite (key -> text)."""

    def dyad(self, a: str, b: str) -> DyadAssessment:
        """The assessment of dyad (a, b), in either order."""
        for dyad in self.dyads:
            if {dyad.a, dyad.b} == {a, b}:
                return dyad
        raise KeyError(f"no dyad {a}-{b}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "seed": self.seed,
            "trials": self.trials,
            "deterrence_criterion": self.criterion,
            **(
                {}
                if self.confidence is None
                else {"confidence": self.confidence, "criterion_trials": self.criterion_trials}
            ),
            "dyads": [dyad.to_dict() for dyad in self.dyads],
            "calibration": [check.to_dict() for check in self.calibration],
            "notes": list(self.notes),
            "calibration_sources": dict(self.calibration_sources),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per (dyad, side): means, 95 % intervals, status."""
        import pandas as pd

        rows = []
        for dyad in self.dyads:
            for side in dyad.sides:
                row: dict[str, Any] = {
                    "dyad": f"{dyad.a}-{dyad.b}",
                    "state": side.state,
                    "rival": side.rival,
                    "status": dyad.status_named,
                    "deterred": side.deterred,
                    **bargaining_columns(dyad.bargaining),
                }
                for name in ESTIMATED:
                    estimate: Estimate = getattr(side, name)
                    column = metric(name).column
                    row[column] = estimate.mean
                    row[f"{column}_low"] = estimate.low
                    row[f"{column}_high"] = estimate.high
                if side.criterion_probability is not None:  # the estimate that decides
                    row[CRITERION_COLUMN] = side.criterion_probability.mean
                rows.append(row)
        return pd.DataFrame(rows)


def verdict(dyad: DyadAssessment) -> str:
    """One plain sentence per side on whether it is deterred and why, from the numbers
    that decided it under the dyad's criterion (docs/model.md §3): the expected
    retaliation against the threshold, or the criterion's own probability estimate
    against its confidence."""
    clauses = []
    for side, rival in ((dyad.sides[0], dyad.sides[1]), (dyad.sides[1], dyad.sides[0])):
        after = f"{rival.called}'s retaliation after {side.called}'s most disarming strike"
        threshold = f"{side.called}'s threshold of {side.unacceptable_damage:g}"
        if dyad.criterion == "probability":
            deciding = rival.criterion_probability or rival.retaliation_probability
            reason = f"the probability that {after} reaches {threshold} is {deciding.mean:.3f}"
            if dyad.confidence is not None:
                where = "at or above" if side.deterred else "below"
                reason += f", {where} the criterion's confidence of {dyad.confidence:g}"
        else:
            damage = rival.retaliation_damage.expected_value
            if damage is None or not math.isfinite(damage):
                damage = rival.retaliation_damage.mean
            reaches = "reaches" if side.deterred else "is below"
            # the criterion's number, the expected value (the table's trial mean is beside it)
            reason = f"{after.replace('retaliation', 'expected retaliation', 1)}, "
            reason += f"{damage:.1f}, {reaches} {threshold}"
        state = "is deterred" if side.deterred else "is not deterred"
        clauses.append(f"{side.called} {state} from striking first: {reason}")
    return "; ".join(clauses) + "."


def verdicts(result: Any) -> list[str]:
    """The verdict sentences of a result that has dyads (an analysis, one dyad, the
    'after' of a comparison); none for other results."""
    if isinstance(result, DyadAssessment):
        return [f"{result.a}-{result.b}: {verdict(result)}"]
    analysis = getattr(result, "after", result)
    if isinstance(analysis, AnalysisResult):
        return [f"{d.a}-{d.b}: {verdict(d)}" for d in analysis.dyads]
    return []
