"""Figures for every equipoise result: titled, labelled, colour-blind safe, captioned.

Uses matplotlib's object API (no pyplot state), so figures render headless and
can be saved from any thread. The palette is Okabe & Ito's (2008) colour-blind-safe
set; every figure carries a caption with the scenario, the seed and where the
numbers come from.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from equipoise.analysis.balance import BalanceResult
from equipoise.analysis.claims import ClaimsReport, WorldAnalysis
from equipoise.analysis.dynamics import ArmsRaceResult, AttritionResult, FitResult
from equipoise.analysis.mapping import DeterrenceMap
from equipoise.analysis.metrics import STATUS_LABELS, in_words
from equipoise.analysis.metrics import label as metric_label
from equipoise.analysis.policy import Comparison, PolicyComparison, Recommendation
from equipoise.analysis.results import AnalysisResult, DyadAssessment

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
SERIES = ["blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black"]
# defence layers: never vermillion or grey, which mark leakers and failures
LAYER_SERIES = ["blue", "orange", "green", "purple", "sky", "yellow", "black"]
STATUS_COLOURS = {
    "neither": OKABE_ITO["vermillion"],
    "only A deterred": OKABE_ITO["yellow"],
    "only B deterred": OKABE_ITO["sky"],
    "mutual deterrence": OKABE_ITO["green"],
}
NOTE = "Numbers are illustrative unless the scenario cites a source."


def colour(index: int) -> str:
    return OKABE_ITO[SERIES[index % len(SERIES)]]


_LAYER_COLOURS: dict[str, str] = {}
"""Each defence layer's colour, given in the order layers are first drawn, so a layer
keeps its colour in every chart of a report (and of a session)."""


def layer_colour(layer: str) -> str:
    """The colour of one defence layer, the same in every chart."""
    if layer not in _LAYER_COLOURS:
        series = LAYER_SERIES[len(_LAYER_COLOURS) % len(LAYER_SERIES)]
        _LAYER_COLOURS[layer] = OKABE_ITO[series]
    return _LAYER_COLOURS[layer]


class InlineFigure(Figure):
    """A Figure that a notebook shows inline without ``%matplotlib inline`` (IPython
    displays any object with ``_repr_png_``); figures here never touch pyplot."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def _figure(width: float = 8.0, height: float = 5.0) -> Figure:
    return InlineFigure(figsize=(width, height), dpi=100, layout="constrained")


def _caption(figure: Figure, text: str) -> None:
    figure.supxlabel(text, fontsize=8, color=OKABE_ITO["grey"])


def deterrence_map_figure(
    result: DeterrenceMap,
    *,
    after: tuple[float, float] | None = None,
    after_label: str = "after deliveries",
    current_label: str = "today",
    caption: str = "",
) -> Figure:
    """Deterrence regions over the two holdings, the map's current point (labelled
    ``current_label``: say what it is when the map is not of today's scenario) and,
    with an arrow, the point after a delivery or plan (Intriligator & Brito 1984, with
    defences)."""
    figure = _figure(7.5, 6.0)
    axes = figure.add_subplot()
    codes = result.a_deterred.astype(int) + 2 * result.b_deterred.astype(int)
    xs, ys = result.x.values, result.y.values
    colours = [STATUS_COLOURS[label] for label in STATUS_LABELS]
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(-0.5, 4.5), cmap.N)
    axes.pcolormesh(xs, ys, codes, cmap=cmap, norm=norm, shading="nearest")
    status_names = {label: in_words(label, *result.called) for label in STATUS_LABELS}
    drawn = set(np.unique(codes).tolist())
    handles: list[Any] = [
        Patch(facecolor=STATUS_COLOURS[label], edgecolor="none", label=status_names[label])
        for code, label in enumerate(STATUS_LABELS)
        if code in drawn
    ]
    if len(drawn) == 1:
        label = STATUS_LABELS[next(iter(drawn))]
        only = status_names[label]
        axes.text(
            0.5,
            0.5,
            f"{only} everywhere on this grid",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"facecolor": "white", "alpha": 0.8},
        )
    today = result.current
    handles.append(
        axes.plot(
            today[0], today[1], "o", color=OKABE_ITO["black"], markersize=9, label=current_label
        )[0]
    )
    if after is not None and after != today:
        axes.annotate(
            "",
            xy=after,
            xytext=today,
            arrowprops={"arrowstyle": "-|>", "color": OKABE_ITO["black"], "lw": 2},
        )
        handles.append(
            axes.plot(
                after[0], after[1], "D", color=OKABE_ITO["purple"], markersize=9, label=after_label
            )[0]
        )
    axes.set_xlabel(f"{result.x.title} ({result.x_unit})")
    axes.set_ylabel(f"{result.y.title} ({result.y_unit})")
    axes.set_title(f"Deterrence regions, {result.a}-{result.b} (expected-value exchange)")
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    _caption(
        figure,
        caption
        or f"Scenario {result.scenario}; every cell from the expected-value exchange (no "
        f"random draws unless the scenario's criterion is 'probability'). {NOTE}",
    )
    return figure


def damage_figure(dyad: DyadAssessment, *, caption: str = "") -> Figure:
    """Per side: distribution of damage suffered when striking first and when struck first."""
    figure = _figure(9.0, 4.2)
    panels = figure.subplots(1, 2, sharey=True)
    for axes, side in zip(panels, dyad.sides, strict=True):
        for index, case in enumerate(("striking first", "struck first")):
            histogram = next(
                (h for h in dyad.histograms if h.state == side.state and h.case == case), None
            )
            if histogram is None:
                continue
            share = histogram.counts / max(1, histogram.counts.sum())
            axes.stairs(share, histogram.edges, color=colour(index), linewidth=2, label=case)
        axes.axvline(
            side.unacceptable_damage,
            color=OKABE_ITO["black"],
            linestyle="--",
            linewidth=1,
            label="unacceptable damage",
        )
        axes.set_title(f"{side.state}: damage suffered")
        axes.set_xlabel(f"damage to {side.state} (value units of {side.value_at_risk:g})")
        axes.legend(fontsize=8)
    panels[0].set_ylabel("share of trials")
    figure.suptitle(f"Damage distributions, {dyad.a}-{dyad.b}")
    _caption(figure, caption or NOTE)
    return figure


def _interception_bars(axes: Any, dyad: DyadAssessment) -> None:
    """Stacked bars of :attr:`DyadAssessment.interception`, one per kind of strike; only
    outcomes that occur get a bar and a legend entry (a strike with nothing to launch none)."""
    rows = [row for row in dyad.interception if row.launched > 0]
    strikes = [row.strike for row in rows]
    layers = list(dict.fromkeys(layer for row in rows for layer in row.intercepted))
    parts: list[tuple[str, np.ndarray, dict[str, Any]]] = []
    for layer in layers:
        values = np.array([row.intercepted.get(layer, 0.0) for row in rows])
        parts.append((f"killed by {layer}", values, {"color": layer_colour(layer)}))
    parts += [
        (
            "leaked at value",
            np.array([row.leaked for row in rows]),
            {"color": OKABE_ITO["vermillion"], "hatch": "//"},
        ),
        (
            "leaked at launchers (counterforce)",
            np.array([row.leaked_at_launchers for row in rows]),
            {"color": "white", "edgecolor": OKABE_ITO["vermillion"], "hatch": "xx"},
        ),
        (
            "failed or jammed before the defences",
            np.array([row.failed for row in rows]),
            {"color": OKABE_ITO["grey"]},
        ),
    ]
    left = np.zeros(len(strikes))
    for label, values, style in parts:
        if values.any():
            axes.barh(strikes, values, left=left, label=label, **style)
            left += values


def interception_figure(dyad: DyadAssessment, *, caption: str = "") -> Figure:
    """Mean rounds per strike: killed by each defence layer, through at value, through at
    the defender's launchers, or lost before the defences."""
    figure = _figure(9.0, 4.6)
    axes = figure.add_subplot()
    _interception_bars(axes, dyad)
    axes.set_xlabel("rounds per exchange (mean over trials)")
    axes.set_title(f"Interception and leak-through by layer, {dyad.a}-{dyad.b}")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.invert_yaxis()
    _caption(figure, caption or NOTE)
    return figure


def analysis_figure(result: AnalysisResult) -> Figure:
    """All dyads: damage distributions side by side and interception by layer."""
    rows = max(1, len(result.dyads))
    figure = _figure(15.0, 3.6 * rows)
    grid = figure.subplots(rows, 3, squeeze=False, gridspec_kw={"width_ratios": (1, 1, 1.3)})
    for row, dyad in enumerate(result.dyads):
        for column, side in enumerate(dyad.sides):
            axes = grid[row][column]
            for index, case in enumerate(("striking first", "struck first")):
                for histogram in dyad.histograms:
                    if histogram.state == side.state and histogram.case == case:
                        share = histogram.counts / max(1, histogram.counts.sum())
                        axes.stairs(share, histogram.edges, color=colour(index), label=case)
            axes.axvline(side.unacceptable_damage, color=OKABE_ITO["black"], linestyle="--")
            axes.set_title(f"{side.state} damage suffered ({dyad.a}-{dyad.b})", fontsize=9)
            axes.set_xlabel("value units")
            axes.set_ylabel("share of trials")
            axes.legend(fontsize=7)
        axes = grid[row][2]
        _interception_bars(axes, dyad)
        axes.set_xlabel("rounds (mean)")
        axes.set_title("interception", fontsize=9)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars
        axes.invert_yaxis()
    figure.suptitle(f"{result.scenario}: exchanges by dyad")
    _caption(
        figure, f"Scenario {result.scenario}, seed {result.seed}, {result.trials} trials. {NOTE}"
    )
    return figure


def policy_figure(result: PolicyComparison, *, caption: str = "") -> Figure:
    """First-strike advantage and bargaining range per dyad under each policy."""
    frame = result.to_frame()
    dyads = list(dict.fromkeys(frame["dyad"]))
    policies = list(dict.fromkeys(frame["policy"]))
    figure = _figure(10.0, 4.5)
    left, right = figure.subplots(1, 2)
    width = 0.8 / max(1, len(policies))
    for index, policy in enumerate(policies):
        rows = frame[frame["policy"] == policy].set_index("dyad")
        values = [
            (rows.loc[d, "first_strike_advantage_a"] + rows.loc[d, "first_strike_advantage_b"]) / 2
            for d in dyads
        ]
        positions = np.arange(len(dyads)) + index * width
        left.bar(positions, values, width=width, color=colour(index), label=policy)
        for position, dyad in zip(positions, dyads, strict=True):
            low, high = rows.loc[dyad, "bargaining_low"], rows.loc[dyad, "bargaining_high"]
            if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
                continue
            if rows.loc[dyad, "bargaining_closed"]:
                right.plot(position, 0.5, "x", color=colour(index), markersize=10)
            else:
                right.plot([position, position], [low, high], color=colour(index), linewidth=6)
    for axes in (left, right):
        axes.set_xticks(np.arange(len(dyads)) + width * (len(policies) - 1) / 2, dyads)
    left.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    left.set_ylabel("first-strike advantage (share of value, mean of both sides)")
    left.set_title("First-strike advantage by policy")
    left.legend(fontsize=8)
    right.set_ylim(0, 1)
    right.set_ylabel("A's share of the disputed good")
    right.set_title("Bargaining range by policy (x: closed)")
    _caption(figure, caption or NOTE)
    return figure


def comparison_figure(result: Comparison | Recommendation, *, caption: str = "") -> Figure:
    """Key metrics before and after the deliveries, per dyad and side."""
    comparison = result.comparison if isinstance(result, Recommendation) else result
    rows = [
        r
        for r in comparison.rows()
        if r["metric"]
        in {
            metric_label(name)
            for name in (
                "first_strike_advantage",
                "second_strike_survivability",
                "retaliation_probability",
            )
        }
    ]
    labels = [f"{r['dyad']} {r['state']}\n{r['metric']}" for r in rows]
    before = [float(r["before"]) for r in rows]
    after = [float(r["after"]) for r in rows]
    figure = _figure(9.0, max(3.5, 0.45 * len(rows) + 1.5))
    axes = figure.add_subplot()
    positions = np.arange(len(rows))
    axes.barh(positions - 0.2, before, height=0.4, color=OKABE_ITO["sky"], label="before")
    axes.barh(positions + 0.2, after, height=0.4, color=OKABE_ITO["orange"], label="after")
    axes.set_yticks(positions, labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("value (share or probability)")
    axes.set_title("Before and after the deliveries")
    axes.legend(fontsize=8)
    _caption(
        figure,
        caption or f"Seed {comparison.before.seed}, {comparison.before.trials} trials each. {NOTE}",
    )
    return figure


def claims_figure(result: ClaimsReport, *, caption: str = "") -> Figure:
    """Prior and posterior of each claim, and its value of information when computed."""
    names = [c.name for c in result.claims]
    panels = 2 if result.values else 1
    figure = _figure(10.0 if panels == 2 else 7.0, max(3.0, 0.6 * len(names) + 1.5))
    grid = figure.subplots(1, panels, squeeze=False)[0]
    positions = np.arange(len(names))
    axes = grid[0]
    axes.barh(
        positions - 0.2,
        [c.prior for c in result.claims],
        height=0.4,
        color=OKABE_ITO["grey"],
        label="prior",
    )
    axes.barh(
        positions + 0.2,
        [c.posterior for c in result.claims],
        height=0.4,
        color=OKABE_ITO["blue"],
        label="posterior",
    )
    axes.set_yticks(positions, names)
    axes.set_xlim(0, 1)
    axes.invert_yaxis()
    axes.set_xlabel("probability the delivery happened")
    axes.set_title("Claims: prior and posterior")
    _legend_below(axes)
    if result.values:
        value = {v.claim: v for v in result.values}
        axes = grid[1]
        axes.barh(
            positions,
            [value[n].mutual_deterrence_change for n in names],
            color=OKABE_ITO["green"],
            label="expected change in P(mutual deterrence)",
        )
        axes.barh(
            positions,
            [value[n].fsa_variance_reduction for n in names],
            height=0.3,
            color=OKABE_ITO["orange"],
            label="expected Var(FSA) reduction",
        )
        axes.set_yticks(positions, names)
        axes.invert_yaxis()
        # values of 1e-4 printed in full ran together ("0.00000.0005..."): few ticks,
        # written as multiples of a power of ten shown once at the axis end
        axes.xaxis.set_major_locator(MaxNLocator(4))
        axes.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3), useMathText=True)
        axes.set_xlabel("value of learning the truth")
        axes.set_title("Value of information")
        _legend_below(axes)
    _caption(figure, caption or "Likelihood ratios are documented assumptions. " + NOTE)
    return figure


def _legend_below(axes: Any) -> None:
    """The legend under the axes' label, where it cannot cover a bar."""
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)


def worlds_figure(result: WorldAnalysis, *, caption: str = "") -> Figure:
    """Probability of each deterrence status per dyad over the possible worlds."""
    figure = _figure(8.0, 3.0 + 0.4 * len(result.dyads))
    axes = figure.add_subplot()
    labels = [f"{a}-{b}" for a, b in result.dyads]
    left = np.zeros(len(labels))
    for status in STATUS_LABELS:
        values = np.array([result.status_probabilities(i)[status] for i in range(len(labels))])
        axes.barh(labels, values, left=left, color=STATUS_COLOURS[status], label=status)
        left += values
    axes.set_xlim(0, 1)
    axes.set_xlabel("probability over the possible worlds")
    axes.set_title("Deterrence status given the claims")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _caption(figure, caption or f"Scenario {result.scenario}, seed {result.seed}. {NOTE}")
    return figure


def arms_race_figure(result: ArmsRaceResult, *, caption: str = "") -> Figure:
    """Richardson trajectories with the equilibrium and deliveries (Richardson 1960)."""
    race = result.race
    frame = result.to_frame()
    figure = _figure(8.0, 4.5)
    axes = figure.add_subplot()
    for index, side in enumerate((race.a, race.b)):
        axes.plot(frame["year"], frame[side], color=colour(index), linewidth=2, label=side)
        equilibrium = result.equilibrium[index]
        if math.isfinite(equilibrium):
            axes.axhline(
                equilibrium,
                color=colour(index),
                linestyle="--",
                linewidth=1,
                label=f"{side} equilibrium",
            )
        delivered = frame[f"delivered_to_{side}"] > 0
        if delivered.any():
            axes.plot(
                frame["year"][delivered],
                frame[side][delivered],
                "v",
                color=colour(index),
                markersize=9,
                label=f"deliveries to {side}",
            )
    axes.set_xlabel("year")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(race.units)
    stability = "stable" if result.stable else "unstable"
    axes.set_title(f"Richardson arms race, {race.a} and {race.b} ({stability})")
    axes.legend(fontsize=8)
    _caption(figure, caption or f"Source: {race.source}.")
    return figure


def balance_figure(result: BalanceResult, *, caption: str = "") -> Figure:
    """CINC of both states over the years and the contest probability."""
    frame = result.frame
    a, b = result.a.stateabb, result.b.stateabb
    figure = _figure(8.0, 4.5)
    axes = figure.add_subplot()
    axes.plot(frame["year"], frame[f"{a}_cinc"], color=colour(0), linewidth=2, label=f"{a} CINC")
    axes.plot(frame["year"], frame[f"{b}_cinc"], color=colour(1), linewidth=2, label=f"{b} CINC")
    axes.set_xlabel("year")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("CINC (share of world capabilities)")
    twin = axes.twinx()
    twin.plot(
        frame["year"],
        frame[f"p_{a}_prevails"],
        color=colour(2),
        linestyle="--",
        label=f"P({a} prevails)",
    )
    twin.set_ylim(0, 1)
    twin.set_ylabel(f"P({a} prevails), contest exponent {result.exponent:g}")
    lines = axes.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    axes.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize=8)
    axes.set_title(f"Balance of capabilities, {result.a.name} and {result.b.name}")
    _caption(
        figure, caption or "Source: Correlates of War NMC v6.0 (Singer, Bremer & Stuckey 1972)."
    )
    return figure


def attrition_figure(result: AttritionResult, *, caption: str = "") -> Figure:
    """Force sizes day by day under Lanchester's law, with reinforcements marked."""
    case = result.attrition
    frame = result.to_frame()
    figure = _figure(8.0, 4.5)
    axes = figure.add_subplot()
    for index, side in enumerate((case.a, case.b)):
        axes.plot(frame["day"], frame[side.name], color=colour(index), linewidth=2, label=side.name)
        arrivals = frame[f"{side.name}_reinforcements"] > 0
        if arrivals.any():
            axes.plot(
                frame["day"][arrivals],
                frame[side.name][arrivals],
                "^",
                color=colour(index),
                markersize=9,
                label=f"{side.name} reinforcements",
            )
    axes.set_xlabel("day")
    axes.set_ylabel("troops")
    axes.set_title(f"{case.title or case.name}: Lanchester {case.law} law")
    axes.legend(fontsize=8)
    _caption(figure, caption or f"Source: {case.source}.")
    return figure


def fit_figure(result: FitResult, *, caption: str = "") -> Figure:
    """Observed series against the fitted trajectories."""
    frame = result.fitted
    time = frame.columns[0]
    names = [c.removesuffix("_observed") for c in frame.columns if c.endswith("_observed")]
    figure = _figure(8.0, 4.5)
    axes = figure.add_subplot()
    for index, name in enumerate(names):
        axes.plot(
            frame[time],
            frame[f"{name}_observed"],
            "o",
            color=colour(index),
            label=f"{name} observed",
        )
        axes.plot(
            frame[time],
            frame[f"{name}_fitted"],
            "-",
            color=colour(index),
            label=f"{name} fitted (R² {result.r_squared[name]:.2f})",
        )
    axes.set_xlabel(time)
    axes.set_ylabel("level")
    axes.set_title(f"Least-squares fit: {result.model}")
    axes.legend(fontsize=8)
    _caption(figure, caption or "Estimates and standard errors in the table output.")
    return figure


def plot_result(result: Any, **options: Any) -> Figure:
    """The standard figure for any equipoise result object."""
    if isinstance(result, DeterrenceMap):
        return deterrence_map_figure(result, **options)
    if isinstance(result, AnalysisResult):
        return analysis_figure(result)
    if isinstance(result, DyadAssessment):
        return damage_figure(result, **options)
    if isinstance(result, PolicyComparison):
        return policy_figure(result, **options)
    if isinstance(result, Comparison | Recommendation):
        return comparison_figure(result, **options)
    if isinstance(result, ClaimsReport):
        return claims_figure(result, **options)
    if isinstance(result, WorldAnalysis):
        return worlds_figure(result, **options)
    if isinstance(result, ArmsRaceResult):
        return arms_race_figure(result, **options)
    if isinstance(result, BalanceResult):
        return balance_figure(result, **options)
    if isinstance(result, AttritionResult):
        return attrition_figure(result, **options)
    if isinstance(result, FitResult):
        return fit_figure(result, **options)
    raise TypeError(f"no figure for {type(result).__name__}")
