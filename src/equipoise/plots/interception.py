"""Figures of the interception record, its fits and their backtest.

Colour-blind-safe (Okabe-Ito), each captioned with the record's source and the
caveat that it is one party's claims, not independently verified.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from equipoise.plots.figures import OKABE_ITO, _caption, _figure, colour
from equipoise.records.interception import Backtest, InterceptionFit, InterceptionRecord

CAPTION = (
    "Source: Ivaniuk (2026), UA AirDefense Tracker (Ukrainian Air Force reports, ODC-BY 1.0). "
    "One party's claims, not independently verified."
)


def _top(families: list[str], limit: int) -> list[str]:
    return families[:limit]


def record_figure(record: InterceptionRecord, *, families: int = 6, caption: str = "") -> Figure:
    """Pooled share destroyed per family and quarter, as reported."""
    windows = record.windows()
    order = list(record.to_frame()["family"])
    figure = _figure(9.0, 4.8)
    axes = figure.add_subplot()
    for index, family in enumerate(_top(order, families)):
        part = (
            windows[windows["family"] == family].groupby("quarter")[["destroyed", "launched"]].sum()
        )
        times = pd.PeriodIndex(part.index, freq="Q").to_timestamp()
        axes.plot(
            times, part["destroyed"] / part["launched"], "o-", color=colour(index), label=family
        )
    axes.set_ylim(0, 1.02)
    axes.set_ylabel("share destroyed (pooled per quarter)")
    axes.set_title("Reported share destroyed per weapon family")
    axes.legend(fontsize=8, ncol=2)
    _caption(figure, caption or CAPTION)
    return figure


def fit_figure(fit: InterceptionFit, *, families: int = 6, caption: str = "") -> Figure:
    """Per-quarter share destroyed per family with 95 % bands (beta-binomial)."""
    quarters = fit.quarters_frame()
    figure = _figure(9.0, 4.8)
    axes = figure.add_subplot()
    for index, family in enumerate(_top([f.family for f in fit.families], families)):
        part = quarters[quarters["family"] == family]
        times = pd.PeriodIndex(part["quarter"], freq="Q").to_timestamp()
        axes.fill_between(times, part["low"], part["high"], color=colour(index), alpha=0.2)
        axes.plot(times, part["share"], "o-", color=colour(index), label=family, markersize=4)
    axes.set_ylim(0, 1.02)
    axes.set_ylabel("share destroyed (95 % band)")
    axes.set_title("Share destroyed per family and quarter, beta-binomial fit")
    axes.legend(fontsize=8, ncol=2)
    _caption(figure, caption or CAPTION)
    return figure


def saturation_figure(
    fit: InterceptionFit, *, family: str | None = None, caption: str = ""
) -> Figure:
    """Share destroyed against salvo size, with the constant and channel-limited fits."""
    chosen = fit.family(family) if family else fit.families[0]
    windows = fit.windows[fit.windows["family"] == chosen.family]
    figure = _figure(8.0, 4.8)
    axes = figure.add_subplot()
    n = windows["launched"].to_numpy()
    axes.scatter(
        n, windows["destroyed"] / n, s=10, color=OKABE_ITO["grey"], alpha=0.6, label="windows"
    )
    grid = np.unique(np.geomspace(1, max(n.max(), 2), 200).round())
    axes.plot(
        grid,
        np.full(grid.size, chosen.destroyed.share),
        color=OKABE_ITO["blue"],
        label="constant share",
    )
    axes.plot(
        grid,
        chosen.saturating.mean_share(grid),
        "--",
        color=OKABE_ITO["orange"],
        label=f"channel-limited p*min(n,c)/n (c = {chosen.saturating.channels:.0f})",
    )
    axes.set_xscale("log")
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("launched in the window")
    axes.set_ylabel("share destroyed")
    axes.set_title(f"{chosen.family}: {chosen.saturation_verdict}")
    axes.legend(fontsize=8)
    _caption(figure, caption or CAPTION)
    return figure


def backtest_figure(result: Backtest, *, caption: str = "", **_: Any) -> Figure:
    """Randomised PIT histograms and interval coverage of every model."""
    figure = _figure(10.0, 4.5)
    left, right = figure.subplots(1, 2)
    overall = result.overall
    models = list(overall["model"])
    for index, model in enumerate(models):
        counts = np.asarray(result.pit_histogram(model), dtype=float)
        density = counts / max(counts.sum(), 1.0) * counts.size
        left.step(
            np.linspace(0, 1, counts.size + 1),
            np.append(density, density[-1]),
            where="post",
            color=colour(index),
            label=model,
        )
    left.axhline(1.0, color=OKABE_ITO["black"], linewidth=0.8)
    left.set_xlabel("randomised PIT")
    left.set_ylabel("density (uniform = 1)")
    left.set_title("Calibration on held-out windows")
    left.legend(fontsize=7)
    x = np.arange(len(models))
    right.bar(x - 0.2, overall["coverage_50"], 0.4, color=OKABE_ITO["sky"], label="50 % interval")
    right.bar(x + 0.2, overall["coverage_90"], 0.4, color=OKABE_ITO["blue"], label="90 % interval")
    right.axhline(0.5, color=OKABE_ITO["sky"], linestyle=":")
    right.axhline(0.9, color=OKABE_ITO["blue"], linestyle=":")
    right.set_xticks(x, [m.replace("_", "\n") for m in models], fontsize=7)
    right.set_ylim(0, 1.05)
    right.set_ylabel("coverage")
    right.legend(fontsize=7)
    _caption(figure, caption or f"Trained until {result.train_until} ({result.mode}). {CAPTION}")
    return figure
