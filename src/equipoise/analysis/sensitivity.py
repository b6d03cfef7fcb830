"""Which inputs decide the verdict: Morris, Sobol' and one-at-a-time sensitivity.

A sensitivity analysis samples the inputs named by ``--vary`` (SALib's samplers,
Herman & Usher 2017), evaluates every variant through the sweep
(:mod:`equipoise.analysis.sweep`, so the one evaluator gives every metric) and
analyses each output:

* ``morris``: elementary effects (Morris 1991), mean absolute effect mu* with its
  bootstrap confidence interval (Campolongo, Cariboni & Saltelli 2007), and sigma;
* ``sobol``: first-order and total Sobol' indices S1 and ST from Saltelli's (2002,
  2010) estimators, with bootstrap confidence intervals;
* ``oat``: one input at a time from its low to its high end, the others at their
  current value; the swing has no sampling error, so no interval.

Outputs per dyad: each side's deterrence (0/1), each side's first-strike advantage,
the bargaining range width and, with ``trials``, each side's probability that its
retaliation crosses the rival's threshold. Inputs are sampled in [0, 1] and mapped to
their range (and distribution) by :class:`~equipoise.analysis.sweep.Vary`, so the
indices are per unit share of each input's range.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from equipoise.analysis.metrics import BY_NAME
from equipoise.analysis.overrides import current_value
from equipoise.analysis.results import Plottable, clean
from equipoise.analysis.settings import METHODS, Progress, progress_of
from equipoise.analysis.sweep import Vary, parse_varies, run_design
from equipoise.domain.loading import load_scenario
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Scenario
from equipoise.engines.types import FloatArray
from equipoise.errors import InputError

Method = Literal["morris", "sobol", "oat"]
CONFIDENCE = 0.95
RESAMPLES = 1_000
MORRIS_LEVELS = 4
FRAME_COLUMNS = ("scenario", "method", "output", "input", "measure", "value", "ci_low", "ci_high")
Model = Callable[[FloatArray], Mapping[str, FloatArray]]
"""Design matrix (variants x inputs, in the inputs' own units) -> outputs by name."""


@dataclass(frozen=True)
class SensitivityIndex:
    """One index of one output to one input, with its confidence interval (NaN: none)."""

    output: str
    input: str
    measure: str
    value: float
    low: float
    high: float


@dataclass(frozen=True, repr=False)
class SensitivityResult(Plottable):
    """Sensitivity indices of every output to every input.

    ``measure`` is ``mu_star`` / ``sigma`` (Morris), ``S1`` / ``ST`` (Sobol') or
    ``swing`` / ``at_low`` / ``at_high`` / ``base`` (one at a time); ``headline`` names the
    measure the figure ranks by. ``notes`` say which outputs were constant or missing.
    """

    scenario: str
    method: str
    seed: int
    trials: int
    variants: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    indices: tuple[SensitivityIndex, ...]
    notes: tuple[str, ...] = ()

    @property
    def headline(self) -> str:
        return {"morris": "mu_star", "sobol": "ST", "oat": "swing"}[self.method]

    def index(self, output: str, input_: str, measure: str | None = None) -> SensitivityIndex:
        """One index (default: the headline measure)."""
        wanted = measure or self.headline
        for entry in self.indices:
            if (entry.output, entry.input, entry.measure) == (output, input_, wanted):
                return entry
        raise KeyError(f"no {wanted} of {output} to {input_}")

    def to_frame(self) -> pd.DataFrame:
        """One row per (output, input, measure): value and confidence interval."""
        rows = [
            (self.scenario, self.method, i.output, i.input, i.measure, i.value, i.low, i.high)
            for i in self.indices
        ]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "scenario": self.scenario,
                "method": self.method,
                "seed": self.seed,
                "trials": self.trials,
                "variants": self.variants,
                "confidence": CONFIDENCE,
                "inputs": list(self.inputs),
                "outputs": list(self.outputs),
                "indices": [
                    {
                        "output": i.output,
                        "input": i.input,
                        "measure": i.measure,
                        "value": i.value,
                        "ci": [i.low, i.high],
                    }
                    for i in self.indices
                ],
                "notes": list(self.notes),
            }
        )

    def plot(self, **options: Any) -> Any:
        """A tornado (one-at-a-time) or bar figure of the headline index per output."""
        from equipoise.plots.sensitivity import sensitivity_figure

        return sensitivity_figure(self, **options)


def variants_for(method: str, inputs: int, samples: int) -> int:
    """How many variants a method's design has (Morris r(k+1), Saltelli N(k+2), OAT 2k+1)."""
    return {"morris": samples * (inputs + 1), "sobol": samples * (inputs + 2)}.get(
        method, 2 * inputs + 1
    )


def _problem(varies: Sequence[Vary]) -> dict[str, Any]:
    """SALib's problem over the unit cube: inputs are mapped to their range afterwards."""
    return {
        "num_vars": len(varies),
        "names": [v.path for v in varies],
        "bounds": [[0.0, 1.0]] * len(varies),
    }


def _to_inputs(varies: Sequence[Vary], unit: FloatArray) -> FloatArray:
    return np.column_stack([v.from_unit(unit[:, i]) for i, v in enumerate(varies)])


def _salib() -> Any:
    try:
        import SALib
    except ImportError:
        raise InputError(
            "morris and sobol need SALib",
            "pip install 'equipoise[sensitivity]' or use --method oat",
        ) from None
    return SALib


def design_for(
    method: str,
    varies: Sequence[Vary],
    samples: int,
    seed: int,
    base: Sequence[float] | None = None,
) -> FloatArray:
    """The method's sample in [0, 1] per input (one-at-a-time: base, then each input low
    and high)."""
    if method == "oat":
        centre = np.array(base if base is not None else [0.5] * len(varies), dtype=float)
        rows = np.repeat(centre[np.newaxis, :], 2 * len(varies) + 1, axis=0)
        inputs = np.arange(len(varies))
        rows[1 + 2 * inputs, inputs], rows[2 + 2 * inputs, inputs] = 0.0, 1.0
        return rows
    _salib()
    problem = _problem(varies)
    if method == "morris":
        from SALib.sample import morris as morris_sample

        return np.asarray(
            morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed), dtype=float
        )
    from SALib.sample import sobol as sobol_sample

    if samples & (samples - 1):
        raise InputError(
            f"sobol needs --samples as a power of two, not {samples}",
            f"use --samples {1 << max(samples.bit_length() - 1, 1)}",
        )
    return np.asarray(
        sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed), dtype=float
    )


def analyse(
    method: str, varies: Sequence[Vary], unit: FloatArray, output: str, y: FloatArray, seed: int
) -> tuple[list[SensitivityIndex], str]:
    """The indices of one output, and a note if it could not be analysed."""
    names = [v.path for v in varies]
    if not np.all(np.isfinite(y)):
        return [], f"{output_label(output)}: missing (NaN) in some variants; left out"
    if method == "oat":
        out = [SensitivityIndex(output, n, "base", float(y[0]), math.nan, math.nan) for n in names]
        for i, name in enumerate(names):
            low, high = float(y[1 + 2 * i]), float(y[2 + 2 * i])
            swing = (("swing", high - low), ("at_low", low), ("at_high", high))
            out += [SensitivityIndex(output, name, m, v, math.nan, math.nan) for m, v in swing]
        return out, ""
    problem = _problem(varies)
    if float(np.ptp(y)) == 0.0:
        zeros = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
        return [
            SensitivityIndex(output, n, m, 0.0, 0.0, 0.0) for n in names for m in zeros
        ], f"{output_label(output)}: the same in every variant, so no input moves it"
    # SALib's Sobol' bootstrap is unseeded for a falsy seed (0); a SeedSequence is never
    # falsy and gives the generator the integer itself gives
    options = {"num_resamples": RESAMPLES, "conf_level": CONFIDENCE}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "morris":
            from SALib.analyze import morris as morris_analyze

            si = morris_analyze.analyze(
                problem, unit, y, num_levels=MORRIS_LEVELS, seed=seed, **options
            )
            measures = {"mu_star": ("mu_star", "mu_star_conf"), "sigma": ("sigma", None)}
        else:
            from SALib.analyze import sobol as sobol_analyze

            si = sobol_analyze.analyze(
                problem, y, calc_second_order=False, seed=np.random.SeedSequence(seed), **options
            )
            measures = {"S1": ("S1", "S1_conf"), "ST": ("ST", "ST_conf")}
    out = []
    for i, name in enumerate(names):
        for measure, (key, conf) in measures.items():
            value = float(np.asarray(si[key])[i])
            half = float(np.asarray(si[conf])[i]) if conf else math.nan
            # mu* (a mean absolute effect) and Sobol' indices cannot be negative: SALib's
            # normal-approximation half-width is cut at zero, not shown below it
            floor = min(value, 0.0) if measure in ("mu_star", "ST") else -math.inf
            low = max(value - half, floor)
            out.append(SensitivityIndex(output, name, measure, value, low, value + half))
    return out, ""


def sensitivity_of(
    model: Model,
    varies: Sequence[Vary],
    *,
    method: Method = "morris",
    samples: int = 16,
    seed: int = 0,
    base: Sequence[float] | None = None,
    label: str = "",
    trials: int = 0,
) -> SensitivityResult:
    """Sensitivity indices of any vectorised ``model`` (design matrix -> outputs), the
    path every scenario analysis takes; ``samples`` is Morris's number of trajectories
    or Saltelli's base sample N (a power of two)."""
    if method not in METHODS:
        raise InputError(f"unknown method '{method}'", suggest(method, METHODS))
    if not varies:
        raise InputError(
            "a sensitivity analysis needs at least one --vary", "add --vary PATH=LOW:HIGH"
        )
    unit = design_for(method, varies, samples, seed, base)
    outputs = model(_to_inputs(varies, unit))
    indices: list[SensitivityIndex] = []
    notes: list[str] = []
    for name, y in outputs.items():
        found, note = analyse(method, varies, unit, name, np.asarray(y, dtype=float), seed)
        indices += found
        if note:
            notes.append(note)
    return SensitivityResult(
        label,
        method,
        seed,
        trials,
        unit.shape[0],
        tuple(v.path for v in varies),
        tuple(outputs),
        tuple(indices),
        tuple(notes),
    )


_SIDE_OUTPUTS = ("deterred", "first_strike_advantage", "retaliation_probability")


def scenario_outputs(frame: pd.DataFrame, with_probability: bool) -> dict[str, FloatArray]:
    """The outputs of a sweep's rows, per dyad: each side deterred (0/1), each side's
    first-strike advantage and retaliation probability, the bargaining range width.

    Keys are machine names, 'DYAD [STATE] METRIC' ('IRN-ISR IRN first_strike_advantage');
    :func:`output_label` gives a reader's label."""
    out: dict[str, FloatArray] = {}
    for dyad, rows in frame.groupby("dyad", sort=False):
        rows = rows.sort_values("variant")
        a, b = rows["a"].iloc[0], rows["b"].iloc[0]
        for name in _SIDE_OUTPUTS[: 3 if with_probability else 2]:
            for side, state in (("a", a), ("b", b)):
                out[f"{dyad} {state} {name}"] = rows[f"{name}_{side}"].to_numpy(dtype=float)
        out[f"{dyad} bargaining_width"] = rows["bargaining_width"].to_numpy(dtype=float)
    return out


def output_label(output: str) -> str:
    """An output's label for a reader, from the metric registry: 'IRN-ISR IRN
    first_strike_advantage' -> 'IRN-ISR, IRN: first-strike advantage', 'IRN-ISR
    bargaining_width' -> 'IRN-ISR: bargaining range width'. A name that is no
    registry metric (an output of :func:`sensitivity_of`'s own model) stays as it is."""
    where, _, name = output.rpartition(" ")
    if name not in BY_NAME:
        return output
    text = BY_NAME[name].label
    return f"{where.replace(' ', ', ')}: {text}" if where else text


def _base_point(scenario: Scenario, varies: Sequence[Vary]) -> list[float]:
    """Each input's current value as a share of its range (the midpoint if outside it)."""
    out = []
    for vary in varies:
        now = current_value(scenario, vary.path)
        share = (float(now) - vary.low) / (vary.high - vary.low) if now is not None else 0.5
        out.append(share if 0.0 <= share <= 1.0 else 0.5)
    return out


def sensitivity(
    scenario: Scenario | str | Path,
    vary: Sequence[str | Vary],
    *,
    method: Method = "morris",
    samples: int = 16,
    trials: int | None = None,
    seed: int = 0,
    workers: int = 1,
    scheduler: Any = None,
    progress: Progress | bool | None = None,
) -> SensitivityResult:
    """Which of the ``vary`` inputs ('PATH=LOW:HIGH') move each dyad's deterrence,
    first-strike advantage, bargaining range width and (with ``trials``) retaliation
    probability; variants run on the sweep's backends (``workers``, ``scheduler``).

    ``progress`` receives the variants finished, out of :func:`variants_for`; ``True``
    shows a bar."""
    model = load_scenario(scenario)
    varies = parse_varies(model, vary)
    total = variants_for(method, len(varies), samples)
    with progress_of(progress, total, f"sensitivity {model.name}", unit="variant") as report:

        def evaluate(values: FloatArray) -> dict[str, FloatArray]:
            frame = run_design(
                model,
                varies,
                values,
                trials=trials,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                progress=report,
            )
            return scenario_outputs(frame, trials is not None)

        return sensitivity_of(
            evaluate,
            varies,
            method=method,
            samples=samples,
            seed=seed,
            base=_base_point(model, varies),
            label=model.name,
            trials=trials or 0,
        )


__all__ = [
    "METHODS",
    "SensitivityIndex",
    "SensitivityResult",
    "output_label",
    "scenario_outputs",
    "sensitivity",
    "sensitivity_of",
    "variants_for",
]
