"""Sensitivity figures: which inputs move each output (tornado or ranked bars).

One panel per output. One-at-a-time results are drawn as a tornado: a bar per input
from the output at its low end to the output at its high end, around the base value.
Morris (mu*) and Sobol' (S1 and ST) results are ranked horizontal bars with their
bootstrap 95 % confidence intervals. Okabe-Ito colours; captioned with the scenario,
method, seed and the illustrative-numbers caveat.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from equipoise.analysis.sensitivity import SensitivityResult, output_label
from equipoise.plots.figures import NOTE, OKABE_ITO, _caption, _figure

MAX_PANELS = 12


def _values(
    result: SensitivityResult, output: str, measure: str
) -> dict[str, tuple[float, float, float]]:
    return {
        i.input: (i.value, i.low, i.high)
        for i in result.indices
        if i.output == output and i.measure == measure
    }


def _tornado(axes: Any, result: SensitivityResult, output: str) -> None:
    low, high = _values(result, output, "at_low"), _values(result, output, "at_high")
    base = _values(result, output, "base")
    names = sorted(low, key=lambda n: abs(high[n][0] - low[n][0]))
    centre = next(iter(base.values()))[0] if base else 0.0
    for row, name in enumerate(names):
        lo, hi = low[name][0], high[name][0]
        axes.barh(row - 0.17, lo - centre, left=centre, color=OKABE_ITO["sky"], height=0.34)
        axes.barh(row + 0.17, hi - centre, left=centre, color=OKABE_ITO["orange"], height=0.34)
    axes.axvline(centre, color=OKABE_ITO["black"], linewidth=0.8)
    axes.set_yticks(range(len(names)), names, fontsize=7)


def _bars(axes: Any, result: SensitivityResult, output: str) -> None:
    measures = ("S1", "ST") if result.method == "sobol" else ("mu_star",)
    head = _values(result, output, result.headline)
    names = sorted(head, key=lambda n: head[n][0])
    height = 0.8 / len(measures)
    for k, measure in enumerate(measures):
        values = _values(result, output, measure)
        y = np.arange(len(names)) + (k - (len(measures) - 1) / 2) * height
        value = np.array([values[n][0] for n in names])
        error = np.array(
            [[v - values[n][1], values[n][2] - v] for n, v in zip(names, value, strict=True)]
        ).T
        error = np.where(np.isfinite(error), np.abs(error), 0.0)
        axes.barh(
            y,
            value,
            height=height,
            xerr=error,
            capsize=2,
            label=measure,
            color=OKABE_ITO["blue" if k == 0 else "orange"],
        )
    axes.set_yticks(range(len(names)), names, fontsize=7)
    if len(measures) > 1:
        axes.legend(fontsize=7)


def sensitivity_figure(
    result: SensitivityResult, *, outputs: list[str] | None = None, caption: str = ""
) -> Figure:
    """One panel per output (at most 12): tornado for one-at-a-time, bars otherwise."""
    chosen = [
        o
        for o in (outputs or list(result.outputs))
        if any(abs(v[0]) > 0 for v in _values(result, o, result.headline).values())
    ]
    chosen = chosen[:MAX_PANELS] or list(result.outputs)[:1]
    columns = min(2, len(chosen))
    rows = math.ceil(len(chosen) / columns)
    figure = _figure(6.0 * columns, 0.5 + 2.4 * rows)
    for index, output in enumerate(chosen):
        axes = figure.add_subplot(rows, columns, index + 1)
        if result.method == "oat":
            _tornado(axes, result, output)
            axes.set_xlabel("output at each input's low (blue) and high (orange) end", fontsize=8)
        else:
            _bars(axes, result, output)
            label = {"morris": "Morris mu* (95 % CI)", "sobol": "Sobol' index (95 % CI)"}
            axes.set_xlabel(label[result.method], fontsize=8)
        axes.set_title(output_label(output), fontsize=9)
    method = {"morris": "Morris", "sobol": "Sobol'", "oat": "one at a time"}[result.method]
    figure.suptitle(f"Sensitivity of {result.scenario or 'the model'} ({method})")
    _caption(
        figure,
        caption
        or f"Scenario {result.scenario}, {result.variants} variants, seed {result.seed}. {NOTE}",
    )
    return figure


__all__ = ["sensitivity_figure"]
